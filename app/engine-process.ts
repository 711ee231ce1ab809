/**
 * The local engine in its own process (a child of the app, same process tree): the engine's event loop
 * and the app's (API, workers, dispatcher) then run on separate cores. The child is forked with an IPC
 * channel and in its own process group: a terminal Ctrl-C reaches the app only, which stops the engine
 * LAST (after the API, the dispatcher and the workers); if the app dies, the channel closes and the
 * engine stops itself.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { engineMaxHeapFromEnv } from '../platform/config/env';

export interface EngineProcess {
  grpcAddress: string;
  restAddress: string;
  pid: number;
  /** the engine process's V8 heap limit in MB (old space plus young generation) */
  heapLimitMb: number;
  stop(): Promise<void>;
}

export interface EngineProcessOptions {
  grpcPort: number;
  restPort: number;
  dataDir?: string;
  testMode?: boolean;
  host?: string;
  /** IANA zone of cron timers and FEEL today() in the engine (the app passes the business zone) */
  timeZone?: string;
  /** ms to wait for the engine to come up */
  startTimeoutMs?: number;
  /**
   * V8 old-space limit of the engine process in MB (default ENGINE_MAX_HEAP_MB; unset: inherited from the
   * app's flags, else V8's default). The engine's own data is small (tens of MB at bench:e2e's load), but
   * V8 lets an uncapped heap grow to several times its live data before collecting (bench:e2e: ~300 MB RSS
   * for ~45 MB live).
   */
  maxHeapMb?: number;
}

function engineHeapFlag(opts: EngineProcessOptions): string[] {
  const env = engineMaxHeapFromEnv();
  const [name, given] = opts.maxHeapMb !== undefined ? ['maxHeapMb', String(opts.maxHeapMb)] : ['ENGINE_MAX_HEAP_MB', env];
  if (given === undefined || given === '') return [];
  const mb = Number(given);
  if (!Number.isInteger(mb) || mb < 32) throw new Error(`${name} must be a whole number of MB, at least 32 (got "${given}")`);
  return [`--max-old-space-size=${mb}`]; // after the inherited flags: the last one counts
}

export async function startEngineProcess(opts: EngineProcessOptions): Promise<EngineProcess> {
  // the child is the same kind of file as this module: engine-child.js next to engine-process.js when
  // compiled (dist/, production and benchmarks: plain node, no loader), engine-child.ts under tsx. For
  // TypeScript the loader flags are inherited from a parent started with tsx, or added here under a
  // test runner that registered tsx in-process (mocha --require tsx/cjs).
  const ext = path.extname(__filename);
  const typescript = ext === '.ts';
  const inherited =
    !typescript || process.execArgv.some((a) => a.includes('tsx'))
      ? process.execArgv
      : [...process.execArgv, '--require', require.resolve('tsx/cjs')];
  const execArgv = [...inherited, ...engineHeapFlag(opts)];
  const child: ChildProcess = fork(path.join(__dirname, 'entry', `engine-child${ext}`), [], {
    execArgv,
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // biome-ignore lint/style/noProcessEnv: the child inherits the environment; this reads nothing from it
    env: { ...process.env, ENGINE_OPTIONS: JSON.stringify(opts) },
  });
  const started = await new Promise<{ grpcAddress: string; restAddress: string; heapLimitMb: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the engine process did not start in time')), opts.startTimeoutMs ?? 60_000);
    child.once('message', (m: { event?: string; grpcAddress: string; restAddress: string; heapLimitMb: number; error?: string }) => {
      clearTimeout(timer);
      if (m.error) reject(new Error(`engine process: ${m.error}`));
      else resolve(m);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the engine process exited with ${code} while starting`));
    });
  });
  let stopped: Promise<void> | null = null;
  return {
    ...started,
    pid: child.pid!,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.send({ cmd: 'stop' });
      });
      return stopped;
    },
  };
}
