/**
 * The ways out of 处理AP异常 (resolve-ap-issue, issue #20) that change records. The recording task after
 * the user task (job ap-issue.record-resolution, workers/families/ap-issue.ts) calls these; the model's
 * gateway 处理方式? then routes RETRY and OTHER_PARTNER back to drafting, WITHOUT_AP to the join with the
 * technical branch and CANCEL to the terminate end `order-cancelled-after-ap-issue`:
 *
 *  RETRY          nothing changes but the audit trail (who decided to try the same AP again, and why)
 *  OTHER_PARTNER  the order names another AP (a new order version with the reason); the AP branch then
 *                 drafts the same expense contract again for that partner (draftExpenseContract writes
 *                 its new version with the new partner, so the contract number and the AP's completion
 *                 message stay one)
 *  WITHOUT_AP     the expense contract, if one was drafted, is withdrawn (a new version, status
 *                 WITHDRAWN, nothing deleted) and the order no longer involves an AP (apInvolved false);
 *                 the order goes on with the technical branch alone
 *  CANCEL         the expense contract withdrawn as for WITHOUT_AP and the signed order CANCELLED with the
 *                 reason (order-status.ts AP_ISSUE_CANCELLATION, the one cancellation after signing). What
 *                 it does not undo is left to people: the signed revenue contract stays SIGNED (the contract
 *                 office terminates it with the customer), the accounts registered on the account
 *                 monitoring platform stay (the ops office removes them), an issued collaboration task
 *                 order stays as it was (its open task ends with the instance)
 *
 * The change flow (online-training-change) has the same task and choices for its change order 变更单 and the
 * expense contract's supplementary agreement (kind 'change-order'): its AP is the change order's
 * `apPartnerId`, going on without the AP clears `apScopeChange`, and CANCEL cancels the signed change order
 * (the signed supplementary agreement and the applied account delta stay likewise).
 *
 * All are idempotent: a repeat finds the record already so and writes nothing.
 */
import type { EntityManager } from 'typeorm';
import {
  ApPartnerEntity,
  BusinessOrderEntity,
  ChangeOrderEntity,
  ExpenseContractEntity,
  type BusinessOrder,
  type ChangeOrder,
  type ExpenseContract,
} from '../db/entities/index';
import { findRow, findRows } from '../db/rows';
import { inTransaction, type Db } from '../db/transaction';
import { audit, ctxAt, type WriteContext } from './audit';
import { partnerUnavailability, requireAvailablePartner } from './contracts';
import { IllegalTransitionError, StateConflictError, ValidationError } from './errors';
import { updateOrder, type OrderKind } from './order-lifecycle';
import { AP_ISSUE_CANCELLATION, type OrderStatus } from './order-status';
import { correctRecord, findForUpdate } from './records';

export interface ApIssueOutcome {
  /** the order's apInvolved; for a change order its apScopeChange */
  apInvolved: boolean;
  apPartnerId: string | null;
  /** the expense contract (for a change: its supplementary agreement) withdrawn by WITHOUT_AP or CANCEL, if there was one */
  withdrawnExpenseContractId: string | null;
}

/** what differs between the business order and the change order here */
const KIND = {
  'business-order': {
    entity: BusinessOrderEntity,
    expenseContract: (id: string) => ({ orderId: id, kind: 'AGREEMENT' }),
    involved: (o: BusinessOrder | ChangeOrder) => (o as BusinessOrder).apInvolved,
    withAp: (apPartnerId: string) => ({ apInvolved: true, apPartnerId }),
    withoutAp: { apInvolved: false, apPartnerId: null },
    cancelReasonPrefix: 'AP异常，客户经理取消订单：',
  },
  'change-order': {
    entity: ChangeOrderEntity,
    expenseContract: (id: string) => ({ changeOrderId: id }),
    involved: (o: BusinessOrder | ChangeOrder) => (o as ChangeOrder).apScopeChange,
    withAp: (apPartnerId: string) => ({ apScopeChange: true, apPartnerId }),
    withoutAp: { apScopeChange: false },
    cancelReasonPrefix: 'AP异常，客户经理取消变更单：',
  },
} as const;

/** the cancelReason after 取消 in 处理AP异常: the customer manager's 处理说明 behind this prefix */
export const AP_ISSUE_CANCEL_REASON_PREFIX = KIND['business-order'].cancelReasonPrefix;

async function lockRecord(em: EntityManager, kind: OrderKind, id: string): Promise<BusinessOrder | ChangeOrder> {
  const o = (await findForUpdate(em, KIND[kind].entity as never, { id })) as BusinessOrder | ChangeOrder | null;
  if (!o) throw new ValidationError(`${kind === 'business-order' ? 'orderId' : 'changeOrderId'}: no ${kind} ${id}`);
  return o;
}

/** the record's expense contract (if any) WITHDRAWN as a new version; refused once the AP has implemented */
async function withdrawExpenseContract(em: EntityManager, kind: OrderKind, id: string, ctx: WriteContext): Promise<string | null> {
  const ec = await findForUpdate(em, ExpenseContractEntity, KIND[kind].expenseContract(id));
  if (!ec) return null;
  if (['IMPLEMENTED', 'PAYMENT_BASIS_ACCEPTED'].includes(ec.status)) {
    throw new StateConflictError(`expense-contract ${ec.contractNo} is ${ec.status}: the AP has implemented, it cannot be withdrawn`);
  }
  if (ec.status !== 'WITHDRAWN') {
    await correctRecord<ExpenseContract>(em, 'expense-contract', ec.id, {}, ctx, {
      action: 'expense-contract.withdraw',
      headerPatch: { status: 'WITHDRAWN' },
    });
  }
  return ec.id;
}

const needsReason = (ctx: WriteContext, what: string) => {
  if (!ctx.reason?.trim()) throw new ValidationError(`${what} needs a reason`);
};

/** 新AP编号 as typed: the partner's id, or its code (alpha) that staff know it by; unknown stays as typed */
async function partnerIdOf(em: EntityManager, ref: string): Promise<string> {
  if (await findRow(em, ApPartnerEntity, { id: ref })) return ref;
  return (await findRow(em, ApPartnerEntity, { code: ref }))?.id ?? ref;
}

/** one choice of 新AP编号 (a Camunda Forms select option) */
export interface ApPartnerOption {
  label: string;
  value: string;
}

/**
 * The AP partners that could take the work now (active, with agreed terms), but the one that failed: the
 * options of 新AP编号 on 处理AP异常, handed to the process with the BPMN error that opens it.
 */
export async function availablePartnerOptions(db: Db, exceptId?: string | null): Promise<ApPartnerOption[]> {
  const all = await findRows(db, ApPartnerEntity, {}, { orderBy: { code: 'ASC' } });
  return all
    .filter((p) => p.id !== exceptId && partnerUnavailability(p, p.id) === null)
    .map((p) => ({ label: `${p.name}（${p.code}）`, value: p.id }));
}

/**
 * OTHER_PARTNER: the record's AP becomes the partner `newApPartner` names (its id or its code); an unknown or
 * unavailable partner is ApPartnerUnavailableError
 */
export async function switchApPartner(
  db: Db,
  id: string,
  newApPartner: string,
  ctx: WriteContext,
  kind: OrderKind = 'business-order',
): Promise<ApIssueOutcome> {
  if (!newApPartner.trim()) throw new ValidationError('newApPartnerId: required for OTHER_PARTNER');
  needsReason(ctx, 'switching the AP');
  return inTransaction(db, async (em) => {
    const o = await lockRecord(em, kind, id);
    const newApPartnerId = await partnerIdOf(em, newApPartner.trim());
    const out = { apInvolved: true, apPartnerId: newApPartnerId, withdrawnExpenseContractId: null };
    if (KIND[kind].involved(o) && o.apPartnerId === newApPartnerId) return out;
    await requireAvailablePartner(em, newApPartnerId);
    await correctRecord<BusinessOrder | ChangeOrder>(em, kind, o.id, KIND[kind].withAp(newApPartnerId), ctx, {
      action: `${kind}.switch-ap`,
    });
    return out;
  });
}

/** WITHOUT_AP: the expense contract (if any) withdrawn, the record without AP; refused once the AP has implemented */
export async function goOnWithoutAp(db: Db, id: string, ctx: WriteContext, kind: OrderKind = 'business-order'): Promise<ApIssueOutcome> {
  needsReason(ctx, 'going on without the AP');
  return inTransaction(db, async (em) => {
    const o = await lockRecord(em, kind, id);
    const withdrawn = await withdrawExpenseContract(em, kind, o.id, ctx);
    if (KIND[kind].involved(o)) {
      await correctRecord<BusinessOrder | ChangeOrder>(em, kind, o.id, KIND[kind].withoutAp, ctx, { action: `${kind}.drop-ap` });
    }
    return { apInvolved: false, apPartnerId: null, withdrawnExpenseContractId: withdrawn };
  });
}

/** RETRY: the same AP again; only the decision and its reason go on record (audit <kind>.retry-ap) */
export async function retryAp(db: Db, id: string, ctx: WriteContext, kind: OrderKind = 'business-order'): Promise<ApIssueOutcome> {
  needsReason(ctx, 'trying the AP again');
  return inTransaction(db, async (em) => {
    const o = await lockRecord(em, kind, id);
    await audit(em, ctx, `${kind}.retry-ap`, kind, o.id, { apPartnerId: o.apPartnerId });
    return { apInvolved: KIND[kind].involved(o), apPartnerId: o.apPartnerId, withdrawnExpenseContractId: null };
  });
}

/**
 * CANCEL: the expense contract (if any) withdrawn and the signed record CANCELLED with the reason
 * (AP_ISSUE_CANCELLATION), audited as <kind>.cancel like every cancellation. Only from CONTRACT_SIGNED;
 * a repeat on the cancelled record writes nothing.
 */
export async function cancelAfterApIssue(
  db: Db,
  id: string,
  ctx: WriteContext,
  kind: OrderKind = 'business-order',
): Promise<ApIssueOutcome & { status: OrderStatus }> {
  needsReason(ctx, 'cancelling');
  const reason = `${KIND[kind].cancelReasonPrefix}${ctx.reason!.trim()}`;
  const c = { ...ctx, reason };
  return inTransaction(db, async (em) => {
    const o = await lockRecord(em, kind, id);
    const withdrawn = await withdrawExpenseContract(em, kind, o.id, c);
    const { from, to } = AP_ISSUE_CANCELLATION;
    if (o.status !== to) {
      if (o.status !== from) throw new IllegalTransitionError(kind, o.status, to);
      await updateOrder(em, { kind, id: o.id }, o, { status: to, cancelReason: reason, updatedAt: ctxAt(c) });
      await audit(em, c, `${kind}.cancel`, kind, o.id, { from, to, cancelReason: reason, after: 'ap-issue' });
    }
    return { apInvolved: KIND[kind].involved(o), apPartnerId: o.apPartnerId, withdrawnExpenseContractId: withdrawn, status: to };
  });
}
