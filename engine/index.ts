// Programmatic API: start an engine with a Zeebe-compatible gRPC gateway and the REST subset.
import { Engine, HistoryOptions } from './core';
import { startGrpc } from './grpc';
import { startRest } from './rest';
import { openStore, StoreOptions } from './store';

export interface EngineOptions extends StoreOptions {
  /** gRPC gateway port; 0 picks a free port. Default 26500. */
  grpcPort?: number;
  /** REST port; 0 picks a free port. Default 8080. */
  restPort?: number;
  /** Directory for the SQLite state; omitted: in memory (nothing survives a restart). */
  dataDir?: string;
  /** Enables clock control: PUT /v2/clock (pin), POST /v2/clock/reset, GET /v2/clock, POST /engine/clock. */
  testMode?: boolean;
  /**
   * IANA time zone of cron timers and FEEL today()/now(), like the JVM default zone of a Zeebe broker
   * (TZ in its container). Default UTC, as in Camunda's images.
   */
  timeZone?: string;
  /** Interface to bind; default 0.0.0.0. */
  host?: string;
  /**
   * How much of finished process instances is kept (in memory and in the store). Default: 2,000 finished
   * root instances answered by the REST API, the most recent 25 of them with full detail.
   */
  history?: HistoryOptions;
}

export interface RunningEngine {
  /** host:port of the gRPC gateway, e.g. "127.0.0.1:26500" (use grpc://<grpcAddress> as ZEEBE_GRPC_ADDRESS). */
  grpcAddress: string;
  /** Base URL of the REST API, e.g. "http://127.0.0.1:8080". */
  restAddress: string;
  grpcPort: number;
  restPort: number;
  engine: Engine;
  stop(): Promise<void>;
}

export async function startEngine(opts: EngineOptions = {}): Promise<RunningEngine> {
  // options only: the environment is read by the program that starts the engine (engine/env.ts, main.ts)
  const store = opts.dataDir ? openStore(opts.dataDir, { storage: opts.storage, fullSync: opts.fullSync, compactBytes: opts.compactBytes }) : null;
  const engine = new Engine(store, !!opts.testMode, opts.history ?? {}, { timeZone: opts.timeZone });
  await engine.load();
  engine.start();
  const host = opts.host ?? '0.0.0.0';
  const g = await startGrpc(engine, opts.grpcPort ?? 26500, host);
  let r: Awaited<ReturnType<typeof startRest>>;
  try {
    r = await startRest(engine, opts.restPort ?? 8080, host, g.port);
  } catch (e) {
    g.server.forceShutdown();
    await engine.stop();
    throw e;
  }
  let stopped = false;
  return {
    grpcAddress: `127.0.0.1:${g.port}`,
    restAddress: `http://127.0.0.1:${r.port}`,
    grpcPort: g.port,
    restPort: r.port,
    engine,
    async stop() {
      if (stopped) return;
      stopped = true;
      g.server.forceShutdown();
      await new Promise<void>((res) => { r.server.closeAllConnections?.(); r.server.close(() => res()); });
      await engine.stop();
    },
  };
}

export { Engine } from './core';
export { engineOptionsFromEnv } from './env';
export type { HistoryOptions } from './core';
