/**
 * `npm run bench:api`: order create and order read through the whole API (auth, validation, domain,
 * database) beside a bare Express route, at a fixed offered rate, in the same run.
 *
 * The server runs in a child process (so the load generator does not share its event loop) on the
 * database of DATABASE_URL (MySQL/MariaDB is the target; SQLite is used with a warning when unset).
 *
 *   DATABASE_URL=mysql://root@127.0.0.1:3306/ot_bench npm run bench:api
 *   options (env): BENCH_RATE (req/s, default 500), BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 50),
 *   BENCH_SERVER_NODE_ARGS (node flags for the server process only, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof)
 * Target: p99 < 25 ms at 500 req/s.
 *
 * Three measurements per route:
 * - service time: autocannon, 1 connection, closed loop;
 * - ceiling: autocannon, BENCH_CONNECTIONS connections, closed loop (the most the server answers);
 * - fixed rate: an open-loop paced generator (one request every 1000/BENCH_RATE ms over a keep-alive
 *   pool), latency counted from each request's scheduled time. autocannon's own `overallRate` is not
 *   used for this: it sends each connection's quota for the second in one burst at the start of the
 *   second (so it measures queueing behind its own burst) and corrects for coordinated omission with
 *   an expected interval of ceil(1/rate) = 1 ms.
 */
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createApp } from '../api/app';
import { createLocalAuth } from '../api/auth';
import { demoUsers } from '../api/demo-users';
import { createHealth } from '../api/health';
import { createStore } from '../api/store';
import { CustomerEntity, initDatabase } from '../db/index';

const BENCH_CUSTOMER = 'bench000-0000-4000-8000-000000000001';
const SECRET = 'bench-secret-0123456789abcdef';

async function server(): Promise<void> {
  const url = process.env.DATABASE_URL || 'sqlite:./data/bench-api.sqlite';
  const ds = await initDatabase(url, { poolSize: 30 });
  const at = new Date();
  if (!(await ds.getRepository(CustomerEntity).existsBy({ id: BENCH_CUSTOMER }))) {
    await ds.getRepository(CustomerEntity).insert({
      id: BENCH_CUSTOMER,
      name: '基准测试客户',
      code: null,
      contactName: null,
      contactPhone: null,
      customerManager: 'customer-manager',
      createdAt: at,
      updatedAt: at,
    });
  }
  const api = createApp({
    auth: createLocalAuth({ secret: SECRET, users: await demoUsers(ds) }),
    store: createStore(ds),
    health: createHealth(ds),
    logError: (e) => console.error(e),
  });
  const outer = express();
  outer.disable('x-powered-by');
  outer.get('/bare', (_req, res) => {
    res.json({ ok: true });
  });
  outer.use(api);
  const s = outer.listen(0, '127.0.0.1', () => process.send!({ port: (s.address() as AddressInfo).port, db: ds.options.type }));
  process.on('disconnect', () => process.exit(0));
  // exit (not die) on SIGTERM, so --cpu-prof from BENCH_SERVER_NODE_ARGS writes its profile
  process.on('SIGTERM', () => process.exit(0));
}

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  ok: number;
  other: number;
  errors: number;
}

async function run(name: string, opts: autocannon.Options): Promise<Figures> {
  const r = await autocannon(opts);
  return {
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    ok: r['2xx'],
    other: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/** Open loop: request i is due at t0 + i * 1000 / rate; latency = response end - due time. */
async function paced(
  name: string,
  o: { url: string; method?: string; headers?: Record<string, string>; body?: () => string; rate: number; seconds: number },
): Promise<Figures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const u = new URL(o.url);
  const total = Math.round(o.rate * o.seconds);
  const lat: number[] = [];
  let ok = 0,
    other = 0,
    errors = 0,
    sent = 0;
  const t0 = performance.now() + 5;
  const one = (due: number) =>
    new Promise<void>((resolve) => {
      const body = o.body?.();
      const req = http.request(
        {
          agent,
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: o.method ?? 'GET',
          headers: { ...(o.headers ?? {}), ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            lat.push(performance.now() - due);
            if (res.statusCode! >= 200 && res.statusCode! < 300) ok++;
            else other++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const inflight: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + (sent * 1000) / o.rate <= now) inflight.push(one(t0 + (sent++ * 1000) / o.rate));
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.all(inflight);
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] * 10) / 10;
  return { name, rps: Math.round((ok + other) / elapsed), p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1), ok, other, errors };
}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) console.warn('DATABASE_URL is unset: benchmarking on SQLite (the target is MySQL)');
  const rate = Number(process.env.BENCH_RATE ?? 500);
  const duration = Number(process.env.BENCH_SECONDS ?? 10);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
  const serverArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = fork(__filename, ['--server'], { stdio: 'inherit', execArgv: [...process.execArgv, ...serverArgs] });
  const { port, db } = await new Promise<{ port: number; db: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number; db: string }));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'customer-manager', password: 'demo' }),
    });
    const { token } = (await login.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const order = (n: number) =>
      JSON.stringify({
        customerId: BENCH_CUSTOMER,
        modules: ['learning-management'],
        accounts: 10 + (n % 90),
        openingDate: '2026-12-01',
        termMonths: 12,
        amount: 1200,
        apInvolved: false,
        note: `bench ${randomUUID()}`,
      });
    const created = await fetch(`${base}/api/orders`, { method: 'POST', headers, body: order(0) });
    if (created.status !== 201) throw new Error(`create failed: ${created.status} ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };

    // warm-up (JIT, pools)
    await autocannon({ url: `${base}/api/orders/${id}`, headers, connections: 10, duration: 2 });
    let n = 0;
    const results = [
      await paced('bare Express GET /bare', { url: `${base}/bare`, rate, seconds: duration }),
      await paced('GET  /api/orders/:id', { url: `${base}/api/orders/${id}`, headers, rate, seconds: duration }),
      await paced('POST /api/orders', {
        url: `${base}/api/orders`,
        method: 'POST',
        headers,
        body: () => order(n++),
        rate,
        seconds: duration,
      }),
    ];
    // service time: one connection, closed loop (what one request costs when nothing queues)
    const single = { connections: 1, duration: Math.min(duration, 5) };
    const service = [
      await run('bare Express GET /bare', { ...single, url: `${base}/bare` }),
      await run('GET  /api/orders/:id', { ...single, url: `${base}/api/orders/${id}`, headers }),
      await run('POST /api/orders', {
        ...single,
        url: `${base}/api/orders`,
        method: 'POST',
        headers,
        setupClient: (client) => {
          client.setBody(order(n++));
          client.on('response', () => client.setBody(order(n++)));
        },
      }),
    ];
    // ceiling: as fast as the server answers, 50 connections, no rate limit
    const ceiling = [
      await run('GET  /api/orders/:id', { connections, duration: Math.min(duration, 5), url: `${base}/api/orders/${id}`, headers }),
      await run('POST /api/orders', {
        connections,
        duration: Math.min(duration, 5),
        url: `${base}/api/orders`,
        method: 'POST',
        headers,
        setupClient: (client) => {
          client.setBody(order(n++));
          client.on('response', () => client.setBody(order(n++)));
        },
      }),
    ];
    const load = (await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
    console.log(`\napi benchmark: ${db}, machine load average ${load}`);
    console.log('service time, 1 connection, closed loop:');
    console.log('route                        req/s   p50 ms  p90 ms  p99 ms  max ms     2xx  non-2xx  errors');
    for (const f of service) {
      console.log(
        `${f.name.padEnd(27)} ${String(f.rps).padStart(6)} ${String(f.p50).padStart(8)} ${String(f.p90).padStart(7)} ${String(f.p99).padStart(7)} ${String(f.max).padStart(7)} ${String(f.ok).padStart(7)} ${String(f.other).padStart(8)} ${String(f.errors).padStart(7)}`,
      );
    }
    console.log(`\nceiling, ${connections} connections, closed loop:`);
    for (const f of ceiling) {
      console.log(
        `${f.name.padEnd(27)} ${String(f.rps).padStart(6)} ${String(f.p50).padStart(8)} ${String(f.p90).padStart(7)} ${String(f.p99).padStart(7)} ${String(f.max).padStart(7)} ${String(f.ok).padStart(7)} ${String(f.other).padStart(8)} ${String(f.errors).padStart(7)}`,
      );
    }
    console.log(
      `\nfixed rate: offered ${rate} req/s for ${duration} s, open loop, latency from the scheduled send time (server in a child process):`,
    );
    console.log('route                        req/s   p50 ms  p90 ms  p99 ms  max ms     2xx  non-2xx  errors  p99<25ms');
    for (const f of results) {
      console.log(
        `${f.name.padEnd(27)} ${String(f.rps).padStart(6)} ${String(f.p50).padStart(8)} ${String(f.p90).padStart(7)} ${String(f.p99).padStart(7)} ${String(f.max).padStart(7)} ${String(f.ok).padStart(7)} ${String(f.other).padStart(8)} ${String(f.errors).padStart(7)}  ${f.p99 < 25 ? 'yes' : 'NO'}`,
      );
    }
  } finally {
    child.kill();
  }
}

if (process.argv.includes('--server')) {
  server().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
