/** The engine process of app/engine-process.ts: starts the engine, reports its addresses, stops on request or when the app is gone. */
import v8 from 'node:v8';
import { engineOptionsFromEnv, startEngine } from '../../engine/index';

async function main(): Promise<void> {
  const o = JSON.parse(process.env.ENGINE_OPTIONS ?? '{}') as {
    grpcPort: number;
    restPort: number;
    dataDir?: string;
    testMode?: boolean;
    host?: string;
    timeZone?: string;
  };
  // the engine's own settings (storage, sync, history) from the environment; the app's choices over them
  const e = await startEngine({
    ...engineOptionsFromEnv(process.env),
    grpcPort: o.grpcPort,
    restPort: o.restPort,
    dataDir: o.dataDir,
    testMode: o.testMode,
    host: o.host ?? '127.0.0.1',
    timeZone: o.timeZone,
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void e.stop().finally(() => process.exit(0));
  };
  process.on('message', (m: { cmd?: string }) => m.cmd === 'stop' && stop());
  process.on('disconnect', stop); // the app is gone
  process.on('SIGTERM', stop);
  process.on('SIGINT', () => undefined); // the app decides when the engine stops
  // heapLimitMb: what V8 settled on (old space limit plus the young generation), for the app's report and tests
  process.send!({
    event: 'engine-started',
    grpcAddress: e.grpcAddress,
    restAddress: e.restAddress,
    heapLimitMb: Math.round(v8.getHeapStatistics().heap_size_limit / 1048576),
  });
}

main().catch((err: unknown) => {
  process.send?.({ error: (err as Error)?.message ?? String(err) });
  process.exit(1);
});
