/**
 * startWorkers: the ONE place where a Zeebe client, the data source, the HTTP client and the clock are
 * wired to the handlers of workers/registry.ts, one SDK worker (and job stream) per job type. Its callers
 * are the entry files: app/entry/workers.ts (`npm run workers`, a process of its own) and app/system.ts
 * (the single-command start).
 */
import type { DataSource } from 'typeorm';
import type { Zeebe } from '@camunda8/sdk';
import { REGISTRY, oldVersionJobTypeHandlers } from './registry';
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
import { httpClient, type HttpClient } from '../platform/http/client';
import { noTaskActorResolver, type TaskActorResolver } from './runtime/actor';
import { guardPoisonPayloads } from './runtime/poison-guard';
import type { CompleteListenerJob, ListenerJobResult } from './runtime/listener';
import { clientSendsJobResult, listenerJobResultSupported } from '../platform/camunda/gateway-proto';
import { groupCommitFromEnv } from './runtime/batch';
import { jobStreamFromEnv, renamedJobTypesFromEnv, sdkPollIntervalSet } from '../platform/config/env';

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
  /**
   * Also take jobs of the old names of renamed job types (workers/registry.ts RENAMED_JOB_TYPES) and of the
   * retired ones (domain/vocabulary.ts RETIRED_JOB), for the instances started before the upgrade. Those workers poll every RENAMED_POLL_INTERVAL_MS and open no
   * stream: only instances of old process versions create such jobs. Default: WORKER_RENAMED_JOB_TYPES,
   * true when unset. Ignored when `handlers` is given.
   */
  renamedJobTypes?: boolean;
}

/** poll interval of the workers of old job-type names, ms: their jobs are few, and a second's delay is nothing to them */
export const RENAMED_POLL_INTERVAL_MS = 1000;

/** WORKER_JOB_STREAM (platform/config/env.ts): true (default) or false; throws on a value it cannot read */
export { jobStreamFromEnv };

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
    http: opts.http ?? httpClient,
    actors: opts.actors ?? noTaskActorResolver,
    log,
  };
  const renamed = opts.handlers ? [] : (opts.tuning?.renamedJobTypes ?? renamedJobTypesFromEnv()) ? oldVersionJobTypeHandlers() : [];
  const legacy = new Set(renamed);
  const handlers = [...(opts.handlers ?? Object.values(REGISTRY)), ...renamed];
  const tuning = opts.tuning ?? {};
  // the SDK polls on a timer: after a long poll returned work, the next ActivateJobs waits for the next
  // tick (SDK default 300 ms, paid again on every service-task hop of an instance). A poll already in
  // flight makes a tick a no-op, so a short interval costs next to nothing; ZEEBE_GRPC_WORKER_POLL_INTERVAL_MS
  // still wins when set.
  const pollIntervalMs = tuning.pollIntervalMs ?? (sdkPollIntervalSet() ? undefined : DEFAULT_POLL_INTERVAL_MS);
  const inFlight = new Set<Promise<unknown>>();
  let drained: (() => void) | null = null;

  const streams: Promise<{ close: () => void }>[] = [];

  // a user-task listener's job is answered with a result (runtime/listener.ts), which the SDK's job.complete
  // cannot send: through the client's CompleteJob, whose request the shared gateway protocol extends
  // (a client parsed without the field would drop the result, and a denial would go out as an approval)
  const sendsResult = listenerJobResultSupported() ? clientSendsJobResult(opts.zeebe) : Promise.resolve(false);
  const completeListenerJob: CompleteListenerJob = Object.assign(
    (jobKey: string, result: ListenerJobResult) =>
      opts.zeebe.completeJob({ jobKey, variables: {}, result: { type: 'userTask', ...result } } as never),
    {
      supported: () => sendsResult,
      // runtime/listener.ts: an approving handler's variables, on the process instance's own scope
      setProcessVariables: (processInstanceKey: string, variables: Record<string, unknown>) =>
        opts.zeebe.setVariables({ elementInstanceKey: processInstanceKey, variables, local: false }),
    },
  );
  const workers = handlers.map((def) => {
    const run = createTaskHandler(def, services, opts.retryPolicy ?? DEFAULT_RETRY_POLICY, opts.hooks, completeListenerJob);
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
      ...(legacy.has(def)
        ? { pollInterval: RENAMED_POLL_INTERVAL_MS }
        : pollIntervalMs !== undefined
          ? { pollInterval: pollIntervalMs }
          : {}),
      taskHandler: (job) => handle(job),
    });
    guardPoisonPayloads(worker, opts.zeebe, log);
    if (jobStream && !legacy.has(def)) {
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
