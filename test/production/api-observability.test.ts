/**
 * The API as the composition roots wire it (observeApi → createApp options): GET /metrics at the root
 * with a latency histogram labelled by route pattern (no raw ids), request logs carrying the request id,
 * and /health/ready that includes the Zeebe gateway (Topology through the real SDK client).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { Writable } from 'node:stream';
import { Camunda8 } from '@camunda8/sdk';
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { createApp } from '../../api/app';
import { createLocalAuth, DEMO_PASSWORD } from '../../api/auth';
import { demoUsers } from '../../api/demo-users';
import { createHealth } from '../../api/health';
import { createStore } from '../../api/store';
import { observeApi } from '../../app/observability/api';
import { createLogger } from '../../platform/observability/logger';
import { createMetrics } from '../../platform/observability/metrics';
import { resetApiData } from '../api/fixtures';
import { closeTestDataSource, openTestDataSource } from '../support/db';
import { anOrder } from '../support/fixtures';
import { GatewayDouble } from './support/gateway-double';
import { sample } from '../support/prometheus';

describe('production: API observability (metrics, request logs, readiness with the gateway)', function () {
  this.timeout(30_000);
  let ds: DataSource;
  let gw: GatewayDouble;
  let zeebe: ReturnType<Camunda8['getZeebeGrpcApiClient']>;
  let server: http.Server;
  let base: string;
  const lines: Record<string, unknown>[] = [];

  before(async () => {
    ds = await openTestDataSource();
    await resetApiData(ds);
    gw = new GatewayDouble();
    const port = await gw.start();
    zeebe = new Camunda8({
      ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${port}`,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      CAMUNDA_LOG_LEVEL: 'none',
      zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE', ZEEBE_GRPC_CLIENT_RETRY: false },
    } as never).getZeebeGrpcApiClient();
    const destination = new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
        cb();
      },
    });
    const logger = createLogger({ level: 'info', service: 'api', destination });
    const metrics = createMetrics({ defaultLabels: { service: 'api' } });
    const obs = observeApi(ds, createHealth(ds), { logger, metrics, zeebe, readinessTimeoutMs: 3000 });
    const app = createApp(
      {
        auth: createLocalAuth({ secret: 'test-secret-0123456789abcdef', users: await demoUsers(ds) }),
        store: createStore(ds),
        health: obs.health,
        logError: obs.logError,
      },
      obs.appOptions,
    );
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await zeebe?.close(2000);
    await gw?.stop();
    await closeTestDataSource(ds);
  });

  it('/metrics: latency per route pattern, method and status; no raw ids or paths in the labels; not under /api', async () => {
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'customer-manager', password: DEMO_PASSWORD }),
    });
    expect(login.status).to.equal(200);
    const { token } = (await login.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    const a = (await anOrder(ds)).order;
    const b = (await anOrder(ds)).order;
    const missing = randomUUID();
    const stray = `nowhere-${randomUUID()}`;
    expect((await fetch(`${base}/api/orders/${a.id}`, { headers: auth })).status).to.equal(200);
    expect((await fetch(`${base}/api/orders/${b.id}`, { headers: auth })).status).to.equal(200);
    expect((await fetch(`${base}/api/orders/${missing}`, { headers: auth })).status).to.equal(404);
    expect((await fetch(`${base}/api/orders/${a.id}`)).status).to.equal(401);
    expect((await fetch(`${base}/${stray}`)).status).to.equal(404);
    expect((await fetch(`${base}/api/metrics`)).status, 'metrics are not part of the public /api').to.equal(404);

    const res = await fetch(`${base}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    const text = await res.text();
    const count = (route: string, status: string) =>
      sample(text, 'ot_http_request_duration_seconds_count', { service: 'api', method: 'GET', route, status_code: status });
    expect(count('/api/orders/:id', '200')).to.equal(2);
    // the 404 and 401 are answered by the app-level error handler, after the router: still the full pattern
    expect(count('/api/orders/:id', '404')).to.equal(1);
    expect(count('/api/orders/:id', '401')).to.equal(1);
    expect(count('unmatched', '404')).to.equal(2);
    expect(
      sample(text, 'ot_http_request_duration_seconds_count', { method: 'POST', route: '/api/auth/login', status_code: '200' }),
    ).to.equal(1);
    for (const raw of [a.id, b.id, missing, stray, a.orderNo]) expect(text, raw).to.not.include(raw);
    const routes = new Set([...text.matchAll(/ot_http_request_duration_seconds_count\{[^}]*route="([^"]*)"/g)].map((m) => m[1]));
    for (const r of routes) expect(r === 'unmatched' || r.startsWith('/'), r).to.equal(true);
    expect([...routes].filter((r) => /[0-9a-f]{8}-[0-9a-f]{4}-/.test(r))).to.deep.equal([]);
    // the outbox gauges read the database: each new order left its start command (no dispatcher runs here)
    expect(sample(text, 'ot_outbox_backlog')).to.equal(2);
    expect(sample(text, 'ot_outbox_oldest_age_seconds')).to.be.within(0, 60);
  });

  it('request logs: one line per request with the request id (echoed as X-Request-Id), route pattern, status and user', async () => {
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'auditor', password: DEMO_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const { order } = await anOrder(ds);
    const mine = await fetch(`${base}/api/orders/${order.id}`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'proxy-req-0001' },
    });
    expect(mine.status).to.equal(200);
    expect(mine.headers.get('x-request-id')).to.equal('proxy-req-0001');
    const line = lines.find((l) => l.requestId === 'proxy-req-0001');
    expect(line, JSON.stringify(lines.slice(-3))).to.include({
      level: 'info',
      service: 'api',
      msg: 'request',
      method: 'GET',
      path: `/api/orders/${order.id}`,
      route: '/api/orders/:id',
      status: 200,
      username: 'auditor',
    });
    expect(line!.durationMs).to.be.a('number');
    expect(JSON.stringify(line)).to.not.include(token);

    // an unusable incoming id (spaces, too long) is replaced by a fresh UUID
    const odd = await fetch(`${base}/api/orders/${order.id}`, { headers: { 'x-request-id': 'a b c' } });
    const fresh = odd.headers.get('x-request-id')!;
    expect(fresh).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(lines.find((l) => l.requestId === fresh))
      .to.include({ status: 401, route: '/api/orders/:id' })
      .and.not.have.property('username');
    expect(
      (await fetch(`${base}/api/orders/${order.id}`, { headers: { 'x-request-id': 'x'.repeat(129) } })).headers.get('x-request-id'),
    ).to.not.equal('x'.repeat(129));

    // probes and scrapes are not logged at info
    const before = lines.length;
    await fetch(`${base}/health/live`);
    await fetch(`${base}/metrics`);
    expect(lines.slice(before).filter((l) => l.level === 'info')).to.deep.equal([]);
  });

  it('/health/ready includes the Zeebe gateway: 200 while Topology has a healthy leader, 503 naming zeebe when it answers UNAVAILABLE', async () => {
    let res = await fetch(`${base}/health/ready`);
    let body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; detail?: string }> };
    expect(res.status, JSON.stringify(body)).to.equal(200);
    expect(body.checks).to.deep.include({ database: { ok: true }, migrations: { ok: true }, zeebe: { ok: true } });
    gw.topologyDown = true;
    try {
      res = await fetch(`${base}/health/ready`);
      body = (await res.json()) as typeof body;
      expect(res.status).to.equal(503);
      expect(body.status).to.equal('unavailable');
      expect(body.checks.database).to.deep.equal({ ok: true });
      expect(body.checks.zeebe.ok).to.equal(false);
      expect(body.checks.zeebe.detail).to.match(/UNAVAILABLE|broker not ready/);
      const warn = lines.filter((l) => l.path === '/health/ready').at(-1);
      expect(warn).to.include({ level: 'warn', status: 503 });
    } finally {
      gw.topologyDown = false;
    }
  });
});
