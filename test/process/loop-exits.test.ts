/**
 * Ways out of the provisioning loops (issue #20), end to end on the local engine with the real BPMN:
 * a rejected revenue contract the customer manager withdraws instead of revising ends the order
 * CANCELLED with the reason (order record + audit), the instance at `order-withdrawn`, nothing left open.
 */
import { expect } from 'chai';
import { CountersignRoundEntity } from '../../db/entities/index';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

describe('process: loop exits in online-training-provisioning 在线培训业务开通', function () {
  this.timeout(120_000);
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(async () => e?.stop());

  it('rejected revenue contract withdrawn (撤回订单): order CANCELLED with the reason, audited, instance ends at order-withdrawn', async () => {
    const o = await d.createOrder(e);
    const pik = await d.orderInstanceKey(e, o.id);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no);
    await d.draftRevenue(e, no, 36000);
    await d.review(e, 'dept', no, 'REVENUE', 'REJECT', '单价低于指导价');
    const t = await e.api.waitTask(d.CM, 'revise-revenue-contract', no, d.WAIT);
    const full = await e.api.get(d.CM, `/api/tasks/${t.key}`);
    expect(full.form.id).to.equal('revenue-contract-revision');
    expect(full.variables.rejectionReason).to.equal('单价低于指导价');
    // the choice is required: completing without it is refused, naming the field
    const bad = await e.api.call(d.CM, 'POST', `/api/tasks/${t.key}/completion`, {
      variables: { contractAmount: 36000, revisionNote: 'x' },
    });
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body)).to.contain('/variables/revisionDecision');
    await e.api.complete(d.CM, t, { revisionDecision: 'WITHDRAW', contractAmount: 36000, revisionNote: '客户不接受指导价，放弃本次开通' });

    const end = await d.instanceEnd(e, pik);
    expect(end).to.deep.equal({ state: 'COMPLETED', endEvents: ['order-withdrawn'] });
    const cancelled = await d.waitOrderStatus(e, o.id, 'CANCELLED');
    const reason = '会签未通过，客户经理撤回订单：客户不接受指导价，放弃本次开通';
    expect(cancelled.cancelReason).to.equal(reason);
    const audited = await d.audits(e, 'business-order.cancel', o.id);
    expect(audited.map((a) => a.reason)).to.deep.equal([reason]);
    // the countersign ended with the rejection: its only round is closed, no task is left for the order
    const [rc] = await d.revenueContracts(e, o.id);
    const rounds = await e.ds.getRepository(CountersignRoundEntity).find({ where: { contractId: rc.id } });
    expect(rounds.map((r) => r.status)).to.deep.equal(['REJECTED']);
    expect(await e.api.tasks(d.CM, { processInstanceKey: pik })).to.have.length(0);
    expect(await d.activeIncidents(e, pik)).to.have.length(0);
  });

  it('rejected revenue contract revised (修改合同，重新会签) still goes back to the countersign', async () => {
    const o = await d.createOrder(e);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no);
    await d.draftRevenue(e, no, 36000);
    await d.review(e, 'dept', no, 'REVENUE', 'REJECT', '单价低于指导价');
    const t = await e.api.waitTask(d.CM, 'revise-revenue-contract', no, d.WAIT);
    await e.api.complete(d.CM, t, { revisionDecision: 'REVISE', contractAmount: 40000, revisionNote: '按指导价调整' });
    await d.approveBoth(e, no, 'REVENUE');
    await e.api.waitTask(d.ADMIN, 'sign-revenue-contract', no, d.WAIT);
    const row = await d.orderRow(e, o.id);
    expect(row?.status).to.equal('CONFIRMED');
  });
});
