/**
 * ap-contract.* — expense contract 支出合同 with the AP and its payment basis 支付依据 (§6.3.2, §6.3.3).
 *
 *  draft / draft-supplement  from the order (change order) and the partner's terms; partner suspended or
 *                            without terms → BPMN error AP_PARTNER_UNAVAILABLE; one per order / change
 *  revise                    after a rejected countersign: version n+1 (key job)
 *  send-implementation-request  signed JSON POST to the partner's endpoint (ap-signing.ts) with the job
 *                            key as Idempotency-Key; 2xx → IMPLEMENTATION_REQUESTED, apSlaDuration;
 *                            network error / 408 / 429 / 5xx → fail with back-off; other 4xx →
 *                            AP_REQUEST_REJECTED with the AP's reason
 *  remind-sla                notification to the customer manager and the AP (key job)
 *  record-payment-basis      the AP's submission (written by the API) checked and announced to the
 *                            contract admin (key payment basis + version)
 *  record-payment-basis-check  the contract admin's decision per payment-basis version
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  ApPartnerEntity,
  BusinessOrderEntity,
  ChangeOrderEntity,
  CustomerEntity,
  ExpenseContractEntity,
  PaymentBasisCheckEntity,
  PaymentBasisEntity,
  type ApPartner,
  type ExpenseContract,
} from '../../db/entities/index.js';
import { correctRecord, createVersionedRecord, findForUpdate } from '../../domain/records.js';
import { ACCEPTANCE_DECISION, BPMN_ERROR, JOB, MESSAGE } from '../../domain/vocabulary';
import { bpmnError, complete, fail } from '../runtime/outcome';
import { defineHandler, type Services } from '../runtime/job';
import { S } from '../runtime/validate';
import { checked, once, storedResult } from '../runtime/once';
import { actorDetails, actorOf, audit, missing, nextNumber, notify, PermanentError, SYSTEM_ACTOR } from '../common';
import { signedHeaders } from './ap-signing';

function unavailability(partner: ApPartner | null, id: string): string | null {
  if (!partner) return `AP partner ${id} is not registered`;
  if (partner.status !== 'ACTIVE') return `AP partner ${partner.name} (${partner.code}) is ${partner.status}`;
  if (!partner.terms || typeof partner.terms.pricePerAccountMonth !== 'number') return `AP partner ${partner.name} (${partner.code}) has no agreed terms`;
  return null;
}

function money(n: number): number {
  return Math.round(n * 100) / 100;
}

export const draft = defineHandler<{ orderId: string; apPartnerId?: string | null }>({
  type: JOB.apContractDraft,
  variables: S.obj({ orderId: S.str }, { orderNo: S.optStr, apPartnerId: S.optStr }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const v = job.variables;
    const key = `order:${v.orderId}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const order = await dataSource.getRepository(BusinessOrderEntity).findOneBy({ id: v.orderId });
    if (!order) missing('business order', v.orderId);
    const partnerId = v.apPartnerId ?? order.apPartnerId;
    if (!partnerId) throw new PermanentError(`order ${order.orderNo} names no AP partner`, 'set the AP partner on the order (or apInvolved=false), then retry');
    const partner = await dataSource.getRepository(ApPartnerEntity).findOneBy({ id: partnerId });
    const why = unavailability(partner, partnerId);
    if (why) return bpmnError(BPMN_ERROR.apPartnerUnavailable, why, { apIssue: why });
    const p = partner as ApPartner;
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const contractNo = await nextNumber(em, 'expense-contract', now);
      const price = p.terms!.pricePerAccountMonth as number;
      const header: ExpenseContract = {
        id: randomUUID(),
        contractNo,
        kind: 'AGREEMENT',
        orderId: order.id,
        changeOrderId: null,
        parentContractId: null,
        apPartnerId: p.id,
        status: 'DRAFT',
        title: `在线培训AP实施支出合同（${order.orderNo}）`,
        amount: money(price * order.accounts * order.termMonths),
        note: `${order.accounts} 账号 × ${order.termMonths} 月 × ${price} 元/账号·月（${p.name}）`,
        countersignFormNo: null,
        rejectionReason: null,
        implementationRequestedAt: null,
        slaDuration: p.terms!.slaDuration ?? null,
        currentVersion: 1,
        createdBy: SYSTEM_ACTOR,
        createdAt: now,
        updatedAt: now,
      };
      await createVersionedRecord(em, 'expense-contract', header, { actor: SYSTEM_ACTOR, at: now, reason: 'drafted from the business order and the AP terms' });
      return { expenseContractId: header.id, expenseContractNo: contractNo, expenseContractAmount: header.amount };
    });
    return complete(result);
  },
});

export const draftSupplement = defineHandler<{ changeOrderId: string; apPartnerId?: string | null }>({
  type: JOB.apContractDraftSupplement,
  variables: S.obj({ changeOrderId: S.str }, { orderId: S.optStr, changeOrderNo: S.optStr, apPartnerId: S.optStr }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const v = job.variables;
    const key = `change-order:${v.changeOrderId}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const change = await dataSource.getRepository(ChangeOrderEntity).findOneBy({ id: v.changeOrderId });
    if (!change) missing('change order', v.changeOrderId);
    const order = await dataSource.getRepository(BusinessOrderEntity).findOneBy({ id: change.orderId });
    if (!order) missing('business order', change.orderId);
    const partnerId = v.apPartnerId ?? change.apPartnerId ?? order.apPartnerId;
    if (!partnerId) throw new PermanentError(`change order ${change.changeOrderNo} names no AP partner`, 'set the AP partner on the change order, then retry');
    const partner = await dataSource.getRepository(ApPartnerEntity).findOneBy({ id: partnerId });
    const why = unavailability(partner, partnerId);
    if (why) return bpmnError(BPMN_ERROR.apPartnerUnavailable, why, { apIssue: why });
    const p = partner as ApPartner;
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const parent = await em.getRepository(ExpenseContractEntity).findOne({ where: { orderId: order.id, kind: 'AGREEMENT' }, order: { createdAt: 'ASC' } });
      const contractNo = await nextNumber(em, 'expense-contract', now);
      const price = p.terms!.pricePerAccountMonth as number;
      const added = Math.max(0, change.accountDelta);
      const header: ExpenseContract = {
        id: randomUUID(),
        contractNo,
        kind: 'SUPPLEMENT',
        orderId: order.id,
        changeOrderId: change.id,
        parentContractId: parent?.id ?? null,
        apPartnerId: p.id,
        status: 'DRAFT',
        title: `AP支出合同补充协议（${change.changeOrderNo}）`,
        amount: money(price * added * order.termMonths),
        note: `${change.description}；新增 ${added} 账号 × ${order.termMonths} 月 × ${price} 元/账号·月`,
        countersignFormNo: null,
        rejectionReason: null,
        implementationRequestedAt: null,
        slaDuration: p.terms!.slaDuration ?? null,
        currentVersion: 1,
        createdBy: SYSTEM_ACTOR,
        createdAt: now,
        updatedAt: now,
      };
      await createVersionedRecord(em, 'expense-contract', header, { actor: SYSTEM_ACTOR, at: now, reason: 'drafted from the change order and the AP terms' });
      return { expenseContractId: header.id, expenseContractNo: contractNo, expenseContractAmount: header.amount };
    });
    return complete(result);
  },
});

async function lockContract(em: EntityManager, id: string): Promise<ExpenseContract> {
  const c = await findForUpdate(em, ExpenseContractEntity, { id });
  if (!c) missing('expense contract', id);
  return c;
}

export const revise = defineHandler<{ expenseContractId: string; revisionNote?: string | null; contractAmount?: number | null }>({
  type: JOB.apContractRevise,
  variables: S.obj({ expenseContractId: S.str }, { revisionNote: S.optStr, contractAmount: { anyOf: [{ type: 'number', minimum: 0 }, { type: 'null' }] }, completedBy: S.optStr }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const v = job.variables;
    const key = `job:${job.key}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const c = await lockContract(em, v.expenseContractId);
      if (c.status !== 'REJECTED' && c.status !== 'DRAFT') {
        throw new PermanentError(`expense contract ${c.contractNo} is ${c.status}; only a rejected or draft contract is revised`, 'check the process instance in Operate');
      }
      const changes: Record<string, unknown> = {};
      if (v.contractAmount !== undefined && v.contractAmount !== null) changes.amount = v.contractAmount;
      if (v.revisionNote) changes.note = v.revisionNote;
      const { record } = await correctRecord<ExpenseContract>(em, 'expense-contract', c.id, changes, {
        actor: actor.actor,
        at: now,
        reason: v.revisionNote || `revised after rejection: ${c.rejectionReason ?? ''}`.trim(),
      }, { action: 'expense-contract.revise', headerPatch: { status: 'DRAFT' } });
      if (actor.note) await audit(em, now, { actor: actor.actor, action: 'expense-contract.actor-unresolved', entityType: 'expense-contract', entityId: c.id, details: { jobKey: job.key, ...actorDetails(actor) } });
      return { expenseContractVersion: record.currentVersion };
    });
    return complete(result);
  },
});

function excerpt(s: string, n = 300): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

/** the AP's stated reason in a 4xx body: JSON {reason|message|detail|title} or the text */
function reasonOf(body: string): string {
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    for (const k of ['reason', 'message', 'detail', 'title', 'error']) if (typeof j[k] === 'string' && j[k]) return excerpt(j[k] as string);
  } catch {
    /* not JSON */
  }
  return excerpt(body) || '(no reason given)';
}

export const sendImplementationRequest = defineHandler<{ expenseContractId: string; expenseContractNo?: string }>({
  type: JOB.apContractSendImplementationRequest,
  variables: S.obj({ expenseContractId: S.str }, { expenseContractNo: S.optStr }),
  async handle(job, services: Services) {
    const { dataSource, clock, http, settings, log } = services;
    const key = `job:${job.key}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const v = job.variables;
    const contract = await dataSource.getRepository(ExpenseContractEntity).findOneBy({ id: v.expenseContractId });
    if (!contract) missing('expense contract', v.expenseContractId);
    if (contract.status !== 'APPROVED' && contract.status !== 'IMPLEMENTATION_REQUESTED') {
      throw new PermanentError(`expense contract ${contract.contractNo} is ${contract.status}, not APPROVED`, 'the request goes to the AP after the countersign approved the contract: check the process');
    }
    const partner = await dataSource.getRepository(ApPartnerEntity).findOneBy({ id: contract.apPartnerId });
    if (!partner) missing('AP partner', contract.apPartnerId);
    if (partner.status !== 'ACTIVE') {
      return bpmnError(BPMN_ERROR.apRequestRejected, `AP partner ${partner.name} is ${partner.status}`, { apRejectionReason: `partner ${partner.status}` });
    }
    const order = await dataSource.getRepository(BusinessOrderEntity).findOneBy({ id: contract.orderId });
    if (!order) missing('business order', contract.orderId);
    const change = contract.changeOrderId ? await dataSource.getRepository(ChangeOrderEntity).findOneBy({ id: contract.changeOrderId }) : null;
    const customer = await dataSource.getRepository(CustomerEntity).findOneBy({ id: order.customerId });
    const slaDuration = contract.slaDuration ?? partner.terms?.slaDuration ?? settings.apSlaDuration;
    const idempotencyKey = `ot-impl-${contract.contractNo}-${job.key}`;
    const body = JSON.stringify({
      requestId: idempotencyKey,
      expenseContractNo: contract.contractNo,
      contractKind: contract.kind,
      title: contract.title,
      amount: contract.amount,
      orderNo: order.orderNo,
      changeOrderNo: change?.changeOrderNo ?? null,
      customer: customer?.name ?? null,
      modules: change?.modules ?? order.modules,
      accounts: order.accounts + (change?.accountDelta ?? 0),
      openingDate: change?.effectiveDate ?? order.openingDate,
      slaDuration,
      reply: { message: MESSAGE.apImplementationCompleted, correlationKey: contract.contractNo },
    });
    const now = clock.now();
    let res;
    try {
      res = await http({ method: 'POST', url: partner.endpointUrl, headers: signedHeaders(partner.hmacSecret, body, idempotencyKey, now), body, timeoutMs: settings.apRequestTimeoutMs });
    } catch (e) {
      log.warn({ jobKey: job.key, url: partner.endpointUrl, err: (e as Error).message }, 'AP endpoint unreachable');
      return fail(`AP ${partner.code} endpoint ${partner.endpointUrl} unreachable: ${(e as Error).message}`, undefined, {
        hint: `the AP ${partner.name} does not answer at ${partner.endpointUrl}: contact the AP or correct its registered endpoint, then retry the incident`,
      });
    }
    if (res.status >= 200 && res.status < 300) {
      const result = await once(dataSource, job.type, checked(key), now, async (em) => {
        const c = await lockContract(em, contract.id);
        await em.getRepository(ExpenseContractEntity).update({ id: c.id }, { status: 'IMPLEMENTATION_REQUESTED', implementationRequestedAt: now, slaDuration, updatedAt: now });
        await audit(em, now, {
          actor: SYSTEM_ACTOR,
          action: 'expense-contract.implementation-requested',
          entityType: 'expense-contract',
          entityId: c.id,
          details: { contractNo: c.contractNo, endpoint: partner.endpointUrl, status: res.status, idempotencyKey, response: excerpt(res.body) },
        });
        return { apSlaDuration: slaDuration };
      });
      return complete(result);
    }
    if (res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500) {
      return fail(`AP ${partner.code} answered ${res.status}: ${excerpt(res.body, 200)}`, undefined, {
        hint: `the AP ${partner.name} keeps failing (${res.status}): contact the AP, then retry the incident`,
      });
    }
    // 4xx: the AP refuses the request on its merits
    const reason = `AP ${partner.code} refused the implementation request (${res.status}): ${reasonOf(res.body)}`;
    const vars = await once(dataSource, job.type, `${key}:refused`, now, async (em) => {
      await audit(em, now, {
        actor: SYSTEM_ACTOR,
        action: 'expense-contract.implementation-refused',
        entityType: 'expense-contract',
        entityId: contract.id,
        reason,
        details: { status: res.status, idempotencyKey, response: excerpt(res.body) },
      });
      return { apRejectionReason: reason };
    });
    return bpmnError(BPMN_ERROR.apRequestRejected, reason, vars);
  },
});

export const remindSla = defineHandler<{ expenseContractId: string; expenseContractNo?: string }>({
  type: JOB.apContractRemindSla,
  variables: S.obj({ expenseContractId: S.str }, { expenseContractNo: S.optStr, apSlaDuration: S.optStr }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const v = job.variables;
    const result = await once(dataSource, job.type, `job:${job.key}`, now, async (em) => {
      const c = await em.getRepository(ExpenseContractEntity).findOneBy({ id: v.expenseContractId });
      if (!c) missing('expense contract', v.expenseContractId);
      const order = await em.getRepository(BusinessOrderEntity).findOneBy({ id: c.orderId });
      const refs = { expenseContractId: c.id, expenseContractNo: c.contractNo, orderNo: order?.orderNo ?? null, requestedAt: c.implementationRequestedAt?.toISOString() ?? null, slaDuration: c.slaDuration };
      await notify(em, now, { dedupeKey: `ap-sla-reminder:${job.key}:manager`, recipientUser: order?.customerManager ?? null, recipientRole: order ? null : 'contract-admin', template: 'ap-sla-overdue', refs });
      await notify(em, now, { dedupeKey: `ap-sla-reminder:${job.key}:ap`, recipientRole: 'ap-partner', template: 'ap-sla-reminder', refs: { ...refs, apPartnerId: c.apPartnerId } });
      await audit(em, now, { actor: SYSTEM_ACTOR, action: 'expense-contract.sla-reminder', entityType: 'expense-contract', entityId: c.id, details: { jobKey: job.key, slaDuration: c.slaDuration } });
      return {};
    });
    return complete(result);
  },
});

export const recordPaymentBasis = defineHandler<{ paymentBasisId: string; paymentBasisNo?: string; expenseContractId?: string }>({
  type: JOB.apContractRecordPaymentBasis,
  variables: S.obj({ paymentBasisId: S.str }, { paymentBasisNo: S.optStr, expenseContractId: S.optStr, expenseContractNo: S.optStr }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const v = job.variables;
    const basis = await dataSource.getRepository(PaymentBasisEntity).findOneBy({ id: v.paymentBasisId });
    if (!basis) missing('payment basis', v.paymentBasisId);
    if (v.expenseContractId && basis.expenseContractId !== v.expenseContractId) {
      throw new PermanentError(`payment basis ${basis.paymentBasisNo} belongs to another expense contract`, 'the AP submitted a payment basis for a different contract: check the message correlation');
    }
    const result = await once(dataSource, job.type, `basis:${basis.id}:v${basis.currentVersion}`, now, async (em) => {
      const c = await lockContract(em, basis.expenseContractId);
      if (c.status === 'IMPLEMENTATION_REQUESTED' || c.status === 'APPROVED') {
        await em.getRepository(ExpenseContractEntity).update({ id: c.id }, { status: 'IMPLEMENTED', updatedAt: now });
      }
      await notify(em, now, {
        dedupeKey: `payment-basis-submitted:${basis.id}:v${basis.currentVersion}`,
        recipientRole: 'contract-admin',
        template: 'payment-basis-to-check',
        refs: { paymentBasisId: basis.id, paymentBasisNo: basis.paymentBasisNo, version: basis.currentVersion, expenseContractNo: c.contractNo },
      });
      await audit(em, now, { actor: SYSTEM_ACTOR, action: 'payment-basis.received', entityType: 'payment-basis', entityId: basis.id, details: { version: basis.currentVersion, expenseContractNo: c.contractNo } });
      return { paymentBasisVersion: basis.currentVersion };
    });
    return complete(result);
  },
});

export const recordPaymentBasisCheck = defineHandler<{ paymentBasisId: string; paymentBasisDecision: 'ACCEPTED' | 'SENT_BACK'; paymentBasisOpinion?: string | null }>({
  type: JOB.apContractRecordPaymentBasisCheck,
  variables: S.obj({ paymentBasisId: S.str, paymentBasisDecision: S.enumOf(ACCEPTANCE_DECISION) }, { paymentBasisOpinion: S.optStr, completedBy: S.optStr }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const v = job.variables;
    const basis = await dataSource.getRepository(PaymentBasisEntity).findOneBy({ id: v.paymentBasisId });
    if (!basis) missing('payment basis', v.paymentBasisId);
    const key = `basis:${basis.id}:v${basis.currentVersion}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const opinion = v.paymentBasisOpinion ?? null;
      await em.getRepository(PaymentBasisCheckEntity).insert({
        id: randomUUID(),
        paymentBasisId: basis.id,
        paymentBasisVersion: basis.currentVersion,
        decision: v.paymentBasisDecision,
        opinion: actor.note ? [opinion, `[${actor.note}]`].filter(Boolean).join(' ') : opinion,
        actor: actor.actor,
        checkedAt: now,
      });
      await em.getRepository(PaymentBasisEntity).update({ id: basis.id }, { status: v.paymentBasisDecision, updatedAt: now });
      const c = await lockContract(em, basis.expenseContractId);
      if (v.paymentBasisDecision === 'ACCEPTED') {
        await em.getRepository(ExpenseContractEntity).update({ id: c.id }, { status: 'PAYMENT_BASIS_ACCEPTED', updatedAt: now });
      } else {
        await notify(em, now, {
          dedupeKey: `payment-basis-sent-back:${basis.id}:v${basis.currentVersion}`,
          recipientRole: 'ap-partner',
          template: 'payment-basis-sent-back',
          refs: { apPartnerId: basis.apPartnerId, paymentBasisNo: basis.paymentBasisNo, expenseContractNo: c.contractNo, opinion },
        });
      }
      await audit(em, now, {
        actor: actor.actor,
        action: 'payment-basis.check',
        entityType: 'payment-basis',
        entityId: basis.id,
        reason: opinion,
        details: { version: basis.currentVersion, decision: v.paymentBasisDecision, jobKey: job.key, ...actorDetails(actor) },
      });
      return { paymentBasisStatus: v.paymentBasisDecision };
    });
    return complete(result);
  },
});

export const AP_CONTRACT_HANDLERS = [draft, draftSupplement, revise, sendImplementationRequest, remindSla, recordPaymentBasis, recordPaymentBasisCheck];
