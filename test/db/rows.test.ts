/** db/rows.ts: plain-SQL reads and updates by equality answer exactly what the repository answers. */
import { expect } from 'chai';
import { IsNull, Not, type DataSource, type ObjectLiteral } from 'typeorm';
import { BusinessOrderEntity, type BusinessOrder } from '../../db/entities/index';
import { findRow, findRows, rowExists, updateRows } from '../../db/rows';
import { isMysql } from '../../db/transaction';
import { closeTestDataSource, openTestDataSource, resetDatabase, tracedTransaction } from '../support/db';
import { aCustomer } from '../support/fixtures';

const tricky = `引号 'single' "double" \\ back\\slash ? :name $1 %_ 😀`;
const at = (ms: number) => new Date(Date.UTC(2026, 10, 20, 2, 3, 4, ms));
const uuid = (k: number) => `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`;

function orders(customerId: string): ObjectLiteral[] {
  return [0, 1, 2, 3].map((k) => ({
    id: uuid(k),
    orderNo: `YW-2026-${String(k + 1).padStart(6, '0')}`,
    status: k === 2 ? 'CANCELLED' : 'SUBMITTED',
    customerId,
    customerManager: k % 2 ? 'cm.李' : 'cm',
    modules: k ? ['live-training', 'learning-management'] : ['live-training'],
    accounts: [1, 2_000_000, 37, 37][k],
    openingDate: '2026-12-01',
    termMonths: 12,
    amount: [0, 1234.56, 99_999_999.99, 5][k],
    apInvolved: k === 1,
    apPartnerId: null,
    note: [tricky, null, 'x', '12'][k],
    currentVersion: k + 1,
    processInstanceKey: k === 2 ? '2251799813685249' : null,
    customerFeedback: null,
    deliveredOn: k === 2 ? '2026-12-24' : null,
    deliveryNote: null,
    completionDeadline: null,
    completionReminderAt: null,
    deadlineProvisional: k !== 0,
    completedAt: k === 2 ? at(999) : null,
    cancelReason: null,
    createdBy: 'cm',
    createdAt: at(k),
    updatedAt: at(500 + k),
  }));
}

describe('db: findRow, findRows, rowExists, updateRows (plain SQL from the entity metadata)', () => {
  let ds: DataSource;
  let customerId: string;
  before(async () => {
    ds = await openTestDataSource();
  });
  after(async () => closeTestDataSource(ds));
  beforeEach(async () => {
    await resetDatabase(ds);
    customerId = (await aCustomer(ds)).id;
    await ds.getRepository(BusinessOrderEntity).insert(orders(customerId) as never);
  });

  const repo = () => ds.getRepository(BusinessOrderEntity);

  it('reads what findOneBy / find read, for every kind of column and key (text with quotes, number, boolean, json, decimal, datetime)', async () => {
    const shapes: Record<string, unknown>[] = [
      { id: uuid(0) },
      { id: uuid(2) },
      { orderNo: 'YW-2026-000002' },
      { customerManager: 'cm.李', status: 'SUBMITTED' },
      { apInvolved: true },
      { apInvolved: false },
      { accounts: 37 },
      { note: tricky },
      { note: '12' },
      { id: 'no-such-id' },
      { customerId },
    ];
    for (const where of shapes) {
      const expected = await repo().find({ where: where as never, order: { id: 'ASC' } });
      const got = await findRows(ds, BusinessOrderEntity, where as never, { orderBy: { id: 'ASC' } });
      expect(got, JSON.stringify(where)).to.deep.equal(expected);
      expect(await findRow(ds, BusinessOrderEntity, where as never, { orderBy: { id: 'ASC' } }), JSON.stringify(where)).to.deep.equal(
        expected[0] ?? null,
      );
      expect(await rowExists(ds, BusinessOrderEntity, where as never), JSON.stringify(where)).to.equal(expected.length > 0);
    }
    // about something: the awkward values came back typed
    const o = (await findRow(ds, BusinessOrderEntity, { id: uuid(1) }))!;
    expect(o.amount).to.equal(1234.56);
    expect(o.apInvolved).to.equal(true);
    expect(o.modules).to.deep.equal(['live-training', 'learning-management']);
    expect((await findRow(ds, BusinessOrderEntity, { id: uuid(0) }))!.note).to.equal(tricky);
    expect(new Date((await findRow(ds, BusinessOrderEntity, { id: uuid(2) }))!.completedAt!).toISOString()).to.equal(at(999).toISOString());
  });

  it('orders and limits as asked; one plain statement, FOR UPDATE only on MySQL inside a transaction', async () => {
    const desc = await findRows(ds, BusinessOrderEntity, { status: 'SUBMITTED' }, { orderBy: { accounts: 'DESC', id: 'ASC' } });
    expect(desc.map((o) => o.id)).to.deep.equal([uuid(1), uuid(3), uuid(0)]);
    expect(
      (await findRows(ds, BusinessOrderEntity, { status: 'SUBMITTED' }, { orderBy: { id: 'DESC' }, limit: 2 })).map((o) => o.id),
    ).to.deep.equal([uuid(3), uuid(1)]);
    const { value, sql } = await tracedTransaction(ds, (em) => findRow(em, BusinessOrderEntity, { id: uuid(3) }, { lock: true }));
    expect(value!.orderNo).to.equal('YW-2026-000004');
    expect(sql.filter((s) => /^SELECT/.test(s))).to.have.length(1);
    // the statement built here, not TypeORM's (which aliases every column: `"BusinessOrder"."id" AS "BusinessOrder_id"`)
    expect(sql[0]).to.not.match(/ AS /);
    expect(sql.some((s) => /FOR UPDATE$/.test(s))).to.equal(isMysql(ds));
  });

  it('goes to the repository for what it does not build itself (Not, IsNull, null) and still answers the same', async () => {
    for (const where of [{ status: Not('CANCELLED') }, { processInstanceKey: IsNull() }, { processInstanceKey: Not(IsNull()) }]) {
      const expected = await repo().find({ where: where as never, order: { id: 'ASC' } });
      expect(expected.length, 'the shape matches something').to.be.greaterThan(0);
      expect(await findRows(ds, BusinessOrderEntity, where as never, { orderBy: { id: 'ASC' } })).to.deep.equal(expected);
    }
  });

  it('updates as repository.update does: the same row afterwards, the same affected count, conditions respected', async () => {
    // two identical rows (but for id and number): one updated by the repository, the other here
    const twin = (k: number) => ({ ...orders(customerId)[0], id: uuid(10 + k), orderNo: `YW-2026-00001${k}` });
    await repo().insert([twin(0), twin(1)] as never);
    const patch: Partial<BusinessOrder> = {
      status: 'CONFIRMED',
      customerFeedback: tricky,
      updatedAt: at(777),
      amount: 42.5,
      apInvolved: true,
      modules: ['x', '中文'],
      note: null,
    };
    const viaRepository = await repo().update({ id: uuid(10), status: 'SUBMITTED' } as never, patch as never);
    const { value, sql } = await tracedTransaction(ds, (em) =>
      updateRows(em, BusinessOrderEntity, { id: uuid(11), status: 'SUBMITTED' }, patch),
    );
    expect(value.affected).to.equal(viaRepository.affected).and.to.equal(1);
    expect(sql).to.have.length(1);
    const strip = (o: BusinessOrder | null) => ({ ...o, id: '', orderNo: '' });
    const [a, b] = [await findRow(ds, BusinessOrderEntity, { id: uuid(10) }), await repo().findOneBy({ id: uuid(11) })];
    expect(strip(b)).to.deep.equal(strip(a));
    expect([b!.status, b!.customerFeedback, b!.amount, b!.note]).to.deep.equal(['CONFIRMED', tricky, 42.5, null]);
    // a condition that no longer holds: nothing changes
    expect((await updateRows(ds, BusinessOrderEntity, { id: uuid(11), status: 'SUBMITTED' }, { status: 'CANCELLED' })).affected).to.equal(
      0,
    );
    expect((await findRow(ds, BusinessOrderEntity, { id: uuid(11) }))!.status).to.equal('CONFIRMED');
    // undefined is skipped, as the repository skips it
    expect((await updateRows(ds, BusinessOrderEntity, { id: uuid(1) }, { note: undefined, termMonths: 24 })).affected).to.equal(1);
    const o1 = (await findRow(ds, BusinessOrderEntity, { id: uuid(1) }))!;
    expect([o1.note, o1.termMonths]).to.deep.equal([null, 24]);
  });

  it('a function value in a patch goes to the repository (raw SQL expression), with the same effect', async () => {
    const r = await updateRows(
      ds,
      BusinessOrderEntity,
      { id: uuid(2) },
      { currentVersion: (() => `${ds.driver.escape('current_version')} + 10`) as never },
    );
    expect(r.affected).to.equal(1);
    expect((await findRow(ds, BusinessOrderEntity, { id: uuid(2) }))!.currentVersion).to.equal(13);
  });
});
