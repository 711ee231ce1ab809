/**
 * The standalone workers process (startStandalone, what `npm run workers` runs) serves its endpoints on
 * PORT: GET /health/live, GET /health/ready (database + Zeebe gateway), GET /metrics with the jobs it
 * handled; its job log lines carry jobKey, processInstanceKey and orderNo.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { ProcessCommandEntity } from '../../db/entities/index';
import { initDatabase } from '../../db/index';
import { inTransaction } from '../../db/transaction';
import { enqueueCommand } from '../../domain/outbox';
import { JOB, MESSAGE } from '../../domain/vocabulary';
import { startStandalone, type Standalone } from '../../app/entry/workers';
import { FakeGateway } from './support/fake-gateway';
import { nextKey, resetDatabase, seedWorld } from './support/harness';
import { sample } from '../support/prometheus';

describe('workers: standalone endpoints (/health/live, /health/ready, /metrics) and job logs', function () {
  this.timeout(30_000);
  let dir: string;
  let url: string;
  let ds: DataSource;
  let gw: FakeGateway;
  let sys: Standalone;
  let base: string;
  const lines: Record<string, unknown>[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-endpoints-'));
    url = process.env.DATABASE_URL || `sqlite:${path.join(dir, 'db.sqlite')}`;
    ds = await initDatabase(url);
    await resetDatabase(ds, { seedCalendar: false });
    gw = new FakeGateway();
    await gw.start();
    const destination = new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
        cb();
      },
    });
    sys = await startStandalone(
      {
        DATABASE_URL: url,
        ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${gw.port}`,
        ZEEBE_REST_ADDRESS: 'http://127.0.0.1:9',
        // the gateway double answers ActivateJobs, not StreamActivatedJobs
        WORKER_JOB_STREAM: 'false',
        CAMUNDA_AUTH_STRATEGY: 'NONE',
        ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
        CAMUNDA_LOG_LEVEL: 'none',
        LOG_LEVEL: 'info',
        NODE_ENV: 'test',
        PORT: '0',
      },
      { logDestination: destination },
    );
    base = `http://127.0.0.1:${sys.port}`;
  });
  after(async () => {
    await sys?.stop();
    await gw?.stop();
    if (ds?.isInitialized) await ds.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('listens on a free port for PORT=0; /health/live answers 200, unknown paths 404', async () => {
    expect(sys.port).to.be.greaterThan(0);
    const live = await fetch(`${base}/health/live`);
    expect(live.status).to.equal(200);
    expect(await live.json()).to.deep.equal({ status: 'ok' });
    expect((await fetch(`${base}/api/orders`)).status).to.equal(404);
  });

  it('/health/ready is 200 with the database and the Zeebe gateway (Topology) both up', async () => {
    const res = await fetch(`${base}/health/ready`);
    const report = (await res.json()) as { status: string; checks: Record<string, { status: string; details?: unknown }> };
    expect(res.status, JSON.stringify(report)).to.equal(200);
    expect(report.status).to.equal('ready');
    expect(report.checks.database.status).to.equal('up');
    expect(report.checks.zeebe).to.deep.include({ status: 'up', details: { brokers: 1, partitions: 1, gatewayVersion: '8.9.0' } });
  });

  it('a handled job shows in /metrics per type and outcome, and its log line carries jobKey, processInstanceKey and orderNo', async () => {
    const { order } = await seedWorld(ds);
    const ok = nextKey();
    const bad = nextKey();
    gw.enqueue(
      {
        key: ok,
        type: JOB.orderCancel,
        processInstanceKey: '2251799813690777',
        elementId: 'cancel-order',
        variables: JSON.stringify({ orderId: order.id, orderNo: order.orderNo, customerFeedback: '不需要了' }),
      },
      { key: bad, type: JOB.orderCancel, elementId: 'cancel-order', variables: JSON.stringify({ orderId: 42 }) },
    );
    expect((await gw.waitForAck(ok)).rpc).to.equal('CompleteJob');
    expect(await gw.waitForAck(bad)).to.include({ rpc: 'FailJob', retries: 0 });
    // the gateway sees the acknowledgement before the worker has its answer: wait for the workers' own
    // log line of each job, written after the metrics hooks ran
    const logged = (msg: string, key: string) => lines.find((l) => l.msg === msg && l.jobKey === key);
    for (let i = 0; i < 100 && !(logged('job handled', ok) && logged('job failed', bad)); i++) await new Promise((r) => setTimeout(r, 20));
    const res = await fetch(`${base}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    const text = await res.text();
    expect(sample(text, 'ot_jobs_handled_total', { type: JOB.orderCancel, outcome: 'complete', service: 'workers' })).to.equal(1);
    expect(sample(text, 'ot_jobs_handled_total', { type: JOB.orderCancel, outcome: 'fail' })).to.equal(1);
    expect(sample(text, 'ot_jobs_failed_total', { type: JOB.orderCancel, incident: 'true' })).to.equal(1);
    expect(sample(text, 'ot_job_handler_duration_seconds_count', { type: JOB.orderCancel, outcome: 'complete' })).to.equal(1);
    expect(sample(text, 'ot_jobs_handled_total', { type: JOB.deliveryRecord, outcome: 'complete' })).to.equal(undefined);

    const handled = logged('job handled', ok);
    expect(handled, JSON.stringify(lines.slice(-5))).to.include({
      service: 'workers',
      level: 'info',
      jobType: JOB.orderCancel,
      processInstanceKey: '2251799813690777',
      elementId: 'cancel-order',
      orderNo: order.orderNo,
      outcome: 'complete',
    });
    expect(handled).to.not.have.property('variables');
    expect(handled).to.not.have.property('customerFeedback');
    const failed = logged('job failed', bad);
    expect(failed).to.include({ level: 'warn', retries: 0, processInstanceKey: '2251799813685000' });
    expect(failed, 'no orderNo where the job has none').to.not.have.property('orderNo');
  });

  it('/metrics reads the outbox: every undispatched command and the age of the oldest', async () => {
    const created = new Date(Date.now() - 90_000);
    await inTransaction(ds, (em) =>
      enqueueCommand(
        em,
        { kind: 'publish-message', name: MESSAGE.orderSubmitted, correlationKey: 'YW-2026-009991', variables: {} },
        created,
      ),
    );
    // a command backing off after a failed attempt is still backlog
    await inTransaction(ds, (em) =>
      enqueueCommand(
        em,
        { kind: 'publish-message', name: MESSAGE.orderSubmitted, correlationKey: 'YW-2026-009992', variables: {} },
        new Date(),
      ),
    );
    await ds
      .getRepository(ProcessCommandEntity)
      .update({ dedupeKey: `${MESSAGE.orderSubmitted}:YW-2026-009992` }, { nextAttemptAt: new Date(Date.now() + 600_000), attempts: 1 });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'ot_outbox_backlog')).to.equal(2);
    expect(sample(text, 'ot_outbox_oldest_age_seconds')).to.be.within(89, 150);
  });

  it('/health/ready turns 503 naming the database when the database is closed; /health/live stays 200', async () => {
    await sys.dataSource.destroy();
    const res = await fetch(`${base}/health/ready`);
    expect(res.status).to.equal(503);
    const report = (await res.json()) as { status: string; checks: Record<string, { status: string; error?: string }> };
    expect(report.status).to.equal('not_ready');
    expect(report.checks.database.status).to.equal('down');
    expect(report.checks.database.error).to.be.a('string').and.not.equal('');
    expect(report.checks.zeebe.status).to.equal('up');
    expect((await fetch(`${base}/health/live`)).status).to.equal(200);
    // the scrape still answers; the outbox gauges read NaN (unknown) rather than failing the scrape
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).to.equal(200);
    expect(sample(await metrics.text(), 'ot_outbox_backlog')).to.be.NaN;
  });
});
