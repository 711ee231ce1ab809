/**
 * Ways out of the provisioning loops (issue #20), end to end on the local engine with the real BPMN:
 * a rejected revenue contract the customer manager withdraws instead of revising ends the order
 * CANCELLED with the reason (order record + audit), the instance at `order-withdrawn`, nothing left open.
 * 处理AP异常 (the AP refused the implementation request, or was suspended before drafting): another AP
 * takes the same expense contract and completes the order; the order goes on without the AP; or the
 * signed order is cancelled and the instance ends at its terminate end, the technical branch with it.
 */
import { expect } from 'chai';
import { ApPartnerEntity, CountersignRoundEntity } from '../../db/entities/index';
import { updateApPartner } from '../../domain/parties';
import { recordHistory } from '../../domain/records';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

type Task = Awaited<ReturnType<E2E['api']['waitTask']>>;

describe('process: loop exits in online-training-provisioning 在线培训业务开通', function () {
  this.timeout(120_000);
  let e: E2E;
  before(async () => {
    e = await startE2E({ otherPartners: [{ name: '示例AP 贝塔', code: 'beta' }] });
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

  // ------------------------------------------------------------------ 处理AP异常 (resolve-ap-issue)

  /** an AP order signed, configured on the platform and its expense contract countersigned; the AP answers `apStatus` */
  async function signedApOrder(apStatus: number, opts: { configure?: boolean } = {}) {
    const o = await d.createOrder(e, { ap: true });
    const pik = await d.orderInstanceKey(e, o.id);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no);
    await d.draftRevenue(e, no);
    await d.approveBoth(e, no, 'REVENUE');
    e.ap.status = apStatus;
    await d.sign(e, no);
    if (opts.configure !== false) {
      await d.configure(e, no);
      await d.accept(e, no);
    }
    await d.approveBoth(e, no, 'EXPENSE');
    return { o, pik, no };
  }

  /** the open 处理AP异常 task of the order, other than `not` (the one just completed) */
  const resolveTask = (no: Record<string, string>, not?: Task) =>
    d.waitFor(
      async () =>
        (await e.api.tasks(d.CM, { elementId: 'resolve-ap-issue' })).find((t) => t.context.orderNo === no.orderNo && t.key !== not?.key),
      `resolve-ap-issue for ${no.orderNo}`,
    );

  it('AP refused, 换一家AP: the same expense contract re-drafted for the new AP, whose implementation completes the order', async () => {
    const beta = await e.ds.getRepository(ApPartnerEntity).findOneByOrFail({ code: 'beta' });
    let t: Task;
    let ecNo: string;
    try {
      const { o, pik, no } = await signedApOrder(422);
      t = await resolveTask(no);
      // the refusal completed the throw event's job; AP接受请求? routed it to 处理AP异常, no BPMN error, no incident
      await d.expectApRequestRouted(e, pik, false);
      const full = await e.api.get(d.CM, `/api/tasks/${t.key}`);
      expect(full.form.id).to.equal('ap-issue-resolution');
      expect(full.variables.apIssue).to.contain('refused the implementation request (422)');
      // 新AP编号 is a select of the partners that could take it now (valuesKey), the refusing one left out
      const options = full.variables.apPartnerOptions as { label: string; value: string }[];
      expect(options).to.deep.include({ label: `${beta.name}（beta）`, value: beta.id });
      expect(options.map((x) => x.value)).to.not.include(e.partner.id);
      expect(full.form.components.find((c: { key?: string }) => c.key === 'newApPartnerId')).to.include({
        type: 'select',
        valuesKey: 'apPartnerOptions',
      });
      const [ec] = await d.expenseContracts(e, o.id);
      ecNo = ec.contractNo;
      expect([ec.apPartnerId, ec.status]).to.deep.equal([e.partner.id, 'APPROVED']);
      // the choice is required: completing without it is refused, naming the field
      const bad = await e.api.call(d.CM, 'POST', `/api/tasks/${t.key}/completion`, { variables: { apIssueNote: 'x' } });
      expect(bad.status).to.equal(400);
      expect(JSON.stringify(bad.body)).to.contain('/variables/apIssueResolution');
      e.ap.status = 202;
      // 换一家AP without the new AP (the form hides the field on the other choices, so the API lets it through): the task comes back
      await e.api.complete(d.CM, t, { apIssueResolution: 'OTHER_PARTNER', apIssueNote: '改由贝塔实施' });
      t = await resolveTask(no, t);
      expect((await e.api.get(d.CM, `/api/tasks/${t.key}`)).variables.apIssue).to.equal('换一家AP：未填写新AP编号');
      await e.api.complete(d.CM, t, {
        apIssueResolution: 'OTHER_PARTNER',
        newApPartnerId: beta.id,
        apIssueNote: '阿尔法拒绝实施，改由贝塔实施',
      });

      // drafted again: same contract, same number, for beta, through the expense countersign again
      await d.approveBoth(e, no, 'EXPENSE');
      const reqs = await d.apRequestFor(e, o.orderNo, 2);
      expect(reqs.at(-1)!.body.expenseContractNo).to.equal(ecNo);
      const ecs = await d.expenseContracts(e, o.id);
      expect(ecs.map((c) => [c.contractNo, c.apPartnerId])).to.deep.equal([[ecNo, beta.id]]);
      const row = await d.orderRow(e, o.id);
      expect([row.apInvolved, row.apPartnerId]).to.deep.equal([true, beta.id]);
      const versions = await recordHistory(e.ds, 'business-order', o.id);
      expect(versions.at(-1)!.reason).to.equal('阿尔法拒绝实施，改由贝塔实施');
      expect((await d.audits(e, 'business-order.switch-ap', o.id)).map((a) => a.actor)).to.deep.equal([d.CM]);

      // beta's implementation (its own sign-in) completes the AP branch, the order completes
      const res = await d.apSubmit(e, ecNo, `sub-beta-${o.orderNo}`, 8000, 'ap-beta');
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      await d.checkPaymentBasis(e, no);
      await d.deliver(e, no);
      await d.fileCompletion(e, no);
      await d.waitOrderStatus(e, o.id, 'COMPLETED');
      const end = await d.instanceEnd(e, pik);
      expect(end.state).to.equal('COMPLETED');
      expect(end.endEvents).to.have.members(['ap-implementation-done', 'order-completed']);
      expect(await d.activeIncidents(e, pik)).to.have.length(0);
    } finally {
      e.ap.status = 202;
    }
  });

  it('AP refused, 不用AP，继续开通: the expense contract WITHDRAWN, the order completes with the technical branch alone', async () => {
    try {
      const { o, pik, no } = await signedApOrder(409);
      const t = await resolveTask(no);
      e.ap.status = 202;
      await e.api.complete(d.CM, t, { apIssueResolution: 'WITHOUT_AP', apIssueNote: 'AP均无法实施，由技术部完成开通' });
      const ec = await d.waitFor(
        async () => (await d.expenseContracts(e, o.id)).find((c) => c.status === 'WITHDRAWN'),
        'the expense contract withdrawn',
      );
      expect((await recordHistory(e.ds, 'expense-contract', ec.id)).at(-1)!.reason).to.equal('AP均无法实施，由技术部完成开通');
      const row = await d.orderRow(e, o.id);
      expect([row.apInvolved, row.apPartnerId]).to.deep.equal([false, null]);
      await d.deliver(e, no);
      await d.fileCompletion(e, no);
      await d.waitOrderStatus(e, o.id, 'COMPLETED');
      expect(await d.instanceEnd(e, pik)).to.deep.equal({ state: 'COMPLETED', endEvents: ['order-completed'] });
      expect(await d.apRequestFor(e, o.orderNo)).to.have.length(1);
      expect(await d.activeIncidents(e, pik)).to.have.length(0);
    } finally {
      e.ap.status = 202;
    }
  });

  it('AP suspended before drafting, 取消订单: the signed order CANCELLED with the reason and audited, the instance terminated with its technical branch', async () => {
    const o = await d.createOrder(e, { ap: true });
    const pik = await d.orderInstanceKey(e, o.id);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no);
    await d.draftRevenue(e, no);
    await d.approveBoth(e, no, 'REVENUE');
    await updateApPartner(e.ds, e.partner.id, { status: 'SUSPENDED' }, { actor: 'admin', reason: '暂停接单' });
    try {
      await d.sign(e, no);
      const t = await resolveTask(no);
      expect((await e.api.get(d.CM, `/api/tasks/${t.key}`)).variables.apIssue).to.contain('SUSPENDED');
      // the technical branch is still open when the order is cancelled
      await e.api.waitTask(d.TECH, 'configure-platform', no, d.WAIT);
      await e.api.complete(d.CM, t, { apIssueResolution: 'CANCEL', apIssueNote: '客户不接受延期，同意取消' });

      expect(await d.instanceEnd(e, pik)).to.deep.equal({ state: 'COMPLETED', endEvents: ['order-cancelled-after-ap-issue'] });
      const cancelled = await d.waitOrderStatus(e, o.id, 'CANCELLED');
      const reason = 'AP异常，客户经理取消订单：客户不接受延期，同意取消';
      expect(cancelled.cancelReason).to.equal(reason);
      const audited = await d.audits(e, 'business-order.cancel', o.id);
      expect(audited.map((a) => [a.reason, a.actor, (a.details as { from?: string }).from])).to.deep.equal([
        [reason, d.CM, 'CONTRACT_SIGNED'],
      ]);
      // not undone here (processes/README.md): the signed revenue contract stays signed; no expense contract was drafted
      const [rc] = await d.revenueContracts(e, o.id);
      expect(rc.status).to.equal('SIGNED');
      expect(await d.expenseContracts(e, o.id)).to.have.length(0);
      for (const user of [d.CM, d.TECH]) expect(await e.api.tasks(user, { processInstanceKey: pik }), user).to.have.length(0);
      expect(await d.activeIncidents(e, pik)).to.have.length(0);
    } finally {
      await updateApPartner(e.ds, e.partner.id, { status: 'ACTIVE' }, { actor: 'admin', reason: '恢复接单' });
    }
  });
});
