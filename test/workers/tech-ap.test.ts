import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import {
  AccountMonitoringEntryEntity,
  ApPartnerEntity,
  AuditLogEntity,
  CollaborationTaskOrderEntity,
  CollaborationTaskOrderEventEntity,
  ExpenseContractEntity,
  NotificationEntity,
  PaymentBasisCheckEntity,
  PaymentBasisEntity,
} from '../../db/entities/index';
import { BPMN_ERROR, JOB, RETIRED_JOB } from '../../domain/vocabulary';
import { handlerFor, oldVersionJobTypeHandlers } from '../../workers/registry';
import { verify } from '../../workers/families/ap-signing';
import type { HttpRequest } from '../../platform/http/client';
import { toJobAction } from '../../workers/runtime/adapter';
import {
  closeTestDataSource,
  completedVars,
  deliver,
  expectIdempotent,
  makeJob,
  makeServices,
  openTestDataSource,
  rowCount,
  seedChangeOrder,
  seedExpenseContract,
  seedRevenueContract,
  seedWorld,
  useTestDatabase,
} from './support/harness';

const h = (t: string) => handlerFor(t)!;

describe('workers: collaboration-task-order.* and expense-contract.*', function () {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d), { seedCalendar: false });

  it('collaboration-task-order.issue: one numbered task order with the order snapshot and ONE notification to tech-dept', async () => {
    const { order } = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
    const job = makeJob(JOB.collaborationTaskOrderIssue, { orderId: order.id, orderNo: order.orderNo });
    const r = await expectIdempotent(h(JOB.collaborationTaskOrderIssue), job, makeServices(ds), async () => ({
      orders: await rowCount(ds, 'collaboration_task_order'),
      events: await rowCount(ds, 'collaboration_task_order_event'),
      notifications: await rowCount(ds, 'notification_outbox'),
    }));
    expect(r.counts).to.deep.equal({ orders: 1, events: 1, notifications: 1 });
    const vars = completedVars(r.outcome);
    expect(vars.taskOrderNo).to.equal('XZ-2026-0001');
    const t = await ds.getRepository(CollaborationTaskOrderEntity).findOneByOrFail({ id: vars.taskOrderId });
    expect(t.request).to.deep.include({ orderNo: order.orderNo, accounts: 200, openingDate: '2026-04-01' });
    expect((t.request as { modules: { id: string; name: string }[] }).modules.map((m) => m.name)).to.deep.equal(['学习管理', '虚拟教室']);
    expect(t.request).to.have.nested.property('contacts.customerManager', 'cm.li');
    expect(t.request).to.have.nested.property('contacts.customerContact', '王女士');
    const n = await ds.getRepository(NotificationEntity).findOneByOrFail({ recipientRole: 'tech-dept' });
    expect(n.refs).to.include({ taskOrderNo: 'XZ-2026-0001', orderNo: order.orderNo });
  });

  it('collaboration-task-order.issue for a change: the change order number, new modules and the accounts after the change', async () => {
    const { order } = await seedWorld(ds, { order: { status: 'COMPLETED' } });
    const change = await seedChangeOrder(ds, order, { status: 'CONTRACT_SIGNED', accountDelta: 50 });
    const now = new Date('2026-05-10T02:00:00Z');
    const agreement = await seedRevenueContract(ds, order, { status: 'SIGNED' });
    const earlier = await seedChangeOrder(ds, order, { status: 'COMPLETED', accountDelta: -20 });
    const s1 = await seedRevenueContract(ds, order, {
      kind: 'SUPPLEMENT',
      parentContractId: agreement.id,
      changeOrderId: earlier.id,
      status: 'SIGNED',
    });
    const s2 = await seedRevenueContract(ds, order, {
      kind: 'SUPPLEMENT',
      parentContractId: agreement.id,
      changeOrderId: change.id,
      status: 'SIGNED',
    });
    const entry = (
      id: string,
      contractId: string,
      changeOrderId: string | null,
      kind: 'INITIAL' | 'DELTA',
      accounts: number,
      openingDate: string,
    ) => ({
      id,
      revenueContractId: contractId,
      rootContractId: agreement.id,
      orderId: order.id,
      changeOrderId,
      kind,
      accounts,
      openingDate,
      enteredBy: 'system:worker',
      enteredAt: now,
    });
    await ds
      .getRepository(AccountMonitoringEntryEntity)
      .insert([
        entry('8a000000-0000-4000-8000-000000000001', agreement.id, null, 'INITIAL', 200, '2026-04-01'),
        entry('8a000000-0000-4000-8000-000000000002', s1.id, earlier.id, 'DELTA', -20, '2026-05-01'),
        entry('8a000000-0000-4000-8000-000000000003', s2.id, change.id, 'DELTA', 50, '2026-06-01'),
      ]);
    const r = await expectIdempotent(
      h(JOB.collaborationTaskOrderIssue),
      makeJob(JOB.collaborationTaskOrderIssue, { orderId: order.id, changeOrderId: change.id }),
      makeServices(ds),
      async () => ({ t: await rowCount(ds, 'collaboration_task_order'), n: await rowCount(ds, 'notification_outbox') }),
    );
    const t = await ds.getRepository(CollaborationTaskOrderEntity).findOneByOrFail({ id: completedVars(r.outcome).taskOrderId });
    expect(t).to.include({ changeOrderId: change.id });
    expect(t.request).to.deep.include({ changeOrderNo: change.changeOrderNo, accounts: 230, accountDelta: 50, openingDate: '2026-06-01' });
    expect((t.request as { modules: { id: string }[] }).modules.map((m) => m.id)).to.include('live-training');
  });

  it('collaboration-task-order: reply, send-back (notifies tech again), reply, acceptance — each event once, in order', async () => {
    const { order } = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
    const s = makeServices(ds);
    const { taskOrderId } = completedVars(
      await deliver(h(JOB.collaborationTaskOrderIssue), makeJob(JOB.collaborationTaskOrderIssue, { orderId: order.id }), s),
    );
    const events = async () => ({
      events: await rowCount(ds, 'collaboration_task_order_event'),
      notifications: await rowCount(ds, 'notification_outbox'),
    });
    await expectIdempotent(
      h(JOB.collaborationTaskOrderRecordReply),
      makeJob(JOB.collaborationTaskOrderRecordReply, {
        taskOrderId,
        configurationReply: '已开通200个账号',
        configuredAt: '2026-03-25T10:00:00+08:00',
        completedBy: 'tech.zhao',
      }),
      s,
      events,
    );
    const back = await expectIdempotent(
      h(JOB.collaborationTaskOrderRecordAcceptance),
      makeJob(JOB.collaborationTaskOrderRecordAcceptance, {
        taskOrderId,
        acceptanceDecision: 'SENT_BACK',
        acceptanceOpinion: '虚拟教室未开通',
        completedBy: 'cm.li',
      }),
      s,
      events,
    );
    expect(back.counts.notifications).to.equal(2);
    await deliver(
      h(JOB.collaborationTaskOrderRecordReply),
      makeJob(JOB.collaborationTaskOrderRecordReply, { taskOrderId, configurationReply: '已补开虚拟教室', completedBy: 'tech.zhao' }),
      s,
    );
    const ok = await deliver(
      h(JOB.collaborationTaskOrderRecordAcceptance),
      makeJob(JOB.collaborationTaskOrderRecordAcceptance, {
        taskOrderId,
        acceptanceDecision: 'ACCEPTED',
        acceptanceOpinion: '验收通过',
        completedBy: 'cm.li',
      }),
      s,
    );
    expect(completedVars(ok)).to.deep.equal({ taskOrderStatus: 'ACCEPTED' });
    const list = await ds.getRepository(CollaborationTaskOrderEventEntity).find({ where: { taskOrderId }, order: { seq: 'ASC' } });
    expect(list.map((e) => [e.seq, e.kind, e.actor])).to.deep.equal([
      [1, 'ISSUED', 'system:worker'],
      [2, 'REPLY', 'tech.zhao'],
      [3, 'SENT_BACK', 'cm.li'],
      [4, 'REPLY', 'tech.zhao'],
      [5, 'ACCEPTED', 'cm.li'],
    ]);
    expect(list[1].configuredAt).to.equal('2026-03-25T10:00:00+08:00');
  });

  it('expense-contract.draft: from the order and the AP terms, one ZC number; suspended / no terms → AP_PARTNER_UNAVAILABLE', async () => {
    const { order, partner } = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
    const job = makeJob(JOB.expenseContractDraft, { orderId: order.id, orderNo: order.orderNo, apPartnerId: partner.id });
    const r = await expectIdempotent(h(JOB.expenseContractDraft), job, makeServices(ds), async () => ({
      contracts: await rowCount(ds, 'expense_contract'),
      versions: await rowCount(ds, 'record_version', "record_type = 'expense-contract'"),
    }));
    const vars = completedVars(r.outcome);
    expect(vars.expenseContractNo).to.equal('ZC-2026-0001');
    expect(await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: vars.expenseContractId })).to.include({
      amount: 30000,
      status: 'DRAFT',
      apPartnerId: partner.id,
      slaDuration: 'P7D',
    });

    const other = await seedWorld(ds, { partner: { status: 'SUSPENDED' } });
    const out = await deliver(
      h(JOB.expenseContractDraft),
      makeJob(JOB.expenseContractDraft, { orderId: other.order.id, apPartnerId: other.partner.id }),
      makeServices(ds),
    );
    expect(out).to.deep.include({ kind: 'bpmnError', errorCode: BPMN_ERROR.apPartnerUnavailable });
    const noTerms = await seedWorld(ds, { partner: { terms: null } });
    const out2 = await deliver(
      h(JOB.expenseContractDraft),
      makeJob(JOB.expenseContractDraft, { orderId: noTerms.order.id, apPartnerId: noTerms.partner.id }),
      makeServices(ds),
    );
    expect(out2).to.deep.include({ kind: 'bpmnError', errorCode: 'AP_PARTNER_UNAVAILABLE' });
    expect((out2 as { message: string }).message).to.match(/no agreed terms/);
    expect(await rowCount(ds, 'expense_contract')).to.equal(1);
  });

  it('expense-contract.draft again after an AP issue (a new job): the same contract and number as version 2, DRAFT again; not once implemented', async () => {
    const { order, partner } = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
    const s = makeServices(ds);
    const first = completedVars(
      await deliver(h(JOB.expenseContractDraft), makeJob(JOB.expenseContractDraft, { orderId: order.id, apPartnerId: partner.id }), s),
    );
    // countersigned and requested, then the AP refused: resolve-ap-issue leads back to draft-expense-contract
    await ds
      .getRepository(ExpenseContractEntity)
      .update({ id: first.expenseContractId }, { status: 'APPROVED', countersignFormNo: 'HQ-ZC-2026-0001' });
    const again = completedVars(
      await deliver(h(JOB.expenseContractDraft), makeJob(JOB.expenseContractDraft, { orderId: order.id, apPartnerId: partner.id }), s),
    );
    expect(again).to.deep.equal(first);
    expect(await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: first.expenseContractId })).to.include({
      status: 'DRAFT',
      currentVersion: 2,
      countersignFormNo: null,
    });
    expect(await rowCount(ds, 'expense_contract')).to.equal(1);
    await ds.getRepository(ExpenseContractEntity).update({ id: first.expenseContractId }, { status: 'IMPLEMENTED' });
    const late = await deliver(
      h(JOB.expenseContractDraft),
      makeJob(JOB.expenseContractDraft, { orderId: order.id, apPartnerId: partner.id }),
      s,
    );
    expect(late).to.include({ kind: 'fail', retries: 0 });
    expect((late as { message: string }).message).to.match(/is IMPLEMENTED/);
  });

  it('expense-contract.draft-supplement and revise', async () => {
    const { order, partner } = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
    const agreement = await seedExpenseContract(ds, order, partner);
    const change = await seedChangeOrder(ds, order, { status: 'CONTRACT_SIGNED' });
    const r = await expectIdempotent(
      h(JOB.expenseContractDraftSupplement),
      makeJob(JOB.expenseContractDraftSupplement, { changeOrderId: change.id, orderId: order.id }),
      makeServices(ds),
      async () => ({ c: await rowCount(ds, 'expense_contract') }),
    );
    const sup = await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: completedVars(r.outcome).expenseContractId });
    expect(sup).to.include({ kind: 'SUPPLEMENT', parentContractId: agreement.id, amount: 12.5 * 50 * 12 });
    await ds.getRepository(ExpenseContractEntity).update({ id: sup.id }, { status: 'REJECTED' });
    const rev = await expectIdempotent(
      h(JOB.expenseContractApplyRevision),
      makeJob(JOB.expenseContractApplyRevision, {
        expenseContractId: sup.id,
        contractAmount: 7000,
        revisionNote: '议价后',
        completedBy: 'cm.li',
      }),
      makeServices(ds),
      async () => ({ v: await rowCount(ds, 'record_version', "record_type = 'expense-contract'") }),
    );
    expect(completedVars(rev.outcome)).to.deep.equal({ expenseContractVersion: 2 });
  });

  describe('expense-contract.request-implementation (and the retired send-implementation-request)', () => {
    async function setup() {
      const { order, partner } = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
      const contract = await seedExpenseContract(ds, order, partner);
      return { order, partner, contract };
    }
    function recorder(status: number | 'network', body = '{"accepted":true}') {
      const sent: HttpRequest[] = [];
      const http = async (req: HttpRequest) => {
        sent.push(req);
        if (status === 'network') throw new Error('connect ECONNREFUSED 10.0.0.9:443');
        return { status, body };
      };
      return { sent, http };
    }

    it('2xx: signed JSON POST to the registered endpoint with an idempotency key; recorded once, apSlaDuration returned', async () => {
      const { partner, contract, order } = await setup();
      const { sent, http } = recorder(202);
      const job = makeJob(JOB.expenseContractRequestImplementation, {
        expenseContractId: contract.id,
        expenseContractNo: contract.contractNo,
      });
      const r = await expectIdempotent(h(JOB.expenseContractRequestImplementation), job, makeServices(ds, { http }), async () => ({
        audit: await rowCount(ds, 'audit_log', "action = 'expense-contract.implementation-requested'"),
      }));
      // every variable the throw event's output mappings read, set (null where it does not apply)
      expect(completedVars(r.outcome)).to.deep.equal({
        apRequestAccepted: true,
        apSlaDuration: 'P7D',
        apRejectionReason: null,
        apPartnerOptions: null,
      });
      expect(await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: contract.id })).to.include({
        status: 'IMPLEMENTATION_REQUESTED',
      });
      // concurrent deliveries may both reach the AP, always with the same idempotency key; the later one sends nothing
      expect(sent.length).to.be.within(1, 2);
      expect(new Set(sent.map((s) => s.headers['Idempotency-Key'])).size).to.equal(1);
      const req = sent[0];
      expect(req).to.include({ method: 'POST', url: partner.endpointUrl });
      expect(req.headers['Content-Type']).to.match(/^application\/json/);
      expect(verify(partner.hmacSecret, req.headers['X-Timestamp'], req.body!, req.headers['X-Signature'])).to.equal(true);
      expect(verify('wrong-secret', req.headers['X-Timestamp'], req.body!, req.headers['X-Signature'])).to.equal(false);
      expect(JSON.parse(req.body!)).to.deep.include({
        expenseContractNo: contract.contractNo,
        orderNo: order.orderNo,
        accounts: 200,
        slaDuration: 'P7D',
        reply: { message: 'ap-implementation-completed', correlationKey: contract.contractNo },
      });
    });

    it('network error and 5xx → fail with retries-1 and exponential back-off; last retry names what to do', async () => {
      const { contract } = await setup();
      for (const status of ['network', 503] as const) {
        const { http } = recorder(status, 'upstream down');
        const out = await deliver(
          h(JOB.expenseContractRequestImplementation),
          makeJob(JOB.expenseContractRequestImplementation, { expenseContractId: contract.id }, { retries: 4 }),
          makeServices(ds, { http }),
        );
        expect(out.kind).to.equal('fail');
        expect(toJobAction(out, { retries: 4 })).to.deep.equal({
          action: 'fail',
          errorMessage: (out as { message: string }).message,
          retries: 3,
          retryBackOff: 4000,
        });
        const last = toJobAction(out, { retries: 1 });
        expect(last).to.include({ action: 'fail', retries: 0, retryBackOff: 0 });
        expect((last as { errorMessage: string }).errorMessage).to.match(/No retries left — what to do: .*contact the AP/);
      }
      expect(await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: contract.id })).to.include({ status: 'APPROVED' });
    });

    it('4xx → completed with apRequestAccepted=false and the AP’s reason (recorded once), no BPMN error', async () => {
      const { contract, partner } = await setup();
      const { http } = recorder(422, '{"reason":"账号数超过平台容量"}');
      const job = makeJob(JOB.expenseContractRequestImplementation, { expenseContractId: contract.id });
      const r = await expectIdempotent(h(JOB.expenseContractRequestImplementation), job, makeServices(ds, { http }), async () => ({
        audit: await rowCount(ds, 'audit_log', "action = 'expense-contract.implementation-refused'"),
      }));
      expect(r.outcome.kind).to.equal('complete');
      const v = completedVars(r.outcome) as {
        apRequestAccepted: boolean;
        apSlaDuration: null;
        apRejectionReason: string;
        apPartnerOptions: unknown[];
      };
      expect(v).to.include({ apRequestAccepted: false, apSlaDuration: null });
      expect(v.apRejectionReason).to.match(/422.*账号数超过平台容量/);
      expect(v.apPartnerOptions).to.be.an('array');
      expect(JSON.stringify(v.apPartnerOptions)).to.not.contain(partner.id);
      expect(await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: contract.id })).to.not.include({
        status: 'IMPLEMENTATION_REQUESTED',
      });
    });

    it('a partner suspended since the countersign → completed with apRequestAccepted=false, nothing sent', async () => {
      const { contract, partner } = await setup();
      await ds.getRepository(ApPartnerEntity).update({ id: partner.id }, { status: 'SUSPENDED' });
      const { sent, http } = recorder(202);
      const out = await deliver(
        h(JOB.expenseContractRequestImplementation),
        makeJob(JOB.expenseContractRequestImplementation, { expenseContractId: contract.id }),
        makeServices(ds, { http }),
      );
      expect(out.kind).to.equal('complete');
      expect(completedVars(out)).to.include({ apRequestAccepted: false, apSlaDuration: null });
      expect(String(completedVars(out).apRejectionReason)).to.contain('SUSPENDED');
      expect(sent).to.have.length(0);
    });

    it('the retired type (older process versions, error boundary AP拒绝请求): the same request, 4xx → BPMN error AP_REQUEST_REJECTED, 2xx → apSlaDuration', async () => {
      const retired = oldVersionJobTypeHandlers().find((d) => (d.type as string) === RETIRED_JOB.expenseContractSendImplementationRequest)!;
      expect(retired, 'the workers take the retired type').to.not.equal(undefined);
      expect(handlerFor(RETIRED_JOB.expenseContractSendImplementationRequest), 'not a job type of this release').to.equal(undefined);
      const { contract } = await setup();
      const refused = recorder(422, '{"reason":"账号数超过平台容量"}');
      const job = makeJob(RETIRED_JOB.expenseContractSendImplementationRequest, { expenseContractId: contract.id });
      const r = await expectIdempotent(retired, job, makeServices(ds, { http: refused.http }), async () => ({
        audit: await rowCount(ds, 'audit_log', "action = 'expense-contract.implementation-refused'"),
      }));
      expect(r.outcome).to.deep.include({ kind: 'bpmnError', errorCode: BPMN_ERROR.apRequestRejected });
      const vars = (r.outcome as unknown as { variables: { apRejectionReason: string; apPartnerOptions: unknown } }).variables;
      expect(vars.apRejectionReason).to.match(/422.*账号数超过平台容量/);
      expect(vars.apPartnerOptions).to.be.an('array');
      expect(refused.sent[0].headers['Idempotency-Key']).to.equal(`ot-impl-${contract.contractNo}-${job.key}`);
      const { http } = recorder(202);
      const ok = await deliver(
        retired,
        makeJob(RETIRED_JOB.expenseContractSendImplementationRequest, { expenseContractId: contract.id }),
        makeServices(ds, { http }),
      );
      expect(completedVars(ok)).to.deep.equal({ apSlaDuration: 'P7D' });
    });
  });

  it('database gone: the job fails with retries-1 and back-off (the engine retries later), and the message says why', async () => {
    const dead = await openTestDataSource();
    await closeTestDataSource(dead);
    const { order } = await seedWorld(ds);
    const out = await deliver(
      h(JOB.collaborationTaskOrderIssue),
      makeJob(JOB.collaborationTaskOrderIssue, { orderId: order.id }),
      makeServices(dead),
    );
    expect(out.kind).to.equal('fail');
    const action = toJobAction(out, { retries: 5 });
    expect(action).to.include({ action: 'fail', retries: 4, retryBackOff: 2000 });
    expect((action as { errorMessage: string }).errorMessage).to.match(/^collaboration-task-order\.issue failed: /);
    expect((toJobAction(out, { retries: 1 }) as { errorMessage: string }).errorMessage).to.match(
      /No retries left — what to do: check that the database/,
    );
    expect(await rowCount(ds, 'collaboration_task_order')).to.equal(0);
  });

  it('expense-contract.remind-sla: notifications to the customer manager and the AP, once', async () => {
    const { order, partner } = await seedWorld(ds);
    const contract = await seedExpenseContract(ds, order, partner, { status: 'IMPLEMENTATION_REQUESTED' });
    const r = await expectIdempotent(
      h(JOB.expenseContractRemindSla),
      makeJob(JOB.expenseContractRemindSla, { expenseContractId: contract.id, expenseContractNo: contract.contractNo }),
      makeServices(ds),
      async () => ({ n: await rowCount(ds, 'notification_outbox') }),
    );
    expect(r.counts.n).to.equal(2);
    expect(await ds.getRepository(NotificationEntity).findOneByOrFail({ recipientUser: 'cm.li' })).to.include({
      template: 'ap-sla-overdue',
    });
  });

  it('expense-contract.record-payment-basis (retired: old process versions) and record-payment-basis-check (SENT_BACK, resubmitted v2, ACCEPTED)', async () => {
    const { order, partner } = await seedWorld(ds);
    const contract = await seedExpenseContract(ds, order, partner, { status: 'IMPLEMENTATION_REQUESTED' });
    const now = new Date('2026-04-10T02:00:00Z');
    const basisId = '6f1d2c3b-0000-4000-8000-000000000001';
    // submitted before the upgrade: the API of then wrote no receipt audit row
    await ds.getRepository(PaymentBasisEntity).insert({
      id: basisId,
      paymentBasisNo: 'ZF-2026-0001',
      expenseContractId: contract.id,
      apPartnerId: partner.id,
      status: 'SUBMITTED',
      externalRef: 'AP-REF-1',
      currentVersion: 1,
      submittedBy: 'ap.user',
      submittedAt: now,
      updatedAt: now,
    });
    const s = makeServices(ds);
    // no model of this release has the task: the handler is taken only for instances of older versions
    expect(handlerFor(RETIRED_JOB.expenseContractRecordPaymentBasis)).to.equal(undefined);
    const retired = (t: string) => oldVersionJobTypeHandlers().find((d) => d.type === t)!;
    const received = async () =>
      (await ds.getRepository(AuditLogEntity).find({ where: { action: 'payment-basis.received', entityId: basisId } }))
        .map((a) => Number(a.details?.version))
        .sort();
    const rec = await expectIdempotent(
      retired(RETIRED_JOB.expenseContractRecordPaymentBasis),
      makeJob(RETIRED_JOB.expenseContractRecordPaymentBasis, {
        paymentBasisId: basisId,
        paymentBasisNo: 'ZF-2026-0001',
        expenseContractId: contract.id,
      }),
      s,
      async () => ({
        n: await rowCount(ds, 'notification_outbox'),
        received: await rowCount(ds, 'audit_log', "action = 'payment-basis.received'"),
      }),
    );
    expect(completedVars(rec.outcome)).to.deep.equal({ paymentBasisVersion: 1 });
    // the contract admin hears of it from the announcer (the 核对支付依据 task), not from here
    expect(rec.counts.n).to.equal(0);
    expect(await received()).to.deep.equal([1]);
    expect((await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: contract.id })).status).to.equal('IMPLEMENTED');
    const back = await expectIdempotent(
      h(JOB.expenseContractRecordPaymentBasisCheck),
      makeJob(JOB.expenseContractRecordPaymentBasisCheck, {
        paymentBasisId: basisId,
        paymentBasisDecision: 'SENT_BACK',
        paymentBasisOpinion: '缺少验收单',
        completedBy: 'admin.chen',
      }),
      s,
      async () => ({ checks: await rowCount(ds, 'payment_basis_check'), n: await rowCount(ds, 'notification_outbox') }),
    );
    // the one notice so far: the send-back, to the AP
    expect(back.counts).to.deep.equal({ checks: 1, n: 1 });
    // the AP resubmits through the API: version 2
    await ds.getRepository(PaymentBasisEntity).update({ id: basisId }, { currentVersion: 2, status: 'SUBMITTED' });
    // under its name before issue #16, as the oldest versions create it
    await deliver(
      retired(RETIRED_JOB.apContractRecordPaymentBasis),
      makeJob(RETIRED_JOB.apContractRecordPaymentBasis, { paymentBasisId: basisId }),
      s,
    );
    expect(await received()).to.deep.equal([1, 2]);
    const ok = await deliver(
      h(JOB.expenseContractRecordPaymentBasisCheck),
      makeJob(JOB.expenseContractRecordPaymentBasisCheck, {
        paymentBasisId: basisId,
        paymentBasisDecision: 'ACCEPTED',
        completedBy: 'admin.chen',
      }),
      s,
    );
    expect(completedVars(ok)).to.deep.equal({ paymentBasisStatus: 'ACCEPTED' });
    const checks = await ds.getRepository(PaymentBasisCheckEntity).find({ order: { paymentBasisVersion: 'ASC' } });
    expect(checks.map((c) => [c.paymentBasisVersion, c.decision, c.actor])).to.deep.equal([
      [1, 'SENT_BACK', 'admin.chen'],
      [2, 'ACCEPTED', 'admin.chen'],
    ]);
    expect((await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: contract.id })).status).to.equal('PAYMENT_BASIS_ACCEPTED');
    expect((await ds.getRepository(ApPartnerEntity).findOneByOrFail({ id: partner.id })).status).to.equal('ACTIVE');
  });
});
