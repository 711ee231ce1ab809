import type { DataSource, EntityManager } from 'typeorm';

/**
 * Transactions that are safe on both drivers.
 *
 * TypeORM's SQLite drivers run every query runner over ONE connection: two overlapping
 * `dataSource.transaction()` calls would nest (SAVEPOINT) inside each other instead of being isolated.
 * SQLite serialises writers anyway, so here every top-level transaction on a SQLite data source waits
 * for the previous one (an in-process FIFO lock). On MySQL, transactions run concurrently on pooled
 * connections and row locks (SELECT ... FOR UPDATE) do the serialising where needed.
 *
 * Called with an EntityManager that is already inside a transaction, the work joins that transaction.
 */
const sqliteLocks = new WeakMap<DataSource, Promise<unknown>>();

export function isSqlite(ds: DataSource): boolean {
  return ds.options.type === 'better-sqlite3';
}

export function isMysql(ds: DataSource): boolean {
  const t = ds.options.type;
  return t === 'mysql' || t === 'mariadb';
}

export type Db = DataSource | EntityManager;

export function dataSourceOf(db: Db): DataSource {
  return 'manager' in db && 'driver' in db ? (db as DataSource) : (db as EntityManager).connection;
}

function activeTransaction(db: Db): EntityManager | undefined {
  if ('driver' in db && 'manager' in db) return undefined; // a DataSource
  const em = db as EntityManager;
  return em.queryRunner?.isTransactionActive ? em : undefined;
}

/** MySQL/MariaDB deadlock (ER_LOCK_DEADLOCK 1213): the server rolled the whole transaction back */
export function isDeadlock(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  return err?.driverError?.errno === 1213 || err?.errno === 1213 || err?.driverError?.code === 'ER_LOCK_DEADLOCK' || err?.code === 'ER_LOCK_DEADLOCK';
}

/**
 * A deadlock victim's transaction was rolled back entirely (so nothing, not even a document number,
 * was kept): run it again, up to 4 attempts, with a short jittered pause. Work must not have effects
 * outside the database (domain services don't).
 */
async function withDeadlockRetry<T>(attempt: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (i >= attempts || !isDeadlock(e)) throw e;
      await new Promise((r) => setTimeout(r, 5 * i + Math.random() * 20));
    }
  }
}

/**
 * SQLite: TypeORM opens transactions DEFERRED. Another process (api and workers on one file) could then
 * commit between our first read and our first write, and the upgrade fails with SQLITE_BUSY at once
 * (busy_timeout does not apply to a stale read snapshot). A no-op write as the first statement takes
 * the write lock up front, like BEGIN IMMEDIATE, waiting up to busy_timeout for other writers.
 */
async function takeWriteLock(em: EntityManager): Promise<void> {
  try {
    await em.query('UPDATE "document_sequence" SET "last_value" = "last_value" WHERE 0');
  } catch (e) {
    if (!/no such table/i.test(String(e))) throw e; // before the first migration: nothing to protect yet
  }
}

export async function inTransaction<T>(db: Db, work: (em: EntityManager) => Promise<T>): Promise<T> {
  const joined = activeTransaction(db);
  if (joined) return work(joined);
  const ds = dataSourceOf(db);
  if (!isSqlite(ds)) return withDeadlockRetry(() => ds.transaction(work));
  const previous = sqliteLocks.get(ds) ?? Promise.resolve();
  const immediate = (em: EntityManager) => takeWriteLock(em).then(() => work(em));
  const run = previous.then(
    () => ds.transaction(immediate),
    () => ds.transaction(immediate),
  );
  // the chain must not reject, or the next waiter would see the failure
  sqliteLocks.set(
    ds,
    run.then(
      () => undefined,
      () => undefined,
    ),
  );
  return run;
}
