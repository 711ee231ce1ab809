/**
 * The whole system in one process tree, as `npm start` runs it and as the end-to-end tests and the
 * benchmark run it: database → engine (local, unless a Zeebe address is given) → deployment of
 * processes/ with its forms → job workers → outbox dispatcher → API. stop() ends them in reverse order.
 */
import http from 'node:http';
import path from 'node:path';
import express from 'express';
import type { DataSource } from 'typeorm';
import type { Zeebe } from '@camunda8/sdk';
import { loadConfig, type Config } from '../platform/config/index';
import { initDatabase } from '../db/index';
import type { RunningEngine } from '../engine/index';
import { createApp } from '../api/app';
import { buildAuth } from './entry/api';
import { serveUi } from '../api/workbench/index';
import { buildApiServices } from './api-services';
import { createHealth } from '../api/health';
import { createRestUserTasks, type UserTaskPort } from '../api/tasks';
import { startWorkers, type RunningWorkers, type WorkerTuning } from '../workers/start';
import { RestTaskActorResolver } from '../workers/runtime/actor';
import { httpClient, type HttpClient } from '../platform/http/client';
import { systemClock, type Clock } from '../domain/clock';
import { followEngineClock, inProcessEngineClock, pinEngineClock } from './engine-clock';
import { dbTaskContext } from './task-context';
import { deployProcesses, formatReport, type DeployReport } from './deploy';
import { startDispatcher, type RunningDispatcher } from './dispatcher';
import { startEngineProcess, type EngineProcess } from './engine-process';
import { createLogger, type AppLogger } from '../platform/observability/logger';
import { createMetrics, warnOnCollectError, type AppMetrics } from '../platform/observability/metrics';
import { outboxProbe } from './observability/outbox';
import { restAuthHeaders, restUserTaskSearch } from '../platform/camunda/rest';
import { createZeebeClient } from '../platform/camunda/zeebe-client';
import { BUSINESS_TIME_ZONE } from '../domain/vocabulary';
import { observeApi } from './observability/api';
import { notificationMetrics } from './observability/notifications';
import { startNotifications, type NotificationWiring, type Notifications } from './notifier/index';

export const PROCESSES_DIR = path.join(__dirname, '..', 'processes');

export interface SystemOptions {
  config?: Config;
  /** an open data source (tests share theirs); default initDatabase(config.DATABASE_URL) */
  dataSource?: DataSource;
  /**
   * local engine: ports (0 = free), data directory (omitted: in memory), test mode (clock control).
   * `false`: use the Zeebe at config.ZEEBE_GRPC_ADDRESS / ZEEBE_REST_ADDRESS.
   */
  engine?:
    | false
    | {
        grpcPort?: number;
        restPort?: number;
        dataDir?: string;
        testMode?: boolean;
        host?: string /** run it in a child process (its own core) */;
        separateProcess?: boolean;
      };
  /** API port; default config.PORT (0 = free) */
  apiPort?: number;
  apiHost?: string;
  logger?: AppLogger;
  /**
   * the business clock of workers and API (record times, numbering years, deadlines, report months).
   * Default: the local engine's clock when it runs in test mode (so a pinned engine clock is everyone's
   * "now"), else the system clock.
   */
  clock?: Clock;
  http?: HttpClient;
  workerTuning?: WorkerTuning;
  /** skip the workers (benchmarks of parts) */
  workers?: boolean;
  dispatcherIdleMs?: number;
  /**
   * pin the engine's clock at this instant before the models are deployed (Camunda's PUT /v2/clock; the
   * local engine in test mode, or a cluster with clock control enabled), so that timers computed at
   * deployment (the monthly report's cron) count from the pinned date
   */
  pinClockAt?: Date;
  /** the notification sender's knobs (tests: short idle, lease, back-off; a crash hook) and the announcer's poll */
  notifications?: NotificationWiring['sender'] & { announceIntervalMs?: number; slaIntervalMs?: number };
}

export interface RunningSystem {
  config: Config;
  dataSource: DataSource;
  /** the in-process engine (null when external or in a child process) */
  engine: RunningEngine | null;
  /** the engine's child process, when started with separateProcess */
  engineProcess: EngineProcess | null;
  grpcAddress: string;
  restAddress: string;
  apiUrl: string;
  zeebe: Zeebe.ZeebeGrpcClient;
  deployment: DeployReport;
  workers: RunningWorkers | null;
  dispatcher: RunningDispatcher;
  /** notification fan-out, e-mail sender and new-work announcer (app/notifier) */
  notifications: Notifications;
  tasks: UserTaskPort;
  logger: AppLogger;
  /** the one registry of this process: API latency, jobs of the workers, outbox gauges (GET /metrics) */
  metrics: AppMetrics;
  /** the business clock the workers and the API read */
  clock: Clock;
  stop(): Promise<void>;
}

export function zeebeClient(grpcAddress: string, restAddress: string, config: Config, opts: { retry?: boolean } = {}) {
  return createZeebeClient({
    grpcAddress,
    restAddress,
    authStrategy: config.CAMUNDA_AUTH_STRATEGY,
    retry: opts.retry,
    connectionToleranceMs: 1000,
  });
}

export async function startSystem(opts: SystemOptions = {}): Promise<RunningSystem> {
  const config = opts.config ?? loadConfig();
  const logger = opts.logger ?? createLogger({ level: config.LOG_LEVEL, service: 'online-training' });
  const stops: { name: string; stop: () => Promise<unknown> }[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) {
      try {
        await s.stop();
        logger.info({ part: s.name }, `${s.name} stopped`);
      } catch (e) {
        logger.error({ part: s.name, err: (e as Error).message }, `stopping ${s.name} failed`);
      }
    }
  };
  try {
    // 1. database
    const ds = opts.dataSource ?? (await initDatabase(config.DATABASE_URL));
    if (!opts.dataSource) stops.push({ name: 'database', stop: () => ds.destroy() });

    // 2. engine
    let engine: RunningEngine | null = null;
    let grpcAddress = config.ZEEBE_GRPC_ADDRESS;
    let restAddress = config.ZEEBE_REST_ADDRESS;
    let engineProcess: EngineProcess | null = null;
    if (opts.engine !== false) {
      const e = opts.engine ?? {};
      // the engine evaluates cron timers in the business zone, as compose's TZ does for Zeebe, whatever the host's TZ
      const o = {
        grpcPort: e.grpcPort ?? 26500,
        restPort: e.restPort ?? 8080,
        dataDir: e.dataDir,
        testMode: e.testMode,
        host: e.host ?? '127.0.0.1',
        timeZone: BUSINESS_TIME_ZONE,
      };
      if (e.separateProcess) {
        engineProcess = await startEngineProcess(o);
        stops.push({ name: 'engine', stop: () => engineProcess!.stop() });
        grpcAddress = `grpc://${engineProcess.grpcAddress}`;
        restAddress = engineProcess.restAddress;
      } else {
        // imported only for an engine in this process: with the engine in its own process (npm start, the
        // benchmarks) the engine's modules (BPMN reader, FEEL with its Temporal polyfill, gRPC server)
        // would otherwise sit in this process's heap as well, unused
        // (require, not import(): a dynamic import() of a .ts file bypasses tsx's CommonJS hook under mocha)
        const { startEngine } = require('../engine/index') as typeof import('../engine/index');
        engine = await startEngine(o);
        stops.push({ name: 'engine', stop: () => engine!.stop() });
        grpcAddress = `grpc://${engine.grpcAddress}`;
        restAddress = engine.restAddress;
      }
    }

    // the business clock: the engine's in test mode, where tests and demos pin it
    let clock: Clock = opts.clock ?? systemClock;
    if (!opts.clock && opts.engine !== false && opts.engine?.testMode) {
      if (engine) {
        const running = engine;
        clock = inProcessEngineClock(() => running.engine.now());
      } else {
        const followed = await followEngineClock(restAddress);
        stops.push({ name: 'engine clock', stop: async () => followed.stop() });
        clock = followed;
      }
    }

    if (opts.pinClockAt) await pinEngineClock(restAddress, opts.pinClockAt);

    // 3. deployment
    const zeebe = zeebeClient(grpcAddress, restAddress, config);
    stops.push({ name: 'zeebe client', stop: () => zeebe.close(2000) });
    const deployment = await deployProcesses(zeebe, PROCESSES_DIR);
    for (const line of formatReport(deployment)) logger.debug({}, line);

    // metrics: one registry for the process, so GET /metrics of the API shows the workers' jobs too
    const metrics = createMetrics({
      defaultLabels: { service: 'online-training' },
      outbox: outboxProbe(ds),
      onCollectError: warnOnCollectError(logger),
    });

    // 4. workers
    // REST calls to the orchestration cluster carry the SDK's credentials (none with CAMUNDA_AUTH_STRATEGY=NONE)
    const restHeaders = restAuthHeaders(zeebe, config);
    const tasks = createRestUserTasks(restAddress, { context: dbTaskContext(ds), headers: restHeaders });
    let workers: RunningWorkers | null = null;
    if (opts.workers !== false) {
      const actors = new RestTaskActorResolver(restUserTaskSearch(restAddress, restHeaders));
      workers = startWorkers({
        zeebe,
        dataSource: ds,
        http: opts.http ?? httpClient,
        clock,
        actors,
        log: logger.child({ part: 'workers' }),
        settings: { apSlaDuration: config.AP_SLA_DURATION, completionReminderWorkingDays: config.COMPLETION_REMINDER_WORKING_DAYS },
        tuning: opts.workerTuning,
        drainTimeoutMs: 5000,
        hooks: metrics.jobHooks(),
      });
      stops.push({ name: 'workers', stop: () => workers!.stop() });
    }

    // 5. dispatcher (its own client: fails fast while Zeebe is unreachable, the outbox keeps the command)
    const dispatchClient = zeebeClient(grpcAddress, restAddress, config, { retry: false });
    stops.push({ name: 'dispatcher client', stop: () => dispatchClient.close(2000) });
    const dispatcher = startDispatcher({
      dataSource: ds,
      zeebe: dispatchClient as never,
      restAddress,
      restHeaders,
      log: logger.child({ part: 'dispatcher' }),
      clock,
      idleMs: opts.dispatcherIdleMs,
    });
    stops.push({ name: 'dispatcher', stop: () => dispatcher.stop() });

    // 5b. notifications: outbox → inbox and e-mail (SMTP_URL), new user tasks announced
    const { announceIntervalMs, slaIntervalMs, ...senderKnobs } = opts.notifications ?? {};
    const notifications = startNotifications({
      dataSource: ds,
      config,
      clock,
      restAddress,
      restHeaders,
      log: logger.child({ part: 'notifications' }),
      metrics: notificationMetrics(metrics, ds),
      sender: senderKnobs,
      announceIntervalMs,
      slaIntervalMs,
    });
    stops.push({ name: 'notifications', stop: () => notifications.stop() });

    // 6. API (+ GET /metrics, request logs, readiness with the gateway through the non-retrying client)
    const auth = await buildAuth(config, ds);
    const obs = observeApi(
      ds,
      createHealth(ds),
      { logger: logger.child({ part: 'api' }), metrics, zeebe: dispatchClient },
      { outboxProbe: false },
    );
    const services = buildApiServices(ds, {
      config,
      auth,
      health: obs.health,
      tasks,
      logError: obs.logError,
      restAddress,
      restHeaders,
      clock,
    });
    const apiApp = createApp(services, { ...obs.appOptions, ui: serveUi({ signIn: auth.browser }) });
    const outer = express();
    outer.disable('x-powered-by');
    // the dispatcher is woken after every write through the API, so a start is not delayed by its poll
    outer.use((req, res, next) => {
      if (req.method !== 'GET') res.on('finish', () => dispatcher.kick());
      next();
    });
    outer.use(apiApp);
    const server = http.createServer(outer);
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.apiPort ?? config.PORT, opts.apiHost ?? '0.0.0.0', () => resolve());
    });
    stops.push({
      name: 'api',
      stop: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 2000).unref();
        }),
    });
    const addr = server.address();
    const apiUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : opts.apiPort}`;

    return {
      config,
      dataSource: ds,
      engine,
      engineProcess,
      grpcAddress,
      restAddress,
      apiUrl,
      zeebe,
      deployment,
      workers,
      dispatcher,
      notifications,
      tasks,
      logger,
      metrics,
      clock,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
