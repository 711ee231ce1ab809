/** Endpoints end to end against the real database: what each writes, reads, refuses. */
import { expect } from 'chai';
import {
  AuditLogEntity,
  NotificationEntity,
  ProcessCommandEntity,
  RecordVersionEntity,
  AccountUsageMonthlyEntity,
  PaymentBasisEntity,
  ExpenseContractEntity,
} from '../../db/index';
import { MESSAGE } from '../../domain/vocabulary';
import { recordPaymentBasisCheck } from '../../domain/payment-bases';
import { startApi, type ApiHarness } from './harness';
import { AP_ALPHA, AP_BETA, CUSTOMER, seedWorld, type World } from './fixtures';

const newOrder = (over: Record<string, unknown> = {}) => ({
  customerId: CUSTOMER,
  modules: ['learning-management', 'live-training'],
  accounts: 50,
  openingDate: '2026-11-02',
  termMonths: 12,
  amount: 36000.5,
  apInvolved: false,
  apPartnerId: null,
  note: '首期50个账号',
  ...over,
});

describe('api: records end to end', function () {
  let api: ApiHarness;
  let w: World;
  let cm: string, dm: string, ca: string, adm: string, aud: string, alpha: string, beta: string;
  before(async () => {
    api = await startApi();
    w = await seedWorld(api.ds);
    [cm, dm, ca, adm, aud, alpha, beta] = await Promise.all(
      ['customer-manager', 'dept-manager', 'contract-admin', 'admin', 'auditor', 'ap-alpha', 'ap-beta'].map((u) => api.token(u)),
    );
  });
  after(async () => api?.close());

  describe('orders', () => {
    it('create writes the order, version 1 and the order-submitted start command in one go', async () => {
      const res = await api.request('POST', '/api/orders', { token: cm, body: newOrder() });
      expect(res.status, res.text).to.equal(201);
      const o = res.json;
      expect(o.orderNo).to.match(/^YW-\d{4}-\d{6}$/);
      expect(o).to.include({
        status: 'SUBMITTED',
        customerManager: 'customer-manager',
        customerName: '上海示例科技有限公司',
        amount: 36000.5,
        version: 1,
      });
      expect(res.headers.location).to.equal(`/api/orders/${o.id}`);
      const cmds = await api.ds.getRepository(ProcessCommandEntity).find();
      const mine = cmds.filter((c) => (c.payload as { correlationKey?: string }).correlationKey === o.orderNo);
      expect(mine).to.have.length(1);
      expect(mine[0].payload).to.deep.include({ name: MESSAGE.orderSubmitted, correlationKey: o.orderNo });
      expect((mine[0].payload as { variables: unknown }).variables).to.deep.equal({
        orderId: o.id,
        orderNo: o.orderNo,
        customerManager: 'customer-manager',
        apInvolved: false,
        apPartnerId: null,
        // what every task of the order shows (domain/order-summary.ts)
        orderSummary: {
          customerName: '上海示例科技有限公司',
          modules: ['learning-management', 'live-training'],
          accounts: 50,
          openingDate: '2026-11-02',
          termMonths: 12,
          amount: 36000.5,
          apPartnerId: null,
          apPartnerName: null,
          apPartnerCode: null,
        },
      });
      const got = await api.request('GET', `/api/orders/${o.id}`, { token: aud });
      expect(got.status).to.equal(200);
      expect(got.json).to.deep.equal(o);
    });

    it('20 concurrent creates: 20 orders with consecutive numbers and exactly one start command each', async () => {
      const res = await Promise.all(
        Array.from({ length: 20 }, (_, i) => api.request('POST', '/api/orders', { token: cm, body: newOrder({ accounts: i + 1 }) })),
      );
      expect(res.map((r) => r.status)).to.deep.equal(Array(20).fill(201));
      const seqs = res.map((r) => Number(String(r.json.orderNo).split('-')[2])).sort((a, b) => a - b);
      expect(new Set(seqs).size).to.equal(20);
      expect(seqs[19] - seqs[0]).to.equal(19);
      const keys = (await api.ds.getRepository(ProcessCommandEntity).find()).map(
        (c) => (c.payload as { correlationKey: string }).correlationKey,
      );
      for (const r of res)
        expect(
          keys.filter((k) => k === r.json.orderNo),
          r.json.orderNo,
        ).to.have.length(1);
    });

    it('lists with filters and paging', async () => {
      const all = await api.request('GET', '/api/orders?limit=2', { token: dm });
      expect(all.status).to.equal(200);
      expect(all.json.items).to.have.length(2);
      expect(all.json.total).to.be.at.least(3);
      const page2 = await api.request('GET', '/api/orders?limit=2&offset=2', { token: dm });
      expect(page2.json.items.map((o: { id: string }) => o.id)).not.to.include.members(all.json.items.map((o: { id: string }) => o.id));
      const signed = await api.request('GET', '/api/orders?status=CONTRACT_SIGNED', { token: dm });
      expect(signed.json.items.map((o: { id: string }) => o.id).sort()).to.deep.equal([w.orderA, w.orderB].sort());
      const byCustomer = await api.request('GET', `/api/orders?customer=${CUSTOMER}&customerManager=customer-manager`, { token: dm });
      expect(byCustomer.json.total).to.equal(all.json.total);
      const nobody = await api.request('GET', '/api/orders?customerManager=nobody', { token: dm });
      expect(nobody.json).to.deep.include({ items: [], total: 0 });
      const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
      const inRange = await api.request('GET', `/api/orders?from=${today}&to=${today}`, { token: dm });
      expect(inRange.json.total).to.equal(all.json.total);
      const past = await api.request('GET', '/api/orders?from=2020-01-01&to=2020-12-31', { token: dm });
      expect(past.json.total).to.equal(0);
    });

    it('cancel: SUBMITTED → CANCELLED; again → 409 naming current and requested state', async () => {
      const o = (await api.request('POST', '/api/orders', { token: cm, body: newOrder() })).json;
      const res = await api.request('POST', `/api/orders/${o.id}/cancel`, { token: dm, body: { reason: '客户预算取消' } });
      expect(res.status, res.text).to.equal(200);
      expect(res.json).to.include({ status: 'CANCELLED', cancelReason: '客户预算取消' });
      const again = await api.request('POST', `/api/orders/${o.id}/cancel`, { token: dm, body: { reason: 'twice' } });
      expect(again.status).to.equal(409);
      expect(again.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(again.json).to.include({ status: 409, currentState: 'CANCELLED', requestedState: 'CANCELLED' });
      const signed = await api.request('POST', `/api/orders/${w.orderA}/cancel`, { token: dm, body: { reason: 'too late' } });
      expect(signed.status).to.equal(409);
      expect(signed.json).to.include({ currentState: 'CONTRACT_SIGNED', requestedState: 'CANCELLED' });
    });
  });

  describe('change orders', () => {
    it('on an order in service: created with its start command; on a submitted order: 409', async () => {
      const res = await api.request('POST', '/api/change-orders', {
        token: cm,
        body: {
          orderId: w.orderA,
          description: '增加20个账号',
          accountDelta: 20,
          amountDelta: 4800,
          platformChange: true,
          apScopeChange: false,
        },
      });
      expect(res.status, res.text).to.equal(201);
      expect(res.json.changeOrderNo).to.match(/^BG-\d{4}-\d{6}$/);
      const cmd = await api.ds
        .getRepository(ProcessCommandEntity)
        .findOneBy({ dedupeKey: `${MESSAGE.changeOrderSubmitted}:${res.json.changeOrderNo}` });
      expect(cmd, 'start command').to.not.equal(null);
      const got = await api.request('GET', `/api/change-orders/${res.json.id}`, { token: aud });
      expect(got.json).to.deep.equal(res.json);
      const list = await api.request('GET', `/api/change-orders?orderId=${w.orderA}`, { token: aud });
      expect(list.json.items.map((c: { id: string }) => c.id)).to.deep.equal([res.json.id]);
      const o = (await api.request('POST', '/api/orders', { token: cm, body: newOrder() })).json;
      const early = await api.request('POST', '/api/change-orders', {
        token: cm,
        body: { orderId: o.id, description: 'x', accountDelta: 1, platformChange: false, apScopeChange: false },
      });
      expect(early.status).to.equal(409);
      expect(early.json).to.include({ currentState: 'SUBMITTED' });
    });
  });

  describe('contracts and AP partner scope', () => {
    it('staff see both kinds; an AP partner only its own expense contracts, revenue ones are 404', async () => {
      const staff = await api.request('GET', '/api/contracts', { token: aud });
      expect(staff.json.items.map((c: { type: string }) => c.type)).to.include.members(['REVENUE', 'EXPENSE']);
      const mine = await api.request('GET', '/api/contracts', { token: alpha });
      expect(mine.status).to.equal(200);
      expect(mine.json.items.map((c: { id: string }) => c.id)).to.deep.equal([w.expenseA]);
      expect(
        mine.json.items.every((c: { apPartnerId: string; type: string }) => c.apPartnerId === AP_ALPHA && c.type === 'EXPENSE'),
      ).to.equal(true);
      const revenueAsAp = await api.request('GET', '/api/contracts?type=REVENUE', { token: alpha });
      expect(revenueAsAp.json).to.deep.include({ items: [], total: 0 });
      expect((await api.request('GET', `/api/contracts/${w.revenueA}`, { token: alpha })).status).to.equal(404);
      expect((await api.request('GET', `/api/contracts/${w.expenseB}`, { token: alpha })).status).to.equal(404);
      expect((await api.request('GET', `/api/contracts/${w.expenseB}/versions`, { token: alpha })).status).to.equal(404);
      const own = await api.request('GET', `/api/contracts/${w.expenseA}`, { token: alpha });
      expect(own.status).to.equal(200);
      expect(own.json).to.include({ type: 'EXPENSE', amount: 24000 });
      const versions = await api.request('GET', `/api/contracts/${w.expenseA}/versions`, { token: alpha });
      expect(versions.json[0]).to.include({ version: 1, actor: 'customer-manager' });
      // no revenue figure anywhere in what the AP partner received
      for (const body of [mine.text, own.text, versions.text]) {
        expect(body).not.to.include('120000');
        expect(body).not.to.include(w.revenueA);
      }
    });
  });

  describe('payment bases', () => {
    const submission = (over: Record<string, unknown> = {}) => ({
      submissionId: 'alpha-2026-0001',
      expenseContractId: 'set-below',
      amount: 24000,
      completedOn: '2026-10-20',
      description: '外包平台配置完成，已开通100个账号',
      accountsImplemented: 100,
      ...over,
    });

    it('an AP partner submits for its own expense contract: record + one publish of ap-implementation-completed; a repeat is applied once', async () => {
      const body = submission({ expenseContractId: w.expenseA });
      const first = await api.request('POST', '/api/payment-bases', { token: alpha, body });
      expect(first.status, first.text).to.equal(201);
      expect(first.json).to.include({
        status: 'SUBMITTED',
        submissionId: 'alpha-2026-0001',
        expenseContractNo: w.expenseANo,
        apPartnerId: AP_ALPHA,
        amount: 24000,
      });
      expect(first.json.paymentBasisNo).to.match(/^ZF-\d{4}-\d{4}$/);
      const repeat = await api.request('POST', '/api/payment-bases', { token: alpha, body });
      expect(repeat.status).to.equal(200);
      expect(repeat.json).to.deep.equal(first.json);
      const cmds = (await api.ds.getRepository(ProcessCommandEntity).find()).filter(
        (c) => (c.payload as { name: string }).name === MESSAGE.apImplementationCompleted,
      );
      expect(cmds).to.have.length(1);
      expect(cmds[0].payload).to.deep.include({
        correlationKey: w.expenseANo,
        messageId: `${MESSAGE.apImplementationCompleted}:${first.json.paymentBasisNo}:v1`,
        variables: { paymentBasisId: first.json.id, paymentBasisNo: first.json.paymentBasisNo, paymentBasisVersion: 1 },
      });
      expect((await api.ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: w.expenseA })).status).to.equal('IMPLEMENTED');
      // the receipt is recorded here, once (issue #20); the contract admin's one notice is the 核对支付依据 task's
      const received = async () =>
        (await api.ds.getRepository(AuditLogEntity).findBy({ action: 'payment-basis.received', entityId: first.json.id }))
          .map((a) => Number(a.details?.version))
          .sort();
      expect(await received()).to.deep.equal([1]);
      expect(await api.ds.getRepository(NotificationEntity).countBy({ template: 'payment-basis-to-check' })).to.equal(0);
      expect(await api.ds.getRepository(PaymentBasisEntity).count()).to.equal(1);
      // a new submission while the first is under review: 409
      const other = await api.request('POST', '/api/payment-bases', { token: alpha, body: { ...body, submissionId: 'alpha-2026-0002' } });
      expect(other.status).to.equal(409);
      expect(other.json).to.include({ currentState: 'IMPLEMENTED (payment basis SUBMITTED)', requestedState: 'IMPLEMENTED' });
      // the contract admin sends it back → a resubmission is a new version and a new message
      await recordPaymentBasisCheck(api.ds, first.json.id, 'SENT_BACK', '缺少验收截图', { actor: 'contract-admin' });
      const again = await api.request('POST', '/api/payment-bases', {
        token: alpha,
        body: { ...body, submissionId: 'alpha-2026-0003', description: '补充验收截图' },
      });
      expect(again.status, again.text).to.equal(201);
      expect(again.json).to.include({ id: first.json.id, version: 2, status: 'SUBMITTED', description: '补充验收截图' });
      const versions = await api.ds.getRepository(RecordVersionEntity).findBy({ recordType: 'payment-basis', recordId: first.json.id });
      expect(versions.map((v) => v.version).sort()).to.deep.equal([1, 2]);
      const cmds2 = (await api.ds.getRepository(ProcessCommandEntity).find()).filter(
        (c) => (c.payload as { name: string }).name === MESSAGE.apImplementationCompleted,
      );
      expect(cmds2).to.have.length(2);
      expect(cmds2.map((c) => (c.payload as { messageId: string }).messageId)).to.include(
        `${MESSAGE.apImplementationCompleted}:${first.json.paymentBasisNo}:v2`,
      );
      const v2 = cmds2.find((c) => (c.payload as { messageId: string }).messageId.endsWith(':v2'))!;
      expect((v2.payload as { variables: unknown }).variables).to.deep.include({ paymentBasisVersion: 2 });
      expect(await received()).to.deep.equal([1, 2]);
    });

    it("another AP partner's contract is 404 (and nothing is written); reads are scoped", async () => {
      const before = await api.ds.getRepository(PaymentBasisEntity).count();
      const foreign = await api.request('POST', '/api/payment-bases', {
        token: beta,
        body: submission({ expenseContractId: w.expenseA, submissionId: 'beta-x' }),
      });
      expect(foreign.status).to.equal(404);
      expect(foreign.json.errors[0]).to.include({ in: 'body', pointer: '/expenseContractId' });
      expect(await api.ds.getRepository(PaymentBasisEntity).count()).to.equal(before);
      const list = await api.request('GET', '/api/payment-bases', { token: beta });
      expect(list.json).to.deep.include({ items: [], total: 0 });
      const alphaList = await api.request('GET', '/api/payment-bases', { token: alpha });
      expect(alphaList.json.total).to.equal(1);
      const id = alphaList.json.items[0].id;
      expect((await api.request('GET', `/api/payment-bases/${id}`, { token: beta })).status).to.equal(404);
      expect((await api.request('GET', `/api/payment-bases/${id}`, { token: alpha })).status).to.equal(200);
      expect((await api.request('GET', `/api/payment-bases/${id}`, { token: ca })).status).to.equal(200);
    });

    it('refuses a basis before the implementation was requested (409 naming the contract state)', async () => {
      await api.ds.getRepository(ExpenseContractEntity).update({ id: w.expenseB }, { status: 'APPROVED' });
      const res = await api.request('POST', '/api/payment-bases', {
        token: beta,
        body: submission({ expenseContractId: w.expenseB, submissionId: 'beta-1' }),
      });
      expect(res.status).to.equal(409);
      expect(res.json).to.include({ currentState: 'APPROVED', requestedState: 'IMPLEMENTED' });
      expect(await api.ds.getRepository(PaymentBasisEntity).countBy({ expenseContractId: w.expenseB })).to.equal(0);
      await api.ds.getRepository(ExpenseContractEntity).update({ id: w.expenseB }, { status: 'IMPLEMENTATION_REQUESTED' });
      void AP_BETA;
    });
  });

  describe('countersign forms, task orders, communication records, service requests', () => {
    it('a countersign form shows every round, the rejected one included; history lists the rounds', async () => {
      const f = await api.request('GET', `/api/countersign-forms/${w.formA}`, { token: dm });
      expect(f.status, f.text).to.equal(200);
      expect(f.json).to.include({ formNo: 'HQ-SR-2026-0001', contractType: 'REVENUE', contractNo: w.revenueANo });
      expect(f.json.rounds.map((r: { status: string }) => r.status)).to.deep.equal(['REJECTED', 'APPROVED']);
      const h = await api.request('GET', `/api/countersign-forms/${w.formA}/history`, { token: aud });
      expect(h.json).to.have.length(2);
      expect(h.json[0].decisions[0]).to.include({
        step: 'DEPT_MANAGER',
        decision: 'REJECT',
        opinion: '金额需复核',
        reviewer: 'dept-manager',
      });
      const list = await api.request('GET', `/api/countersign-forms?contractId=${w.revenueA}`, { token: ca });
      expect(list.json.items.map((x: { id: string }) => x.id)).to.deep.equal([w.formA]);
    });

    it('a task order with its reply', async () => {
      const t = await api.request('GET', `/api/collaboration-task-orders/${w.taskOrderA}`, { token: await api.token('tech-dept') });
      expect(t.status, t.text).to.equal(200);
      expect(t.json.events.map((e: { kind: string }) => e.kind)).to.deep.equal(['ISSUED', 'REPLY']);
    });

    it('service request: record + start command; communication record filed against it', async () => {
      const sr = await api.request('POST', '/api/service-requests', {
        token: cm,
        body: { type: 'FAULT', orderId: w.orderA, description: '直播卡顿' },
      });
      expect(sr.status, sr.text).to.equal(201);
      expect(sr.json).to.include({ type: 'FAULT', status: 'LOGGED', customerManager: 'customer-manager', revenueContractId: w.revenueA });
      const cmd = await api.ds
        .getRepository(ProcessCommandEntity)
        .findOneBy({ dedupeKey: `${MESSAGE.serviceRequestLogged}:${sr.json.requestNo}` });
      expect(cmd?.payload).to.deep.include({
        variables: {
          serviceRequestId: sr.json.id,
          requestNo: sr.json.requestNo,
          requestType: 'FAULT',
          customerManager: 'customer-manager',
        },
      });
      const rec = await api.request('POST', '/api/customer-communication-records', {
        token: cm,
        body: { orderId: w.orderA, serviceRequestId: sr.json.id, networkQuality: '4', serviceAttitude: '5', customerFeedback: '已恢复' },
      });
      expect(rec.status, rec.text).to.equal(201);
      expect(rec.json).to.include({ occasion: 'FAULT', serviceRequestId: sr.json.id, networkQuality: '4', version: 1 });
      const list = await api.request('GET', `/api/customer-communication-records?serviceRequestId=${sr.json.id}`, { token: aud });
      expect(list.json.items.map((r: { id: string }) => r.id)).to.deep.equal([rec.json.id]);
      const otherOrder = await api.request('POST', '/api/customer-communication-records', {
        token: cm,
        body: { orderId: w.orderB, serviceRequestId: sr.json.id, networkQuality: '3', serviceAttitude: '3', customerFeedback: 'z' },
      });
      expect(otherOrder.status).to.equal(404);
    });
  });

  describe('account monitoring', () => {
    it('usage ingestion is idempotent per contract and month', async () => {
      const body = { items: [{ revenueContractNo: w.revenueANo, month: '2026-10', openedAccounts: 90, activeAccounts: 75 }] };
      const first = await api.request('POST', '/api/account-monitoring/usage', { token: ca, body });
      expect(first.status, first.text).to.equal(200);
      expect(first.json).to.deep.equal({ inserted: 1, updated: 0, unchanged: 0, unknownContracts: [] });
      expect((await api.request('POST', '/api/account-monitoring/usage', { token: ca, body })).json).to.deep.equal({
        inserted: 0,
        updated: 0,
        unchanged: 1,
        unknownContracts: [],
      });
      const changed = { items: [{ ...body.items[0], activeAccounts: 80 }] };
      expect((await api.request('POST', '/api/account-monitoring/usage', { token: adm, body: changed })).json).to.deep.equal({
        inserted: 0,
        updated: 1,
        unchanged: 0,
        unknownContracts: [],
      });
      const rows = await api.ds.getRepository(AccountUsageMonthlyEntity).find();
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({ openedAccounts: 90, activeAccounts: 80, month: '2026-10', revenueContractId: w.revenueA });
      const entry = await api.request('GET', `/api/account-monitoring/entries/${w.entryA}`, { token: aud });
      expect(entry.json.usage).to.have.length(1);
      expect(entry.json).to.include({ revenueContractNo: w.revenueANo, accounts: 100 });
    });

    it('an unknown contract is reported and not stored; a duplicate item or active > opened is refused', async () => {
      const res = await api.request('POST', '/api/account-monitoring/usage', {
        token: ca,
        body: {
          items: [
            { revenueContractNo: w.revenueANo, month: '2026-11', openedAccounts: 1, activeAccounts: 1 },
            { revenueContractNo: 'SR-2026-9999', month: '2026-11', openedAccounts: 1, activeAccounts: 1 },
          ],
        },
      });
      expect(res.status).to.equal(200);
      expect(res.json).to.deep.equal({ inserted: 1, updated: 0, unchanged: 0, unknownContracts: ['SR-2026-9999'] });
      const before = await api.ds.getRepository(AccountUsageMonthlyEntity).count();
      const tooMany = await api.request('POST', '/api/account-monitoring/usage', {
        token: ca,
        body: { items: [{ revenueContractNo: w.revenueANo, month: '2026-12', openedAccounts: 1, activeAccounts: 2 }] },
      });
      expect(tooMany.status).to.equal(400);
      expect(tooMany.json.errors[0].pointer).to.equal('/items/0/activeAccounts');
      const dup = await api.request('POST', '/api/account-monitoring/usage', {
        token: ca,
        body: {
          items: [
            { revenueContractNo: w.revenueANo, month: '2026-11', openedAccounts: 1, activeAccounts: 1 },
            { revenueContractNo: w.revenueANo, month: '2026-11', openedAccounts: 2, activeAccounts: 1 },
          ],
        },
      });
      expect(dup.status).to.equal(400);
      expect(dup.json.errors[0].pointer).to.equal('/items/1');
      expect(await api.ds.getRepository(AccountUsageMonthlyEntity).count()).to.equal(before);
    });

    it('monthly report as JSON and as CSV in UTF-8 with BOM (Chinese headers and names intact)', async () => {
      const rep = await api.request('GET', `/api/account-monitoring/reports/${w.reportMonth}`, { token: ca });
      expect(rep.status, rep.text).to.equal(200);
      expect(rep.json.rows[0]).to.include({ contractNo: w.revenueANo, customerName: '上海示例科技有限公司', utilisation: 0.75 });
      const r = await fetch(`${api.url}/api/account-monitoring/reports/${w.reportMonth}/csv`, {
        headers: { authorization: `Bearer ${ca}` },
      });
      expect(r.status).to.equal(200);
      expect(r.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
      expect(r.headers.get('content-disposition')).to.include(`account-usage-${w.reportMonth}.csv`);
      const bytes = Buffer.from(await r.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
      const text = bytes.subarray(3).toString('utf8');
      const lines = text.split('\r\n');
      expect(lines[0]).to.include('合同编号');
      expect(lines[1].split(',')).to.deep.equal([w.revenueANo, w.orderANo, '上海示例科技有限公司', '100', '90', '75', '0.75', '0', '']);
      const list = await api.request('GET', '/api/account-monitoring/reports', { token: aud });
      expect(list.json.items.map((x: { month: string }) => x.month)).to.deep.equal([w.reportMonth]);
      expect((await api.request('GET', '/api/account-monitoring/reports/2026-01', { token: ca })).status).to.equal(404);
    });
  });

  describe('calendar', () => {
    it('deadline: 1 working day after 2026-09-30 is 2026-10-08 (National Day holiday), final', async () => {
      const res = await api.request('GET', '/api/calendar/deadline?from=2026-09-30&workingDays=1', { token: alpha });
      expect(res.status, res.text).to.equal(200);
      expect(res.json).to.deep.equal({ date: '2026-10-08', deadline: '2026-10-08T23:59:59+08:00', provisional: false });
    });

    it('a year without a published schedule is provisional; an admin upload makes it final', async () => {
      const before = await api.request('GET', '/api/calendar/deadline?from=2098-12-31&workingDays=1', { token: cm });
      expect(before.json).to.deep.equal({ date: '2099-01-01', deadline: '2099-01-01T23:59:59+08:00', provisional: true });
      expect((await api.request('GET', '/api/calendar/2099', { token: cm })).status).to.equal(404);
      const doc = {
        year: 2099,
        published: true,
        holidays: [
          { date: '2099-01-01', name: '元旦' },
          { date: '2099-01-02', name: '元旦' },
        ],
        workdays: [{ date: '2099-01-03', name: '元旦调休' }],
        note: '国务院办公厅通知',
      };
      const put = await api.request('PUT', '/api/calendar/2099', { token: adm, body: doc });
      expect(put.status, put.text).to.equal(201);
      expect(put.json).to.include({ year: 2099, published: true, source: 'upload', updatedBy: 'admin' });
      const after = await api.request('GET', '/api/calendar/deadline?from=2098-12-31&workingDays=1', { token: cm });
      expect(after.json).to.deep.equal({ date: '2099-01-03', deadline: '2099-01-03T23:59:59+08:00', provisional: false });
      const replace = await api.request('POST', '/api/calendar', { token: adm, body: { ...doc, workdays: [] } });
      expect(replace.status).to.equal(200);
      expect((await api.request('GET', '/api/calendar/2099', { token: aud })).json.workdays).to.deep.equal([]);
    });

    it('refuses an inconsistent schedule naming each field', async () => {
      const res = await api.request('PUT', '/api/calendar/2099', {
        token: adm,
        body: {
          year: 2099,
          published: true,
          holidays: [{ date: '2098-05-01' }, { date: '2099-10-01' }],
          workdays: [{ date: '2099-10-01' }, { date: '2099-01-05' }],
          note: 'x',
        },
      });
      expect(res.status).to.equal(400);
      expect(res.json.errors.map((e: { pointer: string; detail: string }) => [e.pointer, e.detail])).to.deep.equal([
        ['/holidays/0/date', '2098-05-01 is not in 2099'],
        ['/workdays/0/date', '2099-10-01 is also listed at /holidays/1/date'],
        ['/workdays/0/date', '2099-10-01 is a weekday; adjusted working days are weekend days'],
        ['/workdays/1/date', '2099-01-05 is a weekday; adjusted working days are weekend days'],
      ]);
      const wrongYear = await api.request('PUT', '/api/calendar/2098', {
        token: adm,
        body: { year: 2099, published: true, holidays: [], workdays: [], note: 'x' },
      });
      expect(wrongYear.status).to.equal(400);
      expect(wrongYear.json.errors[0].pointer).to.equal('/year');
    });
  });

  describe('audit: versions and corrections', () => {
    it('a correction is a new version with actor, time and reason; the header follows; unknown fields are named', async () => {
      const o = (await api.request('POST', '/api/orders', { token: cm, body: newOrder() })).json;
      const noReason = await api.request('POST', `/api/records/business-order/${o.id}/corrections`, {
        token: cm,
        body: { changes: { accounts: 60 } },
      });
      expect(noReason.status).to.equal(400);
      expect(noReason.json.errors[0]).to.include({ in: 'body', pointer: '/reason' });
      const res = await api.request('POST', `/api/records/business-order/${o.id}/corrections`, {
        token: cm,
        body: { reason: '客户确认为60个账号', changes: { accounts: 60 } },
      });
      expect(res.status, res.text).to.equal(201);
      expect(res.json).to.include({ version: 2, actor: 'customer-manager', reason: '客户确认为60个账号' });
      expect(res.json.data.accounts).to.equal(60);
      const versions = await api.request('GET', `/api/records/business-order/${o.id}/versions`, { token: aud });
      expect(versions.json.map((v: { version: number; data: { accounts: number } }) => [v.version, v.data.accounts])).to.deep.equal([
        [1, 50],
        [2, 60],
      ]);
      expect((await api.request('GET', `/api/orders/${o.id}`, { token: aud })).json).to.include({ accounts: 60, version: 2 });
      const bad = await api.request('POST', `/api/records/business-order/${o.id}/corrections`, {
        token: cm,
        body: { reason: 'x', changes: { orderNo: 'YW-1', status: 'COMPLETED' } },
      });
      expect(bad.status).to.equal(400);
      expect(bad.json.errors.map((e: { pointer: string }) => e.pointer)).to.deep.equal(['/changes/orderNo', '/changes/status']);
      const unknown = await api.request('GET', '/api/records/business-order/00000000-0000-4000-8000-000000000000/versions', { token: aud });
      expect(unknown.status).to.equal(404);
    });
  });

  describe('health', () => {
    it('live and ready at the root', async () => {
      expect((await api.request('GET', '/health/live')).json).to.deep.equal({ status: 'ok' });
      const ready = await api.request('GET', '/health/ready');
      expect(ready.status).to.equal(200);
      expect(ready.json).to.deep.equal({ status: 'ok', checks: { database: { ok: true }, migrations: { ok: true } } });
    });
  });
});
