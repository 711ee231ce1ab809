/**
 * Worker start-up: the ONE place where the SDK client, the data source, the HTTP client and the clock
 * are wired to the handlers of workers/registry.ts.
 *
 *   npm run workers          (standalone: reads the SDK's standard environment variables
 *                             ZEEBE_GRPC_ADDRESS, ZEEBE_REST_ADDRESS, CAMUNDA_AUTH_STRATEGY, ZEEBE_CLIENT_ID, ...
 *                             and config/ for the rest; SIGTERM/SIGINT shut down gracefully; serves
 *                             GET /health/live, /health/ready and /metrics on PORT, default 3000;
 *                             runs the outbox dispatcher too, so the API's start commands and AP
 *                             replies reach Zeebe in a deployment without the single-command start)
 *   startWorkers({...})      (embedded by the app's single-command start)
 */
import type { DataSource } from 'typeorm';
import type { Zeebe } from '@camunda8/sdk';
import type { DestinationStream } from 'pino';
import { loadConfig } from '../config/index.js';
import { initDatabase } from '../db/index.js';
import { REGISTRY } from './registry';
import { createTaskHandler, DEFAULT_RETRY_POLICY, LOG_CONTEXT_VARIABLES, type RetryPolicy, type TaskHandlerHooks } from './runtime/adapter';
import {
  DEFAULT_WORKER_SETTINGS,
  systemClock,
  silentLogger,
  type Clock,
  type HandlerDef,
  type Logger,
  type Services,
  type WorkerSettings,
} from './runtime/job';
import { fetchHttpClient, type HttpClient } from './runtime/http';
import { noTaskActorResolver, RestTaskActorResolver, type TaskActorResolver } from './runtime/actor';
import { guardPoisonPayloads } from './runtime/poison-guard';
import { groupCommitFromEnv } from './runtime/batch';
import { envFlag } from './runtime/env-flag';
// observability of the standalone process (the composition root may use app/observability; handlers never do)
import { createLogger, type AppLogger } from '../app/observability/logger';
import { createMetrics, warnOnCollectError, type AppMetrics } from '../app/observability/metrics';
import { probeZeebeClient } from '../app/observability/probe-client';
import { createReadiness, databaseCheck, zeebeCheck } from '../app/observability/readiness';
import { listen, opsApp, type Listening } from '../app/observability/http';
import { outboxProbe } from '../app/observability/outbox';
import { startDispatcher, type RunningDispatcher } from '../app/dispatcher';
import { startNotifications } from '../app/notifier/index';
import { notificationMetrics } from '../app/observability/notifications';
import { restAuthHeaders, restUserTaskSearch } from '../app/camunda-rest';
import { createZeebeClient } from '../app/zeebe-client';

/**
 * ms between the end of one ActivateJobs long poll and the next, unless tuned or set in the environment.
 * Paid on every service-task hop of an instance (about 14 on the provisioning happy path); ticks while a
 * poll is in flight are no-ops, so a short interval costs next to nothing. bench:e2e at 5 orders/s:
 * p99 order→delivery machine time 2.4 s at 300 ms (the SDK default), 2.1 s at 50 ms, 1.4 s at 10 ms, with
 * the same CPU per instance.
 */
export const DEFAULT_POLL_INTERVAL_MS = 10;

/** the worker name the job streams register with (Operate shows it on the jobs they took) */
export const STREAM_WORKER_NAME = 'online-training-workers';

export interface WorkerTuning {
  /** jobs a worker holds at once (SDK maxJobsToActivate) */
  maxJobsToActivate?: number;
  /** job activation time-out, ms: the engine hands the job to another worker after it */
  jobTimeoutMs?: number;
  /** ActivateJobs long-poll, ms */
  longPollMs?: number;
  /** pause between polls, ms */
  pollIntervalMs?: number;
  /**
   * Also open a job stream per job type (StreamActivatedJobs: Zeebe 8.4+, and engine/): the engine pushes
   * each new job down it at once, with no ActivateJobs round trip per job (bench:e2e at 20 orders/s: 51
   * instead of 56 ms of app+engine CPU per instance, p99 order→delivery machine time 1.2 instead of 1.5 s).
   * The polling worker of the type keeps running as the safety net: it gets what no stream took (e.g. jobs
   * created before the stream opened, and everything once a stream is lost with its connection; the SDK
   * does not reopen a broken stream). Default: WORKER_JOB_STREAM, true when unset.
   */
  jobStream?: boolean;
}

/** WORKER_JOB_STREAM: true (default) or false; throws on a value it cannot read */
export function jobStreamFromEnv(env: Record<string, string | undefined> = process.env): boolean {
  return envFlag(env, 'WORKER_JOB_STREAM', true);
}

export interface StartWorkersOptions {
  zeebe: Zeebe.ZeebeGrpcClient;
  dataSource: DataSource;
  http?: HttpClient;
  clock?: Clock;
  actors?: TaskActorResolver;
  log?: Logger;
  settings?: Partial<WorkerSettings>;
  /** defaults to the full registry; a subset for focused runs */
  handlers?: readonly HandlerDef[];
  retryPolicy?: RetryPolicy;
  /** per-job hooks, e.g. the metrics of app/observability (metrics.jobHooks()) */
  hooks?: TaskHandlerHooks;
  tuning?: WorkerTuning;
  /** close the SDK client and destroy the data source in stop() (standalone mode) */
  ownsResources?: boolean;
  /** how long stop() waits for in-flight jobs before closing anyway, ms */
  drainTimeoutMs?: number;
}

export interface RunningWorkers {
  readonly jobTypes: readonly string[];
  /** in-flight jobs right now */
  inFlight(): number;
  /** stop activating, finish in-flight jobs, then (ownsResources) close client and data source */
  stop(): Promise<void>;
}

export function startWorkers(opts: StartWorkersOptions): RunningWorkers {
  const log = opts.log ?? silentLogger;
  // WORKER_GROUP_COMMIT* are read when the first job runs (runtime/batch.ts); a value it cannot read
  // stops the start here instead of failing every job
  groupCommitFromEnv();
  const jobStream = opts.tuning?.jobStream ?? jobStreamFromEnv();
  const services: Services = {
    settings: { ...DEFAULT_WORKER_SETTINGS, ...opts.settings },
    dataSource: opts.dataSource,
    clock: opts.clock ?? systemClock,
    http: opts.http ?? fetchHttpClient,
    actors: opts.actors ?? noTaskActorResolver,
    log,
  };
  const handlers = opts.handlers ?? Object.values(REGISTRY);
  const tuning = opts.tuning ?? {};
  // the SDK polls on a timer: after a long poll returned work, the next ActivateJobs waits for the next
  // tick (SDK default 300 ms, paid again on every service-task hop of an instance). A poll already in
  // flight makes a tick a no-op, so a short interval costs next to nothing; ZEEBE_GRPC_WORKER_POLL_INTERVAL_MS
  // still wins when set.
  const pollIntervalMs = tuning.pollIntervalMs ?? (process.env.ZEEBE_GRPC_WORKER_POLL_INTERVAL_MS ? undefined : DEFAULT_POLL_INTERVAL_MS);
  const inFlight = new Set<Promise<unknown>>();
  let drained: (() => void) | null = null;

  const streams: Promise<{ close: () => void }>[] = [];

  const workers = handlers.map((def) => {
    const run = createTaskHandler(def, services, opts.retryPolicy ?? DEFAULT_RETRY_POLICY, opts.hooks);
    const properties = Object.keys((def.variables as { properties?: object }).properties ?? {});
    // the handler's variables, plus orderNo for the job's log lines (adapter.ts withJobContext)
    const fetchVariables = [...new Set([...(def.fetchVariables ?? properties), ...LOG_CONTEXT_VARIABLES])];
    const timeout = tuning.jobTimeoutMs ?? 60_000;
    const handle = (job: unknown) => {
      const p = run(job as never);
      inFlight.add(p);
      void p.finally(() => {
        inFlight.delete(p);
        if (inFlight.size === 0) drained?.();
      });
      return p;
    };
    const worker = opts.zeebe.createWorker({
      taskType: def.type,
      fetchVariable: fetchVariables as never,
      maxJobsToActivate: tuning.maxJobsToActivate ?? 32,
      timeout,
      // the SDK's own worker logging goes to our logger (errors as warnings; its info chatter is dropped)
      stdout: { debug: () => {}, info: () => {}, error: (m: string) => log.warn({ sdk: m, type: def.type }, 'zeebe worker') },
      ...(tuning.longPollMs !== undefined ? { longPoll: tuning.longPollMs } : {}),
      ...(pollIntervalMs !== undefined ? { pollInterval: pollIntervalMs } : {}),
      taskHandler: (job) => handle(job),
    });
    guardPoisonPayloads(worker, opts.zeebe, log);
    if (jobStream) {
      // pollInterval 0: no sidecar poll of the SDK's own, the polling worker above is that; the one
      // back-fill poll the SDK makes when the stream opens stays (the engine activates a job once)
      const stream = opts.zeebe
        .streamJobs({
          type: def.type,
          worker: STREAM_WORKER_NAME,
          timeout,
          fetchVariables,
          pollInterval: 0,
          pollMaxJobsToActivate: tuning.maxJobsToActivate ?? 32,
          taskHandler: (job) => handle(job) as never,
          // the SDK's type requires it; undefined makes the SDK use the client's tenant, as the polling worker does
          tenantIds: undefined as unknown as string[],
        })
        .catch((e: Error) => {
          log.warn({ type: def.type, err: e.message }, 'job stream not opened; the polling worker carries this job type');
          return { close: () => {} };
        });
      streams.push(stream);
    }
    return worker;
  });
  log.info({ jobTypes: handlers.map((h) => h.type) }, `started ${workers.length} job workers`);

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const drainTimeoutMs = opts.drainTimeoutMs ?? 30_000;
      const allDrained = new Promise<void>((resolve) => {
        if (inFlight.size === 0) resolve();
        else drained = resolve;
      });
      // streams first (no new jobs pushed), then close() stops polling at once and resolves when the
      // worker's active jobs are acknowledged
      for (const s of await Promise.all(streams)) s.close();
      const closed = Promise.allSettled(workers.map((w) => w.close(drainTimeoutMs)));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), drainTimeoutMs);
      });
      const result = await Promise.race([Promise.all([allDrained, closed]).then(() => 'ok' as const), timeout]);
      clearTimeout(timer);
      if (result === 'timeout') {
        log.warn({ inFlight: inFlight.size }, 'stop: in-flight jobs did not finish in time; the engine will hand them out again');
      }
      if (opts.ownsResources) {
        await opts.zeebe.close(drainTimeoutMs).catch((e: Error) => log.warn({ err: e.message }, 'closing the Zeebe client failed'));
        if (opts.dataSource.isInitialized) await opts.dataSource.destroy();
      }
      log.info({}, 'job workers stopped');
    })();
    return stopping;
  };

  return { jobTypes: handlers.map((h) => h.type), inFlight: () => inFlight.size, stop };
}

// ---- standalone: npm run workers ------------------------------------------------------------------

export interface Standalone {
  readonly workers: RunningWorkers;
  /** moves the outbox (start messages, AP replies) to Zeebe; claims are leased, so several may run */
  readonly dispatcher: RunningDispatcher;
  readonly dataSource: DataSource;
  /** the port of GET /health/live, /health/ready, /metrics */
  readonly port: number;
  readonly metrics: AppMetrics;
  readonly logger: AppLogger;
  /** workers (drained), then the HTTP endpoints, the Zeebe client and the database */
  stop(): Promise<void>;
}

/**
 * Starts the workers from the environment, with their HTTP endpoints on PORT (default 3000; 0 = a
 * free port): GET /health/live, GET /health/ready (database + Zeebe gateway Topology, 200 or 503 —
 * docker-compose.yml's healthcheck) and GET /metrics (jobs handled/failed per type, handler durations,
 * the outbox gauges; internal network only). Installs no signal handler (runStandalone does).
 */
export async function startStandalone(env: NodeJS.ProcessEnv = process.env, opts: { logDestination?: DestinationStream } = {}): Promise<Standalone> {
  const config = loadConfig(env);
  // read (and refused when unreadable) before anything is opened; from the environment given, not process.env
  const jobStream = jobStreamFromEnv(env);
  const logger = createLogger({ level: config.LOG_LEVEL, service: 'workers', destination: opts.logDestination });
  const dataSource = await initDatabase(config.DATABASE_URL);
  // the SDK reads its credentials (ZEEBE_CLIENT_ID, ZEEBE_CLIENT_SECRET, CAMUNDA_OAUTH_URL, ...) from the
  // environment itself; config/ supplies the addresses and strategy it validated. The gRPC client alone, as
  // the app builds it (app/zeebe-client.ts: not the SDK's index with every other client); user tasks are
  // searched over REST with that client's credentials.
  const zeebe = createZeebeClient({ grpcAddress: config.ZEEBE_GRPC_ADDRESS, restAddress: config.ZEEBE_REST_ADDRESS, authStrategy: config.CAMUNDA_AUTH_STRATEGY });
  const restHeaders = restAuthHeaders(zeebe, config);
  const actors = new RestTaskActorResolver(restUserTaskSearch(config.ZEEBE_REST_ADDRESS, restHeaders));
  const metrics = createMetrics({
    defaultLabels: { service: 'workers' },
    outbox: outboxProbe(dataSource),
    onCollectError: warnOnCollectError(logger),
  });
  // readiness asks the gateway through its own client that does not retry (a probe answers now; the
  // workers' client retries for minutes) and keeps the SDK's plain-text logging out of the JSON log
  const probeClient = probeZeebeClient(config);
  const readiness = createReadiness([databaseCheck(dataSource), zeebeCheck(probeClient)]);
  let endpoints: Listening;
  try {
    endpoints = await listen(opsApp({ readiness, metrics }), config.PORT);
  } catch (e) {
    await Promise.allSettled([zeebe.close(1000), probeClient.close(1000)]);
    await dataSource.destroy();
    throw new Error(`cannot serve /health and /metrics on port ${config.PORT}: ${(e as Error).message}`);
  }
  const workers = startWorkers({
    zeebe,
    dataSource,
    http: fetchHttpClient,
    actors,
    log: logger,
    hooks: metrics.jobHooks(),
    settings: { apSlaDuration: config.AP_SLA_DURATION, completionReminderWorkingDays: config.COMPLETION_REMINDER_WORKING_DAYS },
    tuning: { jobStream },
    ownsResources: true,
  });
  // the outbox dispatcher fails fast on the non-retrying client: a command Zeebe did not take stays in
  // the outbox with a back-off (app/dispatcher.ts), it is never retried inside a hanging gRPC call
  const dispatcher = startDispatcher({
    dataSource,
    zeebe: probeClient as never,
    restAddress: config.ZEEBE_REST_ADDRESS,
    restHeaders,
    log: logger.child({ part: 'dispatcher' }),
  });
  // notifications: outbox → inbox and e-mail (SMTP_URL), new user tasks announced (app/notifier); leased, so several may run
  const notifications = startNotifications({
    dataSource,
    config,
    clock: systemClock,
    restAddress: config.ZEEBE_REST_ADDRESS,
    restHeaders,
    log: logger.child({ part: 'notifications' }),
    metrics: notificationMetrics(metrics, dataSource),
  });
  logger.info({ port: endpoints.port }, `health and metrics on port ${endpoints.port} (/health/live, /health/ready, /metrics)`);
  let stopping: Promise<void> | null = null;
  return {
    workers,
    dispatcher,
    dataSource,
    port: endpoints.port,
    metrics,
    logger,
    stop: () =>
      (stopping ??= (async () => {
        try {
          // the dispatcher first: it writes to the database that workers.stop() closes
          await dispatcher.stop().catch((e: Error) => logger.warn({ err: e.message }, 'stopping the dispatcher failed'));
          await notifications.stop().catch((e: Error) => logger.warn({ err: e.message }, 'stopping the notifications failed'));
          await workers.stop();
        } finally {
          await Promise.allSettled([endpoints.close(), probeClient.close(2000)]);
        }
      })()),
  };
}

/** Starts the workers from the environment; resolves with the running system (also stopped by SIGTERM/SIGINT). */
export async function runStandalone(env: NodeJS.ProcessEnv = process.env): Promise<Standalone> {
  // handlers go in BEFORE start-up: a SIGTERM while the workers start (and may already hold jobs) must
  // drain them, not kill the process with Node's default
  let running: Standalone | null = null;
  let signalled: NodeJS.Signals | null = null;
  const shutDown = (r: Standalone, signal: NodeJS.Signals) => {
    r.logger.info({ signal, inFlight: r.workers.inFlight() }, 'shutting down: no new jobs, finishing the ones in flight');
    r.stop().then(
      () => process.exit(0),
      (e: Error) => {
        r.logger.error({ err: e.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = signal;
    if (running) shutDown(running, signal);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const started = await startStandalone(env);
  running = started;
  // a stray rejection somewhere in a client library must not take the worker process down
  process.on('unhandledRejection', (reason) => started.logger.error({ err: String((reason as Error)?.stack ?? reason) }, 'unhandled rejection'));
  if (signalled) shutDown(started, signalled);
  return started;
}

if (require.main === module) {
  runStandalone().catch((e: Error) => {
    // configuration or database problems at start-up: say what, exit non-zero
    console.error(`workers: cannot start: ${e.message}`);
    process.exit(1);
  });
}
