/**
 * `npm start` (tsx app/entry/all-in-one.ts): the whole system in one process tree.
 *
 *   - the local engine (engine/, data under ENGINE_DATA_DIR = ./data/engine, so a restart resumes every
 *     open instance) unless ZEEBE_GRPC_ADDRESS names a Zeebe (then ZEEBE_REST_ADDRESS, CAMUNDA_AUTH_STRATEGY)
 *   - the deployment of processes/ with its forms (app/deploy.ts)
 *   - the job workers (workers/), the outbox dispatcher (app/dispatcher.ts), the API (api/) on PORT
 *   - the database at DATABASE_URL (default SQLite ./data/online-training.sqlite)
 *
 * `npm run demo` (--demo): the same, after loading a small demo data set once (app/demo.ts).
 * Ctrl-C / SIGTERM: stops API → dispatcher → workers → clients → engine → database.
 *
 * Local engine ports: ENGINE_GRPC_PORT (26500), ENGINE_REST_PORT (8080); it runs as a child process
 * (app/engine-process.ts, its own core) unless ENGINE_IN_PROCESS=true; ENGINE_TEST_MODE=true enables
 * clock control (PUT /v2/clock), and the workers and the API then read the engine's clock.
 */
import { loadConfig } from '../../platform/config/index';
import { localEngineFromEnv } from '../../platform/config/env';
import { loadDemoData, stopDemo } from '../demo';
import { createLogger } from '../../platform/observability/logger';
import { startSystem, type RunningSystem } from '../system';
import { startupBanner } from '../startup-banner';

async function main(): Promise<void> {
  const demo = process.argv.includes('--demo');
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, service: 'online-training' });
  const engineEnv = localEngineFromEnv();

  let seeded: { created: boolean; lines: string[] } | null = null;
  const sys: RunningSystem = await startSystem({
    config,
    logger,
    engine: engineEnv.external
      ? false
      : {
          grpcPort: engineEnv.grpcPort,
          restPort: engineEnv.restPort,
          dataDir: config.ENGINE_DATA_DIR,
          testMode: engineEnv.testMode,
          // its own process (own core) unless ENGINE_IN_PROCESS=true; stopped last either way
          separateProcess: !engineEnv.inProcess,
        },
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping (API, dispatcher, workers, engine, database) ...`);
    const force = setTimeout(() => {
      console.error('did not stop within 20 s; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    void stopDemo()
      .then(() => sys.stop())
      .then(
        () => {
          console.log('stopped');
          process.exit(0);
        },
        (e: unknown) => {
          console.error(e);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  if (demo) {
    seeded = await loadDemoData(sys);
  }

  console.log((await startupBanner(sys, config, { testMode: engineEnv.testMode, seeded })).join('\n'));
}

main().catch((e: unknown) => {
  console.error(`start failed: ${(e as Error)?.stack ?? String(e)}`);
  process.exit(1);
});
