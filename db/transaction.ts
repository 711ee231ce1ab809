import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata.js';
import { DateUtils } from 'typeorm/util/DateUtils.js';
import { TRANSACTION_RETRY, withRetry } from '../platform/retry';

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

/** the EntityManager given, or undefined for a DataSource */
export function managerOf(db: Db): EntityManager | undefined {
  return 'manager' in db && 'driver' in db ? undefined : (db as EntityManager);
}

/** the EntityManager given when it is inside a transaction */
export function activeTransaction(db: Db): EntityManager | undefined {
  const em = managerOf(db);
  return em?.queryRunner?.isTransactionActive ? em : undefined;
}

/** MySQL/MariaDB deadlock (ER_LOCK_DEADLOCK 1213): the server rolled the whole transaction back */
export function isDeadlock(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  return (
    err?.driverError?.errno === 1213 ||
    err?.errno === 1213 ||
    err?.driverError?.code === 'ER_LOCK_DEADLOCK' ||
    err?.code === 'ER_LOCK_DEADLOCK'
  );
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
  // rows queued by insertLater go in just before COMMIT; a failed attempt forgets them
  const body = async (em: EntityManager): Promise<T> => {
    if (em.queryRunner) later.set(em.queryRunner, new Map());
    try {
      const result = await work(em);
      await flushLater(em);
      return result;
    } finally {
      // the runner (pooled, or SQLite's only one) may serve anything next
      if (em.queryRunner) later.delete(em.queryRunner);
    }
  };
  // a transaction the database rolled back runs again here, and only here (platform/retry.ts): a deadlock
  // victim kept nothing, not even a document number, and domain work has no effects outside the database
  if (!isSqlite(ds)) return withRetry(TRANSACTION_RETRY, () => ds.transaction(body));
  return withRetry(TRANSACTION_RETRY, () => sqliteTransaction(ds, body));
}

/** SQLite: one transaction at a time per data source (a chain of them), each taking the write lock first */
function sqliteTransaction<T>(ds: DataSource, body: (em: EntityManager) => Promise<T>): Promise<T> {
  const previous = sqliteLocks.get(ds) ?? Promise.resolve();
  const immediate = (em: EntityManager) => takeWriteLock(em).then(() => body(em));
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

/**
 * `getRepository(entity).insert(rows)` without TypeORM's InsertQueryBuilder (whose parameter handling is
 * quadratic in the number of rows and dominated the API's create path): one hand-built
 * `INSERT INTO <table> (<cols>) VALUES (…),(…)` per chunk through `em.query`. The table, the column
 * database names and the values come from the entity metadata, each value converted by the driver's
 * preparePersistentValue (transformers, booleans, dates, JSON) and an absent value written as
 * InsertQueryBuilder writes it (MySQL: DEFAULT; SQLite: the column default or NULL); on SQLite numbers
 * are inlined as TypeORM inlines them. Entities using what this does not reproduce (generated, version
 * or discriminator columns, spatial types, entity listeners or subscribers, SQL-function values, a
 * schema or database prefix) go through the repository instead, so the rows are the same either way.
 */
export async function insertRows(em: EntityManager, entity: EntityTarget<ObjectLiteral>, rows: readonly ObjectLiteral[]): Promise<void> {
  if (!rows.length) return;
  const deferred = (em as { [DEFERRED_INSERTS]?: DeferredInserts })[DEFERRED_INSERTS];
  if (deferred) return deferred(entity, rows);
  const ds = em.connection;
  const plan = insertPlan(ds, ds.getMetadata(entity));
  if (!plan || rows.some((r) => plan.columns.some((c) => typeof c.getEntityValue(r) === 'function'))) {
    await em.getRepository(entity).insert(rows as never);
    return;
  }
  const sqlite = isSqlite(ds);
  const driver = ds.driver;
  let values: string[] = [];
  let params: unknown[] = [];
  let bytes = 0;
  const flush = async () => {
    if (!values.length) return;
    await em.query(`${plan.head}${values.join(', ')}`, params);
    values = [];
    params = [];
    bytes = 0;
  };
  for (const row of rows) {
    const parts: string[] = [];
    const rowParams: unknown[] = [];
    let rowBytes = 0;
    for (const c of plan.columns) {
      const v = driver.preparePersistentValue(c.getEntityValue(row), c);
      if (v === undefined) {
        parts.push(sqlite ? (c.default !== undefined && c.default !== null ? (driver.normalizeDefault(c) ?? 'NULL') : 'NULL') : 'DEFAULT');
      } else {
        parts.push(sqlParam(sqlite, v, rowParams));
        rowBytes += typeof v === 'string' ? v.length * 2 + 2 : 24; // escaped size, roughly (multi-byte: conservative enough)
      }
    }
    if (values.length && (params.length + rowParams.length > INSERT_MAX_PARAMS || bytes + rowBytes > INSERT_MAX_BYTES)) await flush();
    values.push(`(${parts.join(', ')})`);
    params.push(...rowParams);
    bytes += rowBytes;
  }
  await flush();
}

/**
 * A value already converted by preparePersistentValue, as SQL: `?` with the value pushed onto `params`,
 * bound as TypeORM binds it. SQLite: numbers inlined (AbstractSqliteDriver.escapeQueryWithParameters
 * inlines them, so a number compared with or stored in a text column keeps its integer spelling),
 * booleans as 0/1, dates as UTC datetime strings.
 */
export function sqlParam(sqlite: boolean, v: unknown, params: unknown[]): string {
  if (sqlite && typeof v === 'number') return String(v);
  params.push(sqlite && typeof v === 'boolean' ? +v : sqlite && v instanceof Date ? DateUtils.mixedDateToUtcDatetimeString(v) : v);
  return '?';
}

/**
 * Rows a transaction writes but never reads back (the audit log), inserted together: `insertLater` inside
 * a transaction only queues the row, and the queue goes in as one multi-row INSERT per entity (insertRows)
 * right before COMMIT (inTransaction) and before every SAVEPOINT (savepoint()), so a provisioning job's
 * two or three audit rows, and a group-committed batch's dozens, cost one statement instead of one each.
 * ROLLBACK TO SAVEPOINT (rollbackToSavepoint()) drops what was queued since, which is exactly what came
 * after the newest savepoint; a transaction that fails drops the rest. Outside a transaction, or in one not
 * opened by inTransaction (nothing would flush it), the row is inserted at once. Reading such a row back in the same transaction would not find it: use insertRows.
 */
/** the queue of each transaction inTransaction opened (it flushes before COMMIT); no entry: rows go in at once */
const later = new WeakMap<QueryRunner, Map<EntityTarget<ObjectLiteral>, ObjectLiteral[]>>();

export async function insertLater(em: EntityManager, entity: EntityTarget<ObjectLiteral>, row: ObjectLiteral): Promise<void> {
  const queue = em.queryRunner?.isTransactionActive ? later.get(em.queryRunner) : undefined;
  if (!queue) return insertRows(em, entity, [row]);
  const rows = queue.get(entity);
  if (rows) rows.push(row);
  else queue.set(entity, [row]);
}

/** inserts what insertLater queued on em's transaction */
export async function flushLater(em: EntityManager): Promise<void> {
  const queue = em.queryRunner && later.get(em.queryRunner);
  if (!queue?.size) return;
  const rows = [...queue];
  queue.clear();
  for (const [entity, list] of rows) await insertRows(em, entity, list);
}

/** SAVEPOINT name, after the rows queued so far went in (they belong before it) */
export async function savepoint(em: EntityManager, name: string): Promise<void> {
  await flushLater(em);
  await em.query(`SAVEPOINT ${name}`);
}

/** ROLLBACK TO SAVEPOINT name; the rows queued since (all queued rows: the newest savepoint flushed the rest) are dropped */
export async function rollbackToSavepoint(em: EntityManager, name: string): Promise<void> {
  if (em.queryRunner) later.get(em.queryRunner)?.clear();
  await em.query(`ROLLBACK TO SAVEPOINT ${name}`);
}

/**
 * An EntityManager stand-in that collects inserts instead of sending them (db/group-commit.ts
 * deferInserts) answers this symbol with its collector; insertRows then hands it the rows.
 */
export const DEFERRED_INSERTS = Symbol('deferredInserts');
export type DeferredInserts = (entity: EntityTarget<ObjectLiteral>, rows: readonly ObjectLiteral[]) => Promise<void>;

/** per statement: far below SQLite's 32766 variables and MariaDB's 16 MB max_allowed_packet (1 MB minimum) */
export const INSERT_MAX_PARAMS = 4000;
export const INSERT_MAX_BYTES = 512 * 1024;

/**
 * A table the hand-built statements here and in db/rows.ts may address by its bare name, with no
 * subscriber that TypeORM would have called: no schema or database prefix, no subscribers.
 */
export function isPlainTable(ds: DataSource, meta: EntityMetadata): boolean {
  return !meta.schema && !meta.database && meta.tablePath === meta.tableName && !ds.subscribers.length;
}

const plans = new WeakMap<EntityMetadata, { head: string; columns: ColumnMetadata[] } | null>();
function insertPlan(ds: DataSource, meta: EntityMetadata): { head: string; columns: ColumnMetadata[] } | null {
  if (plans.has(meta)) return plans.get(meta)!;
  const columns = meta.columns.filter((c) => c.isInsert);
  const supported =
    isPlainTable(ds, meta) &&
    !meta.beforeInsertListeners.length &&
    !meta.afterInsertListeners.length &&
    columns.length > 0 &&
    columns.every((c) => !c.isGenerated && !c.isVersion && !c.isDiscriminator && !ds.driver.spatialTypes.includes(c.type));
  const esc = (n: string) => ds.driver.escape(n);
  const plan = supported
    ? { head: `INSERT INTO ${esc(meta.tableName)} (${columns.map((c) => esc(c.databaseName)).join(', ')}) VALUES `, columns }
    : null;
  plans.set(meta, plan);
  return plan;
}
