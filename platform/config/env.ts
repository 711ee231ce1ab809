/**
 * The environment variables read outside the validated schema of ./index.ts: switches of the workers'
 * throughput paths, the local engine's ports and flags, and the SDK variables the app passes on. Like
 * loadConfig, every reader takes the environment as an argument (process.env by default) and refuses a
 * value it cannot read, naming the variable, so a typo stops the start instead of meaning the default.
 * Nothing outside platform/config/ (and engine/, which is its own program) reads process.env.
 */
import { envFlag } from './env-flag';

export type Env = Record<string, string | undefined>;

export const DEFAULT_WORKER_MAX_BATCH = 32;

/** what WORKER_GROUP_COMMIT* say (workers/runtime/batch.ts) */
export interface GroupCommitSettings {
  /** false: one transaction per job (the behaviour before group commit) */
  readonly enabled: boolean;
  /** most jobs per transaction */
  readonly maxBatch: number;
  /** the job types grouped (others: one transaction per job); absent: all */
  readonly jobTypes?: ReadonlySet<string>;
}

/** WORKER_GROUP_COMMIT / WORKER_GROUP_COMMIT_MAX_BATCH / WORKER_GROUP_COMMIT_TYPES */
export function groupCommitFromEnv(env: Env = process.env): GroupCommitSettings {
  const enabled = envFlag(env, 'WORKER_GROUP_COMMIT', true);
  const rawMax = (env.WORKER_GROUP_COMMIT_MAX_BATCH ?? '').trim();
  const maxBatch = rawMax === '' ? DEFAULT_WORKER_MAX_BATCH : Number(rawMax);
  if (!Number.isInteger(maxBatch) || maxBatch < 1)
    throw new Error(`WORKER_GROUP_COMMIT_MAX_BATCH: a positive integer, got ${JSON.stringify(rawMax)}`);
  const types = (env.WORKER_GROUP_COMMIT_TYPES ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return types.length && !types.includes('all') ? { enabled, maxBatch, jobTypes: new Set(types) } : { enabled, maxBatch };
}

/** WORKER_JOB_STREAM: true (default) or false */
export function jobStreamFromEnv(env: Env = process.env): boolean {
  return envFlag(env, 'WORKER_JOB_STREAM', true);
}

/** WORKER_RENAMED_JOB_TYPES: also take jobs of the job types' old names (default true; workers/registry.ts) */
export function renamedJobTypesFromEnv(env: Env = process.env): boolean {
  return envFlag(env, 'WORKER_RENAMED_JOB_TYPES', true);
}

/** ZEEBE_GRPC_WORKER_POLL_INTERVAL_MS is the SDK's own: when it is set, the workers leave the interval to the SDK */
export function sdkPollIntervalSet(env: Env = process.env): boolean {
  return !!env.ZEEBE_GRPC_WORKER_POLL_INTERVAL_MS;
}

/** CAMUNDA_TENANT_ID (the SDK's variable): the tenant `npm run deploy` deploys to; unset: the default tenant */
export function sdkTenantId(env: Env = process.env): string | undefined {
  return env.CAMUNDA_TENANT_ID || undefined;
}

function port(env: Env, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name}: a port 0-65535, got '${v}'`);
  return n;
}

/** the local engine of `npm start` and `npm run engine` */
export interface LocalEngineEnv {
  /** ZEEBE_GRPC_ADDRESS is set: use that Zeebe, start no engine */
  readonly external: boolean;
  readonly grpcPort: number;
  readonly restPort: number;
  /** ENGINE_DATA_DIR; unset: undefined (npm run engine keeps its state in memory; npm start uses config's default) */
  readonly dataDir: string | undefined;
  /** ENGINE_TEST_MODE=true: the engine's clock control (PUT /v2/clock, POST /v2/clock/reset) */
  readonly testMode: boolean;
  /** ENGINE_TIME_ZONE: zone of cron timers and FEEL today() of `npm run engine` (default: the engine's, UTC) */
  readonly timeZone: string | undefined;
  /** ENGINE_IN_PROCESS=true: the engine in the app's process instead of a child of its own */
  readonly inProcess: boolean;
}

export function localEngineFromEnv(env: Env = process.env): LocalEngineEnv {
  return {
    external: !!env.ZEEBE_GRPC_ADDRESS,
    grpcPort: port(env, 'ENGINE_GRPC_PORT', 26500),
    restPort: port(env, 'ENGINE_REST_PORT', 8080),
    dataDir: env.ENGINE_DATA_DIR || undefined,
    testMode: env.ENGINE_TEST_MODE === 'true',
    timeZone: env.ENGINE_TIME_ZONE || undefined,
    inProcess: env.ENGINE_IN_PROCESS === 'true',
  };
}

/** ENGINE_MAX_HEAP_MB as given (app/engine-process.ts checks it); undefined when unset */
export function engineMaxHeapFromEnv(env: Env = process.env): string | undefined {
  return env.ENGINE_MAX_HEAP_MB;
}

/** DEMO_AP_PORT: the demo AP partners' simulator (npm run demo), default 8091 */
export function demoApPortFromEnv(env: Env = process.env): number {
  return port(env, 'DEMO_AP_PORT', 8091);
}
