/**
 * Worker start-up: the ONE place where the SDK client, the data source, the HTTP client and the clock
 * are wired to the handlers of workers/registry.ts.
 *
 *   npm run workers          (standalone: reads the SDK's standard environment variables
 *                             ZEEBE_GRPC_ADDRESS, ZEEBE_REST_ADDRESS, CAMUNDA_AUTH_STRATEGY, ZEEBE_CLIENT_ID, ...
 *                             and config/ for the rest; SIGTERM/SIGINT shut down gracefully)
 *   startWorkers({...})      (embedded by the app's single-command start)
 */
import type { DataSource } from 'typeorm';
import type { Zeebe } from '@camunda8/sdk';
import { REGISTRY } from './registry';
import { createTaskHandler, DEFAULT_RETRY_POLICY, type RetryPolicy } from './runtime/adapter';
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
import { noTaskActorResolver, type TaskActorResolver } from './runtime/actor';
import { guardPoisonPayloads } from './runtime/poison-guard';

export interface WorkerTuning {
  /** jobs a worker holds at once (SDK maxJobsToActivate) */
  maxJobsToActivate?: number;
  /** job activation time-out, ms: the engine hands the job to another worker after it */
  jobTimeoutMs?: number;
  /** ActivateJobs long-poll, ms */
  longPollMs?: number;
  /** pause between polls, ms */
  pollIntervalMs?: number;
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
  const inFlight = new Set<Promise<unknown>>();
  let drained: (() => void) | null = null;

  const workers = handlers.map((def) => {
    const run = createTaskHandler(def, services, opts.retryPolicy ?? DEFAULT_RETRY_POLICY);
    const properties = Object.keys((def.variables as { properties?: object }).properties ?? {});
    const worker = opts.zeebe.createWorker({
      taskType: def.type,
      fetchVariable: [...(def.fetchVariables ?? properties)] as never,
      maxJobsToActivate: tuning.maxJobsToActivate ?? 32,
      timeout: tuning.jobTimeoutMs ?? 60_000,
      // the SDK's own worker logging goes to our logger (errors as warnings; its info chatter is dropped)
      stdout: { debug: () => {}, info: () => {}, error: (m: string) => log.warn({ sdk: m, type: def.type }, 'zeebe worker') },
      ...(tuning.longPollMs !== undefined ? { longPoll: tuning.longPollMs } : {}),
      ...(tuning.pollIntervalMs !== undefined ? { pollInterval: tuning.pollIntervalMs } : {}),
      taskHandler: (job) => {
        const p = run(job as never);
        inFlight.add(p);
        void p.finally(() => {
          inFlight.delete(p);
          if (inFlight.size === 0) drained?.();
        });
        return p;
      },
    });
    guardPoisonPayloads(worker, opts.zeebe, log);
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
      // close() stops polling at once and resolves when the worker's active jobs are acknowledged
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
