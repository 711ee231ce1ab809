/**
 * Readiness: may this process take traffic / jobs now? Combines a database check and a Zeebe gateway
 * check (the gRPC Topology call), each bounded by its own time-out, run in parallel.
 *
 * Liveness is not this: a process whose database is briefly down is alive and must not be restarted;
 * it is only not ready. docker-compose.yml's healthchecks call the readiness endpoint of the api and
 * workers (GET /ready → 200 or 503), so depends_on: service_healthy waits for real readiness.
 *
 * Dependency-injected: the data source and the Zeebe client are passed in; no environment is read.
 */
import type { Request, RequestHandler, Response } from 'express';

export type CheckStatus = 'up' | 'down';

export interface CheckResult {
  status: CheckStatus;
  durationMs: number;
  error?: string;
  details?: Record<string, unknown>;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checkedAt: string;
  checks: Record<string, CheckResult>;
}

export interface ReadinessCheck {
  readonly name: string;
  /** overrides the checker's default time-out */
  readonly timeoutMs?: number;
  /** resolves (optionally with details) when healthy, rejects otherwise; should honour the signal */
  // biome-ignore lint/suspicious/noConfusingVoidType: a check that has no details resolves with nothing (async () => {})
  run(signal: AbortSignal): Promise<Record<string, unknown> | void>;
}

export interface ReadinessOptions {
  /** per check, ms; default 2000 */
  timeoutMs?: number;
  /** for tests */
  now?: () => number;
  clock?: () => Date;
}

export interface ReadinessChecker {
  check(): Promise<ReadinessReport>;
  /** Express handler: 200 with the report when ready, 503 otherwise */
  handler(): RequestHandler;
}

export class CheckTimeoutError extends Error {
  constructor(name: string, ms: number) {
    super(`${name}: no answer within ${ms} ms`);
    this.name = 'CheckTimeoutError';
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function runWithTimeout(check: ReadinessCheck, ms: number, now: () => number): Promise<CheckResult> {
  const t0 = now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new CheckTimeoutError(check.name, ms));
    }, ms);
    timer.unref?.();
  });
  try {
    const details = await Promise.race([Promise.resolve().then(() => check.run(controller.signal)), timeout]);
    return { status: 'up', durationMs: Math.round(now() - t0), ...(details ? { details } : {}) };
  } catch (e) {
    return { status: 'down', durationMs: Math.round(now() - t0), error: errorText(e) };
  } finally {
    clearTimeout(timer);
  }
}

export function createReadiness(checks: readonly ReadinessCheck[], opts: ReadinessOptions = {}): ReadinessChecker {
  const names = new Set<string>();
  for (const c of checks) {
    if (names.has(c.name)) throw new Error(`duplicate readiness check "${c.name}"`);
    names.add(c.name);
  }
  const defaultTimeout = opts.timeoutMs ?? 2000;
  const now = opts.now ?? (() => performance.now());
  const clock = opts.clock ?? (() => new Date());

  const check = async (): Promise<ReadinessReport> => {
    const results = await Promise.all(checks.map((c) => runWithTimeout(c, c.timeoutMs ?? defaultTimeout, now)));
    const report: ReadinessReport = { status: 'ready', checkedAt: clock().toISOString(), checks: {} };
    checks.forEach((c, i) => {
      report.checks[c.name] = results[i];
      if (results[i].status === 'down') report.status = 'not_ready';
    });
    return report;
  };

  return {
    check,
    handler: (): RequestHandler => async (_req: Request, res: Response) => {
      const report = await check();
      res
        .status(report.status === 'ready' ? 200 : 503)
        .set('Cache-Control', 'no-store')
        .json(report);
    },
  };
}

/** What the database check needs: a TypeORM DataSource satisfies it. */
export interface QueryRunnerLike {
  query(sql: string): Promise<unknown>;
}

/** `SELECT 1` through the data source's pool. */
export function databaseCheck(db: QueryRunnerLike, opts: { name?: string; timeoutMs?: number } = {}): ReadinessCheck {
  return {
    name: opts.name ?? 'database',
    timeoutMs: opts.timeoutMs,
    async run() {
      await db.query('SELECT 1');
    },
  };
}

/** The Topology answer as @camunda8/sdk returns it (enums arrive as names; numbers accepted too). */
export interface TopologyLike {
  brokers: Array<{
    nodeId: number;
    host?: string;
    port?: number;
    partitions: Array<{ partitionId: number; role: string | number; health?: string | number }>;
  }>;
  clusterSize?: number;
  partitionsCount?: number;
  replicationFactor?: number;
  gatewayVersion?: string;
}

export interface TopologyClientLike {
  topology(): Promise<TopologyLike>;
}

const isLeader = (role: string | number): boolean => role === 'LEADER' || role === 0;
/** health absent (older gateways) counts as healthy; HEALTHY = 0 in the proto */
const isHealthy = (health: string | number | undefined): boolean => health === undefined || health === 'HEALTHY' || health === 0;

/**
 * Zeebe gateway check: the gateway answers Topology, and every partition (1..partitionsCount) has a
 * healthy leader, so commands and job activations can be processed.
 */
export function zeebeCheck(client: TopologyClientLike, opts: { name?: string; timeoutMs?: number } = {}): ReadinessCheck {
  return {
    name: opts.name ?? 'zeebe',
    timeoutMs: opts.timeoutMs,
    async run() {
      const t = await client.topology();
      if (!t || !Array.isArray(t.brokers) || t.brokers.length === 0) throw new Error('gateway reports no brokers');
      const leaders = new Map<number, boolean>();
      for (const b of t.brokers) {
        for (const p of b.partitions ?? []) {
          if (isLeader(p.role)) leaders.set(p.partitionId, (leaders.get(p.partitionId) ?? false) || isHealthy(p.health));
        }
      }
      const expected = t.partitionsCount && t.partitionsCount > 0 ? t.partitionsCount : leaders.size;
      if (expected === 0) throw new Error('no partition has a leader');
      const missing: number[] = [];
      for (let id = 1; id <= expected; id++) if (!leaders.get(id)) missing.push(id);
      if (missing.length > 0) throw new Error(`partitions without a healthy leader: ${missing.join(', ')}`);
      return { brokers: t.brokers.length, partitions: expected, gatewayVersion: t.gatewayVersion ?? null };
    },
  };
}

/** The API's health port (api/services.ts `ApiServices.health`), structurally. */
export interface HealthPortReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}
export interface HealthPort {
  ready(): Promise<HealthPortReport>;
}

/**
 * A health port that also requires `checks` (e.g. zeebeCheck of the API's Zeebe client): the base port
 * (api/health.ts: database + migrations) and the checks run in parallel; ready only when all pass.
 */
export function withChecks(base: HealthPort, checks: readonly ReadinessCheck[], opts: ReadinessOptions = {}): HealthPort {
  const extra = createReadiness(checks, opts);
  return {
    async ready() {
      const [b, r] = await Promise.all([base.ready(), extra.check()]);
      const out: HealthPortReport = { ok: b.ok, checks: { ...b.checks } };
      for (const [name, c] of Object.entries(r.checks)) {
        out.checks[name] = c.status === 'up' ? { ok: true } : { ok: false, detail: c.error ?? 'down' };
        if (c.status !== 'up') out.ok = false;
      }
      return out;
    },
  };
}
