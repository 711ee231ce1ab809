/** The domain services along the provisioning flow (docs/process-contract.md), without an engine. */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import {
  AuditLogEntity,
  ExpenseContractEntity,
  NotificationEntity,
  ProcessCommandEntity,
  RevenueContractEntity,
} from '../../db/entities/index';
import { recordTaskOrderAcceptance, issueTaskOrder, recordTaskOrderReply, getTaskOrder } from '../../domain/collaboration-task-orders';
import { computeCompletionDeadline, recordCompletion, recordDelivery } from '../../domain/completion';
import { draftExpenseContract, draftRevenueContract, recordRevenueSigning, reviseContract, listContracts } from '../../domain/contracts';
import { markImplementationRequested } from '../../domain/ap-implementation';
import {
  countersignHistory,
  getCountersignForm,
  issueCountersignForm,
  openCountersignRound,
  recordCountersignDecision,
} from '../../domain/countersign';
import { ApPartnerUnavailableError, ConflictError, IllegalTransitionError, ValidationError } from '../../domain/errors';
import { cancelDeclinedOrder, cancelOrder, getOrder, listOrders, recordCustomerDecision } from '../../domain/orders';
import { updateApPartner } from '../../domain/parties';
import { getPaymentBasis, recordPaymentBasisCheck, submitPaymentBasis } from '../../domain/payment-bases';
import { recordHistory } from '../../domain/records';
import { registerAccounts } from '../../domain/account-monitoring';
import { getCommunicationRecord } from '../../domain/communication-records';
import { useTestDatabase } from '../support/db';
import { anApPartner, anOrder, aCustomer } from '../support/fixtures';
import { rejects } from '../support/rejects';

describe('domain services along the provisioning flow', () => {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d));

  const cm = { actor: 'zhang.san' };

  async function countersign(type: 'REVENUE' | 'EXPENSE', contractId: string, pik: string, reject?: 'DEPT_MANAGER' | 'CENTER') {
    const round = await openCountersignRound(
      ds,
      { contractType: type, contractId, processInstanceKey: pik, orderNo: null },
      { actor: 'system:worker' },
    );
    const d1 = await recordCountersignDecision(
      ds,
      {
        roundId: round.id,
        step: 'DEPT_MANAGER',
        decision: reject === 'DEPT_MANAGER' ? 'REJECT' : 'APPROVE',
        opinion: reject === 'DEPT_MANAGER' ? '金额偏高' : '同意',
      },
      { actor: 'wang.dm' },
    );
    if (reject === 'DEPT_MANAGER') return { round, result: d1 };
    const d2 = await recordCountersignDecision(
      ds,
      {
        roundId: round.id,
        step: 'CENTER',
        decision: reject === 'CENTER' ? 'REJECT' : 'APPROVE',
        opinion: reject === 'CENTER' ? '条款不全' : '同意',
      },
      { actor: 'zhao.center' },
    );
    return { round, result: d2 };
  }

  it('order → countersign (rejected, revised, approved) → signing → accounts → task order → AP → payment basis → delivery → completion', async () => {
    const ap = await anApPartner(ds);
    const { order } = await anOrder(ds, { apInvolved: true, apPartnerId: ap.id });
    expect(order.orderNo).to.match(/^YW-\d{4}-\d{6}$/);
    await recordCustomerDecision(ds, order.id, 'CONFIRMED', '确认', cm);

    // revenue contract + a rejected round, revision, approved round
    const rc = await draftRevenueContract(ds, { orderId: order.id, title: '在线培训服务协议', amount: 48000, termMonths: 12 }, cm);
    expect(rc.contractNo).to.match(/^SR-\d{4}-\d{4}$/);
    const r1 = await countersign('REVENUE', rc.id, '2251799813685001', 'DEPT_MANAGER');
    expect(r1.result).to.deep.include({ countersignResult: 'REJECTED', rejectionReason: '金额偏高' });
    expect((await ds.getRepository(RevenueContractEntity).findOneByOrFail({ id: rc.id })).status).to.equal('REJECTED');
    // a retried decision job is idempotent, a contradicting one refused
    const again = await recordCountersignDecision(
      ds,
      { roundId: r1.round.id, step: 'DEPT_MANAGER', decision: 'REJECT', opinion: '金额偏高' },
      { actor: 'wang.dm' },
    );
    expect(again.decision.id).to.equal(r1.result.decision.id);
    expect(
      await rejects(
        recordCountersignDecision(ds, { roundId: r1.round.id, step: 'DEPT_MANAGER', decision: 'APPROVE' }, { actor: 'wang.dm' }),
      ),
    ).to.be.instanceOf(ConflictError);
    await reviseContract(ds, 'REVENUE', rc.id, { amount: 45000 }, { ...cm, reason: '按部门经理意见调价' });
    const r2 = await countersign('REVENUE', rc.id, '2251799813685002');
    expect(r2.result.countersignResult).to.equal('APPROVED');
    const form = await issueCountersignForm(ds, r2.round.id, { actor: 'system:worker' });
    expect(form.formNo).to.match(/^HQ-SR-\d{4}-0001$/);
    expect((await issueCountersignForm(ds, r2.round.id, { actor: 'system:worker' })).id).to.equal(form.id);
    const formFull = await getCountersignForm(ds, form.id);
    const rounds = formFull!.content.rounds as {
      roundNo: number;
      status: string;
      decisions: { step: string; decision: string; actor: string; opinion: string }[];
    }[];
    expect(rounds.map((r) => [r.roundNo, r.status, r.decisions.map((d) => `${d.step}:${d.decision}:${d.actor}`)])).to.deep.equal([
      [1, 'REJECTED', ['DEPT_MANAGER:REJECT:wang.dm']],
      [2, 'APPROVED', ['DEPT_MANAGER:APPROVE:wang.dm', 'CENTER:APPROVE:zhao.center']],
    ]);
    expect(formFull!.content).to.deep.include({ contractAmount: 45000, contractVersion: 2 });
    expect((await countersignHistory(ds, 'REVENUE', rc.id)).length).to.equal(2);

    // signing → order CONTRACT_SIGNED; accounts into monitoring
    const signed = await recordRevenueSigning(ds, rc.id, '2026-10-10', { actor: 'qian.admin' });
    expect(signed.status).to.equal('SIGNED');
    expect((await getOrder(ds, order.id))!.status).to.equal('CONTRACT_SIGNED');
    const entry = await registerAccounts(ds, rc.id, { actor: 'qian.admin' });
    expect(entry).to.deep.include({ kind: 'INITIAL', accounts: 200, openingDate: '2026-10-15' });
    expect((await registerAccounts(ds, rc.id, { actor: 'qian.admin' })).id).to.equal(entry.id);

    // tech branch: issue, reply, send back, reply, accept
    const to = await issueTaskOrder(ds, { orderId: order.id }, { actor: 'system:worker' });
    expect(to.taskOrderNo).to.match(/^XZ-\d{4}-0001$/);
    await recordTaskOrderReply(
      ds,
      to.id,
      { configurationReply: '已配置200个账号', configuredAt: '2026-10-12T10:00:00+08:00' },
      { actor: 'tech.a' },
    );
    await recordTaskOrderAcceptance(ds, to.id, 'SENT_BACK', '直播模块未开通', cm);
    await recordTaskOrderReply(ds, to.id, { configurationReply: '直播已开通' }, { actor: 'tech.a' });
    expect(await rejects(recordTaskOrderReply(ds, to.id, { configurationReply: 'twice' }, { actor: 'tech.a' }))).to.be.instanceOf(
      ConflictError,
    );
    await recordTaskOrderAcceptance(ds, to.id, 'ACCEPTED', null, cm);
    const toFull = await getTaskOrder(ds, to.id);
    expect(toFull!.status).to.equal('ACCEPTED');
    expect(toFull!.events.map((e) => `${e.seq}:${e.kind}:${e.actor}`)).to.deep.equal([
      '1:ISSUED:system:worker',
      '2:REPLY:tech.a',
      '3:SENT_BACK:zhang.san',
      '4:REPLY:tech.a',
      '5:ACCEPTED:zhang.san',
    ]);

    // AP branch: suspended partner refused, then reactivated
    await updateApPartner(ds, ap.id, { status: 'SUSPENDED' }, { actor: 'admin', reason: 'overdue invoices' });
    expect(await rejects(draftExpenseContract(ds, { orderId: order.id }, { actor: 'system:worker' }))).to.be.instanceOf(
      ApPartnerUnavailableError,
    );
    await updateApPartner(ds, ap.id, { status: 'ACTIVE' }, { actor: 'admin', reason: 'settled' });
    const ec = await draftExpenseContract(ds, { orderId: order.id }, { actor: 'system:worker' });
    expect(ec).to.deep.include({ status: 'DRAFT', apPartnerId: ap.id, amount: 2.5 * 200 * 12, slaDuration: 'P10D' });
    expect(ec.contractNo).to.match(/^ZC-\d{4}-0001$/);
    const e1 = await countersign('EXPENSE', ec.id, '2251799813685010');
    const eform = await issueCountersignForm(ds, e1.round.id, { actor: 'system:worker' });
    expect(eform.formNo).to.match(/^HQ-ZC-\d{4}-0001$/);
    // payment basis before the request: refused
    const content = { description: '外包平台已配置', amount: 6000, accountsImplemented: 200, completedOn: '2026-10-20' };
    expect(
      await rejects(
        submitPaymentBasis(ds, { apPartnerId: ap.id, expenseContractNo: ec.contractNo, submissionId: 's0', content }, { actor: 'ap-user' }),
      ),
    ).to.be.instanceOf(ConflictError);
    await markImplementationRequested(ds, ec.id, 'P10D', { actor: 'system:worker' });
    // another partner cannot see or submit to this contract
    const other = await anApPartner(ds);
    expect(
      String(
        await rejects(
          submitPaymentBasis(
            ds,
            { apPartnerId: other.id, expenseContractNo: ec.contractNo, submissionId: 's1', content },
            { actor: 'ap2' },
          ),
        ),
      ),
    ).to.match(/not found/);
    const noticesBefore = await ds.getRepository(NotificationEntity).count();
    const s1 = await submitPaymentBasis(
      ds,
      { apPartnerId: ap.id, expenseContractNo: ec.contractNo, submissionId: 's1', content },
      { actor: 'ap-user' },
    );
    expect(s1.created).to.equal(true);
    expect(s1.paymentBasis.paymentBasisNo).to.match(/^ZF-\d{4}-0001$/);
    expect(s1.command!.payload).to.deep.include({
      name: 'ap-implementation-completed',
      correlationKey: ec.contractNo,
      variables: { paymentBasisId: s1.paymentBasis.id, paymentBasisNo: s1.paymentBasis.paymentBasisNo, paymentBasisVersion: 1 },
    });
    // the receipt is recorded by the submission itself (issue #20: no 登记支付依据 after the message)
    const received = async () =>
      (await ds.getRepository(AuditLogEntity).find({ where: { action: 'payment-basis.received', entityId: s1.paymentBasis.id } }))
        .map((a) => Number(a.details?.version))
        .sort();
    expect((await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: ec.id })).status).to.equal('IMPLEMENTED');
    expect(await received()).to.deep.equal([1]);
    // the contract admin hears of it from the 核对支付依据 task's announcement, not from an event notice besides
    expect(await ds.getRepository(NotificationEntity).count(), 'the submission wrote no notice').to.equal(noticesBefore);
    const s1again = await submitPaymentBasis(
      ds,
      { apPartnerId: ap.id, expenseContractNo: ec.contractNo, submissionId: 's1', content },
      { actor: 'ap-user' },
    );
    expect(s1again).to.deep.include({ created: false, version: 1, command: null });
    expect(await ds.getRepository(ProcessCommandEntity).countBy({ kind: 'publish-message' })).to.equal(2); // order start + 1 completion
    await recordPaymentBasisCheck(ds, s1.paymentBasis.id, 'SENT_BACK', '缺少验收单', { actor: 'qian.admin' });
    const s2 = await submitPaymentBasis(
      ds,
      { apPartnerId: ap.id, expenseContractNo: ec.contractNo, submissionId: 's2', content: { ...content, attachments: ['验收单.pdf'] } },
      { actor: 'ap-user' },
    );
    expect(s2).to.deep.include({ created: true, version: 2 });
    expect((s2.command!.payload as { variables: unknown }).variables).to.deep.include({ paymentBasisVersion: 2 });
    expect(await received(), 'the repeat wrote nothing; the resubmission its own row').to.deep.equal([1, 2]);
    expect(s2.paymentBasis.id).to.equal(s1.paymentBasis.id);
    await recordPaymentBasisCheck(ds, s1.paymentBasis.id, 'ACCEPTED', null, { actor: 'qian.admin' });
    const pb = await getPaymentBasis(ds, s1.paymentBasis.id);
    expect(pb!.status).to.equal('ACCEPTED');
    expect(pb!.content.attachments).to.deep.equal(['验收单.pdf']);
    expect(pb!.checks.map((c) => `${c.paymentBasisVersion}:${c.decision}`)).to.deep.equal(['1:SENT_BACK', '2:ACCEPTED']);
    expect((await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: ec.id })).status).to.equal('PAYMENT_BASIS_ACCEPTED');
    expect((await recordHistory(ds, 'payment-basis', pb!.id)).map((v) => v.version)).to.deep.equal([1, 2]);

    // delivery, deadline (domain.md example day), completion
    await recordDelivery(ds, { kind: 'business-order', id: order.id }, '2026-09-30', '已交付', cm);
    const schedule = await computeCompletionDeadline(ds, { kind: 'business-order', id: order.id }, 5, { actor: 'system:worker' });
    expect(schedule.deadlineProvisional).to.equal(false);
    expect(schedule.completionDeadline).to.match(/^2026-12-\d\dT23:59:59\+08:00$/);
    expect((await getOrder(ds, order.id))!.completionDeadline).to.equal(schedule.completionDeadline);
    const done = await recordCompletion(
      ds,
      { kind: 'business-order', id: order.id },
      { networkQuality: '4', serviceAttitude: '5', customerFeedback: '无', followUp: null },
      cm,
    );
    expect(done.order.status).to.equal('COMPLETED');
    expect(done.record!.recordNo).to.match(/^GT-\d{4}-0001$/);
    const rec = await getCommunicationRecord(ds, done.record!.id);
    expect(rec!.content).to.deep.include({ networkQuality: '4', serviceAttitude: '5' });
    expect(
      (
        await recordCompletion(
          ds,
          { kind: 'business-order', id: order.id },
          { networkQuality: '3', serviceAttitude: '3', customerFeedback: 'z' },
          cm,
        )
      ).record,
    ).to.equal(null);

    // the audit trail names the people who acted
    const actors = new Set((await ds.getRepository(AuditLogEntity).find()).map((a) => a.actor));
    for (const a of ['zhang.san', 'wang.dm', 'zhao.center', 'qian.admin', 'tech.a', 'ap-user', 'admin'])
      expect(actors.has(a), a).to.equal(true);
    // AP sees only its own expense contracts
    const mine = await listContracts(ds, { apPartnerId: ap.id });
    expect(mine.items.map((c) => c.id)).to.deep.equal([ec.id]);
    expect((await listContracts(ds, { apPartnerId: other.id })).total).to.equal(0);
  });

  it('declined, cancelled and illegal transitions', async () => {
    const { order } = await anOrder(ds);
    // DECLINED records the feedback; the model's next step (order.cancel) cancels with it as the reason
    await recordCustomerDecision(ds, order.id, 'DECLINED', '预算取消', cm);
    expect(await getOrder(ds, order.id)).to.deep.include({ status: 'SUBMITTED', customerFeedback: '预算取消' });
    await cancelDeclinedOrder(ds, order.id, { actor: 'system:worker' });
    const o = await getOrder(ds, order.id);
    expect(o).to.deep.include({ status: 'CANCELLED', cancelReason: '预算取消' });
    const err = await rejects(recordCustomerDecision(ds, order.id, 'CONFIRMED', null, cm));
    expect(err).to.be.instanceOf(IllegalTransitionError);
    expect(err).to.deep.include({ current: 'CANCELLED', requested: 'CONFIRMED' });
    const { order: o2 } = await anOrder(ds);
    expect(await rejects(cancelOrder(ds, o2.id, cm))).to.be.instanceOf(ValidationError); // no reason
    expect((await cancelOrder(ds, o2.id, { ...cm, reason: '客户撤单' })).status).to.equal('CANCELLED');
    expect(await rejects(draftRevenueContract(ds, { orderId: o2.id, title: 't', amount: 1 }, cm))).to.be.instanceOf(ConflictError);
  });

  it('lists orders with filters and paging, newest first', async () => {
    const c = await aCustomer(ds);
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push((await anOrder(ds, { customerId: c.id })).order);
      await new Promise((r) => setTimeout(r, 3));
    }
    await anOrder(ds);
    await recordCustomerDecision(ds, made[0]!.id, 'CONFIRMED', null, cm);
    const page1 = await listOrders(ds, { customerId: c.id }, { limit: 2, offset: 0 });
    expect(page1.total).to.equal(5);
    expect(page1.items.map((o) => o.orderNo)).to.deep.equal([made[4]!.orderNo, made[3]!.orderNo]);
    const page3 = await listOrders(ds, { customerId: c.id }, { limit: 2, offset: 4 });
    expect(page3.items.map((o) => o.orderNo)).to.deep.equal([made[0]!.orderNo]);
    expect((await listOrders(ds, { status: 'CONFIRMED' })).items.map((o) => o.id)).to.deep.equal([made[0]!.id]);
    expect((await listOrders(ds, {}, {})).total).to.equal(6);
    expect((await listOrders(ds, { from: '2000-01-01', to: '2000-12-31' })).total).to.equal(0);
  });
});
