/**
 * Business orders 业务订单 (§9.1). The API creates an order and its process start command in ONE
 * transaction (createOrder); the workers record the customer's decision, revisions, cancellation.
 */
import { Between, In, LessThanOrEqual, MoreThanOrEqual, type EntityManager, type FindOptionsWhere } from 'typeorm';
import {
  ApPartnerEntity,
  BusinessOrderEntity,
  CustomerEntity,
  ProcessCommandEntity,
  type BusinessOrder,
  type Customer,
  type ProcessCommand,
} from '../db/entities/index';
import type { Db } from '../db/transaction';
import { findRow, updateRows } from '../db/rows';
import { ctxAt, requireActor, type WriteContext } from './audit';
import { NotFoundError, ValidationError } from './errors';
import { groupCommittedCreates, singleCreates, type GroupCommitOptions, type NumberedCreate } from '../db/numbered-creates';
import { formatNumber, nextSequence } from './numbering';
import { cancelByStaff, cancelDeclined, newOrderLifecycleFields, recordOrderCustomerDecision, type OrderRef } from './order-lifecycle';
import type { OrderStatus } from './order-status';
import { enqueueCommand } from './outbox';
import { normalizePage, type Page, type PageOf } from './paging';
import { createVersionedRecord } from './records';
import { isValidDay, shanghaiYear } from './time';
import { MESSAGE, SERVICE_MODULE, type CustomerDecision, type ServiceModule } from './vocabulary';
import { newId } from './ids';
import { orderSummaryOf, type OrderSummary, type SummaryPartner } from './order-summary';

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
  /** what every task of the order shows (domain/order-summary.ts) */
  orderSummary: OrderSummary;
}

export function validateModules(modules: unknown): ServiceModule[] {
  if (!Array.isArray(modules) || !modules.length) throw new ValidationError('modules: at least one service module');
  const bad = modules.filter((m) => typeof m !== 'string' || !(m in SERVICE_MODULE));
  if (bad.length) throw new ValidationError(`modules: unknown ${bad.join(', ')}`, { allowed: Object.keys(SERVICE_MODULE) });
  return [...new Set(modules as ServiceModule[])];
}
export function positiveInt(v: unknown, name: string, max = 10_000_000): number {
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

/**
 * The creation rule of an order, whether it commits alone or in a batch (db/numbered-creates.ts): its
 * customer and AP partner must exist; its number is the next of the business-order sequence of its
 * business year; it writes version 1 and the `order-submitted` start message.
 */
const orderCreation: NumberedCreate<PreparedOrder, OrderReferences, CreatedOrderWithCustomer, number> = {
  references: async (em, items) => ({
    customers: await customersById(
      em,
      items.map((p) => p.input.customerId),
    ),
    partners: await partnersById(
      em,
      items.flatMap((p) => (p.input.apPartnerId ? [p.input.apPartnerId] : [])),
    ),
  }),
  refusal: ({ input }, { customers, partners }) => {
    if (!customers.has(input.customerId)) return new NotFoundError('customer', input.customerId);
    if (input.apPartnerId && !partners.has(input.apPartnerId)) return new NotFoundError('ap-partner', input.apPartnerId);
    return undefined;
  },
  sequenceOf: (p) => shanghaiYear(p.at),
  allocate: async (em, year, count) => {
    const last = await nextSequence(em, 'business-order', year, count);
    return Array.from({ length: count }, (_, k) => formatNumber('business-order', year, last - count + 1 + k));
  },
  write: async (em, p, orderNo, { customers, partners }) => {
    const customer = customers.get(p.input.customerId)!;
    const partner = p.input.apPartnerId ? (partners.get(p.input.apPartnerId) ?? null) : null;
    return { ...(await writeOrder(em, p, orderNo, customer.name, partner)), customer };
  },
  // a new number has no start command yet (UQ_process_command_dedupe guards that)
  assumeAbsent: [ProcessCommandEntity],
};

/** Creates the order (version 1) and the `order-submitted` start message, in one transaction. */
export async function createOrder(db: Db, input: CreateOrderInput, ctx: WriteContext): Promise<CreatedOrderWithCustomer> {
  return singleCreates(db, orderCreation).create(prepareOrder(input, ctx));
}

export type CreatedOrder = { order: BusinessOrder; command: ProcessCommand };
/** the result also carries the order's customer (read for the rule anyway: the caller's DTO needs no further read) */
export type CreatedOrderWithCustomer = CreatedOrder & { customer: Customer };
export type OrderBatcherOptions = GroupCommitOptions<CreatedOrderWithCustomer>;
/**
 * createOrder with group commit, for the API's create path: creates arriving while a batch commits
 * share the next transaction, numbers in arrival order (db/numbered-creates.ts groupCommittedCreates).
 * Same rule, result and errors per caller as createOrder.
 */
export function createOrderBatcher(
  db: Db,
  opts: OrderBatcherOptions = {},
): (input: CreateOrderInput, ctx: WriteContext) => Promise<CreatedOrderWithCustomer> {
  const repository = groupCommittedCreates(db, orderCreation, opts);
  return async (input, ctx) => repository.create(prepareOrder(input, ctx));
}

interface OrderReferences {
  customers: Map<string, Customer>;
  partners: Map<string, SummaryPartner>;
}

async function customersById(em: EntityManager, ids: string[]): Promise<Map<string, Customer>> {
  const uniq = [...new Set(ids)];
  if (!uniq.length) return new Map();
  return new Map((await em.getRepository(CustomerEntity).findBy({ id: In(uniq) })).map((c) => [c.id, c]));
}

/** the partners named, by id: their existence is checked and their names go into the order summary */
async function partnersById(em: EntityManager, ids: string[]): Promise<Map<string, SummaryPartner>> {
  const uniq = [...new Set(ids)];
  if (!uniq.length) return new Map();
  const rows = await em.getRepository(ApPartnerEntity).find({ select: { id: true, name: true, code: true }, where: { id: In(uniq) } });
  return new Map(rows.map((r) => [r.id, { name: r.name, code: r.code }]));
}

interface PreparedOrder {
  input: CreateOrderInput;
  ctx: WriteContext;
  at: Date;
  modules: ServiceModule[];
  accounts: number;
  termMonths: number;
  amount: number;
}
/** validation that needs no database (throws before any transaction) */
function prepareOrder(input: CreateOrderInput, ctx: WriteContext): PreparedOrder {
  requireActor(ctx);
  const modules = validateModules(input.modules);
  const accounts = positiveInt(input.accounts, 'accounts');
  const termMonths = positiveInt(input.termMonths, 'termMonths', 240);
  if (!isValidDay(input.openingDate)) throw new ValidationError('openingDate: YYYY-MM-DD');
  const amount = validAmount(input.amount);
  if (typeof input.apInvolved !== 'boolean') throw new ValidationError('apInvolved: boolean');
  if (input.apInvolved && !input.apPartnerId) throw new ValidationError('apPartnerId: required when apInvolved');
  if (!input.apInvolved && input.apPartnerId) throw new ValidationError('apPartnerId: only when apInvolved');
  return { input, ctx, at: ctxAt(ctx), modules, accounts, termMonths, amount };
}

/** the order's rows under a number already allocated in this transaction (references checked) */
async function writeOrder(
  em: EntityManager,
  p: PreparedOrder,
  orderNo: string,
  customerName: string,
  partner: SummaryPartner | null,
): Promise<CreatedOrder> {
  const { input, ctx, at, modules, accounts, termMonths, amount } = p;
  {
    const header: BusinessOrder = {
      id: newId(),
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
      orderSummary: orderSummaryOf(order, customerName, partner),
    };
    const { command } = await enqueueCommand(
      em,
      { kind: 'publish-message', name: MESSAGE.orderSubmitted, correlationKey: orderNo, variables: { ...variables } },
      at,
    );
    return { order, command };
  }
}

export async function getOrder(db: Db, id: string): Promise<BusinessOrder | null> {
  return findRow(db, BusinessOrderEntity, { id });
}
export async function getOrderByNo(db: Db, orderNo: string): Promise<BusinessOrder | null> {
  return findRow(db, BusinessOrderEntity, { orderNo });
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

/** the worker learnt the process instance key of the order's flow */
export async function attachOrderProcessInstance(db: Db, id: string, processInstanceKey: string): Promise<void> {
  const res = await updateRows(db, BusinessOrderEntity, { id }, { processInstanceKey });
  if (res.affected !== 1) throw new NotFoundError('business-order', id);
}
