/**
 * Delivery 交付 and completion 竣工 (§6.3.4) of a business order or a change order:
 * delivery.record, completion.compute-deadline, completion.send-reminder, completion.escalate-overdue,
 * completion.record-completion. Both kinds share the life cycle of order-lifecycle.ts.
 */
import { BusinessOrderEntity, type BusinessOrder, type ChangeOrder, type CustomerCommunicationRecord } from '../db/entities/index';
import { inTransaction, type Db } from '../db/transaction';
import { findRow } from '../db/rows';
import { audit, ctxAt, requireActor, type WriteContext } from './audit';
import { loadCalendar } from './calendar';
import { fileCommunicationRecordIn, type CommunicationContent, type FormCommunicationContent } from './communication-records';
import { NotFoundError, StateConflictError, ValidationError } from './errors';
import { lockOrder, orderEntityOf, orderNumberOf, updateOrder, type AnyOrder, type OrderRef } from './order-lifecycle';
import { transition } from './order-status';
import { enqueueNotification } from './outbox';
import { isValidDay } from './time';
import { COMPLETION_WORKING_DAYS } from './vocabulary';

export type { AnyOrder, OrderKind, OrderRef } from './order-lifecycle';

/** the variable / reference name of the order's number: orderNo or changeOrderNo */
function numberRef(ref: OrderRef, o: AnyOrder): Record<string, string> {
  // orderId: the link opens the order's case (a change order's too: it has no page of its own)
  const orderId = 'orderId' in o ? o.orderId : o.id;
  return { [ref.kind === 'change-order' ? 'changeOrderNo' : 'orderNo']: orderNumberOf(o), orderId };
}

async function readOrder(db: Db, ref: OrderRef): Promise<AnyOrder> {
  const o = (await db.getRepository(orderEntityOf(ref.kind) as never).findOneBy({ id: ref.id } as never)) as AnyOrder | null;
  if (!o) throw new NotFoundError(ref.kind, ref.id);
  return o;
}

/** delivery.record: CONTRACT_SIGNED → DELIVERED; a repeat with the same date is a no-op */
export async function recordDelivery(
  db: Db,
  ref: OrderRef,
  deliveredOn: string,
  deliveryNote: string | null,
  ctx: WriteContext,
): Promise<AnyOrder> {
  requireActor(ctx);
  if (!isValidDay(deliveredOn)) throw new ValidationError('deliveredOn: YYYY-MM-DD');
  return inTransaction(db, async (em) => {
    const o = await lockOrder(em, ref);
    if (o.status === 'DELIVERED' && o.deliveredOn === deliveredOn) return o;
    transition(o, 'DELIVERED', ref.kind);
    const patch = { status: 'DELIVERED' as const, deliveredOn, deliveryNote, updatedAt: ctxAt(ctx) };
    await updateOrder(em, ref, o, patch);
    await audit(em, { ...ctx, reason: ctx.reason ?? deliveryNote }, `${ref.kind}.deliver`, ref.kind, ref.id, { deliveredOn });
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
 * Computing again (e.g. once an admin published the year of a provisional deadline) stores the new figures.
 */
export async function computeCompletionDeadline(
  db: Db,
  ref: OrderRef,
  reminderWorkingDays: number,
  ctx: WriteContext,
): Promise<CompletionSchedule> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const calendar = await loadCalendar(em);
    const o = await lockOrder(em, ref);
    if (!o.deliveredOn) throw new StateConflictError(`${ref.kind} ${orderNumberOf(o)} has not been delivered: record the delivery first`);
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
    await updateOrder(em, ref, o, { ...schedule, updatedAt: ctxAt(ctx) });
    const reason =
      ctx.reason ??
      (schedule.deadlineProvisional ? 'provisional: the deadline falls in a year whose holiday schedule is not published yet' : null);
    await audit(em, { ...ctx, reason }, `${ref.kind}.completion-deadline`, ref.kind, ref.id, {
      ...schedule,
      deliveredOn: o.deliveredOn,
      workingDays: COMPLETION_WORKING_DAYS,
    });
    return schedule;
  });
}

/** completion.send-reminder: one notification to the customer manager per order and deadline */
export async function sendCompletionReminder(db: Db, ref: OrderRef, ctx: WriteContext): Promise<void> {
  requireActor(ctx);
  await inTransaction(db, async (em) => {
    const o = await readOrder(em, ref);
    await enqueueNotification(
      em,
      {
        dedupeKey: `completion-reminder:${o.id}:${o.completionDeadline ?? ''}`,
        recipientUser: o.customerManager,
        template: 'completion-record-reminder',
        refs: { ...numberRef(ref, o), completionDeadline: o.completionDeadline, deadlineProvisional: o.deadlineProvisional },
      },
      ctxAt(ctx),
    );
  });
}

/**
 * completion.escalate-overdue: the completion record was not filed by the deadline; one notification to
 * the department manager per order and deadline, and an audit row (the task stays open).
 */
export async function escalateCompletionOverdue(db: Db, ref: OrderRef, ctx: WriteContext): Promise<void> {
  requireActor(ctx);
  await inTransaction(db, async (em) => {
    const o = await readOrder(em, ref);
    const refs = { ...numberRef(ref, o), completionDeadline: o.completionDeadline, customerManager: o.customerManager };
    const { created } = await enqueueNotification(
      em,
      {
        dedupeKey: `completion-overdue:${o.id}:${o.completionDeadline ?? ''}`,
        recipientRole: 'dept-manager',
        template: 'completion-record-overdue',
        refs,
      },
      ctxAt(ctx),
    );
    if (created) {
      await audit(
        em,
        { ...ctx, reason: ctx.reason ?? `completion record not filed by ${o.completionDeadline}` },
        `${ref.kind}.completion-overdue`,
        ref.kind,
        ref.id,
        refs,
      );
    }
  });
}

/**
 * completion.record-completion: files the customer communication record (occasion COMPLETION; the
 * form's content plus the order number, delivery date and deadline) and completes the order, in one
 * transaction. A repeat for a completed order returns record null.
 */
export async function recordCompletion(
  db: Db,
  ref: OrderRef,
  content: CommunicationContent | FormCommunicationContent,
  ctx: WriteContext,
): Promise<{ order: AnyOrder; record: CustomerCommunicationRecord | null }> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const o = await lockOrder(em, ref);
    if (o.status === 'COMPLETED') return { order: o, record: null };
    transition(o, 'COMPLETED', ref.kind);
    const orderId = ref.kind === 'business-order' ? o.id : (o as ChangeOrder).orderId;
    const order = ref.kind === 'business-order' ? (o as BusinessOrder) : await findRow(em, BusinessOrderEntity, { id: orderId });
    if (!order) throw new NotFoundError('business-order', orderId);
    const at = ctxAt(ctx);
    const patch = { status: 'COMPLETED' as const, completedAt: at, updatedAt: at };
    // the order first: the record's number (document_sequence row lock until commit) comes last
    await updateOrder(em, ref, o, patch);
    const { record } = await fileCommunicationRecordIn(
      em,
      {
        customerId: order.customerId,
        orderId,
        changeOrderId: ref.kind === 'change-order' ? o.id : null,
        occasion: 'COMPLETION',
        content: content as FormCommunicationContent,
        fromForm: true,
        refs: { ...numberRef(ref, o), deliveredOn: o.deliveredOn, completionDeadline: o.completionDeadline },
      },
      { ...ctx, reason: ctx.reason ?? 'completion (竣工)' },
    );
    await audit(em, ctx, `${ref.kind}.complete`, ref.kind, ref.id, {
      communicationRecordId: record.id,
      recordNo: record.recordNo,
      late: o.completionDeadline ? at.getTime() > new Date(o.completionDeadline).getTime() : false,
    });
    return { order: { ...o, ...patch }, record };
  });
}
