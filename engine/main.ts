// `npm run engine`: ENGINE_GRPC_PORT (26500), ENGINE_REST_PORT (8080), ENGINE_DATA_DIR (unset: in memory),
// ENGINE_TEST_MODE=true enables clock control (PUT /v2/clock, POST /v2/clock/reset), ENGINE_TIME_ZONE
// (default UTC, as a Zeebe broker's JVM) is the zone of cron timers and FEEL today().
import { startEngine } from './index';

async function main(): Promise<void> {
  const port = (v: string | undefined, d: number) => {
    if (v === undefined || v === '') return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid port '${v}'`);
    return n;
  };
  const e = await startEngine({
    grpcPort: port(process.env.ENGINE_GRPC_PORT, 26500),
    restPort: port(process.env.ENGINE_REST_PORT, 8080),
    dataDir: process.env.ENGINE_DATA_DIR || undefined,
    testMode: process.env.ENGINE_TEST_MODE === 'true' || process.argv.includes('--test-mode'),
    timeZone: process.env.ENGINE_TIME_ZONE || undefined,
  });
  // one line on stdout that tools (tests, the app's launcher) can parse
  console.log(JSON.stringify({ event: 'engine-started', grpcAddress: e.grpcAddress, restAddress: e.restAddress, dataDir: process.env.ENGINE_DATA_DIR ?? null, testMode: e.engine.testMode }));
  const shutdown = () => { void e.stop().then(() => process.exit(0)); };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
