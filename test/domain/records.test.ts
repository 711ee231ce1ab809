import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { AuditLogEntity, BusinessOrderEntity, RecordVersionEntity, type BusinessOrder } from '../../db/entities/index';
import { inTransaction } from '../../db/index';
import { ConflictError, ValidationError } from '../../domain/errors';
import { recordCustomerDecision } from '../../domain/orders';
import { applyOrderRevision } from '../../domain/order-revision';
import { correctRecord, recordHistory, recordVersionOf } from '../../domain/records';
import { useTestDatabase } from '../support/db';
import { anOrder } from '../support/fixtures';
import { rejects } from '../support/rejects';

describe('domain/records: append-only versions of §9 records', () => {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d));

  it('creating an order writes version 1 with actor and time', async () => {
    const { order } = await anOrder(ds);
    const h = await recordHistory(ds, 'business-order', order.id);
    expect(h).to.have.length(1);
    expect(h[0]).to.deep.include({ version: 1, actor: 'zhang.san', reason: null });
    expect(h[0]!.content).to.deep.include({ accounts: 200, amount: 48000, openingDate: '2026-10-15', apInvolved: false });
    expect(order.currentVersion).to.equal(1);
  });

  it('a correction creates version 2 with actor/time/reason and leaves version 1 unchanged', async () => {
    const { order } = await anOrder(ds);
    const v1 = await recordVersionOf(ds, 'business-order', order.id, 1);
    const at = new Date('2026-11-21T03:04:05.678Z');
    const { record, version } = await inTransaction(ds, (em) =>
      correctRecord<BusinessOrder>(
        em,
        'business-order',
        order.id,
        { accounts: 250, note: '客户追加50个账号' },
        { actor: 'li.si', at, reason: 'typo in accounts' },
      ),
    );
    expect(version).to.deep.include({ version: 2, actor: 'li.si', reason: 'typo in accounts' });
    expect(version.at.toISOString()).to.equal(at.toISOString());
    expect(version.content).to.deep.include({ accounts: 250, note: '客户追加50个账号', amount: 48000 });
    expect(record.currentVersion).to.equal(2);
    const header = await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id });
    expect(header).to.deep.include({ accounts: 250, note: '客户追加50个账号', currentVersion: 2 });
    const v1Again = await recordVersionOf(ds, 'business-order', order.id, 1);
    expect(v1Again).to.deep.equal(v1);
    expect(v1Again!.content).to.deep.include({ accounts: 200 });
    expect((await recordHistory(ds, 'business-order', order.id)).map((v) => v.version)).to.deep.equal([1, 2]);
    const audit = await ds.getRepository(AuditLogEntity).findOneByOrFail({ action: 'business-order.correct', entityId: order.id });
    expect(audit).to.deep.include({ actor: 'li.si', reason: 'typo in accounts' });
  });

  it('refuses a correction without a reason, of unknown fields, or based on a stale version', async () => {
    const { order } = await anOrder(ds);
    const noReason = await rejects(
      inTransaction(ds, (em) => correctRecord(em, 'business-order', order.id, { accounts: 3 }, { actor: 'x' })),
    );
    expect(noReason).to.be.instanceOf(ValidationError);
    const unknown = await rejects(
      inTransaction(ds, (em) => correctRecord(em, 'business-order', order.id, { status: 'COMPLETED' }, { actor: 'x', reason: 'r' })),
    );
    expect(unknown).to.be.instanceOf(ValidationError);
    expect(String(unknown)).to.match(/status/);
    await inTransaction(ds, (em) => correctRecord(em, 'business-order', order.id, { accounts: 3 }, { actor: 'x', reason: 'r' }));
    const stale = await rejects(
      inTransaction(ds, (em) =>
        correctRecord(em, 'business-order', order.id, { accounts: 4 }, { actor: 'y', reason: 'r' }, { expectedVersion: 1 }),
      ),
    );
    expect(stale).to.be.instanceOf(ConflictError);
    expect(await ds.getRepository(RecordVersionEntity).countBy({ recordId: order.id })).to.equal(2);
  });

  it('the database refuses a second row for the same version (nothing is overwritten silently)', async () => {
    const { order } = await anOrder(ds);
    const err = await rejects(
      ds.getRepository(RecordVersionEntity).insert({
        id: '00000000-0000-4000-8000-00000000000f',
        recordType: 'business-order',
        recordId: order.id,
        version: 1,
        content: { forged: true },
        actor: 'mallory',
        at: new Date(),
        reason: null,
      } as never),
    );
    expect(String(err)).to.match(/duplicate|unique/i);
    const v1 = await recordVersionOf(ds, 'business-order', order.id, 1);
    expect(v1!.content).to.not.have.property('forged');
  });

  it('concurrent corrections of one record both land as consecutive versions, none lost', async () => {
    const { order } = await anOrder(ds);
    await Promise.all(
      [11, 12, 13].map((n) =>
        inTransaction(ds, (em) => correctRecord(em, 'business-order', order.id, { accounts: n }, { actor: `u${n}`, reason: 'r' })),
      ),
    );
    const h = await recordHistory(ds, 'business-order', order.id);
    expect(h.map((v) => v.version)).to.deep.equal([1, 2, 3, 4]);
    const last = h[3]!.content.accounts;
    expect((await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id })).accounts).to.equal(last);
  });

  it('the order revision of the flow is a new version and returns the order to the customer', async () => {
    const { order } = await anOrder(ds);
    await recordCustomerDecision(ds, order.id, 'CHANGE_REQUESTED', '账号数不对', { actor: 'zhang.san' });
    const revised = await applyOrderRevision(
      ds,
      order.id,
      { accounts: 300, note: 'as asked' },
      { actor: 'zhang.san', reason: '按客户要求修改' },
    );
    expect(revised).to.deep.include({ status: 'SUBMITTED', accounts: 300, currentVersion: 2 });
    const h = await recordHistory(ds, 'business-order', order.id);
    expect(h[1]).to.deep.include({ version: 2, reason: '按客户要求修改' });
    expect(h[0]!.content.accounts).to.equal(200);
  });
});
