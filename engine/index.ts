// Programmatic API: start an engine with a Zeebe-compatible gRPC gateway and the REST subset.
import { Engine, HistoryOptions } from './core';
import { startGrpc } from './grpc';
import { startRest } from './rest';
import { openStore } from './store';

export interface EngineOptions {
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
   * How much of finished process instances is kept (in memory and in the store). Defaults: the environment
   * (ENGINE_HISTORY_INSTANCES, ENGINE_HISTORY_DETAILED_INSTANCES), else 2,000 finished root instances
   * answered by the REST API, the most recent 25 of them with full detail.
   */
  history?: HistoryOptions;
}

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid ${name} '${v}': expected a whole number >= 0`);
  return n;
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
  const store = opts.dataDir ? openStore(opts.dataDir) : null;
  const history: HistoryOptions = {
    finishedInstances: opts.history?.finishedInstances ?? envInt('ENGINE_HISTORY_INSTANCES'),
    detailedInstances: opts.history?.detailedInstances ?? envInt('ENGINE_HISTORY_DETAILED_INSTANCES'),
  };
  const engine = new Engine(store, !!opts.testMode, history, { timeZone: opts.timeZone });
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
export type { HistoryOptions } from './core';
