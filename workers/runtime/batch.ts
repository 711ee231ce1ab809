/**
 * Group commit for worker jobs (used by runtime/once.ts).
 *
 * Jobs that allocate a gap-free document number (domain/numbering.ts) hold the document_sequence row
 * lock until COMMIT; with one transaction per job they queue on that lock one after another, and every
 * round trip made under it is stretched by the event loop's lag under load. Here the once() calls of
 * ONE job type that are in flight at the same time in this process share ONE transaction
 * (db/group-commit.ts createBatcher): one lock wait and one commit (fsync) for N jobs.
 *
 * - One batcher per job type per DataSource, made on first use; one batch in flight per batcher, the
 *   calls that arrive meanwhile form the next one (at most maxBatch items).
 * - Each item is the body of a once() transaction (guard row, work, stored result). A batch of several
 *   writes the guard rows in one INSERT, runs the works under one SAVEPOINT and stores the results in one
 *   UPDATE; when a work throws, it goes back to that savepoint and runs every item again in a SAVEPOINT
 *   of its own, so the failing item is rolled back alone (its number too: no gap) and only its caller
 *   gets the error, after the batch has committed (so a unique violation's winner, in this batch or
 *   committed before it, can be read then). A batch of one item runs without any SAVEPOINT: its error
 *   rolls the whole (single-item) transaction back, as with one transaction per job. (runBatch below.)
 * - A deadlock, a lost connection, a failing ROLLBACK TO SAVEPOINT or COMMIT fails the whole batch:
 *   inTransaction re-runs every item from scratch on a deadlock (MySQL), and the callers are settled only
 *   with the outcome of the attempt that finally committed (or every one gets the error).
 * - Items must have no effects outside the database (once()'s work functions are DB-only; the AP request
 *   of expense-contract.ts and actor look-ups happen before once()).
 *
 * Switch: WORKER_GROUP_COMMIT=false (or 0/off/no) falls back to one transaction per job;
 * WORKER_GROUP_COMMIT_MAX_BATCH sets the batch size (default 32); WORKER_GROUP_COMMIT_TYPES (comma-separated
 * job types, default all) limits it to those types, e.g. the ones that allocate document numbers. configureGroupCommit(ds, ...) sets the
 * same per DataSource (tests, embedding code) and takes precedence over the environment.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { ProcessedJobEntity, type ProcessedJob } from '../../db/entities/index';
import { insertRows, isDeadlock, rollbackToSavepoint, savepoint } from '../../db/transaction';
import { createBatcher, inSavepoints, type Batcher, type Settled } from '../../db/group-commit';
import { DEFAULT_WORKER_MAX_BATCH, groupCommitFromEnv, type GroupCommitSettings } from '../../platform/config/env';
import type { Variables } from './outcome';

export { DEFAULT_WORKER_MAX_BATCH };

export interface GroupCommitOptions extends GroupCommitSettings {
  /** observation only (tests, metrics): the job type and size of every batch that starts */
  readonly onBatch?: (jobType: string, size: number) => void;
}

/** one once() call: its key, clock and work, and `body`: the whole transaction body (guard, work, result) */
export interface BatchItem {
  readonly key: string;
  readonly now: Date;
  readonly work: (em: EntityManager) => Promise<Variables>;
  readonly body: (em: EntityManager) => Promise<Variables>;
}

/** per job type since start: batches run (retries not counted again), jobs in them, the largest */
export interface BatchStats {
  batches: number;
  items: number;
  largest: number;
}

interface State {
  readonly options: GroupCommitOptions;
  readonly batchers: Map<string, Batcher<BatchItem, Variables>>;
}

const stats = new WeakMap<DataSource, Map<string, BatchStats>>();

/** batch counts per job type on ds (metrics, benchmarks): a mean batch size near 1 means no grouping happened */
export function groupCommitStats(ds: DataSource): ReadonlyMap<string, Readonly<BatchStats>> {
  return stats.get(ds) ?? new Map();
}

function count(ds: DataSource, jobType: string, size: number): void {
  let m = stats.get(ds);
  if (!m) stats.set(ds, (m = new Map()));
  const s = m.get(jobType) ?? { batches: 0, items: 0, largest: 0 };
  s.batches++;
  s.items += size;
  s.largest = Math.max(s.largest, size);
  m.set(jobType, s);
}

const states = new WeakMap<DataSource, State>();

export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const code = err?.driverError?.code ?? err?.code ?? '';
  const errno = err?.driverError?.errno ?? err?.errno;
  return code === 'ER_DUP_ENTRY' || errno === 1062 || /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test(code);
}

/** WORKER_GROUP_COMMIT* (platform/config/env.ts), re-exported for the tests that set them */
export { groupCommitFromEnv };

/**
 * Sets group commit for the once() calls on ds (fields left out: from the environment). Batchers made
 * under the previous options are dropped; a batch already running finishes with them.
 */
export function configureGroupCommit(ds: DataSource, options: Partial<GroupCommitOptions>): GroupCommitOptions {
  const merged = { ...groupCommitFromEnv(), ...options };
  if (!Number.isInteger(merged.maxBatch) || merged.maxBatch < 1) throw new Error(`maxBatch: a positive integer, got ${merged.maxBatch}`);
  states.set(ds, { options: merged, batchers: new Map() });
  return merged;
}

function stateOf(ds: DataSource): State {
  let s = states.get(ds);
  if (!s) {
    s = { options: groupCommitFromEnv(), batchers: new Map() };
    states.set(ds, s);
  }
  return s;
}

/** the batcher of jobType on ds, or null when group commit is off */
export function batcherFor(ds: DataSource, jobType: string): Batcher<BatchItem, Variables> | null {
  const s = stateOf(ds);
  if (!s.options.enabled || (s.options.jobTypes && !s.options.jobTypes.has(jobType))) return null;
  let b = s.batchers.get(jobType);
  if (!b) {
    const onBatch = s.options.onBatch;
    b = createBatcher<BatchItem, Variables>({
      db: ds,
      maxBatch: s.options.maxBatch,
      onBatch: (size) => {
        count(ds, jobType, size);
        onBatch?.(jobType, size);
      },
      run: (em, items) => runBatch(em, jobType, items),
    });
    s.batchers.set(jobType, b);
  }
  return b;
}

/**
 * One batch in its transaction. One item: its body as is (no savepoint; its error rolls the batch of one
 * back). More: the guard rows of the distinct keys in ONE multi-row INSERT, one SAVEPOINT, every work in
 * call order, the results of all in ONE UPDATE: an item costs only its own statements, the rest is per
 * batch. When a work throws, the batch goes back to that savepoint and runs again (every work from
 * scratch, as after a deadlock) with each item's work in its own SAVEPOINT (no RELEASE: the savepoints
 * end with the transaction). A work that throws there is rolled back to its savepoint and its guard row deleted
 * (no row, no number); a later call with the same key in the batch then runs as a delivery of its own,
 * while a repeated key after a success gets that success's result. When the guard INSERT meets a row
 * that already exists (a redelivery or a concurrent delivery elsewhere committed first), the batch falls
 * back to one savepoint per item with each item's own guard insert (db/group-commit.ts
 * inSavepoints): the duplicate then fails alone with the unique violation that once() resolves.
 */
async function runBatch(em: EntityManager, jobType: string, items: BatchItem[]): Promise<Settled<Variables>[]> {
  if (items.length === 1) return [{ ok: true, value: await items[0].body(em) }];
  const keys = [...new Set(items.map((i) => i.key))];
  const first = new Map<string, BatchItem>();
  for (const it of items) if (!first.has(it.key)) first.set(it.key, it);
  try {
    await insertRows(
      em,
      ProcessedJobEntity,
      keys.map((key) => ({ jobType, idempotencyKey: key, result: null, processedAt: first.get(key)!.now })),
    );
  } catch (e) {
    // a key exists already: the statement inserted nothing (statement atomicity on both databases); go
    // item by item so that only the duplicate fails. Anything else fails the batch.
    if (!isUniqueViolation(e)) throw e;
    return inSavepoints(em, items, (em, item) => item.body(em));
  }
  // the common case, every work succeeds: no savepoint per item, one for the whole run
  await savepoint(em, 'gc_all');
  try {
    const done = new Map<string, Variables>();
    const out: Settled<Variables>[] = [];
    for (const item of items) {
      const ok = done.get(item.key);
      const value = ok ? copy(ok) : await item.work(em);
      if (!ok) done.set(item.key, value);
      out.push({ ok: true, value });
    }
    await storeResults(em, jobType, done);
    return out;
  } catch (error) {
    if (isDeadlock(error)) throw error;
    try {
      await rollbackToSavepoint(em, 'gc_all');
    } catch {
      throw error;
    }
  }
  // a work failed: everything since the guard rows undone, run again with one savepoint per item
  const guarded = new Set(keys); // keys whose guard row is in place but not yet used by a work
  const done = new Map<string, Variables>(); // key → the result its work returned in this batch
  const out: Settled<Variables>[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const ok = done.get(item.key);
    if (ok) {
      // the same job twice in one batch: the result the first got (as a stored result would be: a copy)
      out.push({ ok: true, value: copy(ok) });
      continue;
    }
    const hasGuard = guarded.has(item.key);
    const name = `gc_sp_${i}`;
    await savepoint(em, name);
    try {
      // the guard row of this key is in place (the batch's INSERT) or, after an earlier call of the key
      // failed and deleted it, inserted here as by a delivery of its own
      const value = hasGuard ? await item.work(em) : await runGuarded(em, jobType, item);
      guarded.delete(item.key);
      done.set(item.key, value);
      out.push({ ok: true, value });
    } catch (error) {
      if (isDeadlock(error)) throw error;
      try {
        await rollbackToSavepoint(em, name);
        if (hasGuard) {
          await deleteGuard(em, jobType, item.key);
          guarded.delete(item.key);
        }
      } catch {
        throw error; // the transaction is not in a state we can continue from
      }
      out.push({ ok: false, error });
    }
  }
  await storeResults(em, jobType, done);
  return out;
}

/** the same job twice in one batch: the second gets what the first returned, as a stored result would be (a copy) */
function copy(v: Variables): Variables {
  return JSON.parse(JSON.stringify(v)) as Variables;
}

/** the guard insert and the work of an item whose key has no guard row in the batch (its result: storeResults) */
async function runGuarded(em: EntityManager, jobType: string, item: BatchItem): Promise<Variables> {
  await insertRows(em, ProcessedJobEntity, [{ jobType, idempotencyKey: item.key, result: null, processedAt: item.now }]);
  return item.work(em);
}

function sql(em: EntityManager) {
  const { driver } = em.connection;
  const meta = em.connection.getMetadata(ProcessedJobEntity);
  const column = (p: keyof ProcessedJob) => meta.findColumnWithPropertyName(p)!;
  const name = (p: keyof ProcessedJob) => driver.escape(column(p).databaseName);
  return { driver, table: driver.escape(meta.tableName), column, name };
}

async function deleteGuard(em: EntityManager, jobType: string, key: string): Promise<void> {
  const { table, name } = sql(em);
  await em.query(`DELETE FROM ${table} WHERE ${name('jobType')} = ? AND ${name('idempotencyKey')} = ?`, [jobType, key]);
}

/** processed_job.result of the batch's successful keys: one UPDATE … CASE (values converted as the repository would) */
async function storeResults(em: EntityManager, jobType: string, results: Map<string, Variables>): Promise<void> {
  if (!results.size) return;
  const { driver, table, column, name } = sql(em);
  const params: unknown[] = [];
  const whens: string[] = [];
  for (const [key, value] of results) {
    whens.push('WHEN ? THEN ?');
    params.push(key, driver.preparePersistentValue(value, column('result')));
  }
  params.push(jobType, ...results.keys());
  await em.query(
    `UPDATE ${table} SET ${name('result')} = CASE ${name('idempotencyKey')} ${whens.join(' ')} END ` +
      `WHERE ${name('jobType')} = ? AND ${name('idempotencyKey')} IN (${[...results.keys()].map(() => '?').join(', ')})`,
    params,
  );
}
