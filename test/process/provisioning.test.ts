/**
 * online-training-provisioning 在线培训业务开通 end to end: API → outbox → dispatcher → engine → workers →
 * database, people through /api/tasks, the AP through its signed endpoint and /api/payment-bases.
 * One system for the file; the tests that move the engine clock run last.
 */
import { expect } from 'chai';
import {
  CountersignDecisionEntity,
  CountersignFormEntity,
  CountersignRoundEntity,
  CollaborationTaskOrderEntity,
  CollaborationTaskOrderEventEntity,
  AccountMonitoringEntryEntity,
  CustomerCommunicationRecordEntity,
  NotificationEntity,
  PaymentBasisEntity,
  RecordVersionEntity,
} from '../../db/entities/index';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

describe('process: online-training-provisioning 在线培训业务开通', function () {
  this.timeout(120_000);
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(async () => e?.stop());

  it('happy path with an AP: every record issued once, deadline 60 working days after a delivery just before National Day, completion record filed before it', async () => {
    const o = await d.createOrder(e, { ap: true, accounts: 120 });
    expect(o.status).to.equal('SUBMITTED');
    expect(o.orderNo).to.match(/^YW-\d{4}-\d{6}$/);
    const pik = await d.orderInstanceKey(e, o.id);
    const no = { orderNo: o.orderNo };

    await d.confirm(e, no);
    await d.draftRevenue(e, no, 36000);
    await d.approveBoth(e, no, 'REVENUE');
    await d.sign(e, no, '2026-09-10');
    await d.configure(e, no);
    await d.accept(e, no);
    await d.approveBoth(e, no, 'EXPENSE');
    const req = await d.apBranch(e, o.orderNo);
    // the AP accepted: the throw event's job completed with apRequestAccepted=true, AP接受请求? went on to AP实施
    await d.expectApRequestRouted(e, pik, true);
    await d.deliver(e, no, '2026-09-30');

    // the deadline: 60 PRC working days after 2026-09-30 (Mid-Autumn 09-25, National Day 10-01..07, 调休 10-10 worked)
    const delivered = await d.waitFor(async () => {
      const r = await e.api.get(d.CM, `/api/orders/${o.id}`);
      return r.completionDeadline ? r : null;
    }, 'completion deadline on the order');
    expect(delivered.status).to.equal('DELIVERED');
    expect(delivered.completionDeadline).to.equal('2026-12-29T23:59:59+08:00');
    expect(delivered.deadlineProvisional).to.equal(false);
    const row = await d.orderRow(e, o.id);
    expect(row.completionReminderAt).to.equal('2026-12-22T09:00:00+08:00');
    const task = await e.api.waitTask(d.CM, 'file-completion-record', no);
    expect(task.dueDate && Date.parse(task.dueDate)).to.equal(Date.parse('2026-12-29T23:59:59+08:00'));
    expect(e.now().getTime()).to.be.below(Date.parse('2026-12-22T09:00:00+08:00'));

    await d.fileCompletion(e, no);
    const done = await d.waitOrderStatus(e, o.id, 'COMPLETED');
    expect(done.status).to.equal('COMPLETED');
    const end = await d.instanceEnd(e, pik);
    expect(end.state).to.equal('COMPLETED');
    expect(end.endEvents).to.include.members(['order-completed', 'ap-implementation-done']);
    expect(end.endEvents).not.to.include('order-declined');

    // records left
    const [rc] = await d.revenueContracts(e, o.id);
    expect(rc.contractNo).to.match(/^SR-\d{4}-\d{4}$/);
    expect(rc.signedDate).to.equal('2026-09-10');
    const [ec] = await d.expenseContracts(e, o.id);
    expect(ec.contractNo).to.match(/^ZC-\d{4}-\d{4}$/);
    expect(ec.apPartnerId).to.equal(e.partner.id);
    const forms = await e.ds.getRepository(CountersignFormEntity).find({ where: [{ contractId: rc.id }, { contractId: ec.id }] });
    expect(forms.map((f) => f.formNo).sort()).to.have.length(2);
    expect(forms.find((f) => f.contractId === rc.id)!.formNo).to.match(/^HQ-SR-\d{4}-\d{4}$/);
    expect(forms.find((f) => f.contractId === ec.id)!.formNo).to.match(/^HQ-ZC-\d{4}-\d{4}$/);
    const rounds = await e.ds.getRepository(CountersignRoundEntity).find({ where: [{ contractId: rc.id }, { contractId: ec.id }] });
    expect(rounds.map((r) => r.status).sort()).to.deep.equal(['APPROVED', 'APPROVED']);
    const decisions = await e.ds.getRepository(CountersignDecisionEntity).find({ where: rounds.map((r) => ({ roundId: r.id })) });
    expect(decisions.map((x) => `${x.step}:${x.decision}:${x.actor}`).sort()).to.deep.equal([
      'CENTER:APPROVE:center-reviewer',
      'CENTER:APPROVE:center-reviewer',
      'DEPT_MANAGER:APPROVE:dept-manager',
      'DEPT_MANAGER:APPROVE:dept-manager',
    ]);
    const tos = await e.ds.getRepository(CollaborationTaskOrderEntity).find({ where: { orderId: o.id } });
    expect(tos).to.have.length(1);
    expect(tos[0].taskOrderNo).to.match(/^XZ-\d{4}-\d{4}$/);
    const events = await e.ds
      .getRepository(CollaborationTaskOrderEventEntity)
      .find({ where: { taskOrderId: tos[0].id }, order: { seq: 'ASC' } });
    expect(events.map((x) => `${x.kind}:${x.actor}`)).to.deep.equal([
      'ISSUED:system:worker',
      'REPLY:tech-dept',
      'ACCEPTED:customer-manager',
    ]);
    const pb = await e.ds.getRepository(PaymentBasisEntity).find({ where: { expenseContractId: ec.id } });
    expect(pb).to.have.length(1);
    expect(pb[0].paymentBasisNo).to.match(/^ZF-\d{4}-\d{4}$/);
    expect(pb[0].status).to.equal('ACCEPTED');
    const acc = await e.ds.getRepository(AccountMonitoringEntryEntity).find({ where: { orderId: o.id } });
    expect(acc).to.have.length(1);
    expect(acc[0].accounts).to.equal(120);
    const comm = await e.ds.getRepository(CustomerCommunicationRecordEntity).find({ where: { orderId: o.id } });
    expect(comm).to.have.length(1);
    expect(comm[0].occasion).to.equal('COMPLETION');
    expect(comm[0].recordNo).to.match(/^GT-\d{4}-\d{4}$/);
    expect(comm[0].filedBy).to.equal('customer-manager');
    // the AP got exactly one signed request for its contract
    expect(req.body.expenseContractNo).to.equal(ec.contractNo);
    expect(e.ap.valid().filter((r) => r.body.orderNo === o.orderNo)).to.have.length(1);
    expect(e.ap.rejected()).to.equal(0);
    // evidence: the order has its versions, nothing overdue was escalated
    expect(await e.ds.getRepository(RecordVersionEntity).count({ where: { recordId: o.id } })).to.be.greaterThan(0);
    expect(
      (await d.notifications(e, 'completion-record-overdue')).filter((n) => (n.refs as { orderNo?: string }).orderNo === o.orderNo),
    ).to.have.length(0);
  });

  it('without an AP: no expense contract, no AP request, one countersign form', async () => {
    const o = await d.createOrder(e, { ap: false });
    const pik = await d.orderInstanceKey(e, o.id);
    await d.provision(e, o, { ap: false, deliveredOn: '2026-11-20' });
    const end = await d.instanceEnd(e, pik);
    expect(end.state).to.equal('COMPLETED');
    expect(end.endEvents).to.include('order-completed');
    expect(await d.expenseContracts(e, o.id)).to.have.length(0);
    expect(e.ap.requests.filter((r) => r.body.orderNo === o.orderNo)).to.have.length(0);
    const [rc] = await d.revenueContracts(e, o.id);
    expect(await e.ds.getRepository(CountersignFormEntity).count({ where: { contractId: rc.id } })).to.equal(1);
    const drafted = await e.rest('POST', '/v2/element-instances/search', {
      filter: { processInstanceKey: pik, elementId: 'draft-expense-contract' },
    });
    expect(drafted.body.items).to.have.length(0);
    // 2026-11-20 + 60 working days: 29 left in 2026 (no holiday after National Day), 31 in 2027, whose
    // schedule is not in the seeded calendar: counted on weekends only (01-01 counts) and marked provisional
    const row = await d.orderRow(e, o.id);
    expect(row.completionDeadline).to.equal('2027-02-12T23:59:59+08:00');
    expect(row.deadlineProvisional).to.equal(true);
    const check = await e.api.get(d.CM, `/api/calendar/deadline?from=2026-11-20&workingDays=60`);
    expect(check).to.include({ deadline: '2027-02-12T23:59:59+08:00', provisional: true });
    expect((await e.api.get(d.CM, `/api/orders/${o.id}`)).deadlineProvisional).to.equal(true);
  });

  it('customer declines: the order is cancelled with the reason, the instance ends at order-declined, no contract', async () => {
    const o = await d.createOrder(e);
    const pik = await d.orderInstanceKey(e, o.id);
    await d.confirm(e, { orderNo: o.orderNo }, 'DECLINED', '客户预算取消');
    const cancelled = await d.waitOrderStatus(e, o.id, 'CANCELLED');
    expect(cancelled.cancelReason).to.equal('客户预算取消');
    const end = await d.instanceEnd(e, pik);
    expect(end).to.deep.equal({ state: 'COMPLETED', endEvents: ['order-declined'] });
    expect(await d.revenueContracts(e, o.id)).to.have.length(0);
    const decided = await d.audits(e, 'business-order.customer-decision', o.id);
    expect(decided.map((a) => a.actor)).to.deep.equal(['customer-manager']);
  });

  it('customer asks for changes: the revision is a new version of the order, then the customer confirms it', async () => {
    const o = await d.createOrder(e, { accounts: 100, amount: 30000 });
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no, 'CHANGE_REQUESTED', '账号数改为150，增加虚拟教室');
    await d.waitOrderStatus(e, o.id, 'CHANGE_REQUESTED');
    const t = await e.api.waitTask(d.CM, 'revise-order', no, d.WAIT);
    const full = await e.api.get(d.CM, `/api/tasks/${t.key}`);
    expect(full.form.id).to.equal('order-revision');
    expect(full.variables.customerFeedback).to.equal('账号数改为150，增加虚拟教室');
    // the form is enforced: a missing required field is refused, naming it
    const bad = await e.api.call(d.CM, 'POST', `/api/tasks/${t.key}/completion`, { variables: { revisedAccounts: 150 } });
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body)).to.contain('/variables/revisionNote');
    await e.api.complete(d.CM, t, {
      revisedAccounts: 150,
      revisedOpeningDate: '2026-10-15',
      revisedModules: ['learning-management', 'virtual-classroom'],
      revisedAmount: 45000,
      revisionNote: '按客户意见修改',
    });
    const resubmitted = await d.waitFor(async () => {
      const r = await e.api.get(d.CM, `/api/orders/${o.id}`);
      return r.status === 'SUBMITTED' && r.version === 2 ? r : null;
    }, 'order version 2 back with the customer');
    expect(resubmitted).to.include({ accounts: 150, amount: 45000, openingDate: '2026-10-15' });
    expect(resubmitted.modules).to.deep.equal(['learning-management', 'virtual-classroom']);
    const versions = await e.api.get(d.CM, `/api/records/business-order/${o.id}/versions`);
    expect(versions.map((v: { version: number }) => v.version)).to.deep.equal([1, 2]);
    expect(versions[1].actor).to.equal('customer-manager');
    await d.confirm(e, no, 'CONFIRMED', '确认修改后的订单');
    await d.waitOrderStatus(e, o.id, 'CONFIRMED');
    await e.api.waitTask(d.CM, 'draft-revenue-contract', no, d.WAIT);
  });

  it('revenue countersign rejected by the department manager, then by the center, then approved: three rounds, every decision kept, one form', async () => {
    const o = await d.createOrder(e);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no);
    await d.draftRevenue(e, no, 36000);
    await d.review(e, 'dept', no, 'REVENUE', 'REJECT', '单价低于指导价');
    let t = await e.api.waitTask(d.CM, 'revise-revenue-contract', no, d.WAIT);
    let full = await e.api.get(d.CM, `/api/tasks/${t.key}`);
    expect(full.variables.rejectionReason).to.equal('单价低于指导价');
    await e.api.complete(d.CM, t, { revisionDecision: 'REVISE', contractAmount: 40000, revisionNote: '按指导价调整' });
    await d.review(e, 'dept', no, 'REVENUE', 'APPROVE');
    await d.review(e, 'center', no, 'REVENUE', 'REJECT', '付款条款需法务确认');
    t = await e.api.waitTask(d.CM, 'revise-revenue-contract', no, d.WAIT);
    full = await e.api.get(d.CM, `/api/tasks/${t.key}`);
    expect(full.variables.rejectionReason).to.equal('付款条款需法务确认');
    await e.api.complete(d.CM, t, { revisionDecision: 'REVISE', contractAmount: 40000, revisionNote: '付款条款已经法务确认' });
    await d.approveBoth(e, no, 'REVENUE');
    await e.api.waitTask(d.ADMIN, 'sign-revenue-contract', no, d.WAIT);

    const [rc] = await d.revenueContracts(e, o.id);
    expect(rc.status).to.equal('APPROVED');
    expect(Number(rc.amount)).to.equal(40000);
    const rounds = await e.ds.getRepository(CountersignRoundEntity).find({ where: { contractId: rc.id }, order: { roundNo: 'ASC' } });
    expect(rounds.map((r) => `${r.roundNo}:${r.status}:${r.rejectionReason ?? ''}`)).to.deep.equal([
      '1:REJECTED:单价低于指导价',
      '2:REJECTED:付款条款需法务确认',
      '3:APPROVED:',
    ]);
    // round by round, in time order; the engine clock is pinned, so a round's two steps can carry the same instant: then the procedure's order
    const roundNo = new Map(rounds.map((r) => [r.id, r.roundNo]));
    const STEP_ORDER = ['DEPT_MANAGER', 'CENTER'];
    const decisions = (await e.ds.getRepository(CountersignDecisionEntity).find({ where: rounds.map((r) => ({ roundId: r.id })) })).sort(
      (a, b) =>
        roundNo.get(a.roundId)! - roundNo.get(b.roundId)! ||
        a.decidedAt.getTime() - b.decidedAt.getTime() ||
        STEP_ORDER.indexOf(a.step) - STEP_ORDER.indexOf(b.step),
    );
    expect(decisions.map((x) => `${x.step}:${x.decision}:${x.actor}`)).to.deep.equal([
      'DEPT_MANAGER:REJECT:dept-manager',
      'DEPT_MANAGER:APPROVE:dept-manager',
      'CENTER:REJECT:center-reviewer',
      'DEPT_MANAGER:APPROVE:dept-manager',
      'CENTER:APPROVE:center-reviewer',
    ]);
    const forms = await e.ds.getRepository(CountersignFormEntity).find({ where: { contractId: rc.id } });
    expect(forms).to.have.length(1);
    const history = await e.api.get(d.DEPT, `/api/countersign-forms/${forms[0].id}/history`);
    expect(history).to.have.length(3);
    expect(rounds.map((r) => r.contractVersion)).to.deep.equal([1, 2, 3]);
  });

  it('expense countersign rejected then approved: the AP gets the request only after approval', async () => {
    const o = await d.createOrder(e, { ap: true });
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no);
    await d.draftRevenue(e, no);
    await d.approveBoth(e, no, 'REVENUE');
    await d.sign(e, no);
    await d.review(e, 'dept', no, 'EXPENSE', 'REJECT', '支出比例过高');
    const t = await e.api.waitTask(d.CM, 'revise-expense-contract', no, d.WAIT);
    expect(e.ap.requests.filter((r) => r.body.orderNo === o.orderNo)).to.have.length(0);
    await e.api.complete(d.CM, t, { contractAmount: 7000, revisionNote: '与AP重新议价' });
    await d.approveBoth(e, no, 'EXPENSE');
    await d.configure(e, no);
    await d.accept(e, no);
    await d.apBranch(e, o.orderNo);
    await d.deliver(e, no, '2026-10-30');
    await d.fileCompletion(e, no);
    await d.waitOrderStatus(e, o.id, 'COMPLETED');
    // delivered 2026-10-30: 44 working days left in 2026, 16 on the unpublished 2027 calendar (weekends only)
    const delivered = await d.orderRow(e, o.id);
    expect(delivered.completionDeadline).to.equal('2027-01-22T23:59:59+08:00');
    expect(delivered.deadlineProvisional).to.equal(true);
    const [ec] = await d.expenseContracts(e, o.id);
    expect(Number(ec.amount)).to.equal(7000);
    const rounds = await e.ds.getRepository(CountersignRoundEntity).find({ where: { contractId: ec.id }, order: { roundNo: 'ASC' } });
    expect(rounds.map((r) => r.status)).to.deep.equal(['REJECTED', 'APPROVED']);
    const forms = await e.ds.getRepository(CountersignFormEntity).find({ where: { contractId: ec.id } });
    expect(forms.map((f) => f.formNo)).to.have.length(1);
    expect(forms[0].formNo).to.match(/^HQ-ZC-/);
    expect(e.ap.valid().filter((r) => r.body.orderNo === o.orderNo)).to.have.length(1);
  });

  it('tech configuration sent back once: the task order keeps reply, send-back, reply, acceptance in order; the re-created task gets the same task order (its creating listener), no second number, no second notice', async () => {
    const o = await d.createOrder(e);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no);
    await d.draftRevenue(e, no);
    await d.approveBoth(e, no, 'REVENUE');
    await d.sign(e, no);
    // the task order is issued as the tech department's task is created: its number is there when the task appears
    const first = await e.api.waitTask(d.TECH, 'configure-platform', no, d.WAIT);
    const firstFull = await e.api.get(d.TECH, `/api/tasks/${first.key}`);
    const [issued] = await e.ds.getRepository(CollaborationTaskOrderEntity).find({ where: { orderId: o.id } });
    expect(issued.taskOrderNo).to.match(/^XZ-\d{4}-\d{4}$/);
    expect(firstFull.variables.taskOrderNo).to.equal(issued.taskOrderNo);
    const issuedNotices = async () =>
      (await e.ds.getRepository(NotificationEntity).find({ where: { template: 'collaboration-task-order-issued' } })).filter((n) =>
        JSON.stringify(n.refs).includes(issued.id),
      );
    expect(await issuedNotices()).to.have.length(1);
    await d.configure(e, no, '学习管理已开通');
    await d.accept(e, no, 'SENT_BACK', '直播模块未开通，请补充配置');
    const again = await e.api.waitTask(d.TECH, 'configure-platform', no, d.WAIT);
    expect(again.key).to.not.equal(first.key);
    const full = await e.api.get(d.TECH, `/api/tasks/${again.key}`);
    expect(full.variables.acceptanceOpinion).to.equal('直播模块未开通，请补充配置');
    expect(full.variables.taskOrderNo).to.equal(issued.taskOrderNo);
    expect(await e.ds.getRepository(CollaborationTaskOrderEntity).find({ where: { orderId: o.id } })).to.have.length(1);
    expect(await issuedNotices()).to.have.length(1);
    await e.api.complete(d.TECH, again, { configurationReply: '学习管理、直播培训均已开通', configuredAt: '2026-09-22' });
    await d.accept(e, no, 'ACCEPTED');
    await e.api.waitTask(d.CM, 'deliver-to-customer', no, d.WAIT);
    const [to] = await e.ds.getRepository(CollaborationTaskOrderEntity).find({ where: { orderId: o.id } });
    const events = await e.ds
      .getRepository(CollaborationTaskOrderEventEntity)
      .find({ where: { taskOrderId: to.id }, order: { seq: 'ASC' } });
    expect(events.map((x) => `${x.kind}:${x.actor}:${x.text ?? ''}`)).to.deep.equal([
      'ISSUED:system:worker:',
      'REPLY:tech-dept:学习管理已开通',
      'SENT_BACK:customer-manager:直播模块未开通，请补充配置',
      'REPLY:tech-dept:学习管理、直播培训均已开通',
      'ACCEPTED:customer-manager:验收通过',
    ]);
    const api = await e.api.get(d.TECH, `/api/collaboration-task-orders/${to.id}`);
    expect(api.events).to.have.length(5);
  });

  it('payment basis: one submission is one notice to the contract admin (the 核对支付依据 task announced) and one receipt audit row; sent back and resubmitted, the same again for version 2', async () => {
    const o = await d.createOrder(e, { ap: true });
    const { no, req } = await d.untilApRequest(e, o);
    const ecNo = req.body.expenseContractNo as string;
    const pik = await d.orderInstanceKey(e, o.id);
    const adminNotices = async () =>
      (await e.ds.getRepository(NotificationEntity).find({ where: { recipientRole: 'contract-admin' } })).filter((n) =>
        // a notice names the order by number or id, or only its expense contract (the old payment-basis-to-check did)
        [o.orderNo, o.id, ecNo].some((ref) => JSON.stringify(n.refs).includes(ref)),
      );
    /** what the contract admin was told about this order besides the notices in `before` (every template) */
    const toAdmin = async (before: Set<string>) => (await adminNotices()).filter((n) => !before.has(n.id));
    /** the AP submits; the check task appears and is announced; after a few more announcer polls, still one notice */
    const submitAndCheck = async (submissionId: string, version: number) => {
      const since = new Set((await adminNotices()).map((n) => n.id));
      const res = await d.apSubmit(e, ecNo, submissionId);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const task = await e.api.waitTask(d.ADMIN, 'check-payment-basis', no, d.WAIT);
      // the form shows the basis the message brought; the instance holds its id and version for the listener
      const full = await e.api.get(d.ADMIN, `/api/tasks/${task.key}`);
      expect(full.variables.paymentBasisNo).to.equal(res.body.paymentBasisNo);
      const vars = await e.rest('POST', '/v2/variables/search', { filter: { processInstanceKey: pik, scopeKey: pik } });
      const value = (name: string) => {
        const v = (vars.body.items as { name: string; value: string }[]).find((x) => x.name === name);
        return v && JSON.parse(v.value);
      };
      expect([value('paymentBasisId'), value('paymentBasisVersion')]).to.deep.equal([res.body.id, version]);
      const notices = await d.waitFor(async () => {
        const n = await toAdmin(since);
        return n.length ? n : null;
      }, `the contract admin told of 核对支付依据 v${version}`);
      await new Promise((r) => setTimeout(r, 800)); // several announcer polls (100 ms) and worker rounds
      const settled = await toAdmin(since);
      expect(settled.map((n) => `${n.template}:${(n.refs as { elementId?: string }).elementId}`)).to.deep.equal([
        'user-task-created:check-payment-basis',
      ]);
      expect(settled[0].id).to.equal(notices[0].id);
      return { task, basisId: res.body.id as string };
    };
    const received = async (basisId: string) => (await d.audits(e, 'payment-basis.received', basisId)).map((a) => a.details?.version);

    const v1 = await submitAndCheck(`one-${o.orderNo}`, 1);
    expect(await received(v1.basisId)).to.deep.equal([1]);
    const [ec] = await d.expenseContracts(e, o.id);
    expect(ec.status).to.equal('IMPLEMENTED');
    await e.api.complete(d.ADMIN, v1.task, { paymentBasisDecision: 'SENT_BACK', paymentBasisOpinion: '缺少验收截图' });
    // 退回AP: the sub-process waits for the AP's next message
    await d.waitFor(async () => {
      const [c] = await d.expenseContracts(e, o.id);
      return c.status === 'IMPLEMENTATION_REQUESTED' ? c : null;
    }, 'the expense contract reopened for the resubmission');
    const v2 = await submitAndCheck(`two-${o.orderNo}`, 2);
    expect(v2.basisId).to.equal(v1.basisId);
    expect(v2.task.key).to.not.equal(v1.task.key);
    expect(await received(v1.basisId)).to.deep.equal([1, 2]);
    await e.api.complete(d.ADMIN, v2.task, { paymentBasisDecision: 'ACCEPTED', paymentBasisOpinion: '支付依据齐全' });
    await e.api.waitTask(d.CM, 'deliver-to-customer', no, d.WAIT);
    const [done] = await d.expenseContracts(e, o.id);
    expect(done.status).to.equal('PAYMENT_BASIS_ACCEPTED');
  });

  // ---- the clock moves forward from here on

  it('AP late (the SLA reminder fires when the engine clock passes P10D) and the AP reply sent twice (applied once)', async () => {
    const o = await d.createOrder(e, { ap: true });
    const { no, req } = await d.untilApRequest(e, o);
    const ec = await d.waitFor(async () => {
      const [c] = await d.expenseContracts(e, o.id);
      return c?.status === 'IMPLEMENTATION_REQUESTED' ? c : null;
    }, 'the expense contract recorded as IMPLEMENTATION_REQUESTED');
    expect(await d.audits(e, 'expense-contract.sla-reminder', ec.id)).to.have.length(0);
    // the SLA timer exists once the AP sub-process waits for the AP's message
    const pik = await d.orderInstanceKey(e, o.id);
    await d.waitFor(async () => {
      const r = await e.rest('POST', '/v2/element-instances/search', {
        filter: { processInstanceKey: pik, elementId: 'ap-implementation-completed', state: 'ACTIVE' },
      });
      return r.body.items.length ? true : null;
    }, 'the AP sub-process waiting for the AP');
    await e.clockAdd('P10DT1H');
    const reminded = await d.waitFor(async () => {
      const a = await d.audits(e, 'expense-contract.sla-reminder', ec.id);
      return a.length ? a : null;
    }, 'the AP SLA reminder');
    expect(reminded).to.have.length(1);
    const toManager = (await d.notifications(e, 'ap-sla-overdue')).filter(
      (n) => (n.refs as { expenseContractNo?: string }).expenseContractNo === ec.contractNo,
    );
    expect(toManager.map((n) => n.recipientUser)).to.deep.equal(['customer-manager']);
    expect(
      (await d.notifications(e, 'ap-sla-reminder')).filter(
        (n) => (n.refs as { expenseContractNo?: string }).expenseContractNo === ec.contractNo,
      ),
    ).to.have.length(1);
    // the reminder does not interrupt: the AP can still report
    const first = await d.apSubmit(e, req.body.expenseContractNo, `late-${o.orderNo}`);
    const second = await d.apSubmit(e, req.body.expenseContractNo, `late-${o.orderNo}`);
    expect(first.status).to.equal(201);
    expect(second.status).to.equal(200);
    expect(second.body.id).to.equal(first.body.id);
    const t = await e.api.waitTask(d.ADMIN, 'check-payment-basis', no, d.WAIT);
    await new Promise((r) => setTimeout(r, 300));
    const checks = (await e.api.tasks(d.ADMIN, { elementId: 'check-payment-basis' })).filter((x) => x.context.orderNo === o.orderNo);
    expect(checks.map((x) => x.key)).to.deep.equal([t.key]);
    const bases = await e.ds.getRepository(PaymentBasisEntity).find({ where: { expenseContractId: ec.id } });
    expect(bases).to.have.length(1);
    expect(bases[0].currentVersion).to.equal(1);
    expect(await d.audits(e, 'payment-basis.received', bases[0].id)).to.have.length(1);
    const cmds = (await d.startCommands(e, [ec.contractNo])).filter((c) => c.kind === 'publish-message');
    expect(cmds).to.have.length(1);
    expect(cmds[0].dispatchedAt).to.not.equal(null);
    await e.api.complete(d.ADMIN, t, { paymentBasisDecision: 'ACCEPTED', paymentBasisOpinion: '支付依据齐全' });
    await d.deliver(e, no, '2026-09-30');
    await d.fileCompletion(e, no);
    await d.waitOrderStatus(e, o.id, 'COMPLETED');
  });

  it('completion overdue: the reminder, then past the 60th working day the escalation to the department manager while the task stays open; then filed', async () => {
    const o = await d.createOrder(e);
    const no = { orderNo: o.orderNo };
    await d.provision(e, o, { deliveredOn: '2026-09-30', complete: false });
    const row = await d.waitFor(async () => {
      const r = await d.orderRow(e, o.id);
      return r.completionDeadline ? r : null;
    }, 'deadline');
    expect(row.completionDeadline).to.equal('2026-12-29T23:59:59+08:00');
    await e.api.waitTask(d.CM, 'file-completion-record', no, d.WAIT);
    const byOrder = async (template: string) =>
      (await d.notifications(e, template)).filter((n) => JSON.stringify(n.refs).includes(o.orderNo));

    await e.clockSet('2026-12-22T09:00:01+08:00');
    await d.waitFor(async () => ((await byOrder('completion-record-reminder')).length ? true : null), 'the completion reminder');
    expect(await byOrder('completion-record-overdue')).to.have.length(0);

    await e.clockSet('2026-12-30T00:00:01+08:00');
    const esc = await d.waitFor(async () => {
      const n = await byOrder('completion-record-overdue');
      return n.length ? n : null;
    }, 'the overdue escalation');
    expect(esc.map((n) => n.recipientRole)).to.deep.equal(['dept-manager']);
    expect(await d.audits(e, 'business-order.completion-overdue', o.id)).to.have.length(1);
    // the task is still open, and the order not completed
    const still = await e.api.waitTask(d.CM, 'file-completion-record', no, d.WAIT);
    expect(still.dueDate && Date.parse(still.dueDate)).to.equal(Date.parse('2026-12-29T23:59:59+08:00'));
    expect((await e.api.get(d.CM, `/api/orders/${o.id}`)).status).to.equal('DELIVERED');

    await d.fileCompletion(e, no);
    await d.waitOrderStatus(e, o.id, 'COMPLETED');
    const done = await d.audits(e, 'business-order.complete', o.id);
    expect(done).to.have.length(1);
    expect(await byOrder('completion-record-overdue')).to.have.length(1);
  });
});
