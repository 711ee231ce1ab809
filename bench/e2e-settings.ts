/**
 * The settings of `npm run bench:e2e` read from its environment (the knobs are listed in e2e.ts): the
 * warm-up, the database the system runs on and the V8 heap caps of its processes.
 */
import { canStartPrivateMariadb } from './private-mariadb';

/** orders sent before the measured ones, at the same rate, and not counted: a server runs warm (JIT, pools) */
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 20);

/**
 * The database the system runs on: the target has MySQL on this machine, so by default a MariaDB server
 * of the bench's own (private-mariadb.ts) when the machine has the binaries; DATABASE_URL when set (e.g.
 * the machine's shared server); BENCH_DB=private or BENCH_DB=sqlite to choose.
 */
export function databaseChoice(): 'private' | 'url' | 'sqlite' {
  const choice = process.env.BENCH_DB;
  if (choice === 'private' || choice === 'sqlite') return choice;
  if (choice) throw new Error(`BENCH_DB: expected "private" or "sqlite", got "${choice}"`);
  if (process.env.DATABASE_URL) return 'url';
  return canStartPrivateMariadb() ? 'private' : 'sqlite';
}

/**
 * V8 heap caps (MB, 0 = none): by default the settings README and docs/admins.md give for a system in
 * 400 MB, the app at 192 and the engine at 96; without caps V8 lets each heap grow to several times its
 * live data while the machine has memory to spare. BENCH_HEAP_MB=0 runs uncapped (the engine too, unless
 * ENGINE_MAX_HEAP_MB is set).
 */
export function heapSettings(): { appMb: number; engineMb: number } {
  const read = (name: string, fallback: number): number => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a whole number of MB (0 = uncapped), got "${raw}"`);
    return n;
  };
  const appMb = read('BENCH_HEAP_MB', 192);
  return { appMb, engineMb: read('ENGINE_MAX_HEAP_MB', appMb ? 96 : 0) };
}
