/**
 * Exactly-once effects under at-least-once delivery.
 *
 * `once(ds, jobType, key, work)` runs `work` in ONE transaction together with the insert of
 * processed_job(jobType, key) and stores the variables it returns there. A second delivery of the same
 * job (sequential or concurrent) finds the row and returns the stored variables without doing anything:
 * on MySQL the concurrent insert of the same primary key waits for the first transaction and then fails
 * with a duplicate key (we then read the committed result); on SQLite transactions are serialised.
 * The key is a business key where the flow has one (round+step, order, month, ...) and the job key
 * otherwise (a job keeps its key across retries and re-deliveries; a loop creates a new job).
 */
import type { DataSource, EntityManager } from 'typeorm';
import { ProcessedJobEntity } from '../../db/entities/index.js';
import { inTransaction } from '../../db/transaction.js';
import type { Variables } from './outcome';

export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const code = err?.driverError?.code ?? err?.code ?? '';
  const errno = err?.driverError?.errno ?? err?.errno;
  return code === 'ER_DUP_ENTRY' || errno === 1062 || /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test(code);
}

/** MySQL/MariaDB deadlock victim or lock wait time-out: the transaction rolled back and may simply run again */
export function isTransientLockError(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const code = err?.driverError?.code ?? err?.code ?? '';
  const errno = err?.driverError?.errno ?? err?.errno;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || errno === 1213 || errno === 1205 || code === 'SQLITE_BUSY';
}

export async function storedResult(ds: DataSource | EntityManager, jobType: string, key: string): Promise<Variables | null> {
  const row = await ds.getRepository(ProcessedJobEntity).findOneBy({ jobType, idempotencyKey: key });
  return row ? ((row.result ?? {}) as Variables) : null;
}

/** a key the caller has just looked up with storedResult (saves the second look-up) */
export interface CheckedKey {
  readonly key: string;
  readonly checked: true;
}
export function checked(key: string): CheckedKey {
  return { key, checked: true };
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
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(ds, async (em) => {
        await em.getRepository(ProcessedJobEntity).insert({ jobType, idempotencyKey: key, result: null, processedAt: now });
        const result = await work(em);
        await em.getRepository(ProcessedJobEntity).update({ jobType, idempotencyKey: key }, { result: result as never });
        return result;
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        // a concurrent delivery committed first (or the work hit a business-key unique index of a record
        // written by that delivery): return what it returned
        const winner = await storedResult(ds, jobType, key);
        if (winner) return winner;
        throw e;
      }
      // a deadlock victim rolled back completely: run it again here rather than burning a job retry
      if (isTransientLockError(e) && attempt < 3) {
        await new Promise((r) => setTimeout(r, 20 * attempt + Math.floor(Math.random() * 30)));
        continue;
      }
      throw e;
    }
  }
}
