/**
 * The life cycle both kinds of order share: the business order 业务订单 (§6.3.1) and the change order
 * 变更单 (§6.2) run through the same status table (order-status.ts), the same customer-confirmation loop
 * (decision, revision as a new version, cancellation) and the same delivery and completion. orders.ts,
 * change-orders.ts and completion.ts call these with an OrderRef; nothing here knows which kind it is
 * beyond the entity and the record type.
 */
import type { EntityManager } from 'typeorm';
import { BusinessOrderEntity, ChangeOrderEntity, type BusinessOrder, type ChangeOrder } from '../db/entities/index';
import { inTransaction, type Db } from '../db/transaction';
import { audit, ctxAt, requireActor, type WriteContext } from './audit';
import { ConflictError, IllegalTransitionError, NotFoundError, ValidationError } from './errors';
import { canTransition, STATUS_AFTER_CUSTOMER_DECISION, transition, type OrderStatus } from './order-status';
import { correctRecord, findForUpdate } from './records';
import { enqueueCommand } from './outbox';
import { CUSTOMER_DECISION, type CustomerDecision } from './vocabulary';

export type OrderKind = 'business-order' | 'change-order';
export interface OrderRef {
  kind: OrderKind;
  id: string;
}
export type AnyOrder = BusinessOrder | ChangeOrder;

export function orderEntityOf(kind: OrderKind) {
  return kind === 'business-order' ? BusinessOrderEntity : ChangeOrderEntity;
}

/** the document number of either kind (YW-… or BG-…) */
export function orderNumberOf(o: AnyOrder): string {
  return 'changeOrderNo' in o ? o.changeOrderNo : o.orderNo;
}

/** the header fields every new order of either kind starts with (status, process and completion fields) */
export function newOrderLifecycleFields(actor: string, at: Date) {
  return {
    status: 'SUBMITTED' as OrderStatus,
    currentVersion: 1,
    processInstanceKey: null,
    customerFeedback: null,
    deliveredOn: null,
    deliveryNote: null,
    completionDeadline: null,
    completionReminderAt: null,
    deadlineProvisional: false,
    completedAt: null,
    cancelReason: null,
    createdBy: actor,
    createdAt: at,
    updatedAt: at,
  };
}

/** the order, locked for the rest of the transaction; NotFoundError when missing */
export async function lockOrder<T extends AnyOrder = AnyOrder>(em: EntityManager, ref: OrderRef): Promise<T> {
  const o = (await findForUpdate(em, orderEntityOf(ref.kind) as never, { id: ref.id })) as T | null;
  if (!o) throw new NotFoundError(ref.kind, ref.id);
  return o;
}

/** updates the header only if it is still in the status it was read in (ConflictError otherwise) */
export async function updateOrder(em: EntityManager, ref: OrderRef, prev: AnyOrder, patch: Record<string, unknown>): Promise<void> {
  const res = await em.getRepository(orderEntityOf(ref.kind) as never).update({ id: ref.id, status: prev.status } as never, patch as never);
  if (res.affected !== 1) throw new ConflictError(`${ref.kind} ${ref.id} changed concurrently`);
}

/** moves the order to `to` through the status table, with `patch` and an audit row `action` */
export async function setOrderStatus<T extends AnyOrder>(
  db: Db,
  ref: OrderRef,
  to: OrderStatus,
  ctx: WriteContext,
  action: string,
  patch: Record<string, unknown> = {},
  details: Record<string, unknown> = {},
): Promise<T> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const o = await lockOrder<T>(em, ref);
    const at = ctxAt(ctx);
    const next = { ...transition(o, to, ref.kind), ...patch, updatedAt: at } as T;
    await updateOrder(em, ref, o, { status: to, ...patch, updatedAt: at });
    await audit(em, ctx, action, ref.kind, ref.id, { from: o.status, to, ...patch, ...details });
    return next;
  });
}

/**
 * order.record-customer-decision / change-order.record-customer-decision: CONFIRMED and
 * CHANGE_REQUESTED move the status; DECLINED records the feedback only and leaves the cancellation to
 * the model's next step (order.cancel / change-order.cancel → cancelDeclined), which must still be
 * possible. The audit row carries the decision.
 */
export async function recordOrderCustomerDecision<T extends AnyOrder>(
  db: Db,
  ref: OrderRef,
  decision: CustomerDecision,
  feedback: string | null,
  ctx: WriteContext,
): Promise<T> {
  if (!CUSTOMER_DECISION.includes(decision)) throw new ValidationError(`customerDecision: one of ${CUSTOMER_DECISION.join(', ')}`);
  const auditCtx = { ...ctx, reason: ctx.reason ?? feedback };
  const action = `${ref.kind}.customer-decision`;
  if (decision !== 'DECLINED') {
    return setOrderStatus<T>(
      db,
      ref,
      STATUS_AFTER_CUSTOMER_DECISION[decision],
      auditCtx,
      action,
      { customerFeedback: feedback ?? null },
      { decision },
    );
  }
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const o = await lockOrder<T>(em, ref);
    if (!canTransition(o.status, STATUS_AFTER_CUSTOMER_DECISION.DECLINED)) {
      throw new IllegalTransitionError(ref.kind, o.status, STATUS_AFTER_CUSTOMER_DECISION.DECLINED);
    }
    const patch = { customerFeedback: feedback ?? null, updatedAt: ctxAt(ctx) };
    await updateOrder(em, ref, o, patch);
    await audit(em, auditCtx, action, ref.kind, ref.id, { decision, customerFeedback: patch.customerFeedback });
    return { ...o, ...patch };
  });
}

/**
 * order.cancel / change-order.cancel after the customer declined: CANCELLED with the reason (ctx.reason,
 * else the customer's recorded feedback); a repeat on a cancelled order is a no-op.
 */
export async function cancelDeclined<T extends AnyOrder>(db: Db, ref: OrderRef, ctx: WriteContext): Promise<T> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const o = await lockOrder<T>(em, ref);
    if (o.status === 'CANCELLED') return o;
    const reason = ctx.reason ?? o.customerFeedback ?? 'declined by the customer';
    return setOrderStatus<T>(em, ref, 'CANCELLED', { ...ctx, reason }, `${ref.kind}.cancel`, { cancelReason: reason });
  });
}

/**
 * staff cancellation (API): needs a reason. The status change, its audit row and the
 * `cancel-process-instance` command for the order's running instance are one transaction (the
 * dispatcher cancels the instance, or withdraws its start if that was never sent).
 */
export async function cancelByStaff<T extends AnyOrder>(db: Db, ref: OrderRef, ctx: WriteContext): Promise<T> {
  if (!ctx.reason?.trim()) throw new ValidationError('cancelling needs a reason');
  return inTransaction(db, async (em) => {
    const o = await setOrderStatus<T>(em, ref, 'CANCELLED', ctx, `${ref.kind}.cancel`, { cancelReason: ctx.reason });
    await enqueueCommand(
      em,
      {
        kind: 'cancel-process-instance',
        recordKind: ref.kind,
        recordId: ref.id,
        recordNo: orderNumberOf(o),
        processInstanceKey: o.processInstanceKey ?? null,
      },
      ctxAt(ctx),
    );
    return o;
  });
}

/**
 * order.apply-revision / change-order.apply-revision: the validated `changes` become a new version of
 * the record (records.ts) and the order goes back to the customer (CHANGE_REQUESTED → SUBMITTED).
 */
export async function reviseOrder<T extends AnyOrder>(
  db: Db,
  ref: OrderRef,
  changes: Record<string, unknown>,
  ctx: WriteContext,
): Promise<T> {
  return inTransaction(db, async (em) => {
    const o = await lockOrder<T>(em, ref);
    transition(o, 'SUBMITTED', ref.kind);
    const { record } = await correctRecord<T>(
      em,
      ref.kind,
      ref.id,
      changes,
      { ...ctx, reason: ctx.reason ?? 'revision requested by the customer' },
      {
        action: `${ref.kind}.revise`,
        headerPatch: { status: 'SUBMITTED' },
      },
    );
    return record;
  });
}
