// `npm run engine`: the engine as its own program, configured by environment variables (engine/env.ts
// parses them: ENGINE_GRPC_PORT (26500), ENGINE_REST_PORT (8080), ENGINE_DATA_DIR (unset: in memory),
// ENGINE_TEST_MODE=true (clock control: PUT /v2/clock, POST /v2/clock/reset), ENGINE_TIME_ZONE (default
// UTC, as a Zeebe broker's JVM), ENGINE_STORAGE, ENGINE_SYNC, ENGINE_LOG_COMPACT_BYTES, ENGINE_HISTORY_*).
// Below this file the engine takes options and reads no environment.
import { engineOptionsFromEnv, startEngine } from '../../engine/index';

async function main(): Promise<void> {
  const o = engineOptionsFromEnv(process.env);
  const e = await startEngine({
    ...o,
    grpcPort: o.grpcPort ?? 26500,
    restPort: o.restPort ?? 8080,
    testMode: o.testMode || process.argv.includes('--test-mode'),
  });
  // one line on stdout that tools (tests, the app's launcher) can parse
  console.log(
    JSON.stringify({
      event: 'engine-started',
      grpcAddress: e.grpcAddress,
      restAddress: e.restAddress,
      dataDir: o.dataDir ?? null,
      testMode: e.engine.testMode,
    }),
  );
  const shutdown = () => {
    void e.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
