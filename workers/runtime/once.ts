/**
 * Exactly-once effects under at-least-once delivery.
 *
 * `once(ds, jobType, key, work)` runs `work` in ONE transaction together with the insert of
 * processed_job(jobType, key) and stores the variables it returns there. A second delivery of the same
 * job (sequential or concurrent) finds the row and returns the stored variables without doing anything:
 * on MySQL the concurrent insert of the same primary key waits for the first transaction and then fails
 * with a duplicate key (we then read the committed result); on SQLite transactions are serialised.
 * Round trips: the guard row is inserted FIRST (a second delivery must wait before doing anything) and
 * the result is known only after the work, so the UPDATE of the result stays between the work (which may
 * hold a document_sequence row lock, domain/numbering.ts) and COMMIT; these statements are written as
 * plain SQL from the metadata (not TypeORM's query builders) to keep the CPU spent under that lock low.
 * Group commit (runtime/batch.ts, default on, WORKER_GROUP_COMMIT=false to switch off): the once()
 * calls of one job type in flight at the same time share ONE transaction, each in its own SAVEPOINT,
 * so N number-allocating jobs pay one document_sequence lock wait and one commit. The guarantees are
 * the same: an item that throws is rolled back alone and only its caller gets the error (after the
 * batch committed, so a unique violation then finds the winner's result, in the same batch or an
 * earlier one); a deadlock re-runs (or fails) the whole batch, in inTransaction (platform/retry.ts), not here.
 * The key is a business key where the flow has one (round+step, order, month, ...) and the job key
 * otherwise (a job keeps its key across retries and re-deliveries; a loop creates a new job).
 */
import type { DataSource, EntityManager } from 'typeorm';
import { ProcessedJobEntity, type ProcessedJob } from '../../db/entities/index';
import { inTransaction, insertRows } from '../../db/transaction';
import { batcherFor, isUniqueViolation } from './batch';
import type { Variables } from './outcome';

export { isUniqueViolation };

/** the variables a committed delivery stored (null: none yet); a plain SELECT by primary key */
export async function storedResult(ds: DataSource | EntityManager, jobType: string, key: string): Promise<Variables | null> {
  const { driver } = 'driver' in ds ? ds : ds.connection;
  const meta = ds.getRepository(ProcessedJobEntity).metadata;
  const result = meta.findColumnWithPropertyName('result')!;
  const name = (p: keyof ProcessedJob) => driver.escape(meta.findColumnWithPropertyName(p)!.databaseName);
  const rows: Record<string, unknown>[] = await ds.query(
    `SELECT ${name('result')} AS r FROM ${driver.escape(meta.tableName)} WHERE ${name('jobType')} = ? AND ${name('idempotencyKey')} = ?`,
    [jobType, key],
  );
  if (!rows.length) return null;
  return (driver.prepareHydratedValue(rows[0].r, result) ?? {}) as Variables;
}

/** a key the caller has just looked up with storedResult (saves the second look-up) */
export interface CheckedKey {
  readonly key: string;
  readonly checked: true;
}
export function checked(key: string): CheckedKey {
  return { key, checked: true };
}
/**
 * A key not looked up beforehand, on purpose: the processed_job guard insert, the transaction's first
 * statement, meets a committed row of a redelivery as a duplicate key and once() returns that row's
 * result, so the look-up would only cost a round trip on every first delivery. For work with nothing
 * to spare outside the database before once() (system jobs, or an actor known from the variables).
 */
export function guardOnly(key: string): CheckedKey {
  return checked(key);
}

/**
 * processed_job.result of our own (already inserted) row. Often the last statement before COMMIT while
 * a document_sequence row lock is held (domain/numbering.ts): a plain UPDATE by primary key, the value
 * converted as the repository would (preparePersistentValue: the JSON transformer), without the
 * UpdateQueryBuilder's CPU.
 */
async function storeResult(em: EntityManager, jobType: string, key: string, result: Variables): Promise<void> {
  const { driver } = em.connection;
  const meta = em.connection.getMetadata(ProcessedJobEntity);
  const column = (p: keyof ProcessedJob) => meta.findColumnWithPropertyName(p)!;
  const name = (p: keyof ProcessedJob) => driver.escape(column(p).databaseName);
  await em.query(
    `UPDATE ${driver.escape(meta.tableName)} SET ${name('result')} = ? WHERE ${name('jobType')} = ? AND ${name('idempotencyKey')} = ?`,
    [driver.preparePersistentValue(result, column('result')), jobType, key],
  );
}

export async function once(
  ds: DataSource,
  jobType: string,
  keyOrChecked: string | CheckedKey,
  now: Date,
  work: (em: EntityManager) => Promise<Variables>,
): Promise<Variables> {
  const key = typeof keyOrChecked === 'string' ? keyOrChecked : keyOrChecked.key;
  if (typeof keyOrChecked === 'string') {
    const done = await storedResult(ds, jobType, key);
    if (done) return done;
  }
  // the whole transaction body: the guard row first, the work, its result; re-run from scratch when
  // the transaction (or the batch it is part of) is retried after a deadlock
  const body = async (em: EntityManager): Promise<Variables> => {
    await insertRows(em, ProcessedJobEntity, [{ jobType, idempotencyKey: key, result: null, processedAt: now }]);
    const result = await work(em);
    await storeResult(em, jobType, key, result);
    return result;
  };
  try {
    // group commit (runtime/batch.ts): in the transaction of the other jobs of this type in flight,
    // in its own savepoint; settled after that transaction committed. Off: a transaction of its own.
    // A transaction the database rolled back is run again by inTransaction alone (platform/retry.ts).
    const batcher = batcherFor(ds, jobType);
    return await (batcher ? batcher.submit({ key, now, work, body }) : inTransaction(ds, body));
  } catch (e) {
    if (isUniqueViolation(e)) {
      // a concurrent delivery committed first (or the work hit a business-key unique index of a record
      // written by that delivery): return what it returned
      const winner = await storedResult(ds, jobType, key);
      if (winner) return winner;
    }
    throw e;
  }
}
