// The engine's options from environment variables, for the programs that start it (engine/main.ts, and
// any caller that wants the same variables): nothing below reads the environment itself.
import type { EngineOptions } from './index';

function int(env: NodeJS.ProcessEnv, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`invalid ${name} '${v}': expected a whole number from 0 to ${max}`);
  return n;
}

/**
 * ENGINE_GRPC_PORT, ENGINE_REST_PORT, ENGINE_DATA_DIR, ENGINE_TEST_MODE, ENGINE_TIME_ZONE, ENGINE_STORAGE
 * (log | sqlite), ENGINE_SYNC (FULL), ENGINE_LOG_COMPACT_BYTES, ENGINE_HISTORY_INSTANCES,
 * ENGINE_HISTORY_DETAILED_INSTANCES; a bad value is an error naming the variable. Unset ones are left out,
 * so startEngine's defaults apply.
 */
export function engineOptionsFromEnv(env: NodeJS.ProcessEnv): EngineOptions {
  const storage = env.ENGINE_STORAGE || undefined;
  if (storage !== undefined && storage !== 'log' && storage !== 'sqlite') throw new Error(`invalid ENGINE_STORAGE '${storage}': expected 'log' or 'sqlite'`);
  const sync = env.ENGINE_SYNC || undefined;
  if (sync !== undefined && sync !== 'FULL' && sync !== 'NORMAL') throw new Error(`invalid ENGINE_SYNC '${sync}': expected 'FULL' or 'NORMAL'`);
  const o: EngineOptions = {
    grpcPort: int(env, 'ENGINE_GRPC_PORT', 65535),
    restPort: int(env, 'ENGINE_REST_PORT', 65535),
    dataDir: env.ENGINE_DATA_DIR || undefined,
    testMode: env.ENGINE_TEST_MODE === 'true' ? true : undefined,
    timeZone: env.ENGINE_TIME_ZONE || undefined,
    storage: storage as 'log' | 'sqlite' | undefined,
    fullSync: sync === 'FULL' ? true : undefined,
    compactBytes: int(env, 'ENGINE_LOG_COMPACT_BYTES'),
    history: { finishedInstances: int(env, 'ENGINE_HISTORY_INSTANCES'), detailedInstances: int(env, 'ENGINE_HISTORY_DETAILED_INSTANCES') },
  };
  for (const k of Object.keys(o) as (keyof EngineOptions)[]) if (o[k] === undefined) delete o[k];
  return o;
}
