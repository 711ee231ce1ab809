import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { BusinessOrderEntity, ChangeOrderEntity, ExpenseContractEntity } from '../../db/entities/index';
import { BPMN_ERROR, JOB } from '../../domain/vocabulary';
import { handlerFor } from '../../workers/registry';
import {
  completedVars,
  deliver,
  expectIdempotent,
  makeJob,
  makeServices,
  rowCount,
  seedChangeOrder,
  seedExpenseContract,
  seedWorld,
  useTestDatabase,
} from './support/harness';

const h = handlerFor(JOB.apIssueRecordResolution)!;

describe('workers: ap-issue.record-resolution (处理AP异常)', () => {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d), { seedCalendar: false });
  const vars = (orderId: string, v: Record<string, unknown>) => ({ orderId, apIssueNote: '改由另一家AP实施', completedBy: 'cm.li', ...v });

  it('OTHER_PARTNER: the order names the new AP once (a redelivery writes nothing), the model gets apPartnerId and the revised orderSummary', async () => {
    const { order } = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
    const { partner: beta } = await seedWorld(ds);
    const job = makeJob(JOB.apIssueRecordResolution, vars(order.id, { apIssueResolution: 'OTHER_PARTNER', newApPartnerId: beta.id }));
    const r = await expectIdempotent(h, job, makeServices(ds), async () => ({
      versions: await rowCount(ds, 'record_version', "record_type = 'business-order'"),
    }));
    expect(r.counts).to.deep.equal({ versions: 3 });
    const out = completedVars(r.outcome);
    expect(out.apPartnerId).to.equal(beta.id);
    expect(out.orderSummary).to.include({ apPartnerId: beta.id, apPartnerName: beta.name, apPartnerCode: beta.code, accounts: 200 });
    expect((await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id })).apPartnerId).to.equal(beta.id);
  });

  it('OTHER_PARTNER without a new AP, or with a suspended one: AP_PARTNER_UNAVAILABLE with the reason for the task, nothing written', async () => {
    const { order, partner } = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
    const { partner: gamma } = await seedWorld(ds, { partner: { status: 'SUSPENDED' } });
    const { partner: delta } = await seedWorld(ds);
    const s = makeServices(ds);
    const before = await rowCount(ds, 'record_version', "record_type = 'business-order'");
    const missing = await deliver(h, makeJob(JOB.apIssueRecordResolution, vars(order.id, { apIssueResolution: 'OTHER_PARTNER' })), s);
    expect(missing).to.deep.include({ kind: 'bpmnError', errorCode: BPMN_ERROR.apPartnerUnavailable });
    expect((missing as unknown as { variables: { apIssue: string } }).variables.apIssue).to.equal('换一家AP：未填写新AP编号');
    const suspended = await deliver(
      h,
      makeJob(JOB.apIssueRecordResolution, vars(order.id, { apIssueResolution: 'OTHER_PARTNER', newApPartnerId: gamma.id })),
      s,
    );
    expect(suspended).to.deep.include({ kind: 'bpmnError', errorCode: BPMN_ERROR.apPartnerUnavailable });
    expect((suspended as unknown as { variables: { apIssue: string } }).variables.apIssue).to.match(/^换一家AP：.*SUSPENDED/);
    // the task offers the partners that could take it now: not the suspended one, not the order's own
    const offered = (suspended as unknown as { variables: { apPartnerOptions: { value: string }[] } }).variables.apPartnerOptions.map(
      (x) => x.value,
    );
    expect(offered).to.not.include(gamma.id);
    expect(offered).to.not.include(partner.id);
    expect(offered).to.include(delta.id);
    expect(await rowCount(ds, 'record_version', "record_type = 'business-order'")).to.equal(before);
    expect((await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id })).apPartnerId).to.equal(partner.id);
  });

  it('WITHOUT_AP and CANCEL: apPartnerId null / the order kept, CANCEL moves the signed order to CANCELLED', async () => {
    const s = makeServices(ds);
    const a = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
    const without = completedVars(
      await deliver(h, makeJob(JOB.apIssueRecordResolution, vars(a.order.id, { apIssueResolution: 'WITHOUT_AP' })), s),
    );
    expect(without.apPartnerId).to.equal(null);
    expect((await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: a.order.id })).apInvolved).to.equal(false);
    const b = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
    completedVars(await deliver(h, makeJob(JOB.apIssueRecordResolution, vars(b.order.id, { apIssueResolution: 'CANCEL' })), s));
    const row = await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: b.order.id });
    expect([row.status, row.cancelReason]).to.deep.equal(['CANCELLED', 'AP异常，客户经理取消订单：改由另一家AP实施']);
  });

  it('with changeOrderId (the change flow): the choice applies to the change order and its expense supplement, the business order is untouched', async () => {
    const s = makeServices(ds);
    const { order, partner } = await seedWorld(ds, { order: { status: 'COMPLETED' } });
    const { partner: beta } = await seedWorld(ds);
    const change = await seedChangeOrder(ds, order, { status: 'CONTRACT_SIGNED' });
    const supplement = await seedExpenseContract(ds, order, partner, { kind: 'SUPPLEMENT', changeOrderId: change.id, status: 'APPROVED' });
    const job = (v: Record<string, unknown>) => makeJob(JOB.apIssueRecordResolution, vars(order.id, { changeOrderId: change.id, ...v }));

    const other = completedVars(await deliver(h, job({ apIssueResolution: 'OTHER_PARTNER', newApPartnerId: beta.id }), s));
    expect(other.apPartnerId).to.equal(beta.id);
    expect((await ds.getRepository(ChangeOrderEntity).findOneByOrFail({ id: change.id })).apPartnerId).to.equal(beta.id);
    completedVars(await deliver(h, job({ apIssueResolution: 'WITHOUT_AP' }), s));
    const after = await ds.getRepository(ChangeOrderEntity).findOneByOrFail({ id: change.id });
    expect([after.apScopeChange, after.status]).to.deep.equal([false, 'CONTRACT_SIGNED']);
    expect((await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: supplement.id })).status).to.equal('WITHDRAWN');
    completedVars(await deliver(h, job({ apIssueResolution: 'CANCEL' }), s));
    const cancelled = await ds.getRepository(ChangeOrderEntity).findOneByOrFail({ id: change.id });
    expect([cancelled.status, cancelled.cancelReason]).to.deep.equal(['CANCELLED', 'AP异常，客户经理取消变更单：改由另一家AP实施']);
    const o = await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id });
    expect([o.status, o.apPartnerId, o.apInvolved]).to.deep.equal(['COMPLETED', partner.id, true]);
  });
});
