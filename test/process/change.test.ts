/**
 * online-training-change 在线培训业务变更 end to end, on an order that completed provisioning; with the
 * ways out of its loops (issue #20): a rejected supplementary agreement withdrawn (the change order
 * CANCELLED, the instance at `change-withdrawn`) or revised (back to the countersign), and 处理AP异常 CANCEL.
 */
import { expect } from 'chai';
import {
  AccountMonitoringEntryEntity,
  ChangeOrderEntity,
  CollaborationTaskOrderEntity,
  CountersignFormEntity,
  CountersignRoundEntity,
  CustomerCommunicationRecordEntity,
  ExpenseContractEntity,
  RevenueContractEntity,
} from '../../db/entities/index';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';
import { withoutSchedule } from '../support/calendar-years';

describe('process: online-training-change 在线培训业务变更', function () {
  this.timeout(120_000);
  let e: E2E;
  let base: d.Order;
  before(async () => {
    e = await startE2E();
    // the change delivered in November counts into 2027, a year without a published schedule here
    await withoutSchedule(e.ds, 2027);
    base = await d.createOrder(e, { ap: true, accounts: 200 });
    await d.provision(e, base, { ap: true, deliveredOn: '2026-09-30' });
  });
  after(async () => e?.stop());

  async function submitChange(body: Record<string, unknown>) {
    const c = await e.api.post(d.CM, '/api/change-orders', { orderId: base.id, ...body });
    expect(c.changeOrderNo).to.match(/^BG-\d{4}-\d{6}$/);
    expect(c.status).to.equal('SUBMITTED');
    return c;
  }

  async function signSupplement(c: { changeOrderNo: string }, amount: number) {
    const cn = { changeOrderNo: c.changeOrderNo };
    await d.confirm(e, cn, 'CONFIRMED', '客户确认变更', 'confirm-change-with-customer');
    await d.draftRevenue(e, cn, amount, 'draft-supplementary-agreement');
    await d.approveBoth(e, { orderNo: base.orderNo }, 'REVENUE');
    await d.sign(e, cn, '2026-11-02', 'sign-supplementary-agreement');
  }

  it('account increase with an AP scope change: supplement countersigned and signed, +50 accounts in account monitoring, AP supplement, no tech work', async () => {
    const c = await submitChange({
      description: '增加50个账号，AP外包平台同步扩容',
      accountDelta: 50,
      amountDelta: 15000,
      effectiveDate: '2026-11-15',
      platformChange: false,
      apScopeChange: true,
    });
    const pik = await d.changeInstanceKey(e, c.id);
    const cn = { changeOrderNo: c.changeOrderNo };
    await signSupplement(c, 15000);
    await d.approveBoth(e, { orderNo: base.orderNo }, 'EXPENSE');
    const req = await d.waitFor(
      async () => e.ap.valid().find((r) => r.body.changeOrderNo === c.changeOrderNo),
      'the AP supplement request',
    );
    expect(req.body.accounts).to.equal(250);
    const res = await d.apSubmit(e, req.body.expenseContractNo, `chg-${c.changeOrderNo}`, 3000);
    expect(res.status).to.equal(201);
    await d.checkPaymentBasis(e, cn);
    await d.deliver(e, cn, '2026-11-16');
    await d.fileCompletion(e, cn);
    const done = await d.waitChangeStatus(e, c.id, 'COMPLETED');
    expect(done.status).to.equal('COMPLETED');
    const end = await d.instanceEnd(e, pik);
    expect(end.state).to.equal('COMPLETED');
    expect(end.endEvents).to.include('change-completed');

    const supplements = await e.ds.getRepository(RevenueContractEntity).find({ where: { changeOrderId: c.id } });
    expect(supplements).to.have.length(1);
    expect(supplements[0].kind).to.equal('SUPPLEMENT');
    expect(supplements[0].status).to.equal('SIGNED');
    const [agreement] = await e.ds.getRepository(RevenueContractEntity).find({ where: { orderId: base.id, kind: 'AGREEMENT' } });
    expect(supplements[0].parentContractId).to.equal(agreement.id);
    expect(await e.ds.getRepository(CountersignFormEntity).count({ where: { contractId: supplements[0].id } })).to.equal(1);
    const entries = await e.ds
      .getRepository(AccountMonitoringEntryEntity)
      .find({ where: { orderId: base.id }, order: { enteredAt: 'ASC' } });
    expect(entries.map((x) => `${x.kind}:${x.accounts}`)).to.deep.equal(['INITIAL:200', 'DELTA:50']);
    expect(entries[1].changeOrderId).to.equal(c.id);
    const exp = await e.ds.getRepository(ExpenseContractEntity).find({ where: { changeOrderId: c.id } });
    expect(exp).to.have.length(1);
    expect(exp[0].kind).to.equal('SUPPLEMENT');
    expect(await e.ds.getRepository(CollaborationTaskOrderEntity).count({ where: { changeOrderId: c.id } })).to.equal(0);
    const comm = await e.ds.getRepository(CustomerCommunicationRecordEntity).find({ where: { changeOrderId: c.id } });
    expect(comm.map((x) => x.occasion)).to.deep.equal(['COMPLETION']);
    const row = await e.api.get(d.CM, `/api/change-orders/${c.id}`);
    expect(row.status).to.equal('COMPLETED');
    // delivered 2026-11-16: 33 working days left in 2026, 27 on the (unpublished, weekends-only) 2027 calendar
    const rec = await e.ds.getRepository(ChangeOrderEntity).findOneByOrFail({ id: c.id });
    expect(rec.deliveredOn).to.equal('2026-11-16');
    expect(rec.completionDeadline).to.equal('2027-02-08T23:59:59+08:00');
    expect(rec.deadlineProvisional).to.equal(true);
  });

  it('platform-only change: tech reconfiguration on a new task order, no AP work', async () => {
    const c = await submitChange({
      description: '增加直播培训模块',
      accountDelta: 0,
      modules: ['learning-management', 'live-training', 'virtual-classroom'],
      platformChange: true,
      apScopeChange: false,
    });
    const pik = await d.changeInstanceKey(e, c.id);
    const cn = { changeOrderNo: c.changeOrderNo };
    const apBefore = e.ap.requests.length;
    await signSupplement(c, 5000);
    await d.configure(e, cn, '已开通虚拟教室模块');
    await d.accept(e, cn);
    await d.deliver(e, cn, '2026-11-20');
    await d.fileCompletion(e, cn);
    await d.waitChangeStatus(e, c.id, 'COMPLETED');
    const end = await d.instanceEnd(e, pik);
    expect(end.endEvents).to.include('change-completed');
    const tos = await e.ds.getRepository(CollaborationTaskOrderEntity).find({ where: { changeOrderId: c.id } });
    expect(tos).to.have.length(1);
    expect(tos[0].status).to.be.a('string');
    expect(await e.ds.getRepository(ExpenseContractEntity).count({ where: { changeOrderId: c.id } })).to.equal(0);
    expect(e.ap.requests.length).to.equal(apBefore);
    const drafted = await e.rest('POST', '/v2/element-instances/search', {
      filter: { processInstanceKey: pik, elementId: 'draft-expense-supplement' },
    });
    expect(drafted.body.items).to.have.length(0);
  });

  it('AP refused the supplement request, 取消订单 (处理AP异常): the signed change order CANCELLED with the reason, its supplement withdrawn, the instance terminated', async () => {
    const c = await submitChange({
      description: '增加30个账号，AP外包平台同步扩容',
      accountDelta: 30,
      amountDelta: 9000,
      effectiveDate: '2026-11-20',
      platformChange: true,
      apScopeChange: true,
    });
    const pik = await d.changeInstanceKey(e, c.id);
    const cn = { changeOrderNo: c.changeOrderNo };
    e.ap.status = 422;
    try {
      await signSupplement(c, 9000);
      await d.approveBoth(e, { orderNo: base.orderNo }, 'EXPENSE');
      const t = await e.api.waitTask(d.CM, 'resolve-ap-issue', cn, d.WAIT);
      expect((await e.api.get(d.CM, `/api/tasks/${t.key}`)).variables.apIssue).to.contain('(422)');
      await d.expectApRequestRouted(e, pik, false);
      // the technical reconfiguration is open when the change is cancelled
      await e.api.waitTask(d.TECH, 'configure-platform', cn, d.WAIT);
      await e.api.complete(d.CM, t, { apIssueResolution: 'CANCEL', apIssueNote: '客户放弃本次扩容' });

      expect(await d.instanceEnd(e, pik)).to.deep.equal({ state: 'COMPLETED', endEvents: ['change-cancelled-after-ap-issue'] });
      await d.waitChangeStatus(e, c.id, 'CANCELLED');
      const reason = 'AP异常，客户经理取消变更单：客户放弃本次扩容';
      expect((await e.ds.getRepository(ChangeOrderEntity).findOneByOrFail({ id: c.id })).cancelReason).to.equal(reason);
      expect((await d.audits(e, 'change-order.cancel', c.id)).map((a) => a.reason)).to.deep.equal([reason]);
      const [supplement] = await e.ds.getRepository(ExpenseContractEntity).find({ where: { changeOrderId: c.id } });
      expect(supplement.status).to.equal('WITHDRAWN');
      // the business order is untouched: still completed, still with its AP
      const order = await d.orderRow(e, base.id);
      expect([order.status, order.apPartnerId]).to.deep.equal(['COMPLETED', e.partner.id]);
      for (const user of [d.CM, d.TECH]) expect(await e.api.tasks(user, { processInstanceKey: pik }), user).to.have.length(0);
      expect(await d.activeIncidents(e, pik)).to.have.length(0);
    } finally {
      e.ap.status = 202;
    }
  });
  // ------------------------------------------------------------------ 修改补充协议: withdraw or revise

  /** a change order whose supplementary agreement the dept manager rejected: the 修改补充协议 task */
  async function rejectedSupplement(description: string, amount: number) {
    const c = await submitChange({
      description,
      accountDelta: 20,
      amountDelta: amount,
      effectiveDate: '2026-11-25',
      platformChange: false,
      apScopeChange: false,
    });
    const pik = await d.changeInstanceKey(e, c.id);
    const cn = { changeOrderNo: c.changeOrderNo };
    await d.confirm(e, cn, 'CONFIRMED', '客户确认变更', 'confirm-change-with-customer');
    await d.draftRevenue(e, cn, amount, 'draft-supplementary-agreement');
    await d.review(e, 'dept', { orderNo: base.orderNo }, 'REVENUE', 'REJECT', '补充协议金额与变更单不一致');
    const t = await e.api.waitTask(d.CM, 'revise-supplementary-agreement', cn, d.WAIT);
    const [supplement] = await e.ds.getRepository(RevenueContractEntity).find({ where: { changeOrderId: c.id } });
    return { c, pik, cn, t, supplement };
  }

  it('rejected supplementary agreement withdrawn (撤回变更单): change order CANCELLED with the reason, audited, instance ends at change-withdrawn, the business order untouched', async () => {
    const orderBefore = await d.orderRow(e, base.id);
    const { c, pik, t, supplement } = await rejectedSupplement('增加20个账号', 6000);
    const full = await e.api.get(d.CM, `/api/tasks/${t.key}`);
    expect(full.form.id).to.equal('supplementary-agreement-revision');
    expect(full.variables.rejectionReason).to.equal('补充协议金额与变更单不一致');
    // the choice is required: completing without it is refused, naming the field
    const bad = await e.api.call(d.CM, 'POST', `/api/tasks/${t.key}/completion`, {
      variables: { contractAmount: 6000, revisionNote: 'x' },
    });
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body)).to.contain('/variables/revisionDecision');
    await e.api.complete(d.CM, t, { revisionDecision: 'WITHDRAW', contractAmount: 6000, revisionNote: '客户决定暂不扩容' });

    expect(await d.instanceEnd(e, pik)).to.deep.equal({ state: 'COMPLETED', endEvents: ['change-withdrawn'] });
    await d.waitChangeStatus(e, c.id, 'CANCELLED');
    const reason = '会签未通过，客户经理撤回变更单：客户决定暂不扩容';
    expect((await e.ds.getRepository(ChangeOrderEntity).findOneByOrFail({ id: c.id })).cancelReason).to.equal(reason);
    expect((await d.audits(e, 'change-order.cancel', c.id)).map((a) => a.reason)).to.deep.equal([reason]);
    // withdrawing writes no new version of the supplement; its only countersign round is closed
    const after = await e.ds.getRepository(RevenueContractEntity).findOneByOrFail({ id: supplement.id });
    expect([after.currentVersion, after.status]).to.deep.equal([supplement.currentVersion, supplement.status]);
    const rounds = await e.ds.getRepository(CountersignRoundEntity).find({ where: { contractId: supplement.id } });
    expect(rounds.map((r) => r.status)).to.deep.equal(['REJECTED']);
    expect(await d.orderRow(e, base.id)).to.deep.equal(orderBefore);
    expect(await e.api.tasks(d.CM, { processInstanceKey: pik })).to.have.length(0);
    expect(await d.activeIncidents(e, pik)).to.have.length(0);
  });

  it('rejected supplementary agreement revised (修改协议，重新会签): a new version of the supplement, back to the countersign', async () => {
    const { c, cn, t, supplement } = await rejectedSupplement('增加20个账号（第二次）', 6000);
    await e.api.complete(d.CM, t, { revisionDecision: 'REVISE', contractAmount: 6600, revisionNote: '按变更单调整金额' });
    await d.approveBoth(e, { orderNo: base.orderNo }, 'REVENUE');
    await e.api.waitTask(d.ADMIN, 'sign-supplementary-agreement', cn, d.WAIT);
    const revised = await e.ds.getRepository(RevenueContractEntity).findOneByOrFail({ id: supplement.id });
    expect([revised.currentVersion, Number(revised.amount)]).to.deep.equal([supplement.currentVersion + 1, 6600]);
    expect((await e.ds.getRepository(ChangeOrderEntity).findOneByOrFail({ id: c.id })).status).to.equal('CONFIRMED');
  });
});
