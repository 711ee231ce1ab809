import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import {
  ApPartnerEntity,
  BusinessOrderEntity,
  ChangeOrderEntity,
  RevenueContractEntity,
  RecordVersionEntity,
  AuditLogEntity,
} from '../../db/entities/index';
import { JOB } from '../../domain/vocabulary';
import { handlerFor } from '../../workers/registry';
import {
  completedVars,
  deliver,
  expectIdempotent,
  makeJob,
  makeServices,
  rowCount,
  seedChangeOrder,
  seedRevenueContract,
  seedWorld,
  useTestDatabase,
} from './support/harness';

const h = (t: string) => handlerFor(t)!;

describe('workers: order.*, change-order.*, revenue-contract.*', function () {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d), { seedCalendar: false });

  const audits = (action: string) => rowCount(ds, 'audit_log', 'action = ?', [action]);

  it('order.record-customer-decision: CHANGE_REQUESTED → apply-revision (version 2) → CONFIRMED; each once, with the actor', async () => {
    const { order, partner } = await seedWorld(ds);
    const s = makeServices(ds);
    const d1 = makeJob(
      JOB.orderRecordCustomerDecision,
      { orderId: order.id, customerDecision: 'CHANGE_REQUESTED', customerFeedback: '账号数改为250', completedBy: 'cm.li' },
      { elementId: 'record-customer-decision' },
    );
    const r1 = await expectIdempotent(h(JOB.orderRecordCustomerDecision), d1, s, async () => ({
      audit: await audits('business-order.customer-decision'),
    }));
    expect(completedVars(r1.outcome)).to.deep.equal({ orderStatus: 'CHANGE_REQUESTED' });

    const rev = makeJob(
      JOB.orderApplyRevision,
      { orderId: order.id, revisedAccounts: 250, revisedAmount: 60000, revisionNote: '客户要求增加账号', completedBy: 'cm.li' },
      { elementId: 'apply-order-revision' },
    );
    const r2 = await expectIdempotent(h(JOB.orderApplyRevision), rev, s, async () => ({
      versions: await rowCount(ds, 'record_version', "record_type = 'business-order'"),
    }));
    const { orderSummary, ...rest } = completedVars(r2.outcome) as { orderSummary: Record<string, unknown> };
    // what the order involves comes back for the gateway after it (unchanged here: the job names no AP change)
    expect(rest).to.deep.equal({ orderVersion: 2, orderStatus: 'SUBMITTED', apInvolved: true, apPartnerId: order.apPartnerId });
    // the order's later tasks show the revised order
    expect(orderSummary).to.include({ accounts: 250, amount: 60000, openingDate: order.openingDate, termMonths: order.termMonths });
    expect(orderSummary.customerName).to.be.a('string').and.not.equal('');
    // and name the AP as a person reads it (the forms fall back to the id only without a name)
    expect(orderSummary).to.include({ apPartnerId: partner.id, apPartnerName: partner.name, apPartnerCode: partner.code });
    const o = await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id });
    expect(o).to.include({ accounts: 250, amount: 60000, currentVersion: 2, status: 'SUBMITTED' });
    const v2 = await ds
      .getRepository(RecordVersionEntity)
      .findOneByOrFail({ recordType: 'business-order', recordId: order.id, version: 2 });
    expect(v2).to.include({ actor: 'cm.li', reason: '客户要求增加账号' });
    expect(v2.content).to.include({ accounts: 250, openingDate: '2026-04-01' });

    // the loop runs the decision task again: a new job, recorded again
    const d2 = makeJob(JOB.orderRecordCustomerDecision, { orderId: order.id, customerDecision: 'CONFIRMED', completedBy: 'cm.li' });
    expect(completedVars(await deliver(h(JOB.orderRecordCustomerDecision), d2, s))).to.deep.equal({ orderStatus: 'CONFIRMED' });
    const trail = await ds
      .getRepository(AuditLogEntity)
      .find({ where: { entityId: order.id, action: 'business-order.customer-decision' }, order: { at: 'ASC' } });
    expect(trail.map((a) => [a.actor, (a.details as { decision: string }).decision])).to.have.deep.members([
      ['cm.li', 'CHANGE_REQUESTED'],
      ['cm.li', 'CONFIRMED'],
    ]);
  });

  it('order.apply-revision changes what the order involves: the AP dropped; an unavailable partner is AP_PARTNER_UNAVAILABLE, nothing written', async () => {
    const { order } = await seedWorld(ds, { order: { status: 'CHANGE_REQUESTED' } });
    const s = makeServices(ds);
    const suspended = await seedWorld(ds, { partner: { status: 'SUSPENDED' } });
    const refused = await deliver(
      h(JOB.orderApplyRevision),
      makeJob(JOB.orderApplyRevision, {
        orderId: order.id,
        revisedApInvolved: true,
        revisedApPartnerId: suspended.partner.id,
        completedBy: 'cm.li',
      }),
      s,
    );
    expect(refused).to.deep.include({ kind: 'bpmnError', errorCode: 'AP_PARTNER_UNAVAILABLE' });
    expect((refused as unknown as { variables: { apIssue: string } }).variables.apIssue).to.contain('SUSPENDED');
    expect(await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id })).to.include({
      currentVersion: 1,
      apInvolved: true,
    });

    const dropped = makeJob(JOB.orderApplyRevision, {
      orderId: order.id,
      revisedApInvolved: false,
      revisedApPartnerId: order.apPartnerId,
      revisionNote: '客户不再需要AP',
      completedBy: 'cm.li',
    });
    const r = await expectIdempotent(h(JOB.orderApplyRevision), dropped, s, async () => ({
      versions: await rowCount(ds, 'record_version', "record_type = 'business-order'"),
    }));
    const { orderSummary, ...rest } = completedVars(r.outcome) as { orderSummary: Record<string, unknown> };
    expect(rest).to.deep.equal({ orderVersion: 2, orderStatus: 'SUBMITTED', apInvolved: false, apPartnerId: null });
    expect(orderSummary).to.include({ apPartnerId: null, apPartnerName: null, apPartnerCode: null });
  });

  it('order.offer-ap-partners (修改业务订单 creating listener): the partners that can take the order now, the order’s own among them, by name; reads only', async () => {
    const { order, partner } = await seedWorld(ds, { order: { status: 'CHANGE_REQUESTED' } });
    const suspended = await seedWorld(ds, { partner: { status: 'SUSPENDED' } });
    const termless = await seedWorld(ds, { partner: { terms: null } });
    const s = makeServices(ds);
    const before = await rowCount(ds, 'processed_job');
    const job = makeJob(JOB.orderOfferApPartners, { orderId: order.id, apPartnerId: order.apPartnerId }, { elementId: 'revise-order' });
    const first = completedVars(await deliver(h(JOB.orderOfferApPartners), job, s)) as {
      apPartnerOptions: { label: string; value: string }[];
    };
    const values = first.apPartnerOptions.map((o) => o.value);
    expect(first.apPartnerOptions).to.deep.include({ label: `${partner.name}（${partner.code}）`, value: partner.id });
    expect(values).to.not.include(suspended.partner.id);
    expect(values).to.not.include(termless.partner.id);
    // nothing recorded (no once-guard): a later creation of the task lists the partners of that moment
    expect(await rowCount(ds, 'processed_job')).to.equal(before);
    await ds.getRepository(ApPartnerEntity).update({ id: partner.id }, { status: 'SUSPENDED' });
    const again = completedVars(await deliver(h(JOB.orderOfferApPartners), job, s)) as typeof first;
    expect(again.apPartnerOptions.map((o) => o.value)).to.not.include(partner.id);
  });

  it('order.cancel after DECLINED: CANCELLED with the customer’s reason, once', async () => {
    const { order } = await seedWorld(ds);
    const s = makeServices(ds);
    await deliver(
      h(JOB.orderRecordCustomerDecision),
      makeJob(JOB.orderRecordCustomerDecision, { orderId: order.id, customerDecision: 'DECLINED', customerFeedback: '预算取消' }),
      s,
    );
    const job = makeJob(JOB.orderCancel, { orderId: order.id, customerFeedback: '预算取消' });
    const r = await expectIdempotent(h(JOB.orderCancel), job, s, async () => ({ audit: await audits('business-order.cancel') }));
    expect(completedVars(r.outcome)).to.deep.equal({ orderStatus: 'CANCELLED' });
    expect(await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id })).to.include({
      status: 'CANCELLED',
      cancelReason: '预算取消',
    });
  });

  it('order.* refuses an illegal transition without retrying (incident names what to do)', async () => {
    const { order } = await seedWorld(ds, { order: { status: 'COMPLETED' } });
    const out = await deliver(h(JOB.orderCancel), makeJob(JOB.orderCancel, { orderId: order.id }), makeServices(ds));
    expect(out).to.include({ kind: 'fail', retries: 0 });
    expect((out as { message: string }).message).to.match(/illegal status transition COMPLETED → CANCELLED/);
  });

  it('change-order.*: decision, revision (accountDelta, version 2), cancel', async () => {
    const { order } = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
    const change = await seedChangeOrder(ds, order);
    const s = makeServices(ds);
    const d = makeJob(JOB.changeOrderRecordCustomerDecision, {
      changeOrderId: change.id,
      customerDecision: 'CHANGE_REQUESTED',
      completedBy: 'cm.li',
    });
    expect(
      completedVars(
        (
          await expectIdempotent(h(JOB.changeOrderRecordCustomerDecision), d, s, async () => ({
            a: await audits('change-order.customer-decision'),
          }))
        ).outcome,
      ),
    ).to.deep.equal({ changeOrderStatus: 'CHANGE_REQUESTED' });
    const rev = makeJob(JOB.changeOrderApplyRevision, {
      changeOrderId: change.id,
      revisedAccountDelta: 80,
      revisionNote: '改为80个',
      completedBy: 'cm.li',
    });
    expect(
      completedVars(
        (
          await expectIdempotent(h(JOB.changeOrderApplyRevision), rev, s, async () => ({
            v: await rowCount(ds, 'record_version', "record_type = 'change-order'"),
          }))
        ).outcome,
      ),
    ).to.deep.equal({ changeOrderVersion: 2, changeOrderStatus: 'SUBMITTED', accountDelta: 80, platformChange: true, apScopeChange: true });
    expect(await ds.getRepository(ChangeOrderEntity).findOneByOrFail({ id: change.id })).to.include({
      accountDelta: 80,
      currentVersion: 2,
    });
    const c = makeJob(JOB.changeOrderCancel, { changeOrderId: change.id, customerFeedback: '不再需要' });
    expect(
      completedVars(
        (await expectIdempotent(h(JOB.changeOrderCancel), c, s, async () => ({ a: await audits('change-order.cancel') }))).outcome,
      ),
    ).to.deep.equal({ changeOrderStatus: 'CANCELLED' });
  });

  it('change-order.apply-revision revises 涉及AP变更 (apScopeChange) for the AP branch; true without an AP partner is refused as at creation, nothing written', async () => {
    const { order } = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
    const change = await seedChangeOrder(ds, order, { status: 'CHANGE_REQUESTED' });
    const s = makeServices(ds);
    const revise = (changeOrderId: string, revisedApScopeChange: boolean) =>
      makeJob(JOB.changeOrderApplyRevision, { changeOrderId, revisedApScopeChange, revisionNote: 'AP部分调整', completedBy: 'cm.li' });
    const dropped = completedVars(await deliver(h(JOB.changeOrderApplyRevision), revise(change.id, false), s));
    expect(dropped).to.include({ changeOrderVersion: 2, apScopeChange: false });
    expect(await ds.getRepository(ChangeOrderEntity).findOneByOrFail({ id: change.id })).to.include({ apScopeChange: false });
    // the customer asks again (the decision task's job puts it back to CHANGE_REQUESTED)
    await ds.getRepository(ChangeOrderEntity).update({ id: change.id }, { status: 'CHANGE_REQUESTED' });
    const added = completedVars(await deliver(h(JOB.changeOrderApplyRevision), revise(change.id, true), s));
    expect(added).to.include({ changeOrderVersion: 3, apScopeChange: true });

    const noAp = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED', apInvolved: false, apPartnerId: null } });
    const plain = await seedChangeOrder(ds, noAp.order, { apScopeChange: false, apPartnerId: null });
    const refused = await deliver(h(JOB.changeOrderApplyRevision), revise(plain.id, true), s);
    expect(refused.kind).to.equal('fail');
    expect(JSON.stringify(refused)).to.contain('apScopeChange needs an AP partner');
    expect(await ds.getRepository(ChangeOrderEntity).findOneByOrFail({ id: plain.id })).to.include({
      apScopeChange: false,
      currentVersion: 1,
    });
  });

  it('revenue-contract.register: one SR number per order; revise after rejection; record-signing → SIGNED + order CONTRACT_SIGNED', async () => {
    const { order } = await seedWorld(ds, { order: { status: 'CONFIRMED' } });
    const s = makeServices(ds);
    const draft = makeJob(JOB.revenueContractRegister, {
      orderId: order.id,
      orderNo: order.orderNo,
      contractTitle: '在线培训服务协议',
      contractAmount: 48000,
      contractTerm: 12,
      completedBy: 'cm.li',
    });
    const r = await expectIdempotent(h(JOB.revenueContractRegister), draft, s, async () => ({
      contracts: await rowCount(ds, 'revenue_contract'),
      seq: Number((await ds.query("SELECT last_value AS v FROM document_sequence WHERE document_type = 'revenue-contract'"))[0]?.v ?? 0),
    }));
    const vars = completedVars(r.outcome);
    expect(vars.revenueContractNo).to.equal('SR-2026-0001');
    await ds
      .getRepository(RevenueContractEntity)
      .update({ id: vars.revenueContractId }, { status: 'REJECTED', rejectionReason: '金额有误' });
    const rev = makeJob(JOB.revenueContractApplyRevision, {
      revenueContractId: vars.revenueContractId,
      revisionNote: '金额改为45000',
      contractAmount: 45000,
      completedBy: 'cm.li',
    });
    expect(
      completedVars(
        (
          await expectIdempotent(h(JOB.revenueContractApplyRevision), rev, s, async () => ({
            v: await rowCount(ds, 'record_version', "record_type = 'revenue-contract'"),
          }))
        ).outcome,
      ),
    ).to.deep.equal({ revenueContractVersion: 2 });
    expect(await ds.getRepository(RevenueContractEntity).findOneByOrFail({ id: vars.revenueContractId })).to.include({
      status: 'DRAFT',
      amount: 45000,
      currentVersion: 2,
    });
    await ds.getRepository(RevenueContractEntity).update({ id: vars.revenueContractId }, { status: 'APPROVED' });
    const sign = makeJob(JOB.revenueContractRecordSigning, {
      revenueContractId: vars.revenueContractId,
      signedDate: '2026-03-20',
      completedBy: 'admin.chen',
    });
    expect(
      completedVars(
        (await expectIdempotent(h(JOB.revenueContractRecordSigning), sign, s, async () => ({ a: await audits('revenue-contract.sign') })))
          .outcome,
      ),
    ).to.deep.equal({ revenueContractStatus: 'SIGNED' });
    expect(await ds.getRepository(RevenueContractEntity).findOneByOrFail({ id: vars.revenueContractId })).to.include({
      status: 'SIGNED',
      signedDate: '2026-03-20',
    });
    expect((await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id })).status).to.equal('CONTRACT_SIGNED');
  });

  it('revenue-contract.register-supplement: one supplement per change order, parent = the agreement', async () => {
    const { order } = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
    const agreement = await seedRevenueContract(ds, order, { status: 'SIGNED' });
    const change = await seedChangeOrder(ds, order, { status: 'CONFIRMED' });
    const job = makeJob(JOB.revenueContractRegisterSupplement, { changeOrderId: change.id, orderId: order.id, completedBy: 'cm.li' });
    const r = await expectIdempotent(h(JOB.revenueContractRegisterSupplement), job, makeServices(ds), async () => ({
      contracts: await rowCount(ds, 'revenue_contract'),
    }));
    const vars = completedVars(r.outcome);
    const sup = await ds.getRepository(RevenueContractEntity).findOneByOrFail({ id: vars.revenueContractId });
    expect(sup).to.include({
      kind: 'SUPPLEMENT',
      parentContractId: agreement.id,
      changeOrderId: change.id,
      amount: 12000,
      contractNo: vars.revenueContractNo,
    });
  });
});
