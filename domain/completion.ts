/**
 * Delivery 交付 and completion 竣工 (§6.3.4) of a business order or a change order:
 * delivery.record, completion.compute-deadline, completion.record-completion.
 */
import type { EntityManager } from 'typeorm';
import { BusinessOrderEntity, ChangeOrderEntity, type BusinessOrder, type ChangeOrder, type CustomerCommunicationRecord } from '../db/entities/index.js';
import { inTransaction, type Db } from '../db/transaction.js';
import { audit, ctxAt, requireActor, type WriteContext } from './audit.js';
import { loadCalendar } from './calendar.js';
import { fileCommunicationRecordIn, type CommunicationContent } from './communication-records.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';
import { transition } from './order-status.js';
import { findForUpdate } from './records.js';
import { isValidDay } from './time.js';
import { COMPLETION_WORKING_DAYS } from './vocabulary.js';

export type OrderKind = 'business-order' | 'change-order';
export interface OrderRef {
  kind: OrderKind;
  id: string;
}
type AnyOrder = BusinessOrder | ChangeOrder;

const entityOf = (kind: OrderKind) => (kind === 'business-order' ? BusinessOrderEntity : ChangeOrderEntity);

async function lockOrder(em: EntityManager, ref: OrderRef): Promise<AnyOrder> {
  const o = (await findForUpdate(em, entityOf(ref.kind) as never, { id: ref.id })) as AnyOrder | null;
  if (!o) throw new NotFoundError(ref.kind, ref.id);
  return o;
}

async function update(em: EntityManager, ref: OrderRef, prev: AnyOrder, patch: Partial<AnyOrder>): Promise<void> {
  const res = await em.getRepository(entityOf(ref.kind) as never).update({ id: ref.id, status: prev.status } as never, patch as never);
  if (res.affected !== 1) throw new ConflictError(`${ref.kind} ${ref.id} changed concurrently`);
}

/** delivery.record: CONTRACT_SIGNED → DELIVERED; a repeat with the same date is a no-op */
export async function recordDelivery(db: Db, ref: OrderRef, deliveredOn: string, deliveryNote: string | null, ctx: WriteContext): Promise<AnyOrder> {
  requireActor(ctx);
  if (!isValidDay(deliveredOn)) throw new ValidationError('deliveredOn: YYYY-MM-DD');
  return inTransaction(db, async (em) => {
    const o = await lockOrder(em, ref);
    if (o.status === 'DELIVERED' && o.deliveredOn === deliveredOn) return o;
    transition(o, 'DELIVERED', ref.kind);
    const patch = { status: 'DELIVERED' as const, deliveredOn, deliveryNote, updatedAt: ctxAt(ctx) };
    await update(em, ref, o, patch);
    await audit(em, ctx, `${ref.kind}.deliver`, ref.kind, ref.id, { deliveredOn });
    return { ...o, ...patch };
  });
}

export interface CompletionSchedule {
  completionDeadline: string;
  completionReminderAt: string;
  deadlineProvisional: boolean;
}

/**
 * completion.compute-deadline: 60 working days after delivery (calendar.ts), reminder
 * `reminderWorkingDays` working days before; stored on the order (visible to staff, incl. provisional).
 */
export async function computeCompletionDeadline(db: Db, ref: OrderRef, reminderWorkingDays: number, ctx: WriteContext): Promise<CompletionSchedule> {
  requireActor(ctx);
  const calendar = await loadCalendar(db);
  return inTransaction(db, async (em) => {
    const o = await lockOrder(em, ref);
    if (!o.deliveredOn) throw new ConflictError(`${ref.kind} ${ref.id} has not been delivered`);
    const s = calendar.completionSchedule(o.deliveredOn, COMPLETION_WORKING_DAYS, reminderWorkingDays);
    const schedule: CompletionSchedule = {
      completionDeadline: s.completionDeadline,
      completionReminderAt: s.completionReminderAt,
      deadlineProvisional: s.deadlineProvisional,
    };
    if (
      o.completionDeadline === schedule.completionDeadline &&
      o.completionReminderAt === schedule.completionReminderAt &&
      o.deadlineProvisional === schedule.deadlineProvisional
    ) {
      return schedule;
    }
    await update(em, ref, o, { ...schedule, updatedAt: ctxAt(ctx) });
    await audit(em, ctx, `${ref.kind}.completion-deadline`, ref.kind, ref.id, { ...schedule, deliveredOn: o.deliveredOn });
    return schedule;
  });
}

/**
 * completion.record-completion: files the customer communication record (occasion COMPLETION) and
 * completes the order, in one transaction. A repeat for a completed order returns the filed record.
 */
export async function recordCompletion(
  db: Db,
  ref: OrderRef,
  content: CommunicationContent,
  ctx: WriteContext,
): Promise<{ order: AnyOrder; record: CustomerCommunicationRecord | null }> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const o = await lockOrder(em, ref);
    if (o.status === 'COMPLETED') return { order: o, record: null };
    transition(o, 'COMPLETED', ref.kind);
    const customerId =
      ref.kind === 'business-order'
        ? (o as BusinessOrder).customerId
        : (await em.getRepository(BusinessOrderEntity).findOneByOrFail({ id: (o as ChangeOrder).orderId })).customerId;
    const { record } = await fileCommunicationRecordIn(
      em,
      {
        customerId,
        orderId: ref.kind === 'business-order' ? o.id : (o as ChangeOrder).orderId,
        changeOrderId: ref.kind === 'change-order' ? o.id : null,
        occasion: 'COMPLETION',
        content,
      },
      ctx,
    );
    const at = ctxAt(ctx);
    const patch = { status: 'COMPLETED' as const, completedAt: at, updatedAt: at };
    await update(em, ref, o, patch);
    await audit(em, ctx, `${ref.kind}.complete`, ref.kind, ref.id, { communicationRecordId: record.id, recordNo: record.recordNo });
    return { order: { ...o, ...patch }, record };
  });
}
