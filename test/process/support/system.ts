/**
 * One whole system per test file (before/after): the real engine in test mode on free ports, the real
 * workers (startWorkers), the outbox dispatcher, the API on a free port, the test database
 * (DATABASE_URL → MariaDB, else a temp SQLite file), and an AP endpoint (a local HTTP server on port 0
 * verifying the HMAC signature). Tests talk to it through the public surfaces only: the API with demo
 * tokens (ApiClient), the user-task REST API, and the engine's clock.
 *
 * Time is an input: the engine's clock is pinned (Camunda's PUT /v2/clock) at `clockStart` before the
 * models are deployed, and stands still there until a test moves it; the workers and the API read the same
 * clock, so no test depends on the machine's date.
 */
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../platform/config/index';
import { createApPartner, createCustomer } from '../../../domain/parties';
import type { ApPartner, Customer } from '../../../db/entities/index';
import { startSystem, type RunningSystem, type SystemOptions } from '../../../app/system';
import { startApSimulator, type ApSimulator } from '../../../app/ap-simulator';
import { createLogger } from '../../../platform/observability/logger';
import { ApiClient } from '../../../app/api-client';
import { closeTestDataSource, openTestDataSource, resetDatabase } from '../../support/db';
import { addDuration, parseDate, parseDuration } from '../../../engine/time';

function parseIso(iso: string): number {
  const t = parseDate(iso);
  if (t === null) throw new Error(`not an ISO-8601 date-time with an offset: ${iso}`);
  return t;
}

export const AP_SECRET = 'test-ap-hmac-secret-0123456789';

export interface E2E {
  sys: RunningSystem;
  api: ApiClient;
  ds: DataSource;
  ap: ApSimulator;
  partner: ApPartner;
  customers: Customer[];
  /** engine REST (user-task API, process instances, incidents) */
  rest(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** pins the engine's clock at an instant, earlier or later (timers due by then fire); everyone reads it */
  clockSet(iso: string): Promise<string>;
  /** pins the engine's clock an ISO-8601 duration after where it stands */
  clockAdd(duration: string): Promise<string>;
  now(): Date;
  stop(): Promise<void>;
}

/** where every process suite's clock starts: a working Tuesday in a year with a published holiday schedule */
export const CLOCK_START = '2026-09-01T09:00:00+08:00';

export async function startE2E(
  opts: {
    apSlaDuration?: string;
    clockStart?: string;
    jobStream?: boolean;
    env?: Record<string, string>;
    notifications?: SystemOptions['notifications'];
    otherPartners?: { name: string; code: string }[];
  } = {},
): Promise<E2E> {
  const ds = await openTestDataSource();
  await resetDatabase(ds);
  const ap = await startApSimulator({ secret: AP_SECRET });
  const start = new Date(parseIso(opts.clockStart ?? CLOCK_START));
  const ctx = { actor: 'admin', reason: 'test set-up', at: start };
  const partner = await createApPartner(
    ds,
    {
      name: '示例AP 阿尔法',
      code: 'alpha',
      endpointUrl: ap.url,
      hmacSecret: AP_SECRET,
      status: 'ACTIVE',
      terms: { pricePerAccountMonth: 12.5, slaDuration: opts.apSlaDuration ?? 'P10D', paymentDays: 30 },
    },
    ctx,
  );
  // more partners (each signs in as ap-<code>): created before the API reads its demo users
  for (const o of opts.otherPartners ?? []) {
    await createApPartner(
      ds,
      {
        ...o,
        endpointUrl: ap.url,
        hmacSecret: AP_SECRET,
        status: 'ACTIVE',
        terms: { pricePerAccountMonth: 10, slaDuration: 'P10D', paymentDays: 30 },
      },
      ctx,
    );
  }
  const customers = [
    await createCustomer(
      ds,
      { name: '上海示例科技有限公司', code: 'C-TEST-1', contactName: '张三', customerManager: 'customer-manager' },
      ctx,
    ),
    await createCustomer(
      ds,
      { name: '浦东培训服务有限公司', code: 'C-TEST-2', contactName: '李四', customerManager: 'customer-manager' },
      ctx,
    ),
  ];
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local', PORT: '0', ...opts.env });
  const sys = await startSystem({
    config,
    dataSource: ds,
    engine: { grpcPort: 0, restPort: 0, testMode: true },
    apiPort: 0,
    apiHost: '127.0.0.1',
    logger: createLogger({ level: (process.env.E2E_LOG_LEVEL as 'info' | undefined) ?? 'silent' }),
    pinClockAt: start,
    workerTuning: { pollIntervalMs: 20, longPollMs: 5000, ...(opts.jobStream === undefined ? {} : { jobStream: opts.jobStream }) },
    dispatcherIdleMs: 20,
    notifications: { idleMs: 50, announceIntervalMs: 100, ...opts.notifications },
  });
  const rest = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(sys.restAddress + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as any };
  };
  const pin = async (at: number) => {
    const r = await rest('PUT', '/v2/clock', { timestamp: at });
    if (r.status !== 204) throw new Error(`PUT /v2/clock: ${r.status} ${JSON.stringify(r.body)}`);
    return new Date(at).toISOString();
  };
  return {
    sys,
    api: new ApiClient(sys.apiUrl),
    ds,
    ap,
    partner,
    customers,
    rest,
    clockSet: (iso) => pin(parseIso(iso)),
    clockAdd: (d) => {
      const dur = parseDuration(d);
      if (!dur) throw new Error(`not an ISO-8601 duration: ${d}`);
      return pin(addDuration(sys.clock.now().getTime(), dur));
    },
    now: () => sys.clock.now(),
    async stop() {
      await sys.stop();
      await ap.close();
      await closeTestDataSource(ds);
    },
  };
}
