import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { TABLES, createDataSource, dbKind, initDatabase, migrate, parseDatabaseUrl } from '../../db/index';
import { AuditLogEntity, CustomerEntity } from '../../db/entities/index';
import { MIGRATIONS } from '../../db/migrations/index';
import { closeTestDataSource, openTestDataSource, resetDatabase } from '../support/db';

describe('db: data source and migrations', () => {
  let ds: DataSource;
  before(async () => {
    ds = await openTestDataSource();
  });
  after(async () => closeTestDataSource(ds));

  it('parses DATABASE_URL forms', () => {
    expect(parseDatabaseUrl('mysql://root@127.0.0.1:3306/x')).to.deep.equal({ kind: 'mysql', url: 'mysql://root@127.0.0.1:3306/x' });
    expect(parseDatabaseUrl('mariadb://u:p@h/x')).to.deep.equal({ kind: 'mysql', url: 'mysql://u:p@h/x' });
    expect(parseDatabaseUrl('sqlite:./data/a.sqlite')).to.deep.equal({ kind: 'sqlite', file: './data/a.sqlite' });
    expect(parseDatabaseUrl('sqlite:///tmp/a.sqlite')).to.deep.equal({ kind: 'sqlite', file: '/tmp/a.sqlite' });
    expect(parseDatabaseUrl('./data/b.sqlite')).to.deep.equal({ kind: 'sqlite', file: './data/b.sqlite' });
    expect(() => parseDatabaseUrl('sqlite:')).to.throw(/no SQLite file/);
  });

  it('creates every table, and a second migrate run applies nothing', async () => {
    const qr = ds.createQueryRunner();
    try {
      for (const t of TABLES) expect(await qr.hasTable(t), t).to.equal(true);
    } finally {
      await qr.release();
    }
    expect(await migrate(ds)).to.deep.equal([]);
  });

  it('every entity column and index exists in the migrated schema with the same nullability and length', async () => {
    const qr = ds.createQueryRunner();
    const problems: string[] = [];
    try {
      for (const meta of ds.entityMetadatas) {
        const table = await qr.getTable(meta.tableName);
        if (!table) {
          problems.push(`${meta.tableName}: missing`);
          continue;
        }
        for (const col of meta.columns) {
          const tc = table.columns.find((c) => c.name === col.databaseName);
          if (!tc) {
            problems.push(`${meta.tableName}.${col.databaseName}: missing`);
            continue;
          }
          if (tc.isNullable !== col.isNullable)
            problems.push(`${meta.tableName}.${col.databaseName}: nullable ${tc.isNullable} ≠ ${col.isNullable}`);
          if (col.length && String(tc.length) !== String(col.length))
            problems.push(`${meta.tableName}.${col.databaseName}: length ${tc.length} ≠ ${col.length}`);
          if (tc.isPrimary !== col.isPrimary)
            problems.push(`${meta.tableName}.${col.databaseName}: primary ${tc.isPrimary} ≠ ${col.isPrimary}`);
        }
        for (const idx of meta.indices) {
          const ti = table.indices.find((i) => i.name === idx.name);
          if (!ti) problems.push(`${meta.tableName}: index ${idx.name} missing`);
          else if (!!ti.isUnique !== !!idx.isUnique)
            problems.push(`${meta.tableName}: index ${idx.name} unique ${ti.isUnique} ≠ ${idx.isUnique}`);
        }
        const extra = table.columns.filter((c) => !meta.columns.some((m) => m.databaseName === c.name));
        for (const c of extra) problems.push(`${meta.tableName}.${c.name}: not in the entity`);
      }
    } finally {
      await qr.release();
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('round-trips Chinese text (utf8mb4) and instants in UTC with milliseconds', async () => {
    await resetDatabase(ds);
    const at = new Date('2026-10-08T15:59:59.123Z');
    await ds.getRepository(CustomerEntity).insert({
      id: '00000000-0000-4000-8000-000000000001',
      name: '中国电信上海公司 教育中心 😀',
      code: null,
      contactName: '王五',
      contactPhone: null,
      customerManager: null,
      createdAt: at,
      updatedAt: at,
    });
    const c = await ds.getRepository(CustomerEntity).findOneByOrFail({ id: '00000000-0000-4000-8000-000000000001' });
    expect(c.name).to.equal('中国电信上海公司 教育中心 😀');
    expect(c.createdAt).to.be.instanceOf(Date);
    expect(c.createdAt.toISOString()).to.equal('2026-10-08T15:59:59.123Z');
  });

  it('stores JSON columns and reads them back as objects', async () => {
    const at = new Date();
    await ds.getRepository(AuditLogEntity).insert({
      id: '00000000-0000-4000-8000-000000000002',
      at,
      actor: 'a',
      action: 'x',
      entityType: 't',
      entityId: '1',
      reason: null,
      details: { list: [1, '二'], nested: { ok: true } },
    } as never);
    const row = await ds.getRepository(AuditLogEntity).findOneByOrFail({ id: '00000000-0000-4000-8000-000000000002' });
    expect(row.details).to.deep.equal({ list: [1, '二'], nested: { ok: true } });
  });

  it('refuses a row violating a foreign key', async () => {
    let err: unknown;
    try {
      await ds.query(
        dbKind(ds) === 'mysql'
          ? "INSERT INTO service_request (id, request_no, customer_id, request_type, status, description, customer_manager, reported_by, created_at, updated_at) VALUES ('x', 'FW-1', 'no-such-customer', 'FAULT', 'LOGGED', 'd', 'm', 'r', NOW(3), NOW(3))"
          : "INSERT INTO service_request (id, request_no, customer_id, request_type, status, description, customer_manager, reported_by, created_at, updated_at) VALUES ('x', 'FW-1', 'no-such-customer', 'FAULT', 'LOGGED', 'd', 'm', 'r', '2026-01-01', '2026-01-01')",
      );
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/foreign key/i);
  });
});

describe('db: SQLite options', () => {
  it('opens SQLite in WAL mode with a busy timeout', async () => {
    const file = `/tmp/ot-wal-${process.pid}-${Date.now()}.sqlite`;
    const ds = createDataSource(`sqlite:${file}`);
    await ds.initialize();
    try {
      expect((await ds.query('PRAGMA journal_mode'))[0].journal_mode).to.equal('wal');
      const t = await ds.query('PRAGMA busy_timeout');
      expect(Number(Object.values(t[0] as object)[0])).to.be.at.least(5000);
      expect((await ds.query('PRAGMA foreign_keys'))[0].foreign_keys).to.equal(1);
    } finally {
      await ds.destroy();
      for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    }
  });
});

describe('db: initDatabase and npm run migrate', () => {
  it('initDatabase migrates a fresh SQLite file and seeds the published calendar years; a second start changes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-init-'));
    const url = `sqlite:${path.join(dir, 'nested', 'ot.sqlite')}`;
    try {
      const ds = await initDatabase(url);
      const years = (await ds.query('SELECT year, published, source FROM calendar_year ORDER BY year')) as {
        year: number;
        source: string;
      }[];
      expect(years.map((y) => y.year)).to.include.members([2025, 2026]);
      expect(years.every((y) => y.source.startsWith('chinese-days@'))).to.equal(true);
      const days = Number((await ds.query('SELECT COUNT(*) AS n FROM calendar_day'))[0].n);
      await ds.destroy();
      const again = await initDatabase(url);
      expect(Number((await again.query('SELECT COUNT(*) AS n FROM calendar_day'))[0].n)).to.equal(days);
      expect(Number((await again.query('SELECT COUNT(*) AS n FROM schema_migration'))[0].n)).to.equal(MIGRATIONS.length);
      await again.destroy();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
