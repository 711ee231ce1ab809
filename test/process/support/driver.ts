/**
 * The test driver: the people of the procedure, acting through the API. Each step waits (bounded) for
 * its task by element id and the business key in the task's context, then completes it with the form's
 * fields. Plus the records the steps leave, read back from the database, and the engine's view.
 */
import { expect } from 'chai';
import { In } from 'typeorm';
import {
  AuditLogEntity,
  BusinessOrderEntity,
  ChangeOrderEntity,
  ExpenseContractEntity,
  NotificationEntity,
  ProcessCommandEntity,
  RevenueContractEntity,
} from '../../../db/entities/index';
import { waitFor as waitForBase } from '../../../app/api-client';
import type { E2E } from './system';

/** bounded polling with the suite's default bound (WAIT) */
export const waitFor = <T>(fn: () => Promise<T | null | undefined | false>, what: string, timeoutMs = WAIT, everyMs = 30) =>
  waitForBase(fn, what, timeoutMs, everyMs);

export const CM = 'customer-manager';
export const DEPT = 'dept-manager';
export const CENTER = 'center-reviewer';
export const TECH = 'tech-dept';
export const ADMIN = 'contract-admin';
export const OPS = 'ops';
export const AP_USER = 'ap-alpha';

/** ms to wait for a task or record: generous for a loaded 2-core CI machine (a failed job retries after 2 s, 4 s, ...), still bounded */
export const WAIT = 30_000;

export interface Order {
  id: string;
  orderNo: string;
  status: string;
  [k: string]: unknown;
}

let seq = 0;
export async function createOrder(
  e: E2E,
  opts: { ap?: boolean; accounts?: number; amount?: number; customer?: number } = {},
): Promise<Order> {
  seq++;
  return e.api.post(CM, '/api/orders', {
    customerId: e.customers[opts.customer ?? 0].id,
    modules: ['learning-management', 'live-training'],
    accounts: opts.accounts ?? 100 + seq,
    openingDate: '2026-10-08',
    termMonths: 12,
    amount: opts.amount ?? 36000,
    apInvolved: !!opts.ap,
    apPartnerId: opts.ap ? e.partner.id : null,
    note: `e2e ${seq}`,
  });
}

export async function orderRow(e: E2E, id: string) {
  return e.ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id });
}

export async function waitOrderStatus(e: E2E, id: string, status: string, timeoutMs = WAIT) {
  return waitFor(
    async () => {
      const o = await e.api.get(CM, `/api/orders/${id}`);
      return o.status === status ? o : null;
    },
    `order ${id} in status ${status}`,
    timeoutMs,
  );
}

export async function waitChangeStatus(e: E2E, id: string, status: string, timeoutMs = WAIT) {
  return waitFor(
    async () => {
      const o = await e.api.get(CM, `/api/change-orders/${id}`);
      return o.status === status ? o : null;
    },
    `change order ${id} in status ${status}`,
    timeoutMs,
  );
}

/** the instance key the dispatcher recorded on the order (database) */
export async function orderInstanceKey(e: E2E, id: string): Promise<string> {
  return waitFor(
    async () => (await e.ds.getRepository(BusinessOrderEntity).findOneBy({ id }))?.processInstanceKey ?? null,
    `process instance key on order ${id}`,
    WAIT,
  );
}
export async function changeInstanceKey(e: E2E, id: string): Promise<string> {
  return waitFor(
    async () => (await e.ds.getRepository(ChangeOrderEntity).findOneBy({ id }))?.processInstanceKey ?? null,
    `process instance key on change order ${id}`,
    WAIT,
  );
}

/** engine view: state of a process instance and the end event it reached */
export async function instanceEnd(e: E2E, key: string, timeoutMs = WAIT): Promise<{ state: string; endEvents: string[] }> {
  const pi = await waitFor(
    async () => {
      const r = await e.rest('GET', `/v2/process-instances/${key}`);
      return r.status === 200 && r.body.state !== 'ACTIVE' ? r.body : null;
    },
    `process instance ${key} to end`,
    timeoutMs,
  );
  const els = await e.rest('POST', '/v2/element-instances/search', {
    filter: { processInstanceKey: key, type: 'END_EVENT', state: 'COMPLETED' },
    page: { limit: 100 },
  });
  return { state: pi.state, endEvents: (els.body.items as { elementId: string }[]).map((x) => x.elementId) };
}

/** the states of an element's instances in a process instance (its runs, as the engine searched them) */
export async function elementStates(e: E2E, processInstanceKey: string, elementId: string): Promise<string[]> {
  const r = await e.rest('POST', '/v2/element-instances/search', { filter: { processInstanceKey, elementId }, page: { limit: 100 } });
  return (r.body.items as { state: string }[]).map((x) => x.state);
}

/**
 * 向AP发出实施请求 is a message throw event whose job answers with apRequestAccepted, and AP接受请求? routes it:
 * the event and the gateway ran once each, completed, and the sub-process AP实施 was entered (accepted) or not (refused)
 */
export async function expectApRequestRouted(e: E2E, processInstanceKey: string, accepted: boolean) {
  expect(await elementStates(e, processInstanceKey, 'request-ap-implementation'), 'the throw event').to.deep.equal(['COMPLETED']);
  expect(await elementStates(e, processInstanceKey, 'ap-request-accepted'), 'AP接受请求?').to.deep.equal(['COMPLETED']);
  const implementation = await elementStates(e, processInstanceKey, 'ap-implementation');
  if (accepted) expect(implementation, 'AP实施 entered').to.have.length.greaterThan(0);
  else expect(implementation, 'AP实施 not entered').to.deep.equal([]);
  expect(await activeIncidents(e, processInstanceKey), 'a refusal is no incident').to.deep.equal([]);
}

export async function activeIncidents(e: E2E, processInstanceKey: string) {
  const r = await e.rest('POST', '/v2/incidents/search', { filter: { processInstanceKey, state: 'ACTIVE' } });
  return r.body.items as { incidentKey: string; jobKey?: string; elementId: string; errorMessage: string; errorType: string }[];
}

export async function notifications(e: E2E, template: string) {
  return e.ds.getRepository(NotificationEntity).find({ where: { template } });
}
export async function audits(e: E2E, action: string, entityId?: string) {
  return e.ds.getRepository(AuditLogEntity).find({ where: { action, ...(entityId ? { entityId } : {}) }, order: { at: 'ASC' } });
}

export async function revenueContracts(e: E2E, orderId: string) {
  return e.ds.getRepository(RevenueContractEntity).find({ where: { orderId }, order: { createdAt: 'ASC' } });
}
export async function expenseContracts(e: E2E, orderId: string) {
  return e.ds.getRepository(ExpenseContractEntity).find({ where: { orderId }, order: { createdAt: 'ASC' } });
}
export async function startCommands(e: E2E, correlationKeys: string[]) {
  const all = await e.ds.getRepository(ProcessCommandEntity).find();
  return all.filter((c) => correlationKeys.includes(String((c.payload as { correlationKey?: string }).correlationKey)));
}
export { In };

// ------------------------------------------------------------------ the steps (people, through the API)

export const confirm = (
  e: E2E,
  no: Record<string, string>,
  decision: 'CONFIRMED' | 'CHANGE_REQUESTED' | 'DECLINED' = 'CONFIRMED',
  feedback = '客户确认订单内容',
  element = 'confirm-order-with-customer',
) => e.api.step(CM, element, no, { customerDecision: decision, customerFeedback: feedback }, WAIT);

export const draftRevenue = (e: E2E, no: Record<string, string>, amount = 36000, element = 'draft-revenue-contract') =>
  e.api.step(
    CM,
    element,
    no,
    { contractTitle: `在线培训服务协议 ${Object.values(no)[0]}`, contractAmount: amount, contractTerm: 12, contractNote: '标准条款' },
    WAIT,
  );

export const review = (
  e: E2E,
  step: 'dept' | 'center',
  no: Record<string, string>,
  type: 'REVENUE' | 'EXPENSE',
  decision: 'APPROVE' | 'REJECT',
  opinion = decision === 'APPROVE' ? '同意' : '金额需调整',
) =>
  e.api.step(
    step === 'dept' ? DEPT : CENTER,
    step === 'dept' ? 'dept-manager-review' : 'center-review',
    { ...no, contractType: type },
    { reviewDecision: decision, reviewOpinion: opinion },
    WAIT,
  );

export const approveBoth = async (e: E2E, no: Record<string, string>, type: 'REVENUE' | 'EXPENSE') => {
  await review(e, 'dept', no, type, 'APPROVE');
  await review(e, 'center', no, type, 'APPROVE');
};

export const sign = (e: E2E, no: Record<string, string>, signedDate = '2026-09-10', element = 'sign-revenue-contract') =>
  e.api.step(ADMIN, element, no, { signedDate }, WAIT);

export const configure = (e: E2E, no: Record<string, string>, reply = '已在业务平台完成配置') =>
  e.api.step(TECH, 'configure-platform', no, { configurationReply: reply, configuredAt: '2026-09-20' }, WAIT);

export const accept = (
  e: E2E,
  no: Record<string, string>,
  decision: 'ACCEPTED' | 'SENT_BACK' = 'ACCEPTED',
  opinion = decision === 'ACCEPTED' ? '验收通过' : '直播模块未开通，请补充配置',
) => e.api.step(CM, 'accept-configuration', no, { acceptanceDecision: decision, acceptanceOpinion: opinion }, WAIT);

export const deliver = (e: E2E, no: Record<string, string>, deliveredOn = '2026-09-30') =>
  e.api.step(CM, 'deliver-to-customer', no, { deliveredOn, deliveryNote: '已交付客户使用' }, WAIT);

export const fileCompletion = (e: E2E, no: Record<string, string>) =>
  e.api.step(
    CM,
    'file-completion-record',
    no,
    { networkQuality: '5', serviceAttitude: '4', customerFeedback: '平台稳定，培训效果良好', followUp: '季度回访' },
    WAIT,
  );

/** the AP's side: wait for its (signed) implementation request for the order, then report completion with the payment basis */
export async function apRequestFor(e: E2E, orderNo: string, count = 1) {
  return waitFor(
    async () => {
      const rs = e.ap.valid().filter((r) => r.body.orderNo === orderNo);
      return rs.length >= count ? rs : null;
    },
    `${count} implementation request(s) at the AP endpoint for ${orderNo}`,
    WAIT,
  );
}

/** the AP's payment basis for its expense contract; `user` is the AP's sign-in (ap-<partner code>) */
export async function apSubmit(e: E2E, expenseContractNo: string, submissionId: string, amount = 8000, user = AP_USER) {
  const list = await e.api.get(user, `/api/contracts?type=EXPENSE&limit=200`);
  const c = (list.items as { id: string; contractNo: string }[]).find((x) => x.contractNo === expenseContractNo);
  expect(c, `expense contract ${expenseContractNo} visible to the AP`).to.exist;
  return e.api.call(user, 'POST', '/api/payment-bases', {
    submissionId,
    expenseContractId: c!.id,
    amount,
    completedOn: '2026-09-25',
    description: '外包平台已完成配置，账号已开通',
    accountsImplemented: 100,
  });
}

export const checkPaymentBasis = (e: E2E, no: Record<string, string>, decision: 'ACCEPTED' | 'SENT_BACK' = 'ACCEPTED') =>
  e.api.step(
    ADMIN,
    'check-payment-basis',
    no,
    { paymentBasisDecision: decision, paymentBasisOpinion: decision === 'ACCEPTED' ? '支付依据齐全' : '缺少验收截图' },
    WAIT,
  );

/** the AP branch after the expense countersign approved: request → payment basis → check */
export async function apBranch(e: E2E, orderNo: string, submissionId = `sub-${orderNo}`) {
  const [req] = await apRequestFor(e, orderNo);
  const res = await apSubmit(e, req.body.expenseContractNo, submissionId);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  await checkPaymentBasis(e, { orderNo });
  return req;
}

/** the order confirmed, its revenue contract drafted, countersigned and signed, the configuration accepted */
export async function throughConfiguration(e: E2E, no: Record<string, string>) {
  await confirm(e, no);
  await draftRevenue(e, no);
  await approveBoth(e, no, 'REVENUE');
  await sign(e, no);
  await configure(e, no);
  await accept(e, no);
}

/** an order with an AP up to the implementation request the AP received (the expense countersign approved) */
export async function untilApRequest(e: E2E, o: Order) {
  const no = { orderNo: o.orderNo };
  await throughConfiguration(e, no);
  await approveBoth(e, no, 'EXPENSE');
  const [req] = await apRequestFor(e, o.orderNo);
  return { no, req };
}

/** the whole happy path of an order up to COMPLETED (deliveredOn given) */
export async function provision(e: E2E, o: Order, opts: { ap?: boolean; deliveredOn?: string; complete?: boolean } = {}) {
  const no = { orderNo: o.orderNo };
  await throughConfiguration(e, no);
  if (opts.ap) {
    await approveBoth(e, no, 'EXPENSE');
    await apBranch(e, o.orderNo);
  }
  await deliver(e, no, opts.deliveredOn ?? '2026-09-30');
  if (opts.complete !== false) {
    await fileCompletion(e, no);
    await waitOrderStatus(e, o.id, 'COMPLETED');
  }
}
