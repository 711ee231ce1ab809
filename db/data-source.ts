import fs from 'node:fs';
import path from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities/index';
import { MIGRATIONS } from './migrations/index';
import { SnakeNamingStrategy } from './naming';

/**
 * DATABASE_URL forms:
 *   mysql://user:pass@host:3306/db   (also mariadb://)  → MySQL/MariaDB through mysql2
 *   sqlite:relative/or/absolute.sqlite, sqlite:///abs/path.sqlite, file:path, a bare path, :memory:
 *
 * Time handling (decided once for both drivers):
 * - Instants (created_at, dispatched_at, ...) are DATETIME(3) in UTC. mysql2 runs with timezone 'Z', so
 *   a JS Date is written and read as UTC whatever the server or process time zone is; TypeORM's SQLite
 *   driver stores 'YYYY-MM-DD HH:MM:SS.SSS' in UTC. The application always supplies the value (no
 *   DB-side NOW()/CURRENT_TIMESTAMP), so the server's time_zone never matters.
 * - Business dates (opening date, delivery date, calendar days) are 'YYYY-MM-DD' strings (VARCHAR(10)),
 *   meaning a day in Asia/Shanghai; deadlines handed to Zeebe are ISO strings with +08:00, kept as
 *   VARCHAR(25) exactly as computed.
 * - Character set: utf8mb4 on the connection and on every text column (Chinese names, opinions).
 */
export type DbKind = 'mysql' | 'sqlite';

export function parseDatabaseUrl(url: string): { kind: 'mysql'; url: string } | { kind: 'sqlite'; file: string } {
  if (/^(mysql|mariadb):\/\//i.test(url)) return { kind: 'mysql', url: url.replace(/^mariadb:/i, 'mysql:') };
  let file = url;
  if (/^sqlite:\/\//i.test(url)) file = url.slice('sqlite://'.length);
  else if (/^sqlite:/i.test(url)) file = url.slice('sqlite:'.length);
  else if (/^file:/i.test(url)) file = url.slice('file:'.length);
  if (!file) throw new Error(`DATABASE_URL: no SQLite file in "${url}"`);
  return { kind: 'sqlite', file };
}

/** MySQL/MariaDB connections per process unless the caller says otherwise */
export const DEFAULT_MYSQL_POOL_SIZE = 64;
/** prepared statements mysql2 keeps per connection (see dataSourceOptions) */
export const MYSQL_PREPARED_STATEMENT_CACHE = 64;

export function dataSourceOptions(url: string, opts: { logging?: boolean; poolSize?: number } = {}): DataSourceOptions {
  const parsed = parseDatabaseUrl(url);
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migration',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    logging: opts.logging ?? false,
  };
  if (parsed.kind === 'mysql') {
    return {
      ...common,
      type: 'mysql',
      url: parsed.url,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: true,
      // mysql2 captures a stack trace per query by default, to put the caller's frames into its errors: 4-5%
      // of the app process's CPU in the bench:e2e and bench:api profiles. Errors keep their code and message,
      // and TypeORM's QueryFailedError the failing query and parameters; the logs carry job and order keys.
      trace: false,
      // larger than the transactions the workers run at once: a job waiting for a row lock (the
      // document_sequence row of its document type) holds its connection, and with 20 those waiters
      // took every connection and every other job queued behind them (bench:e2e: 30 → 80 connections
      // raised complete instances/s from 3.8 to 5.7). Two processes (api + workers) stay under
      // MariaDB's default max_connections of 151.
      poolSize: opts.poolSize ?? DEFAULT_MYSQL_POOL_SIZE,
      // mysql2 gives every connection a prepared-statement cache whose LRU preallocates four arrays of
      // `maxPreparedStatements` slots (default 16,000: ~0.5 MB of heap per connection, ~11 MB with the
      // 22 connections bench:e2e keeps open, 32 MB with the whole pool). TypeORM sends text queries
      // (query, not execute), so the cache stays empty; a small one keeps the option harmless if a
      // caller prepares statements.
      extra: { maxPreparedStatements: MYSQL_PREPARED_STATEMENT_CACHE },
    };
  }
  if (parsed.file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(parsed.file)), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: parsed.file,
    enableWAL: parsed.file !== ':memory:',
    timeout: 10_000, // busy timeout (ms) for other processes holding the write lock
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('busy_timeout = 10000');
      db.pragma('synchronous = NORMAL');
    },
  };
}

/** Not yet initialised: call `.initialize()` (or use initDatabase). */
export function createDataSource(url: string, opts: { logging?: boolean; poolSize?: number } = {}): DataSource {
  return new DataSource(dataSourceOptions(url, opts));
}

export function dbKind(ds: DataSource): DbKind {
  return ds.options.type === 'mysql' || ds.options.type === 'mariadb' ? 'mysql' : 'sqlite';
}
