/**
 * Group commit for worker jobs (used by runtime/once.ts).
 *
 * Jobs that allocate a gap-free document number (domain/numbering.ts) hold the document_sequence row
 * lock until COMMIT; with one transaction per job they queue on that lock one after another, and every
 * round trip made under it is stretched by the event loop's lag under load. Here the once() calls of
 * ONE job type that are in flight at the same time in this process share ONE transaction
 * (domain/group-commit.ts createBatcher): one lock wait and one commit (fsync) for N jobs.
 *
 * - One batcher per job type per DataSource, made on first use; one batch in flight per batcher, the
 *   calls that arrive meanwhile form the next one (at most maxBatch items).
 * - Each item is the whole body of a once() transaction (guard row, work, stored result) and runs in its
 *   own SAVEPOINT: an item that throws is rolled back to it alone (its number too: no gap) and only its
 *   caller gets the error, after the batch has committed (so a unique violation's winner, in this batch
 *   or committed before it, can be read then). A batch of one item runs without SAVEPOINT/RELEASE: its
 *   error rolls the whole (single-item) transaction back, as with one transaction per job.
 * - A deadlock, a lost connection, a failing ROLLBACK TO SAVEPOINT or COMMIT fails the whole batch:
 *   inTransaction re-runs every item from scratch on a deadlock (MySQL), and the callers are settled only
 *   with the outcome of the attempt that finally committed (or every one gets the error).
 * - Items must have no effects outside the database (once()'s work functions are DB-only; the AP request
 *   of ap-contract.ts and actor look-ups happen before once()).
 *
 * Switch: WORKER_GROUP_COMMIT=false (or 0/off/no) falls back to one transaction per job;
 * WORKER_GROUP_COMMIT_MAX_BATCH sets the batch size (default 32). configureGroupCommit(ds, ...) sets the
 * same per DataSource (tests, embedding code) and takes precedence over the environment.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { createBatcher, inSavepoints, type Batcher } from '../../domain/group-commit.js';
import type { Variables } from './outcome';

export const DEFAULT_WORKER_MAX_BATCH = 32;

export interface GroupCommitOptions {
  /** false: one transaction per job (the behaviour before group commit) */
  readonly enabled: boolean;
  /** most jobs per transaction */
  readonly maxBatch: number;
  /** observation only (tests, metrics): the job type and size of every batch that starts */
  readonly onBatch?: (jobType: string, size: number) => void;
}

/** the body of one once() transaction: runs on the batch's EntityManager */
export type BatchItem = (em: EntityManager) => Promise<Variables>;

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

/** WORKER_GROUP_COMMIT / WORKER_GROUP_COMMIT_MAX_BATCH; throws on a value it cannot read */
export function groupCommitFromEnv(env: Record<string, string | undefined> = process.env): GroupCommitOptions {
  const raw = (env.WORKER_GROUP_COMMIT ?? '').trim().toLowerCase();
  let enabled: boolean;
  if (raw === '' || ['true', '1', 'on', 'yes'].includes(raw)) enabled = true;
  else if (['false', '0', 'off', 'no'].includes(raw)) enabled = false;
  else throw new Error(`WORKER_GROUP_COMMIT: true or false, got ${JSON.stringify(env.WORKER_GROUP_COMMIT)}`);
  const rawMax = (env.WORKER_GROUP_COMMIT_MAX_BATCH ?? '').trim();
  const maxBatch = rawMax === '' ? DEFAULT_WORKER_MAX_BATCH : Number(rawMax);
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`WORKER_GROUP_COMMIT_MAX_BATCH: a positive integer, got ${JSON.stringify(rawMax)}`);
  return { enabled, maxBatch };
}

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

/** the options in force for ds */
export function groupCommitOptions(ds: DataSource): GroupCommitOptions {
  return stateOf(ds).options;
}

/** the batcher of jobType on ds, or null when group commit is off */
export function batcherFor(ds: DataSource, jobType: string): Batcher<BatchItem, Variables> | null {
  const s = stateOf(ds);
  if (!s.options.enabled) return null;
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
      run: async (em, items) => {
        // one item: no savepoint round trips; its error fails (rolls back) the batch of one
        if (items.length === 1) return [{ ok: true, value: await items[0](em) }];
        return inSavepoints(em, items, (em, item) => item(em));
      },
    });
    s.batchers.set(jobType, b);
  }
  return b;
}
