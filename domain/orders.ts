/**
 * Business orders 业务订单 (§9.1). The API creates an order and its process start command in ONE
 * transaction (createOrder); the workers record the customer's decision, revisions, cancellation.
 */
import { randomUUID } from 'node:crypto';
import { Between, LessThanOrEqual, MoreThanOrEqual, type FindOptionsWhere } from 'typeorm';
import { ApPartnerEntity, BusinessOrderEntity, CustomerEntity, type BusinessOrder, type ProcessCommand } from '../db/entities/index.js';
import { inTransaction, type Db } from '../db/transaction.js';
import { ctxAt, requireActor, type WriteContext } from './audit.js';
import { NotFoundError, ValidationError } from './errors.js';
import { nextNumber } from './numbering.js';
import { cancelByStaff, cancelDeclined, newOrderLifecycleFields, recordOrderCustomerDecision, reviseOrder, type OrderRef } from './order-lifecycle.js';
import type { OrderStatus } from './order-status.js';
import { enqueueCommand } from './outbox.js';
import { normalizePage, type Page, type PageOf } from './paging.js';
import { createVersionedRecord } from './records.js';
import { isValidDay, shanghaiYear } from './time.js';
import { MESSAGE, SERVICE_MODULE, type CustomerDecision, type ServiceModule } from './vocabulary.js';

export interface CreateOrderInput {
  customerId: string;
  /** default: the actor */
  customerManager?: string;
  modules: ServiceModule[];
  accounts: number;
  openingDate: string;
  termMonths: number;
  amount: number;
  apInvolved: boolean;
  apPartnerId?: string | null;
  note?: string | null;
}

/** start variables of online-training-provisioning (docs/process-contract.md) */
export interface OrderStartVariables {
  orderId: string;
  orderNo: string;
  customerManager: string;
  apInvolved: boolean;
  apPartnerId: string | null;
}

export function validateModules(modules: unknown): ServiceModule[] {
  if (!Array.isArray(modules) || !modules.length) throw new ValidationError('modules: at least one service module');
  const bad = modules.filter((m) => typeof m !== 'string' || !(m in SERVICE_MODULE));
  if (bad.length) throw new ValidationError(`modules: unknown ${bad.join(', ')}`, { allowed: Object.keys(SERVICE_MODULE) });
  return [...new Set(modules as ServiceModule[])];
}
function positiveInt(v: unknown, name: string, max = 10_000_000): number {
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > max) throw new ValidationError(`${name}: a positive integer`);
  return v as number;
}
export function validAmount(v: unknown, name = 'amount', allowNegative = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (!allowNegative && v < 0) || Math.abs(v) >= 1e12) {
    throw new ValidationError(`${name}: a number of yuan`);
  }
  if (Math.round(v * 100) / 100 !== v) throw new ValidationError(`${name}: at most 2 decimals`);
  return v;
}

/** Creates the order (version 1) and the `order-submitted` start message, in one transaction. */
export async function createOrder(db: Db, input: CreateOrderInput, ctx: WriteContext): Promise<{ order: BusinessOrder; command: ProcessCommand }> {
  requireActor(ctx);
  const modules = validateModules(input.modules);
  const accounts = positiveInt(input.accounts, 'accounts');
  const termMonths = positiveInt(input.termMonths, 'termMonths', 240);
  if (!isValidDay(input.openingDate)) throw new ValidationError('openingDate: YYYY-MM-DD');
  const amount = validAmount(input.amount);
  if (typeof input.apInvolved !== 'boolean') throw new ValidationError('apInvolved: boolean');
  if (input.apInvolved && !input.apPartnerId) throw new ValidationError('apPartnerId: required when apInvolved');
  if (!input.apInvolved && input.apPartnerId) throw new ValidationError('apPartnerId: only when apInvolved');
  const at = ctxAt(ctx);
  return inTransaction(db, async (em) => {
    if (!(await em.getRepository(CustomerEntity).existsBy({ id: input.customerId }))) throw new NotFoundError('customer', input.customerId);
    if (input.apPartnerId && !(await em.getRepository(ApPartnerEntity).existsBy({ id: input.apPartnerId }))) {
      throw new NotFoundError('ap-partner', input.apPartnerId);
    }
    const orderNo = await nextNumber(em, 'business-order', shanghaiYear(at));
    const header: BusinessOrder = {
      id: randomUUID(),
      orderNo,
      customerId: input.customerId,
      customerManager: input.customerManager ?? ctx.actor,
      modules,
      accounts,
      openingDate: input.openingDate,
      termMonths,
      amount,
      apInvolved: input.apInvolved,
      apPartnerId: input.apPartnerId ?? null,
      note: input.note ?? null,
      ...newOrderLifecycleFields(ctx.actor, at),
    };
    const { record: order } = await createVersionedRecord(em, 'business-order', header, { ...ctx, at });
    const variables: OrderStartVariables = {
      orderId: order.id,
      orderNo,
      customerManager: order.customerManager,
      apInvolved: order.apInvolved,
      apPartnerId: order.apPartnerId,
    };
    const { command } = await enqueueCommand(
      em,
      { kind: 'publish-message', name: MESSAGE.orderSubmitted, correlationKey: orderNo, variables: { ...variables } },
      at,
    );
    return { order, command };
  });
}

export async function getOrder(db: Db, id: string): Promise<BusinessOrder | null> {
  return db.getRepository(BusinessOrderEntity).findOneBy({ id });
}
export async function getOrderByNo(db: Db, orderNo: string): Promise<BusinessOrder | null> {
  return db.getRepository(BusinessOrderEntity).findOneBy({ orderNo });
}
export async function requireOrder(db: Db, id: string): Promise<BusinessOrder> {
  const o = await getOrder(db, id);
  if (!o) throw new NotFoundError('business-order', id);
  return o;
}

export interface OrderFilter {
  status?: OrderStatus;
  customerId?: string;
  customerManager?: string;
  apPartnerId?: string;
  /** created at or after (ISO instant or YYYY-MM-DD, Shanghai day start) */
  from?: string;
  /** created before (ISO instant) or on (YYYY-MM-DD) */
  to?: string;
}
function bound(s: string, end: boolean): Date {
  if (isValidDay(s)) return new Date(new Date(`${s}T00:00:00+08:00`).getTime() + (end ? 86_400_000 - 1 : 0));
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new ValidationError(`not a date: ${s}`);
  return d;
}
export function createdRange(from?: string, to?: string) {
  if (from && to) return Between(bound(from, false), bound(to, true));
  if (from) return MoreThanOrEqual(bound(from, false));
  if (to) return LessThanOrEqual(bound(to, true));
  return undefined;
}

/** newest first */
export async function listOrders(db: Db, filter: OrderFilter = {}, page: Partial<Page> = {}): Promise<PageOf<BusinessOrder>> {
  const p = normalizePage(page);
  const where: FindOptionsWhere<BusinessOrder> = {};
  if (filter.status) where.status = filter.status;
  if (filter.customerId) where.customerId = filter.customerId;
  if (filter.customerManager) where.customerManager = filter.customerManager;
  if (filter.apPartnerId) where.apPartnerId = filter.apPartnerId;
  const range = createdRange(filter.from, filter.to);
  if (range) where.createdAt = range;
  const [items, total] = await db
    .getRepository(BusinessOrderEntity)
    .findAndCount({ where, order: { createdAt: 'DESC', orderNo: 'DESC' }, take: p.limit, skip: p.offset });
  return { items, total, ...p };
}

const ref = (id: string): OrderRef => ({ kind: 'business-order', id });

/** Staff cancellation (API). Needs a reason; allowed before the contract is signed. */
export async function cancelOrder(db: Db, id: string, ctx: WriteContext): Promise<BusinessOrder> {
  return cancelByStaff<BusinessOrder>(db, ref(id), ctx);
}

/** order.record-customer-decision (order-lifecycle.ts: DECLINED is cancelled by order.cancel) */
export async function recordCustomerDecision(
  db: Db,
  id: string,
  decision: CustomerDecision,
  feedback: string | null,
  ctx: WriteContext,
): Promise<BusinessOrder> {
  return recordOrderCustomerDecision<BusinessOrder>(db, ref(id), decision, feedback, ctx);
}

/** order.cancel (the customer declined): idempotent when already cancelled */
export async function cancelDeclinedOrder(db: Db, id: string, ctx: WriteContext): Promise<BusinessOrder> {
  return cancelDeclined<BusinessOrder>(db, ref(id), ctx);
}

export interface OrderRevision {
  accounts?: number;
  openingDate?: string;
  modules?: ServiceModule[];
  amount?: number;
  note?: string | null;
}
/** order.apply-revision: a new version of the order; CHANGE_REQUESTED → SUBMITTED (back to the customer) */
export async function applyOrderRevision(db: Db, id: string, revision: OrderRevision, ctx: WriteContext): Promise<BusinessOrder> {
  const changes: Record<string, unknown> = {};
  if (revision.accounts !== undefined && revision.accounts !== null) changes.accounts = positiveInt(revision.accounts, 'accounts');
  if (revision.openingDate !== undefined && revision.openingDate !== null) {
    if (!isValidDay(revision.openingDate)) throw new ValidationError('openingDate: YYYY-MM-DD');
    changes.openingDate = revision.openingDate;
  }
  if (revision.modules !== undefined && revision.modules !== null) changes.modules = validateModules(revision.modules);
  if (revision.amount !== undefined && revision.amount !== null) changes.amount = validAmount(revision.amount);
  if (revision.note !== undefined) changes.note = revision.note;
  return reviseOrder<BusinessOrder>(db, ref(id), changes, ctx);
}

/** the worker learnt the process instance key of the order's flow */
export async function attachOrderProcessInstance(db: Db, id: string, processInstanceKey: string): Promise<void> {
  const res = await db.getRepository(BusinessOrderEntity).update({ id }, { processInstanceKey });
  if (res.affected !== 1) throw new NotFoundError('business-order', id);
}
