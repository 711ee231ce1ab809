/**
 * Prometheus metrics (prom-client) of the api and workers processes.
 *
 * Dependency-injected: no environment variable is read here, no global registry is touched (each call
 * of createMetrics owns its Registry unless one is passed), and the outbox gauges read their values
 * through functions given by the caller (the db layer), on each scrape.
 *
 * Names (prefix `ot_` by default; see METRIC_NAMES):
 *   ot_jobs_handled_total{type,outcome}            counter   every job a handler finished (outcome: complete | bpmn_error | fail | crashed | denied: a listener's job denied the completion)
 *   ot_jobs_failed_total{type,incident}            counter   jobs answered with job.fail or that crashed; incident="true" when no retries were left
 *   ot_job_handler_duration_seconds{type,outcome}  histogram handler time, activation to acknowledgement
 *   ot_http_request_duration_seconds{method,route,status_code} histogram API latency per route pattern (never the raw URL)
 *   ot_outbox_backlog                              gauge     outbox commands not yet dispatched to Zeebe
 *   ot_outbox_oldest_age_seconds                   gauge     age of the oldest undispatched command (0 when empty)
 *   ot_metrics_collect_errors_total{collector}     counter   a gauge callback threw during a scrape
 *   (the outbox gauges read NaN while no probe is set or when the probe throws)
 *   plus prom-client's default process metrics (ot_process_cpu_seconds_total, ot_nodejs_heap_size_used_bytes, ...)
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const DEFAULT_PREFIX = 'ot_';

export const METRIC_NAMES = {
  jobsHandled: 'jobs_handled_total',
  jobsFailed: 'jobs_failed_total',
  jobDuration: 'job_handler_duration_seconds',
  httpDuration: 'http_request_duration_seconds',
  outboxBacklog: 'outbox_backlog',
  outboxOldestAge: 'outbox_oldest_age_seconds',
  collectErrors: 'metrics_collect_errors_total',
} as const;

/** Seconds. Job handlers hit the database and sometimes an AP's HTTP API. */
export const DEFAULT_JOB_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds. API calls. */
export const DEFAULT_HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type JobOutcomeLabel = 'complete' | 'bpmn_error' | 'fail' | 'crashed' | 'denied';

/** Reads the outbox; called on each scrape. */
export interface OutboxProbe {
  /** number of commands not yet dispatched */
  backlog(): number | Promise<number>;
  /** age in seconds of the oldest undispatched command; null (or 0) when the outbox is empty */
  oldestAgeSeconds(): number | null | Promise<number | null>;
}

export interface MetricsOptions {
  /** default: a new Registry owned by this instance */
  registry?: Registry;
  /** default `ot_` */
  prefix?: string;
  /** register prom-client's default process metrics; default true */
  defaultMetrics?: boolean;
  /** static labels on every series, e.g. `{ service: 'workers' }` */
  defaultLabels?: Record<string, string>;
  outbox?: OutboxProbe;
  jobBuckets?: number[];
  httpBuckets?: number[];
  /** told when a gauge callback throws (the scrape still succeeds, the gauge reads NaN) */
  onCollectError?: (collector: string, error: unknown) => void;
  /** monotonic clock in seconds, for tests; default process.hrtime */
  now?: () => number;
}

/** The job fields the hooks need; workers/runtime JobView satisfies it. */
export interface JobRef {
  readonly key: string;
  readonly type: string;
}
/** What the worker did with the job; workers/runtime JobAction satisfies it (null: the acknowledgement crashed). */
export type JobActionRef =
  | { readonly action: 'complete' }
  | { readonly action: 'error' }
  | { readonly action: 'fail'; readonly retries: number }
  // a user-task listener's job: the completion goes on (counted as complete) or is denied
  | { readonly action: 'approve' }
  | { readonly action: 'deny' }
  | null;

/** Matches TaskHandlerHooks of workers/runtime/adapter.ts structurally. */
export interface JobMetricHooks {
  onStart(job: JobRef): void;
  onDone(job: JobRef, action: JobActionRef): void;
}

export interface AppMetrics {
  readonly registry: Registry;
  readonly prefix: string;
  readonly jobsHandled: Counter<'type' | 'outcome'>;
  readonly jobsFailed: Counter<'type' | 'incident'>;
  readonly jobDuration: Histogram<'type' | 'outcome'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly outboxBacklog: Gauge;
  readonly outboxOldestAge: Gauge;
  /** record one finished job */
  recordJob(type: string, outcome: JobOutcomeLabel, seconds: number, opts?: { incident?: boolean }): void;
  /** hooks for createTaskHandler (workers/runtime/adapter.ts): time and count each job */
  jobHooks(): JobMetricHooks;
  /** set or replace the outbox probe after start-up (the data source may come later than the registry) */
  setOutboxProbe(probe: OutboxProbe | undefined): void;
  /** Express middleware: observes the latency of every request under its route pattern */
  httpMiddleware(): RequestHandler;
  /** Express handler for GET /metrics (Prometheus text format) */
  metricsHandler(): RequestHandler;
}

const hrSeconds = (): number => Number(process.hrtime.bigint()) / 1e9;

const MOUNT = Symbol('ot.routeMount');
type TrackedRequest = Request & { route?: { path?: unknown }; [MOUNT]?: string };

/**
 * Remembers the mount path (req.baseUrl) at the moment the router matches a route. Express resets
 * req.baseUrl when an error leaves a mounted router (next(err) → the app's error handler), while
 * req.route stays: without this, a 4xx/5xx answered by the app-level error handler would be labelled
 * `/orders/:id` instead of `/api/orders/:id`. Idempotent; cheap (one accessor per request).
 */
export function trackRouteMount(req: Request): void {
  const r = req as TrackedRequest;
  if (Object.getOwnPropertyDescriptor(r, 'route')?.set) return;
  let value = r.route;
  Object.defineProperty(r, 'route', {
    configurable: true,
    enumerable: true,
    get: () => value,
    set: (v) => {
      value = v;
      r[MOUNT] = r.baseUrl ?? '';
    },
  });
}

/** Route pattern of a matched request: mount path + route path (`/api/orders/:orderNo`); `unmatched` otherwise. */
export function routeLabel(req: Request): string {
  const r = req as TrackedRequest;
  const route = r.route;
  if (!route || route.path === undefined) return 'unmatched';
  const path = typeof route.path === 'string' ? route.path : String(route.path);
  const base = r[MOUNT] ?? req.baseUrl ?? '';
  const joined = `${base}${path === '/' && base ? '' : path}`;
  return joined === '' ? '/' : joined;
}

/** onCollectError for a process: a warning in its log naming the gauge and the error */
export function warnOnCollectError(logger: { warn(obj: object, msg?: string): void }): NonNullable<MetricsOptions['onCollectError']> {
  return (collector, e) => logger.warn({ collector, err: (e as Error)?.message ?? String(e) }, 'metrics: a gauge could not be read');
}

export function createMetrics(opts: MetricsOptions = {}): AppMetrics {
  const registry = opts.registry ?? new Registry();
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const now = opts.now ?? hrSeconds;
  if (opts.defaultLabels) registry.setDefaultLabels(opts.defaultLabels);
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix });

  const registers = [registry];
  const jobsHandled = new Counter({
    name: prefix + METRIC_NAMES.jobsHandled,
    help: 'Jobs whose handler finished, per job type and outcome (complete, bpmn_error, fail, crashed, denied).',
    labelNames: ['type', 'outcome'] as const,
    registers,
  });
  const jobsFailed = new Counter({
    name: prefix + METRIC_NAMES.jobsFailed,
    help: 'Jobs answered with a failure (job.fail) or whose handling crashed, per job type; incident="true" when no retries were left.',
    labelNames: ['type', 'incident'] as const,
    registers,
  });
  const jobDuration = new Histogram({
    name: prefix + METRIC_NAMES.jobDuration,
    help: 'Time from job activation in the worker to its acknowledgement, seconds.',
    labelNames: ['type', 'outcome'] as const,
    buckets: opts.jobBuckets ?? DEFAULT_JOB_BUCKETS,
    registers,
  });
  const httpDuration = new Histogram({
    name: prefix + METRIC_NAMES.httpDuration,
    help: 'API request latency per method, route pattern and status code, seconds.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: opts.httpBuckets ?? DEFAULT_HTTP_BUCKETS,
    registers,
  });
  let outbox: OutboxProbe | undefined = opts.outbox;
  let backlogValue = Number.NaN;
  let oldestAgeValue = Number.NaN;
  let collecting: Promise<void> | null = null;

  // One read of the outbox per scrape, shared by the two gauges and the error counter: prom-client
  // calls every metric's collect() in the same tick, so all three await the same promise and the
  // error counter of this scrape already counts this scrape's failures.
  const collectOutbox = (): Promise<void> => {
    if (collecting) return collecting;
    const probe = outbox;
    collecting = (async () => {
      if (!probe) {
        // prom-client always exposes an unlabelled gauge, so "unknown" is written as NaN (valid in the
        // Prometheus text format; comparisons with it are false, so alerts on the value stay quiet and
        // ot_metrics_collect_errors_total says why).
        backlogValue = Number.NaN;
        oldestAgeValue = Number.NaN;
        return;
      }
      const [backlog, age] = await Promise.allSettled([
        Promise.resolve().then(() => probe.backlog()),
        Promise.resolve().then(() => probe.oldestAgeSeconds()),
      ]);
      const fail = (collector: string, error: unknown): number => {
        collectErrors.inc({ collector });
        opts.onCollectError?.(collector, error);
        return Number.NaN;
      };
      if (backlog.status === 'rejected') backlogValue = fail('outbox_backlog', backlog.reason);
      else if (!Number.isFinite(backlog.value))
        backlogValue = fail('outbox_backlog', new Error(`outbox backlog is not a number: ${String(backlog.value)}`));
      else backlogValue = backlog.value;
      if (age.status === 'rejected') oldestAgeValue = fail('outbox_oldest_age', age.reason);
      else if (age.value === null) oldestAgeValue = 0;
      else if (!Number.isFinite(age.value))
        oldestAgeValue = fail('outbox_oldest_age', new Error(`outbox oldest age is not a number: ${String(age.value)}`));
      else oldestAgeValue = Math.max(0, age.value);
    })().finally(() => {
      collecting = null;
    });
    return collecting;
  };

  const collectErrors = new Counter({
    name: prefix + METRIC_NAMES.collectErrors,
    help: 'Gauge callbacks that threw during a scrape, per collector.',
    labelNames: ['collector'] as const,
    registers,
    async collect() {
      await collectOutbox();
    },
  });
  const outboxBacklog = new Gauge({
    name: prefix + METRIC_NAMES.outboxBacklog,
    help: 'Outbox commands not yet dispatched to Zeebe (NaN: unknown).',
    registers,
    async collect() {
      await collectOutbox();
      this.set(backlogValue);
    },
  });
  const outboxOldestAge = new Gauge({
    name: prefix + METRIC_NAMES.outboxOldestAge,
    help: 'Age of the oldest outbox command not yet dispatched, seconds; 0 when the outbox is empty (NaN: unknown).',
    registers,
    async collect() {
      await collectOutbox();
      this.set(oldestAgeValue);
    },
  });

  const recordJob: AppMetrics['recordJob'] = (type, outcome, seconds, o = {}) => {
    jobsHandled.inc({ type, outcome });
    jobDuration.observe({ type, outcome }, seconds);
    if (outcome === 'fail' || outcome === 'crashed') jobsFailed.inc({ type, incident: o.incident ? 'true' : 'false' });
  };

  const jobHooks = (): JobMetricHooks => {
    // onStart and onDone receive the same view object for one handling (adapter.ts), so a WeakMap
    // keyed by it times each handling exactly, even when Zeebe hands the same job key out twice.
    const started = new WeakMap<object, number>();
    return {
      onStart(job) {
        started.set(job, now());
      },
      onDone(job, action) {
        const t0 = started.get(job);
        started.delete(job);
        const seconds = t0 === undefined ? 0 : Math.max(0, now() - t0);
        if (action === null) return recordJob(job.type, 'crashed', seconds);
        switch (action.action) {
          case 'complete':
          case 'approve':
            return recordJob(job.type, 'complete', seconds);
          case 'deny':
            return recordJob(job.type, 'denied', seconds);
          case 'error':
            return recordJob(job.type, 'bpmn_error', seconds);
          case 'fail':
            return recordJob(job.type, 'fail', seconds, { incident: action.retries <= 0 });
        }
      },
    };
  };

  const httpMiddleware = (): RequestHandler => (req: Request, res: Response, next: NextFunction) => {
    const t0 = now();
    trackRouteMount(req);
    let done = false;
    const observe = (aborted: boolean): void => {
      if (done) return;
      done = true;
      // 499 (nginx's "client closed request"): the connection closed before the response was sent
      const status = aborted ? '499' : String(res.statusCode);
      httpDuration.observe({ method: req.method, route: routeLabel(req), status_code: status }, Math.max(0, now() - t0));
    };
    res.once('finish', () => observe(false));
    res.once('close', () => observe(!res.writableFinished));
    next();
  };

  const metricsHandler = (): RequestHandler => async (_req: Request, res: Response, next: NextFunction) => {
    try {
      const body = await registry.metrics();
      res.status(200).set('Content-Type', registry.contentType).send(body);
    } catch (e) {
      next(e);
    }
  };

  return {
    registry,
    prefix,
    jobsHandled,
    jobsFailed,
    jobDuration,
    httpDuration,
    outboxBacklog,
    outboxOldestAge,
    recordJob,
    jobHooks,
    setOutboxProbe(probe) {
      outbox = probe;
    },
    httpMiddleware,
    metricsHandler,
  };
}
