/** db/transaction.ts insertRows: hand-built multi-row INSERTs write exactly what repository.insert writes. */
import { expect } from 'chai';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { AuditLogEntity, BusinessOrderEntity, ProcessCommandEntity, RecordVersionEntity } from '../../db/entities/index';
import { INSERT_MAX_BYTES, INSERT_MAX_PARAMS, inTransaction, insertRows, isMysql } from '../../db/transaction';
import { closeTestDataSource, openTestDataSource, resetDatabase, tracedTransaction } from '../support/db';
import { aCustomer } from '../support/fixtures';

const tricky = `引号 'single' "double" \\ back\\slash ? :name $1 %_ 😀 \n newline\ttab`;
const at = (ms: number) => new Date(Date.UTC(2026, 10, 20, 2, 3, 4, ms));
const uuid = (n: number, k: number) => `00000000-0000-4000-8000-${String(n).padStart(6, '0')}${String(k).padStart(6, '0')}`;

function orders(customerId: string): ObjectLiteral[] {
  return [0, 1, 2].map((k) => ({
    id: uuid(1, k),
    orderNo: `YW-2026-${String(k + 1).padStart(6, '0')}`,
    status: k === 2 ? 'CANCELLED' : 'SUBMITTED',
    customerId,
    customerManager: k ? 'cm.李' : 'cm',
    modules: k ? ['live-training', 'learning-management'] : ['live-training'],
    accounts: [1, 2_000_000, 37][k],
    openingDate: '2026-12-01',
    termMonths: 12,
    amount: [0, 1234.56, 99_999_999.99][k],
    apInvolved: k === 1,
    apPartnerId: null,
    // undefined: repository.insert writes DEFAULT (MySQL) / NULL (SQLite)
    note: [tricky, null, undefined][k],
    currentVersion: k + 1,
    processInstanceKey: k === 2 ? '2251799813685249' : null,
    customerFeedback: k === 2 ? '客户说：再看看' : null,
    deliveredOn: k === 2 ? '2026-12-24' : null,
    deliveryNote: null,
    completionDeadline: k === 2 ? '2027-01-08T23:59:59+08:00' : null,
    completionReminderAt: null,
    deadlineProvisional: k !== 0,
    completedAt: k === 2 ? at(999) : null,
    cancelReason: k === 2 ? tricky : null,
    createdBy: 'cm',
    createdAt: at(k),
    updatedAt: at(500 + k),
  }));
}
function versions(): ObjectLiteral[] {
  return [0, 1].map((k) => ({
    id: uuid(2, k),
    recordType: 'business-order',
    recordId: uuid(1, 0),
    version: k + 1,
    content: { note: tricky, nested: { list: [1, 2.5, -3, null, true, false, ''], deep: { 中文: '值' } }, big: 2 ** 53 - 1, k },
    actor: 'cm',
    at: at(123),
    reason: k ? null : 'first',
  }));
}
function commands(): ObjectLiteral[] {
  return [0, 1].map((k) => ({
    id: uuid(3, k),
    kind: 'publish-message',
    dedupeKey: `order-submitted:YW-2026-00000${k + 1}`,
    payload: {
      name: 'order-submitted',
      correlationKey: `YW-2026-00000${k + 1}`,
      variables: { apInvolved: k === 1, apPartnerId: null, note: tricky },
    },
    createdAt: at(1),
    nextAttemptAt: at(2),
    claimedUntil: k ? at(3) : null,
    dispatchedAt: null,
    attempts: k * 3,
    lastError: k ? tricky : null,
    result: k ? { processInstanceKey: '2251799813685249' } : null,
  }));
}
function audits(n = 3): ObjectLiteral[] {
  return Array.from({ length: n }, (_, k) => ({
    id: uuid(4, k),
    at: at(k % 1000),
    actor: k % 2 ? 'system:worker' : 'cm',
    action: 'business-order.create',
    entityType: 'business-order',
    entityId: uuid(1, k % 3),
    reason: k % 3 === 0 ? tricky : null,
    details: k % 3 === 1 ? null : { k, orderNo: `YW-2026-${k}`, flags: [true, false] },
  }));
}

const ENTITIES: [string, EntityTarget<ObjectLiteral>][] = [
  ['business_order', BusinessOrderEntity],
  ['record_version', RecordVersionEntity],
  ['process_command_outbox', ProcessCommandEntity],
  ['audit_log', AuditLogEntity],
];

describe('db: insertRows (hand-built multi-row INSERT)', () => {
  let ds: DataSource;
  before(async () => {
    ds = await openTestDataSource();
  });
  after(async () => closeTestDataSource(ds));

  /** the test's rows of the four tables (not the customer fixture's audit row), raw (as the driver returns them) and as entities, by id */
  async function snapshot() {
    const out: Record<string, { raw: unknown[]; entities: unknown[] }> = {};
    const ours = (r: { id: string }) => r.id.startsWith('00000000-0000-4000-8000-');
    for (const [table, entity] of ENTITIES) {
      out[table] = {
        raw: ((await ds.query(`SELECT * FROM ${table} ORDER BY id`)) as { id: string }[]).filter(ours),
        entities: ((await ds.getRepository(entity).find({ order: { id: 'ASC' } })) as { id: string }[]).filter(ours),
      };
    }
    return out;
  }
  async function writeAll(write: (em: EntityManager, entity: EntityTarget<ObjectLiteral>, rows: ObjectLiteral[]) => Promise<unknown>) {
    await resetDatabase(ds);
    const c = await aCustomer(ds);
    await inTransaction(ds, async (em) => {
      await write(em, BusinessOrderEntity, orders(c.id));
      await write(em, RecordVersionEntity, versions());
      await write(em, ProcessCommandEntity, commands());
      await write(em, AuditLogEntity, audits());
    });
    const snap = await snapshot();
    // the customer id differs between the two runs: put a placeholder in its place
    return JSON.parse(JSON.stringify(snap).replaceAll(c.id, '<customer>'));
  }

  it('reads back identical to repository.insert, raw and as entities (json, decimal, boolean, datetime(3), text, null, absent)', async () => {
    const viaRepository = await writeAll((em, entity, rows) => em.getRepository(entity).insert(rows.map((r) => ({ ...r }))));
    const viaInsertRows = await writeAll((em, entity, rows) => insertRows(em, entity, rows));
    for (const [table] of ENTITIES) {
      expect(viaInsertRows[table].raw, `${table} raw`).to.deep.equal(viaRepository[table].raw);
      expect(viaInsertRows[table].entities, `${table} entities`).to.deep.equal(viaRepository[table].entities);
    }
    // the comparison is about something: rows were written, and the awkward values survived
    expect(viaRepository.business_order.raw).to.have.length(3);
    expect(viaRepository.audit_log.raw).to.have.length(3);
    const order0 = viaInsertRows.business_order.entities[0];
    expect(order0.note).to.equal(tricky);
    expect(order0.modules).to.deep.equal(['live-training']);
    expect(viaInsertRows.business_order.entities[2].note).to.equal(null);
    expect(viaInsertRows.business_order.entities[1].amount).to.equal(1234.56);
    expect(viaInsertRows.business_order.entities[1].apInvolved).to.equal(true);
    expect(viaInsertRows.record_version.entities[0].content).to.deep.equal(versions()[0].content);
    expect(new Date(viaInsertRows.business_order.entities[2].completedAt).toISOString()).to.equal(at(999).toISOString());
  });

  it('one statement for a normal batch; splits past the variable and size limits and keeps every row', async () => {
    await resetDatabase(ds);
    const seen: string[] = [];
    const spy = async (work: (em: EntityManager) => Promise<void>) =>
      seen.push(...(await tracedTransaction(ds, work)).sql.filter((q) => /^INSERT INTO/.test(q)));

    await spy((em) => insertRows(em, AuditLogEntity, audits(100)));
    expect(seen).to.have.length(1);
    expect(await ds.getRepository(AuditLogEntity).count()).to.equal(100);

    // 8 columns a row (SQLite inlines numbers, but none here is a number): past INSERT_MAX_PARAMS
    await resetDatabase(ds);
    seen.length = 0;
    const many = audits(Math.ceil((INSERT_MAX_PARAMS * 2.5) / 8));
    await spy((em) => insertRows(em, AuditLogEntity, many));
    expect(seen.length).to.equal(3);
    const back = await ds.getRepository(AuditLogEntity).find({ order: { id: 'ASC' } });
    expect(back.map((r) => r.id)).to.deep.equal(many.map((r) => r.id));
    expect(back.map((r) => r.details)).to.deep.equal(many.map((r) => r.details));

    // big values (a TEXT column holds 64 KB on MySQL): past INSERT_MAX_BYTES in a few dozen rows
    await resetDatabase(ds);
    seen.length = 0;
    const bigText = '长'.repeat(20_000);
    const big = audits(Math.ceil((2.5 * INSERT_MAX_BYTES) / (2 * bigText.length))).map((r) => ({ ...r, reason: bigText }));
    await spy((em) => insertRows(em, AuditLogEntity, big));
    expect(seen.length).to.equal(3);
    const bigBack = await ds.getRepository(AuditLogEntity).find({ order: { id: 'ASC' } });
    expect(bigBack.map((r) => r.reason)).to.deep.equal(big.map(() => bigText));
    if (isMysql(ds)) expect(seen.every((s) => !s.includes('"'))).to.equal(true); // MySQL identifiers quoted with backticks
  });

  it('a duplicate key fails the statement like repository.insert (and inserts nothing of it)', async () => {
    await resetDatabase(ds);
    const rows = audits(2);
    let err: unknown;
    try {
      await inTransaction(ds, (em) => insertRows(em, AuditLogEntity, [...rows, rows[0]]));
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/duplicate|unique/i);
    expect(await ds.getRepository(AuditLogEntity).count()).to.equal(0);
  });
});
