/**
 * A revision can change what an order involves (issue #20), end to end on the local engine with the real
 * BPMN: 修改业务订单 adds the AP (the AP branch then drafts the expense contract for that partner, after a
 * suspended partner was sent back to the customer manager), changes it to another partner chosen from the
 * task's list (its creating listener order.offer-ap-partners; the AP branch runs for that partner to the end)
 * or drops it (no expense contract, the order completes with the technical branch alone); 修改变更单 drops the
 * platform work of a change order (no collaboration task order, the change completes) or adds the AP (涉及AP变更:
 * the expense supplement is drafted for the change order's AP, whose payment basis completes the change).
 */
import { expect } from 'chai';
import { ApPartnerEntity, CollaborationTaskOrderEntity, ExpenseContractEntity } from '../../db/entities/index';
import { createApPartner } from '../../domain/parties';
import { startE2E, AP_SECRET, type E2E } from './support/system';
import * as d from './support/driver';

describe('process: a revision changes what the order involves (涉及AP, 涉及业务平台配置)', function () {
  this.timeout(180_000);
  let e: E2E;
  before(async () => {
    e = await startE2E({ otherPartners: [{ name: '示例AP 贝塔', code: 'beta' }] });
  });
  after(async () => e?.stop());

  /** the customer asks for changes; the customer manager's revise-order task, opened */
  async function reviseTask(no: Record<string, string>, element = 'revise-order', notKey?: string) {
    const t = await d.waitFor(
      async () => (await e.api.tasks(d.CM, { elementId: element })).find((x) => x.context.orderNo === no.orderNo && x.key !== notKey),
      `${element} for ${no.orderNo}`,
    );
    return { task: t, full: await e.api.get(d.CM, `/api/tasks/${t.key}`) };
  }

  async function processVariable(pik: string, name: string): Promise<unknown> {
    const r = await e.rest('POST', '/v2/variables/search', { filter: { processInstanceKey: pik, scopeKey: pik, name } });
    const [v] = r.body.items as { value: string }[];
    expect(v, `process variable ${name}`).to.exist;
    return JSON.parse(v.value);
  }

  type Option = { label: string; value: string };
  /** the AP select of the task's form: 修改业务订单's creating listener lists its options (apPartnerOptions) */
  function apChoices(full: { variables: Record<string, unknown>; form: { components: { key?: string }[] } }): Option[] {
    expect(full.form.components.find((c) => c.key === 'revisedApPartnerId')).to.include({ type: 'select', valuesKey: 'apPartnerOptions' });
    const options = full.variables.apPartnerOptions as Option[];
    expect(options, 'apPartnerOptions on the task').to.be.an('array');
    return options;
  }
  const choice = (options: Option[], code: string) => options.find((x) => x.label.endsWith(`（${code}）`));

  const revision = (o: d.Order) => ({
    revisedAccounts: 120,
    revisedOpeningDate: '2026-10-15',
    revisedModules: ['learning-management', 'live-training'],
    revisedAmount: 36000,
    revisionNote: `按客户意见修改 ${o.orderNo}`,
  });

  it('a revision that adds the AP: a suspended partner is sent back (AP不可用), then the AP branch runs for the partner named', async () => {
    const suspended = await createApPartner(
      e.ds,
      { name: '暂停的AP', code: 'paused', endpointUrl: e.ap.url, hmacSecret: AP_SECRET, status: 'SUSPENDED', terms: null },
      { actor: 'admin', reason: 'test set-up', at: e.now() },
    );
    const o = await d.createOrder(e);
    const pik = await d.orderInstanceKey(e, o.id);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no, 'CHANGE_REQUESTED', '直播培训改由AP承接');
    const first = await reviseTask(no);
    // the form opens with what the order involves now, and the APs that could take it, by name
    expect(first.full.variables).to.include({ revisedApInvolved: false });
    const offered = apChoices(first.full);
    expect(offered).to.deep.include({ label: `${e.partner.name}（alpha）`, value: e.partner.id });
    expect(choice(offered, 'paused'), 'a suspended AP is no option').to.equal(undefined);
    // the API takes an id the list does not offer (a partner suspended while the form was open): the check is the worker's
    await e.api.complete(d.CM, first.task, { ...revision(o), revisedApInvolved: true, revisedApPartnerId: suspended.id });

    // AP_PARTNER_UNAVAILABLE: back to 修改业务订单 with the reason, the order unchanged
    const again = await reviseTask(no, 'revise-order', first.task.key);
    expect(String(again.full.variables.revisionIssue)).to.contain('SUSPENDED');
    const unchanged = await d.orderRow(e, o.id);
    expect([unchanged.currentVersion, unchanged.apInvolved, unchanged.apPartnerId]).to.deep.equal([1, false, null]);
    expect(await d.activeIncidents(e, pik)).to.have.length(0);
    // created again, the task lists the partners again (the boundary hands over only the reason)
    const alpha = choice(apChoices(again.full), 'alpha')!;
    await e.api.complete(d.CM, again.task, { ...revision(o), revisedApInvolved: true, revisedApPartnerId: alpha.value });

    const revised = await d.waitFor(async () => {
      const r = await d.orderRow(e, o.id);
      return r.currentVersion === 2 && r.status === 'SUBMITTED' ? r : null;
    }, 'order version 2 with the AP');
    expect([revised.apInvolved, revised.apPartnerId, revised.accounts]).to.deep.equal([true, e.partner.id, 120]);
    // the variables the later gateway and every later task read (order.apply-revision's outputs)
    await e.api.waitTask(d.CM, 'confirm-order-with-customer', no, d.WAIT);
    expect(await processVariable(pik, 'apInvolved')).to.equal(true);
    expect(await processVariable(pik, 'apPartnerId')).to.equal(e.partner.id);
    expect(await processVariable(pik, 'orderSummary')).to.deep.include({ apPartnerId: e.partner.id, accounts: 120 });

    await d.provision(e, o, { ap: true });
    const [ec] = await d.expenseContracts(e, o.id);
    expect(ec, 'expense contract drafted').to.exist;
    expect(ec.apPartnerId).to.equal(e.partner.id);
    expect(ec.status).to.equal('PAYMENT_BASIS_ACCEPTED');
    const end = await d.instanceEnd(e, pik);
    expect(end.state).to.equal('COMPLETED');
    expect(end.endEvents.sort()).to.deep.equal(['ap-implementation-done', 'order-completed']);
  });

  it('a revision that changes the AP: another partner chosen from the list, the AP branch runs for it to the end', async () => {
    const beta = await e.ds.getRepository(ApPartnerEntity).findOneByOrFail({ code: 'beta' });
    const o = await d.createOrder(e, { ap: true });
    const pik = await d.orderInstanceKey(e, o.id);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no, 'CHANGE_REQUESTED', '改由贝塔承接');
    const { task, full } = await reviseTask(no);
    // the select starts on the order's AP: its value is one of the options
    expect(full.variables).to.include({ revisedApInvolved: true, revisedApPartnerId: e.partner.id });
    const options = apChoices(full);
    expect(options.map((x) => x.value)).to.include(e.partner.id);
    const other = choice(options, 'beta');
    expect(other).to.deep.equal({ label: '示例AP 贝塔（beta）', value: beta.id });
    await e.api.complete(d.CM, task, { ...revision(o), revisedApInvolved: true, revisedApPartnerId: other!.value });

    const revised = await d.waitFor(async () => {
      const r = await d.orderRow(e, o.id);
      return r.currentVersion === 2 ? r : null;
    }, 'order version 2 with beta');
    expect([revised.apInvolved, revised.apPartnerId]).to.deep.equal([true, beta.id]);
    await e.api.waitTask(d.CM, 'confirm-order-with-customer', no, d.WAIT);
    expect(await processVariable(pik, 'orderSummary')).to.deep.include({ apPartnerId: beta.id, apPartnerName: '示例AP 贝塔' });

    await d.confirm(e, no);
    await d.draftRevenue(e, no);
    await d.approveBoth(e, no, 'REVENUE');
    await d.sign(e, no);
    await d.configure(e, no);
    await d.accept(e, no);
    await d.approveBoth(e, no, 'EXPENSE');
    const [req] = await d.apRequestFor(e, o.orderNo);
    const [ec] = await d.expenseContracts(e, o.id);
    expect([ec.apPartnerId, req.body.expenseContractNo]).to.deep.equal([beta.id, ec.contractNo]);
    // beta's own sign-in delivers the payment basis
    const res = await d.apSubmit(e, ec.contractNo, `sub-beta-${o.orderNo}`, 8000, 'ap-beta');
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    await d.checkPaymentBasis(e, no);
    await d.deliver(e, no, '2026-09-30');
    await d.fileCompletion(e, no);
    await d.waitOrderStatus(e, o.id, 'COMPLETED');
    const end = await d.instanceEnd(e, pik);
    expect(end.endEvents.sort()).to.deep.equal(['ap-implementation-done', 'order-completed']);
    expect(await d.activeIncidents(e, pik)).to.have.length(0);
  });

  /** a change order on `orderId` the customer asks to change: its 修改变更单 task, with what the task shows */
  const changeToRevise = async (orderId: string, description: string, accountDelta: number, platformChange: boolean, feedback: string) => {
    const c = await e.api.post(d.CM, '/api/change-orders', { orderId, description, accountDelta, platformChange, apScopeChange: false });
    const pik = await d.changeInstanceKey(e, c.id);
    const cn = { changeOrderNo: c.changeOrderNo };
    await d.confirm(e, cn, 'CHANGE_REQUESTED', feedback, 'confirm-change-with-customer');
    const t = await e.api.waitTask(d.CM, 'revise-change-order', cn, d.WAIT);
    const full = await e.api.get(d.CM, `/api/tasks/${t.key}`);
    return { c, pik, cn, t, full };
  };

  /** the change order once its revision is written (version 2) */
  const revisedChange = (id: string) =>
    d.waitFor(async () => {
      const r = await e.api.get(d.CM, `/api/change-orders/${id}`);
      return r.version === 2 ? r : null;
    }, 'change order version 2');

  let withoutAp: d.Order;
  it('a revision that drops the AP: no expense contract, no AP request, the order completes with the technical branch alone', async () => {
    const o = await d.createOrder(e, { ap: true });
    withoutAp = o;
    const pik = await d.orderInstanceKey(e, o.id);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no, 'CHANGE_REQUESTED', '不再需要AP外包平台');
    const { task, full } = await reviseTask(no);
    expect(full.variables).to.include({ revisedApInvolved: true, revisedApPartnerId: e.partner.id });
    expect(apChoices(full).map((x) => x.value)).to.include(e.partner.id);
    await e.api.complete(d.CM, task, { ...revision(o), revisedApInvolved: false });
    const revised = await d.waitFor(async () => {
      const r = await d.orderRow(e, o.id);
      return r.currentVersion === 2 ? r : null;
    }, 'order version 2 without the AP');
    expect([revised.apInvolved, revised.apPartnerId]).to.deep.equal([false, null]);
    await e.api.waitTask(d.CM, 'confirm-order-with-customer', no, d.WAIT);
    expect(await processVariable(pik, 'apInvolved')).to.equal(false);
    expect(await processVariable(pik, 'orderSummary')).to.deep.include({ apPartnerId: null });
    const versions = await e.api.get(d.CM, `/api/records/business-order/${o.id}/versions`);
    expect(versions.map((v: { data: { apInvolved: boolean } }) => v.data.apInvolved)).to.deep.equal([true, false]);

    await d.provision(e, o, { ap: false });
    expect(await d.expenseContracts(e, o.id)).to.have.length(0);
    expect(e.ap.requests.filter((r) => r.body?.orderNo === o.orderNo)).to.have.length(0);
    const drafted = await e.rest('POST', '/v2/element-instances/search', {
      filter: { processInstanceKey: pik, elementId: 'draft-expense-contract' },
    });
    expect(drafted.body.items).to.have.length(0);
    const end = await d.instanceEnd(e, pik);
    expect(end).to.deep.equal({ state: 'COMPLETED', endEvents: ['order-completed'] });
  });

  it('a change order revision that drops the platform work: no collaboration task order, the change completes', async () => {
    const { c, pik, cn, t, full } = await changeToRevise(withoutAp.id, '增加10个账号并调整平台配置', 10, true, '只加账号，平台不动');
    expect(full.variables).to.include({ revisedPlatformChange: true, revisedApScopeChange: false });
    await e.api.complete(d.CM, t, {
      revisedAccountDelta: 10,
      revisedEffectiveDate: '2026-11-15',
      revisedAmount: 3000,
      revisedPlatformChange: false,
      revisionNote: '平台配置不变',
    });
    const revised = await revisedChange(c.id);
    expect(revised.platformChange).to.equal(false);
    await d.confirm(e, cn, 'CONFIRMED', '客户确认变更', 'confirm-change-with-customer');
    await d.draftRevenue(e, cn, 3000, 'draft-supplementary-agreement');
    await d.approveBoth(e, { orderNo: withoutAp.orderNo }, 'REVENUE');
    await d.sign(e, cn, '2026-11-02', 'sign-supplementary-agreement');
    await d.deliver(e, cn, '2026-11-16');
    await d.fileCompletion(e, cn);
    await d.waitChangeStatus(e, c.id, 'COMPLETED');
    expect(await e.ds.getRepository(CollaborationTaskOrderEntity).count({ where: { changeOrderId: c.id } })).to.equal(0);
    const end = await d.instanceEnd(e, pik);
    expect(end.endEvents).to.include('change-completed');
  });

  it('涉及AP变更 on a change order whose order has no AP: the listener denies the revision with the reason, the task stays open, no incident', async () => {
    const { c, pik, cn, t } = await changeToRevise(withoutAp.id, '增加5个账号', 5, false, '请AP一起扩容');
    const form = { revisedAccountDelta: 5, revisedEffectiveDate: '2026-11-15', revisedAmount: 1500, revisedPlatformChange: false };
    const refused = await e.api.call(d.CM, 'POST', `/api/tasks/${t.key}/completion`, {
      variables: { ...form, revisedApScopeChange: true, revisionNote: 'AP同步扩容' },
    });
    expect(refused.status, JSON.stringify(refused.body)).to.equal(422);
    expect(refused.body.type).to.match(/completion-denied$/);
    expect(refused.body.detail).to.contain('apScopeChange needs an AP partner');
    expect((await e.api.get(d.CM, `/api/change-orders/${c.id}`)).version).to.equal(1);
    expect(await d.activeIncidents(e, pik)).to.deep.equal([]);
    // the same task, corrected: the revision is written and the flow goes on
    await e.api.complete(d.CM, t, { ...form, revisedApScopeChange: false, revisionNote: '仅增加账号' });
    await revisedChange(c.id);
    await e.api.waitTask(d.CM, 'confirm-change-with-customer', cn, d.WAIT);
  });

  it("a change order revision that adds the AP (涉及AP变更): the expense supplement for the change order's AP, the change completes", async () => {
    const o = await d.createOrder(e, { ap: true });
    await d.provision(e, o, { ap: true });
    const { c, pik, cn, t, full } = await changeToRevise(o.id, '增加20个账号', 20, false, 'AP外包平台也要同步扩容');
    expect(full.variables).to.include({ revisedPlatformChange: false, revisedApScopeChange: false });
    await e.api.complete(d.CM, t, {
      revisedAccountDelta: 20,
      revisedEffectiveDate: '2026-11-15',
      revisedAmount: 6000,
      revisedPlatformChange: false,
      revisedApScopeChange: true,
      revisionNote: 'AP同步扩容',
    });
    const revised = await revisedChange(c.id);
    expect([revised.apScopeChange, revised.apPartnerId]).to.deep.equal([true, e.partner.id]);
    await d.confirm(e, cn, 'CONFIRMED', '客户确认变更', 'confirm-change-with-customer');
    expect(await processVariable(pik, 'apScopeChange')).to.equal(true);
    await d.draftRevenue(e, cn, 6000, 'draft-supplementary-agreement');
    await d.approveBoth(e, { orderNo: o.orderNo }, 'REVENUE');
    await d.sign(e, cn, '2026-11-02', 'sign-supplementary-agreement');
    // 涉及AP变更? 是: the supplement to the expense contract, through its countersign, to the AP
    await d.approveBoth(e, { orderNo: o.orderNo }, 'EXPENSE');
    const req = await d.waitFor(
      async () => e.ap.valid().find((r) => r.body.changeOrderNo === c.changeOrderNo),
      'the AP supplement request',
    );
    const [supplement] = await e.ds.getRepository(ExpenseContractEntity).find({ where: { changeOrderId: c.id } });
    expect([supplement.kind, supplement.apPartnerId, supplement.contractNo]).to.deep.equal([
      'SUPPLEMENT',
      e.partner.id,
      req.body.expenseContractNo,
    ]);
    const res = await d.apSubmit(e, req.body.expenseContractNo, `chg-${c.changeOrderNo}`, 2000);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    await d.checkPaymentBasis(e, cn);
    await d.deliver(e, cn, '2026-11-16');
    await d.fileCompletion(e, cn);
    await d.waitChangeStatus(e, c.id, 'COMPLETED');
    expect(await e.ds.getRepository(CollaborationTaskOrderEntity).count({ where: { changeOrderId: c.id } })).to.equal(0);
    const end = await d.instanceEnd(e, pik);
    expect(end.endEvents).to.include('change-completed');
    expect(await d.activeIncidents(e, pik)).to.have.length(0);
  });
});
