// `npm run engine`: ENGINE_GRPC_PORT (26500), ENGINE_REST_PORT (8080), ENGINE_DATA_DIR (unset: in memory),
// ENGINE_TEST_MODE=true enables clock control (PUT /v2/clock, POST /v2/clock/reset), ENGINE_TIME_ZONE
// (default UTC, as a Zeebe broker's JVM) is the zone of cron timers and FEEL today().
import { startEngine } from '../../engine/index';
import { localEngineFromEnv } from '../../platform/config/env';

async function main(): Promise<void> {
  const env = localEngineFromEnv();
  const e = await startEngine({
    grpcPort: env.grpcPort,
    restPort: env.restPort,
    dataDir: env.dataDir,
    testMode: env.testMode || process.argv.includes('--test-mode'),
    timeZone: env.timeZone,
  });
  // one line on stdout that tools (tests, the app's launcher) can parse
  console.log(JSON.stringify({ event: 'engine-started', grpcAddress: e.grpcAddress, restAddress: e.restAddress, dataDir: env.dataDir ?? null, testMode: e.engine.testMode }));
  const shutdown = () => { void e.stop().then(() => process.exit(0)); };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
