/**
 * `npm run workers` (tsx app/entry/workers.ts; node dist/app/entry/workers.js in the image): the job
 * workers of workers/start.ts as a process of their own, from the environment: config (platform/config:
 * DATABASE_URL, LOG_LEVEL, PORT, ...), the SDK's standard variables for Zeebe (ZEEBE_GRPC_ADDRESS,
 * ZEEBE_REST_ADDRESS, CAMUNDA_AUTH_STRATEGY, ZEEBE_CLIENT_ID, ...), GET /health/live, /health/ready and
 * /metrics on PORT (default 3000), and the outbox dispatcher, so the API's start commands and AP replies
 * reach Zeebe in a deployment without the single-command start. SIGTERM/SIGINT drain in-flight jobs.
 */
import type { DataSource } from 'typeorm';
import type { DestinationStream } from 'pino';
import { loadConfig } from '../../platform/config/index';
import { initDatabase } from '../../db/index';
import { startWorkers, jobStreamFromEnv, type RunningWorkers } from '../../workers/start';
import { httpClient } from '../../platform/http/client';
import { RestTaskActorResolver } from '../../workers/runtime/actor';
import { createLogger, type AppLogger } from '../../platform/observability/logger';
import { createMetrics, warnOnCollectError, type AppMetrics } from '../../platform/observability/metrics';
import { probeZeebeClient } from '../../platform/camunda/probe-client';
import { createReadiness, databaseCheck, zeebeCheck } from '../../platform/observability/readiness';
import { listen, opsApp, type Listening } from '../../platform/observability/http';
import { restAuthHeaders, restUserTaskSearch } from '../../platform/camunda/rest';
import { createZeebeClient } from '../../platform/camunda/zeebe-client';
import { outboxProbe } from '../observability/outbox';
import { startDispatcher, type RunningDispatcher } from '../dispatcher';
import { startNotifications } from '../notifier/index';
import { notificationMetrics } from '../observability/notifications';
import { systemClock } from '../../domain/clock';

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
export async function startStandalone(
  env: NodeJS.ProcessEnv = process.env,
  opts: { logDestination?: DestinationStream } = {},
): Promise<Standalone> {
  const config = loadConfig(env);
  // read (and refused when unreadable) before anything is opened; from the environment given, not process.env
  const jobStream = jobStreamFromEnv(env);
  const logger = createLogger({ level: config.LOG_LEVEL, service: 'workers', destination: opts.logDestination });
  const dataSource = await initDatabase(config.DATABASE_URL);
  // the SDK reads its credentials (ZEEBE_CLIENT_ID, ZEEBE_CLIENT_SECRET, CAMUNDA_OAUTH_URL, ...) from the
  // environment itself; platform/config supplies the addresses and strategy it validated. The gRPC client alone, as
  // the app builds it (platform/camunda/zeebe-client.ts: not the SDK's index with every other client); user tasks are
  // searched over REST with that client's credentials.
  const zeebe = createZeebeClient({
    grpcAddress: config.ZEEBE_GRPC_ADDRESS,
    restAddress: config.ZEEBE_REST_ADDRESS,
    authStrategy: config.CAMUNDA_AUTH_STRATEGY,
  });
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
    http: httpClient,
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
  process.on('unhandledRejection', (reason) =>
    started.logger.error({ err: String((reason as Error)?.stack ?? reason) }, 'unhandled rejection'),
  );
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
