/**
 * Collaboration task order 协作任务单 (§6.3.3) to the technical department, with its history of
 * replies and acceptances/send-backs. collaboration-task-order.issue / record-reply / record-acceptance.
 */
import type { EntityManager } from 'typeorm';
import {
  AccountMonitoringEntryEntity,
  BusinessOrderEntity,
  ChangeOrderEntity,
  CollaborationTaskOrderEntity,
  CollaborationTaskOrderEventEntity,
  CustomerEntity,
  type CollaborationTaskOrder,
  type CollaborationTaskOrderEvent,
  type TaskOrderEventKind,
  type TaskOrderStatus,
} from '../db/entities/index';
import { inTransaction, insertRows, type Db } from '../db/transaction';
import { findRow, findRows, updateRows } from '../db/rows';
import { audit, ctxAt, requireActor, type WriteContext } from './audit';
import { NotFoundError, StateConflictError, ValidationError } from './errors';
import { nextNumber } from './numbering';
import { provisionalNumber } from './provisional-number';
import { normalizePage, type Page, type PageOf } from './paging';
import { findForUpdate } from './records';
import { shanghaiYear } from './time';
import { enqueueNotification } from './outbox';
import { ACCEPTANCE_DECISION, SERVICE_MODULE, type AcceptanceDecision, type ServiceModule } from './vocabulary';
import { newId } from './ids';

async function addEvent(
  em: EntityManager,
  taskOrderId: string,
  kind: TaskOrderEventKind,
  text: string | null,
  configuredAt: string | null,
  ctx: WriteContext,
): Promise<CollaborationTaskOrderEvent> {
  const last = await findRow(em, CollaborationTaskOrderEventEntity, { taskOrderId }, { orderBy: { seq: 'DESC' } });
  const ev: CollaborationTaskOrderEvent = {
    id: newId(),
    taskOrderId,
    seq: (last?.seq ?? 0) + 1,
    kind,
    text,
    configuredAt,
    actor: ctx.actor,
    at: ctxAt(ctx),
  };
  await insertRows(em, CollaborationTaskOrderEventEntity, [ev]);
  return ev;
}

/**
 * collaboration-task-order.issue: one task order per order (or per change order); a repeat returns it.
 * The request is a snapshot of what the technical department configures: the order (and change order)
 * numbers, the customer, the modules with their names, the accounts, the opening date and the contacts.
 * For a change, the accounts are what account monitoring holds for the order once the change's delta is
 * registered (its supplement is signed before this task order), else the order's plus the delta.
 * One notification to tech-dept, in the same transaction.
 */
export async function issueTaskOrder(
  db: Db,
  input: { orderId: string; changeOrderId?: string | null; note?: string | null },
  ctx: WriteContext,
): Promise<CollaborationTaskOrder> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const order = await findRow(em, BusinessOrderEntity, { id: input.orderId });
    if (!order) throw new NotFoundError('business-order', input.orderId);
    const co = input.changeOrderId ? await findRow(em, ChangeOrderEntity, { id: input.changeOrderId }) : null;
    if (input.changeOrderId && !co) throw new NotFoundError('change-order', input.changeOrderId);
    const repo = em.getRepository(CollaborationTaskOrderEntity);
    const existing = co
      ? await findRow(em, CollaborationTaskOrderEntity, { changeOrderId: co.id })
      : (await findRows(em, CollaborationTaskOrderEntity, { orderId: order.id })).find((t) => !t.changeOrderId);
    if (existing) return existing;
    const at = ctxAt(ctx);
    const customer = await findRow(em, CustomerEntity, { id: order.customerId });
    const modules = (co?.modules ?? order.modules) as string[];
    let accounts = order.accounts + (co ? co.accountDelta : 0);
    if (co) {
      const entries = await em.getRepository(AccountMonitoringEntryEntity).find({ where: { orderId: order.id } });
      if (entries.some((e) => e.changeOrderId === co.id)) accounts = entries.reduce((sum, e) => sum + e.accounts, 0);
    }
    const request: Record<string, unknown> = {
      orderNo: order.orderNo,
      changeOrderNo: co?.changeOrderNo ?? null,
      customer: customer ? { id: customer.id, name: customer.name } : { id: order.customerId },
      modules: modules.map((m) => ({ id: m, name: SERVICE_MODULE[m as ServiceModule] ?? m })),
      accounts,
      accountDelta: co ? co.accountDelta : null,
      openingDate: co?.effectiveDate ?? order.openingDate,
      ...(co ? { description: co.description } : { termMonths: order.termMonths }),
      contacts: {
        customerManager: order.customerManager,
        customerContact: customer?.contactName ?? null,
        customerPhone: customer?.contactPhone ?? null,
      },
      note: input.note ?? co?.description ?? order.note,
    };
    const id = newId();
    const t: CollaborationTaskOrder = {
      id,
      taskOrderNo: provisionalNumber(id),
      orderId: order.id,
      changeOrderId: co?.id ?? null,
      status: 'ISSUED',
      request,
      issuedBy: ctx.actor,
      issuedAt: at,
      updatedAt: at,
    };
    await insertRows(em, CollaborationTaskOrderEntity, [t]);
    await addEvent(em, t.id, 'ISSUED', null, null, ctx);
    // the number as late as it can come (its document_sequence row lock is held until commit): provisional-number.ts
    t.taskOrderNo = await nextNumber(em, 'collaboration-task-order', shanghaiYear(at));
    await repo.update({ id }, { taskOrderNo: t.taskOrderNo });
    await enqueueNotification(
      em,
      {
        dedupeKey: `collaboration-task-order.issue:${t.id}`,
        recipientRole: 'tech-dept',
        template: 'collaboration-task-order-issued',
        refs: {
          taskOrderId: t.id,
          taskOrderNo: t.taskOrderNo,
          orderId: order.id,
          orderNo: order.orderNo,
          changeOrderNo: co?.changeOrderNo ?? null,
        },
      },
      at,
    );
    await audit(em, ctx, 'collaboration-task-order.issue', 'collaboration-task-order', t.id, {
      taskOrderNo: t.taskOrderNo,
      orderNo: order.orderNo,
    });
    return t;
  });
}

async function move(
  db: Db,
  id: string,
  from: TaskOrderStatus[],
  to: TaskOrderStatus,
  kind: TaskOrderEventKind,
  text: string | null,
  configuredAt: string | null,
  ctx: WriteContext,
): Promise<{ taskOrder: CollaborationTaskOrder; event: CollaborationTaskOrderEvent }> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const t = await findForUpdate(em, CollaborationTaskOrderEntity, { id });
    if (!t) throw new NotFoundError('collaboration-task-order', id);
    if (!from.includes(t.status))
      throw new StateConflictError(`collaboration-task-order ${t.taskOrderNo} is ${t.status}; ${kind} needs ${from.join('/')}`);
    const event = await addEvent(em, id, kind, text, configuredAt, ctx);
    const at = ctxAt(ctx);
    await updateRows(em, CollaborationTaskOrderEntity, { id, status: t.status }, { status: to, updatedAt: at });
    if (to === 'SENT_BACK') {
      await enqueueNotification(
        em,
        {
          // the key of rows written before job types were renamed (tech-config.*): kept, so they still dedupe
          dedupeKey: `tech-config.sent-back:${id}:${event.seq}`,
          recipientRole: 'tech-dept',
          template: 'collaboration-task-order-sent-back',
          refs: { taskOrderId: id, taskOrderNo: t.taskOrderNo, orderId: t.orderId, opinion: text },
        },
        at,
      );
    }
    await audit(
      em,
      { ...ctx, reason: ctx.reason ?? text },
      `collaboration-task-order.${kind.toLowerCase().replace('_', '-')}`,
      'collaboration-task-order',
      id,
      {
        from: t.status,
        to,
        seq: event.seq,
      },
    );
    return { taskOrder: { ...t, status: to, updatedAt: at }, event };
  });
}

/** collaboration-task-order.record-reply: ISSUED / SENT_BACK → REPLIED */
export async function recordTaskOrderReply(
  db: Db,
  id: string,
  reply: { configurationReply: string; configuredAt?: string | null },
  ctx: WriteContext,
) {
  if (typeof reply.configurationReply !== 'string' || !reply.configurationReply.trim())
    throw new ValidationError('configurationReply: required');
  return move(db, id, ['ISSUED', 'SENT_BACK'], 'REPLIED', 'REPLY', reply.configurationReply, reply.configuredAt ?? null, ctx);
}

/** collaboration-task-order.record-acceptance: REPLIED → ACCEPTED | SENT_BACK (a send-back notifies tech-dept again) */
export async function recordTaskOrderAcceptance(
  db: Db,
  id: string,
  decision: AcceptanceDecision,
  opinion: string | null,
  ctx: WriteContext,
) {
  if (!ACCEPTANCE_DECISION.includes(decision)) throw new ValidationError(`acceptanceDecision: one of ${ACCEPTANCE_DECISION.join(', ')}`);
  if (decision === 'SENT_BACK' && !opinion?.trim()) throw new ValidationError('a send-back needs an opinion');
  return move(db, id, ['REPLIED'], decision, decision, opinion, null, ctx);
}

export async function getTaskOrder(
  db: Db,
  id: string,
): Promise<(CollaborationTaskOrder & { events: CollaborationTaskOrderEvent[] }) | null> {
  const t = await findRow(db, CollaborationTaskOrderEntity, { id });
  if (!t) return null;
  const events = await db.getRepository(CollaborationTaskOrderEventEntity).find({ where: { taskOrderId: id }, order: { seq: 'ASC' } });
  return { ...t, events };
}

export async function listTaskOrders(
  db: Db,
  filter: { orderId?: string; status?: TaskOrderStatus } = {},
  page: Partial<Page> = {},
): Promise<PageOf<CollaborationTaskOrder>> {
  const p = normalizePage(page);
  const where: Record<string, unknown> = {};
  if (filter.orderId) where.orderId = filter.orderId;
  if (filter.status) where.status = filter.status;
  const [items, total] = await db
    .getRepository(CollaborationTaskOrderEntity)
    .findAndCount({ where, order: { issuedAt: 'DESC', taskOrderNo: 'DESC' }, take: p.limit, skip: p.offset });
  return { items, total, ...p };
}
