import { FindOperator, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata.js';
import { activeTransaction, dataSourceOf, isMysql, isPlainTable, isSqlite, managerOf, sqlParam, type Db } from './transaction';

/**
 * Reads and updates of one table by column equality, as plain SQL built once per shape from the entity
 * metadata (as insertRows does for inserts): the workers make ~35 such reads and ~15 such updates per
 * provisioning instance, and TypeORM's Select/UpdateQueryBuilder spends more CPU building, aliasing and
 * re-escaping each statement than the round trip itself costs (measured on MariaDB 10.11 here:
 * `findOneBy({ id })` 150–210 µs of CPU per call, the same read through findRow 70–85 µs, `SELECT 1` 55 µs).
 *
 * The results are what the repository returns: every column, hydrated by the driver's
 * prepareHydratedValue (JSON and decimal transformers, dates, booleans). A shape this does not reproduce
 * goes to the repository instead, so a caller never sees a difference: a FindOperator (Not, In, IsNull...)
 * or a null/undefined in `where` (TypeORM's own null handling), a function value in a patch
 * (`() => 'attempts + 1'`), an entity with relations, embedded columns, listeners, subscribers, a class
 * target, generated/version/update-date columns, or a schema prefix.
 */
export type Where<T> = { [K in keyof T]?: T[K] | FindOperator<unknown> };
export interface FindRowOptions<T> {
  /** SELECT … FOR UPDATE on MySQL inside a transaction (SQLite serialises writers; ignored there) */
  lock?: boolean;
  /** ORDER BY, in the order given */
  orderBy?: { [K in keyof T]?: 'ASC' | 'DESC' };
}

interface Plan {
  readonly meta: EntityMetadata;
  readonly table: string;
  readonly columns: readonly ColumnMetadata[];
  readonly select: string;
  readonly byProperty: ReadonlyMap<string, ColumnMetadata>;
}

const plans = new WeakMap<EntityMetadata, Plan | null>();

function planOf(db: Db, entity: EntityTarget<ObjectLiteral>): Plan | null {
  const ds = dataSourceOf(db);
  const meta = ds.getMetadata(entity);
  if (plans.has(meta)) return plans.get(meta)!;
  const supported =
    isPlainTable(ds, meta) &&
    typeof meta.target !== 'function' &&
    !meta.relations.length &&
    !meta.embeddeds.length &&
    !meta.afterLoadListeners.length &&
    !meta.beforeUpdateListeners.length &&
    !meta.afterUpdateListeners.length &&
    meta.columns.every(
      (c) => !c.isVersion && !c.isUpdateDate && !c.isDiscriminator && !c.isVirtual && !ds.driver.spatialTypes.includes(c.type),
    );
  const esc = (n: string) => ds.driver.escape(n);
  const table = esc(meta.tableName);
  const plan = supported
    ? {
        meta,
        table,
        columns: meta.columns,
        select: `SELECT ${meta.columns.map((c) => esc(c.databaseName)).join(', ')} FROM ${table}`,
        byProperty: new Map(meta.columns.map((c) => [c.propertyName, c])),
      }
    : null;
  plans.set(meta, plan);
  return plan;
}

/** `col = ?` per where entry, or null when one of them needs the repository */
function whereSql(db: Db, plan: Plan, where: ObjectLiteral, params: unknown[]): string | null {
  const ds = dataSourceOf(db);
  const sqlite = isSqlite(ds);
  const parts: string[] = [];
  for (const [prop, value] of Object.entries(where)) {
    const c = plan.byProperty.get(prop);
    if (
      !c ||
      value === null ||
      value === undefined ||
      value instanceof FindOperator ||
      typeof value === 'function' ||
      (typeof value === 'object' && !(value instanceof Date))
    )
      return null;
    parts.push(`${ds.driver.escape(c.databaseName)} = ${sqlParam(sqlite, ds.driver.preparePersistentValue(value, c), params)}`);
  }
  return parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
}

function hydrate<T>(db: Db, plan: Plan, raw: Record<string, unknown>): T {
  const { driver } = dataSourceOf(db);
  const out: Record<string, unknown> = {};
  for (const c of plan.columns) {
    const v = raw[c.databaseName];
    if (v !== undefined) out[c.propertyName] = driver.prepareHydratedValue(v, c);
  }
  return out as T;
}

/** the rows matching `where` (equality on each property), hydrated as the repository hydrates them */
export async function findRows<T extends ObjectLiteral>(
  db: Db,
  entity: EntityTarget<T>,
  where: Where<T>,
  opts: FindRowOptions<T> & { limit?: number } = {},
): Promise<T[]> {
  const plan = planOf(db, entity);
  const params: unknown[] = [];
  const cond = plan && whereSql(db, plan, where, params);
  const order = plan && orderSql(db, plan, opts.orderBy);
  if (!plan || cond === null || order === null) {
    return db.getRepository(entity).find({
      where: where as never,
      ...(opts.orderBy ? { order: opts.orderBy as never } : {}),
      ...(opts.limit ? { take: opts.limit } : {}),
      ...(opts.lock && lockApplies(db) ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
  }
  const limit = opts.limit ? ` LIMIT ${Math.floor(opts.limit)}` : '';
  const lock = opts.lock && lockApplies(db) ? ' FOR UPDATE' : '';
  const rows: Record<string, unknown>[] = await db.query(`${plan.select}${cond}${order}${limit}${lock}`, params);
  return rows.map((r) => hydrate<T>(db, plan, r));
}

/** the first row matching `where` (in `orderBy` order when given), or null */
export async function findRow<T extends ObjectLiteral>(
  db: Db,
  entity: EntityTarget<T>,
  where: Where<T>,
  opts: FindRowOptions<T> = {},
): Promise<T | null> {
  const [row] = await findRows(db, entity, where, { ...opts, limit: 1 });
  return row ?? null;
}

/** whether a row matches `where` (SELECT 1 … LIMIT 1) */
export async function rowExists<T extends ObjectLiteral>(db: Db, entity: EntityTarget<T>, where: Where<T>): Promise<boolean> {
  const plan = planOf(db, entity);
  const params: unknown[] = [];
  const cond = plan && whereSql(db, plan, where, params);
  if (!plan || cond === null) return db.getRepository(entity).existsBy(where as never);
  const rows: unknown[] = await db.query(
    `SELECT 1 AS ${dataSourceOf(db).driver.escape('found')} FROM ${plan.table}${cond} LIMIT 1`,
    params,
  );
  return rows.length > 0;
}

/**
 * `UPDATE … SET … WHERE …` (each value converted by preparePersistentValue); answers `{ affected }` as
 * the repository's update does (MySQL: rows changed, as TypeORM reports them; SQLite: rows matched).
 */
export async function updateRows<T extends ObjectLiteral>(
  db: Db,
  entity: EntityTarget<T>,
  where: Where<T>,
  patch: Partial<T>,
): Promise<{ affected: number }> {
  const plan = planOf(db, entity);
  const ds = dataSourceOf(db);
  const sqlite = isSqlite(ds);
  const params: unknown[] = [];
  const sets: string[] = [];
  let supported = !!plan;
  for (const [prop, value] of Object.entries(patch)) {
    const c = plan?.byProperty.get(prop);
    if (value === undefined) continue; // as UpdateQueryBuilder: an undefined property is not set
    if (!c || !c.isUpdate || typeof value === 'function' || value instanceof FindOperator) {
      supported = false;
      break;
    }
    sets.push(`${ds.driver.escape(c.databaseName)} = ${sqlParam(sqlite, ds.driver.preparePersistentValue(value, c), params)}`);
  }
  const cond = supported && plan ? whereSql(db, plan, where, params) : null;
  if (!plan || !supported || cond === null || !cond || !sets.length) {
    const res = await db.getRepository(entity).update(where as never, patch as never);
    return { affected: res.affected ?? 0 };
  }
  const sql = `UPDATE ${plan.table} SET ${sets.join(', ')}${cond}`;
  const em = managerOf(db);
  const runner = em?.queryRunner ?? ds.createQueryRunner();
  try {
    const res = await runner.query(sql, params, true);
    return { affected: Number(res.affected ?? 0) };
  } finally {
    if (!em?.queryRunner) await runner.release();
  }
}

function orderSql(db: Db, plan: Plan, orderBy: Record<string, 'ASC' | 'DESC' | undefined> | undefined): string | null {
  if (!orderBy) return '';
  const parts: string[] = [];
  for (const [prop, dir] of Object.entries(orderBy)) {
    const c = plan.byProperty.get(prop);
    if (!c || (dir !== 'ASC' && dir !== 'DESC')) return null;
    parts.push(`${dataSourceOf(db).driver.escape(c.databaseName)} ${dir}`);
  }
  return parts.length ? ` ORDER BY ${parts.join(', ')}` : '';
}

/** row locks are MySQL's; SQLite serialises writers, and outside a transaction a lock would end at once */
function lockApplies(db: Db): boolean {
  return isMysql(dataSourceOf(db)) && !!activeTransaction(db);
}
