import { expect } from 'chai';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { createLogger, jobLogger, orderLogger, requestLogger } from '../../platform/observability/logger';
import { createMetrics, routeLabel } from '../../platform/observability/metrics';
import {
  createReadiness,
  databaseCheck,
  zeebeCheck,
  type ReadinessReport,
  type TopologyLike,
} from '../../platform/observability/readiness';
import { JOB } from '../../domain/vocabulary';

/** A pino destination that keeps the parsed lines. */
function capture(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { stream, lines };
}

async function listen(app: express.Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Value of one sample in Prometheus text output, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const pair of (m[2] ?? '').match(/(\w+)="((?:[^"\\]|\\.)*)"/g) ?? []) {
      const [, k, v] = /(\w+)="(.*)"/.exec(pair)!;
      got[k] = v;
    }
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('production: observability', () => {
  describe('logger', () => {
    it('writes one JSON object per line with ISO time, textual level and service', () => {
      const { stream, lines } = capture();
      const log = createLogger({ level: 'info', service: 'workers', destination: stream });
      log.info({ a: 1 }, 'hello');
      log.debug('not written at info');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.include({ level: 'info', service: 'workers', msg: 'hello', a: 1 });
      expect(String(lines[0].time)).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('job child logger carries jobKey, jobType, processInstanceKey and the orderNo of the variables', () => {
      const { stream, lines } = capture();
      const log = createLogger({ destination: stream });
      const job = {
        key: '2251799813685249',
        type: JOB.completionComputeDeadline,
        processInstanceKey: '2251799813685240',
        elementId: 'compute-completion-deadline',
        variables: { orderNo: 'YW-2026-000123', orderId: 'x' },
      };
      jobLogger(log, job).warn({ attempt: 2 }, 'retrying');
      expect(lines[0]).to.include({
        jobKey: '2251799813685249',
        jobType: 'completion.compute-deadline',
        processInstanceKey: '2251799813685240',
        elementId: 'compute-completion-deadline',
        orderNo: 'YW-2026-000123',
        attempt: 2,
        level: 'warn',
      });
      // variables themselves are not logged (they may hold personal data)
      expect(lines[0]).to.not.have.property('variables');
    });

    it('job child logger omits orderNo where the flow has none (monthly report)', () => {
      const { stream, lines } = capture();
      jobLogger(createLogger({ destination: stream }), {
        key: 1n,
        type: JOB.accountMonitoringGenerateMonthlyReport,
        processInstanceKey: 2n,
        variables: {},
      }).info('x');
      expect(lines[0]).to.include({ jobKey: '1', processInstanceKey: '2' });
      expect(lines[0]).to.not.have.property('orderNo');
    });

    it('order and request child loggers carry their keys; secrets are redacted', () => {
      const { stream, lines } = capture();
      const log = createLogger({ destination: stream });
      orderLogger(log, { orderNo: 'YW-2026-000001', processInstanceKey: 42n }).info({ password: 'p', nested: { token: 't' } }, 'o');
      orderLogger(log, { orderNo: 'YW-2026-000002' }).info('no key yet');
      requestLogger(log, { requestId: 'r1', method: 'GET', path: '/orders', username: 'customer-manager' }).info('r');
      expect(lines[0]).to.include({ orderNo: 'YW-2026-000001', processInstanceKey: '42', password: '[redacted]' });
      expect(lines[0].nested).to.deep.equal({ token: '[redacted]' });
      expect(lines[1]).to.include({ orderNo: 'YW-2026-000002' }).and.not.have.property('processInstanceKey');
      expect(lines[2]).to.include({ requestId: 'r1', method: 'GET', path: '/orders', username: 'customer-manager' });
    });

    it('refuses an unknown level', () => {
      expect(() => createLogger({ level: 'verbose' as never })).to.throw(/unknown log level/);
    });
  });

  describe('metrics', () => {
    it('counts and times jobs per type and outcome through the worker hooks', async () => {
      let t = 100;
      const m = createMetrics({ defaultMetrics: false, now: () => t });
      const hooks = m.jobHooks();
      const a = { key: '1', type: JOB.deliveryRecord };
      const b = { key: '2', type: JOB.deliveryRecord };
      const c = { key: '3', type: JOB.expenseContractDraft };
      const d = { key: '4', type: JOB.expenseContractDraft };
      hooks.onStart(a);
      hooks.onStart(b);
      hooks.onStart(c);
      hooks.onStart(d);
      t = 100.2;
      hooks.onDone(a, { action: 'complete' });
      t = 101;
      hooks.onDone(b, { action: 'fail', retries: 0 });
      hooks.onDone(c, { action: 'error' });
      hooks.onDone(d, null);
      const text = await m.registry.metrics();
      expect(sample(text, 'ot_jobs_handled_total', { type: 'delivery.record', outcome: 'complete' })).to.equal(1);
      expect(sample(text, 'ot_jobs_handled_total', { type: 'delivery.record', outcome: 'fail' })).to.equal(1);
      expect(sample(text, 'ot_jobs_handled_total', { type: 'expense-contract.draft', outcome: 'bpmn_error' })).to.equal(1);
      expect(sample(text, 'ot_jobs_handled_total', { type: 'expense-contract.draft', outcome: 'crashed' })).to.equal(1);
      expect(sample(text, 'ot_jobs_failed_total', { type: 'delivery.record', incident: 'true' })).to.equal(1);
      expect(sample(text, 'ot_jobs_failed_total', { type: 'expense-contract.draft', incident: 'false' })).to.equal(1);
      // a BPMN error is a business outcome, not a failure
      expect(sample(text, 'ot_jobs_failed_total', { type: 'expense-contract.draft', incident: 'true' })).to.equal(undefined);
      const sum = sample(text, 'ot_job_handler_duration_seconds_sum', { type: 'delivery.record', outcome: 'complete' });
      expect(sum).to.be.closeTo(0.2, 1e-9);
      expect(sample(text, 'ot_job_handler_duration_seconds_bucket', { type: 'delivery.record', outcome: 'complete', le: '0.1' })).to.equal(
        0,
      );
      expect(sample(text, 'ot_job_handler_duration_seconds_bucket', { type: 'delivery.record', outcome: 'complete', le: '0.25' })).to.equal(
        1,
      );
      expect(sample(text, 'ot_job_handler_duration_seconds_sum', { type: 'delivery.record', outcome: 'fail' })).to.be.closeTo(1, 1e-9);
    });

    it('outbox gauges read the probe on each scrape and survive a failing probe', async () => {
      let backlog = 3;
      let age: number | null = 12.5;
      let broken = false;
      const errors: string[] = [];
      const m = createMetrics({
        defaultMetrics: false,
        onCollectError: (c) => errors.push(c),
        outbox: {
          backlog: async () => {
            if (broken) throw new Error('db down');
            return backlog;
          },
          oldestAgeSeconds: () => age,
        },
      });
      let text = await m.registry.metrics();
      expect(sample(text, 'ot_outbox_backlog')).to.equal(3);
      expect(sample(text, 'ot_outbox_oldest_age_seconds')).to.equal(12.5);
      backlog = 0;
      age = null;
      text = await m.registry.metrics();
      expect(sample(text, 'ot_outbox_backlog')).to.equal(0);
      expect(sample(text, 'ot_outbox_oldest_age_seconds')).to.equal(0);
      broken = true;
      text = await m.registry.metrics();
      expect(sample(text, 'ot_outbox_backlog')).to.be.NaN;
      expect(sample(text, 'ot_outbox_oldest_age_seconds')).to.equal(0);
      expect(sample(text, 'ot_metrics_collect_errors_total', { collector: 'outbox_backlog' })).to.equal(1);
      expect(errors).to.deep.equal(['outbox_backlog']);
    });

    it('outbox gauges read NaN (unknown, not 0) until a probe is set; setOutboxProbe wires one later', async () => {
      const m = createMetrics({ defaultMetrics: false });
      expect(sample(await m.registry.metrics(), 'ot_outbox_backlog')).to.be.NaN;
      m.setOutboxProbe({ backlog: () => 7, oldestAgeSeconds: () => 1 });
      expect(sample(await m.registry.metrics(), 'ot_outbox_backlog')).to.equal(7);
    });

    it('Express middleware labels latency by route pattern (not raw URL); /metrics serves the text format', async () => {
      const m = createMetrics({ defaultLabels: { service: 'api' } });
      const app = express();
      app.use(m.httpMiddleware());
      const router = express.Router();
      router.get('/orders/:orderNo', async (_req, res) => {
        await new Promise((r) => setTimeout(r, 5));
        res.json({ ok: true });
      });
      router.post('/orders', (_req, res) => {
        res.status(201).end();
      });
      app.use('/api', router);
      app.get('/metrics', m.metricsHandler());
      const srv = await listen(app);
      try {
        expect((await fetch(`${srv.url}/api/orders/YW-2026-000001`)).status).to.equal(200);
        expect((await fetch(`${srv.url}/api/orders/YW-2026-000002`)).status).to.equal(200);
        expect((await fetch(`${srv.url}/api/orders`, { method: 'POST' })).status).to.equal(201);
        expect((await fetch(`${srv.url}/nowhere/${Math.random()}`)).status).to.equal(404);
        const res = await fetch(`${srv.url}/metrics`);
        expect(res.status).to.equal(200);
        expect(res.headers.get('content-type')).to.match(/^text\/plain/);
        const text = await res.text();
        const count = (route: string, method: string, status: string) =>
          sample(text, 'ot_http_request_duration_seconds_count', { route, method, status_code: status, service: 'api' });
        expect(count('/api/orders/:orderNo', 'GET', '200')).to.equal(2);
        expect(count('/api/orders', 'POST', '201')).to.equal(1);
        expect(count('unmatched', 'GET', '404')).to.equal(1);
        expect(text).to.not.include('YW-2026-000001');
        expect(text).to.match(/^ot_process_cpu_seconds_total/m);
        const sum = sample(text, 'ot_http_request_duration_seconds_sum', {
          route: '/api/orders/:orderNo',
          method: 'GET',
          status_code: '200',
        });
        expect(sum).to.be.greaterThan(0.008);
      } finally {
        await srv.close();
      }
    });

    it('two instances do not collide (own registries), a shared registry is honoured', async () => {
      const r = new Registry();
      createMetrics({ registry: r, defaultMetrics: false, prefix: 'x_' });
      createMetrics({ defaultMetrics: false });
      expect(await r.getSingleMetricAsString('x_outbox_backlog')).to.include('x_outbox_backlog');
      expect(() => createMetrics({ registry: r, defaultMetrics: false, prefix: 'x_' })).to.throw(/already been registered/);
    });

    it('routeLabel handles a root route on a mounted router', () => {
      const req = { baseUrl: '/api/orders', route: { path: '/' } } as never;
      expect(routeLabel(req)).to.equal('/api/orders');
      expect(routeLabel({ baseUrl: '', route: { path: '/' } } as never)).to.equal('/');
      expect(routeLabel({ baseUrl: '' } as never)).to.equal('unmatched');
    });
  });

  describe('readiness', () => {
    const healthy: TopologyLike = {
      brokers: [{ nodeId: 0, host: 'orchestration', port: 26501, partitions: [{ partitionId: 1, role: 'LEADER', health: 'HEALTHY' }] }],
      clusterSize: 1,
      partitionsCount: 1,
      replicationFactor: 1,
      gatewayVersion: '8.9.23',
    };

    it('is ready when the database answers and every partition has a healthy leader', async () => {
      const r = createReadiness([databaseCheck({ query: async () => [{ 1: 1 }] }), zeebeCheck({ topology: async () => healthy })]);
      const report = await r.check();
      expect(report.status).to.equal('ready');
      expect(report.checks.database.status).to.equal('up');
      expect(report.checks.zeebe).to.deep.include({ status: 'up', details: { brokers: 1, partitions: 1, gatewayVersion: '8.9.23' } });
    });

    it('is not ready when a partition lacks a healthy leader (numeric enums accepted)', async () => {
      const t: TopologyLike = {
        brokers: [
          {
            nodeId: 0,
            partitions: [
              { partitionId: 1, role: 0, health: 0 },
              { partitionId: 2, role: 1, health: 0 },
            ],
          },
          { nodeId: 1, partitions: [{ partitionId: 2, role: 'LEADER', health: 'UNHEALTHY' }] },
        ],
        partitionsCount: 2,
      };
      const report = await createReadiness([zeebeCheck({ topology: async () => t })]).check();
      expect(report.status).to.equal('not_ready');
      expect(report.checks.zeebe.error).to.equal('partitions without a healthy leader: 2');
    });

    it('is not ready when the gateway reports no brokers or the database throws', async () => {
      const report = await createReadiness([
        databaseCheck({ query: async () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:3306')) }),
        zeebeCheck({ topology: async () => ({ brokers: [] }) }),
      ]).check();
      expect(report.status).to.equal('not_ready');
      expect(report.checks.database).to.include({ status: 'down', error: 'ECONNREFUSED 127.0.0.1:3306' });
      expect(report.checks.zeebe).to.include({ status: 'down', error: 'gateway reports no brokers' });
    });

    it('bounds each check by its time-out and aborts its signal, running checks in parallel', async () => {
      let aborted = false;
      const hang = {
        name: 'zeebe',
        timeoutMs: 50,
        run: (signal: AbortSignal) =>
          new Promise<void>(() => {
            signal.addEventListener('abort', () => (aborted = true));
          }),
      };
      const slowDb = databaseCheck({ query: () => new Promise((r) => setTimeout(r, 40)) }, { timeoutMs: 1000 });
      const t0 = Date.now();
      const report = await createReadiness([hang, slowDb], { timeoutMs: 10_000 }).check();
      const took = Date.now() - t0;
      expect(report.status).to.equal('not_ready');
      expect(report.checks.zeebe.error).to.equal('zeebe: no answer within 50 ms');
      expect(report.checks.database.status).to.equal('up');
      expect(aborted).to.equal(true);
      expect(took).to.be.lessThan(1000);
    });

    it('serves 200 / 503 with the report over HTTP', async () => {
      let up = true;
      const r = createReadiness([databaseCheck({ query: async () => (up ? 1 : Promise.reject(new Error('down'))) })]);
      const app = express();
      app.get('/ready', r.handler());
      const srv = await listen(app);
      try {
        let res = await fetch(`${srv.url}/ready`);
        expect(res.status).to.equal(200);
        expect(((await res.json()) as ReadinessReport).status).to.equal('ready');
        up = false;
        res = await fetch(`${srv.url}/ready`);
        expect(res.status).to.equal(503);
        expect(res.headers.get('cache-control')).to.equal('no-store');
        expect(((await res.json()) as ReadinessReport).checks.database.error).to.equal('down');
      } finally {
        await srv.close();
      }
    });

    it('refuses two checks with one name', () => {
      expect(() => createReadiness([databaseCheck({ query: async () => 1 }), databaseCheck({ query: async () => 1 })])).to.throw(
        /duplicate/,
      );
    });
  });
});
