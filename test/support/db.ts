/**
 * Shared test database for every suite (api, workers, domain, db).
 *
 *   const ds = await openTestDataSource();   // DATABASE_URL (MySQL) if set, else a fresh temp SQLite file
 *   await resetDatabase(ds);                  // empty every table, re-seed the published calendar
 *   await closeTestDataSource(ds);
 *
 * Migrations run on open. With DATABASE_URL set, all suites share that database: call resetDatabase in
 * a `beforeEach`/`before` rather than assuming it is empty.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { TABLES, createDataSource, isMysql, migrate, seedCalendar } from '../../db/index';
import { inTransaction } from '../../db/transaction';
import { invalidateCalendarCache } from '../../domain/calendar';

const tempFiles = new WeakMap<DataSource, string>();

export function testDatabaseUrl(): string | undefined {
  return process.env.DATABASE_URL || undefined;
}

export async function openTestDataSource(opts: { logging?: boolean; poolSize?: number } = {}): Promise<DataSource> {
  let url = testDatabaseUrl();
  let file: string | undefined;
  if (!url) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-test-'));
    file = path.join(dir, 'test.sqlite');
    url = `sqlite:${file}`;
  }
  const ds = createDataSource(url, opts);
  await ds.initialize();
  await migrate(ds);
  if (file) tempFiles.set(ds, file);
  return ds;
}

/**
 * Empties every application table (not the migration table). The packaged calendar years stay (they
 * are re-seeded only where a test uploaded or changed a year), so a reset costs a few milliseconds.
 */
export async function resetDatabase(ds: DataSource, opts: { seedCalendar?: boolean } = {}): Promise<void> {
  const mysql = isMysql(ds);
  const q = (name: string) => (mysql ? `\`${name}\`` : `"${name}"`);
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query(mysql ? 'SET FOREIGN_KEY_CHECKS = 0' : 'PRAGMA foreign_keys = OFF');
    try {
      for (const t of TABLES) {
        if (t === 'calendar_day' || t === 'calendar_year') continue;
        await qr.query(`DELETE FROM ${q(t)}`);
      }
      if (opts.seedCalendar ?? true) {
        // drop the years not exactly as packaged; seedCalendar puts the packaged ones back
        const changed: { year: number }[] = await qr.query(`SELECT year FROM ${q('calendar_year')} WHERE source NOT LIKE 'chinese-days@%'`);
        for (const { year } of changed) {
          await qr.query(`DELETE FROM ${q('calendar_day')} WHERE year = ?`, [year]);
          await qr.query(`DELETE FROM ${q('calendar_year')} WHERE year = ?`, [year]);
        }
      } else {
        await qr.query(`DELETE FROM ${q('calendar_day')}`);
        await qr.query(`DELETE FROM ${q('calendar_year')}`);
      }
    } finally {
      await qr.query(mysql ? 'SET FOREIGN_KEY_CHECKS = 1' : 'PRAGMA foreign_keys = ON');
    }
  } finally {
    await qr.release();
  }
  if (opts.seedCalendar ?? true) await seedCalendar(ds);
  invalidateCalendarCache(ds);
}

export async function closeTestDataSource(ds: DataSource): Promise<void> {
  if (ds.isInitialized) await ds.destroy();
  const file = tempFiles.get(ds);
  if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
}

/**
 * The mocha hooks of a suite that works on one test database: opened before the suite, emptied before
 * each test (`seedCalendar` as resetDatabase), closed after. `use` receives the DataSource once it is
 * open, e.g. `let ds: DataSource; useTestDatabase((d) => (ds = d));`.
 */
export function useTestDatabase(use: (ds: DataSource) => void, opts: { seedCalendar?: boolean; poolSize?: number } = {}): void {
  let ds: DataSource | undefined;
  before(async () => {
    ds = await openTestDataSource(opts.poolSize ? { poolSize: opts.poolSize } : {});
    use(ds);
  });
  after(async () => {
    if (ds) await closeTestDataSource(ds);
  });
  beforeEach(async () => resetDatabase(ds!, { seedCalendar: opts.seedCalendar }));
}

/**
 * `inTransaction(ds, work)`, recording the statements sent on the transaction's connection from the start
 * of `work` to COMMIT (so also the queued inserts inTransaction sends after `work`; not COMMIT itself):
 * for tests that count round trips.
 */
export async function tracedTransaction<T>(ds: DataSource, work: (em: EntityManager) => Promise<T>): Promise<{ value: T; sql: string[] }> {
  const sql: string[] = [];
  let restore = () => {};
  try {
    const value = await inTransaction(ds, async (em) => {
      const qr = em.queryRunner!;
      const original = qr.query.bind(qr);
      restore = () => (qr.query = original);
      qr.query = ((q: string, ...rest: unknown[]) => {
        if (q !== 'COMMIT') sql.push(q);
        return (original as (...a: unknown[]) => Promise<unknown>)(q, ...rest);
      }) as typeof qr.query;
      return work(em);
    });
    return { value, sql };
  } finally {
    restore();
  }
}
