/**
 * Business orders 业务订单 (§9.1). The API creates an order and its process start command in ONE
 * transaction (createOrder); the workers record the customer's decision, revisions, cancellation.
 */
import { Between, In, LessThanOrEqual, MoreThanOrEqual, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { ApPartnerEntity, BusinessOrderEntity, CustomerEntity, ProcessCommandEntity, type BusinessOrder, type Customer, type ProcessCommand } from '../db/entities/index';
import { inTransaction, type Db } from '../db/transaction';
import { findRow, rowExists, updateRows } from '../db/rows';
import { ctxAt, requireActor, type WriteContext } from './audit';
import { NotFoundError, ValidationError } from './errors';
import { createBatcher, deferInserts, inSavepoint, inSavepoints, type Settled } from '../db/group-commit';
import { formatNumber, nextNumber, nextSequence } from './numbering';
import { cancelByStaff, cancelDeclined, newOrderLifecycleFields, recordOrderCustomerDecision, reviseOrder, type OrderRef } from './order-lifecycle';
import type { OrderStatus } from './order-status';
import { enqueueCommand } from './outbox';
import { normalizePage, type Page, type PageOf } from './paging';
import { createVersionedRecord } from './records';
import { isValidDay, shanghaiYear } from './time';
import { MESSAGE, SERVICE_MODULE, type CustomerDecision, type ServiceModule } from './vocabulary';
import { newId } from './ids';
import { orderSummaryOf, type OrderSummary } from './order-summary';

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
  const prepared = prepareOrder(input, ctx);
  return inTransaction(db, (em) => insertOrder(em, prepared));
}

export type CreatedOrder = { order: BusinessOrder; command: ProcessCommand };
/** the batcher's result also carries the order's customer (read by the batch anyway: the caller's DTO needs no further read) */
export type CreatedOrderWithCustomer = CreatedOrder & { customer: Customer };
export interface OrderBatcherOptions {
  /** most creates per transaction (default 100) */
  maxBatch?: number;
  /** test seam: runs inside each create's savepoint after its rows are written; throwing fails that create */
  afterInsert?: (em: EntityManager, created: CreatedOrder) => Promise<void>;
  /** observation (tests, metrics): the size of each batch */
  onBatch?: (size: number) => void;
  /** observation (tests): whether a batch's one-block fast path committed (false: it fell back) */
  onFastPath?: (taken: boolean) => void;
}
/**
 * createOrder with group commit (db/group-commit.ts), for the API's create path: creates arriving
 * while a batch commits share the next transaction, numbers in arrival order. Unknown customers / AP
 * partners are found by one read per batch and fail only their create (each result carries its customer
 * from that read, so the caller's response needs no further read). The rest take one block of
 * numbers and one multi-row INSERT per table inside a savepoint; if that fails, the block is rolled
 * back and each create runs in its own savepoint (the failing one rolls back alone: no gap). Same
 * result and errors per caller as createOrder; a whole-batch failure rejects every caller of the batch.
 */
export function createOrderBatcher(db: Db, opts: OrderBatcherOptions = {}): (input: CreateOrderInput, ctx: WriteContext) => Promise<CreatedOrderWithCustomer> {
  const batcher = createBatcher<PreparedOrder, CreatedOrderWithCustomer>({
    db,
    maxBatch: opts.maxBatch ?? 100,
    onBatch: opts.onBatch,
    run: async (em, items) => {
      const out: (Settled<CreatedOrderWithCustomer> | undefined)[] = new Array(items.length);
      // references of the whole batch in one read each; an unknown one fails only its create
      const customers = await customersById(em, items.map((p) => p.input.customerId));
      const partners = await existingIds(em, ApPartnerEntity, items.flatMap((p) => (p.input.apPartnerId ? [p.input.apPartnerId] : [])));
      items.forEach((p, i) => {
        if (!customers.has(p.input.customerId)) out[i] = { ok: false, error: new NotFoundError('customer', p.input.customerId) };
        else if (p.input.apPartnerId && !partners.has(p.input.apPartnerId)) out[i] = { ok: false, error: new NotFoundError('ap-partner', p.input.apPartnerId) };
      });
      const live = items.flatMap((p, i) => (out[i] ? [] : [{ p, i }]));
      const years = new Set(live.map(({ p }) => shanghaiYear(p.at)));
      // fast path: one block of numbers for all of them, one savepoint; any failure undoes the block
      // and falls back to one savepoint per create (the failing one then fails alone, no gap)
      let done = false;
      if (live.length >= 1 && years.size === 1) {
        const year = [...years][0];
        done = await inSavepoint(em, 'gc_block', async () => {
          const last = await nextSequence(em, 'business-order', year, live.length);
          const first = last - live.length + 1;
          // the same write functions, their inserts collected and written as one INSERT per table;
          // a new number has no start command yet (UQ_process_command_dedupe guards that)
          const deferred = deferInserts(em, { assumeAbsent: [ProcessCommandEntity] });
          const created: CreatedOrder[] = [];
          for (let k = 0; k < live.length; k++) created.push(await writeOrder(deferred.em, live[k].p, formatNumber('business-order', year, first + k), customers.get(live[k].p.input.customerId)!.name));
          await deferred.flush();
          for (let k = 0; k < live.length; k++) {
            if (opts.afterInsert) await opts.afterInsert(em, created[k]);
            out[live[k].i] = { ok: true, value: { ...created[k], customer: customers.get(live[k].p.input.customerId)! } };
          }
        });
        opts.onFastPath?.(done);
      }
      if (!done) {
        const each = await inSavepoints(
          em,
          live.map(({ p }) => p),
          async (em, p) => {
            const created = await insertOrder(em, p);
            if (opts.afterInsert) await opts.afterInsert(em, created);
            return { ...created, customer: customers.get(p.input.customerId)! };
          },
        );
        for (const [k, { i }] of live.entries()) out[i] = each[k];
      }
      return out as Settled<CreatedOrderWithCustomer>[];
    },
  });
  return async (input, ctx) => batcher.submit(prepareOrder(input, ctx));
}

async function customersById(em: EntityManager, ids: string[]): Promise<Map<string, Customer>> {
  const uniq = [...new Set(ids)];
  if (!uniq.length) return new Map();
  return new Map((await em.getRepository(CustomerEntity).findBy({ id: In(uniq) })).map((c) => [c.id, c]));
}

async function existingIds(em: EntityManager, entity: typeof ApPartnerEntity, ids: string[]): Promise<Set<string>> {
  const uniq = [...new Set(ids)];
  if (!uniq.length) return new Set();
  const rows = (await em.getRepository(entity).find({ select: { id: true }, where: { id: In(uniq) } })) as { id: string }[];
  return new Set(rows.map((r) => r.id));
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

/** the rows of a new order, in the caller's transaction */
async function insertOrder(em: EntityManager, p: PreparedOrder): Promise<CreatedOrder> {
  const { input, at } = p;
  const customer = await findRow(em, CustomerEntity, { id: input.customerId });
  if (!customer) throw new NotFoundError('customer', input.customerId);
  if (input.apPartnerId && !(await rowExists(em, ApPartnerEntity, { id: input.apPartnerId }))) {
    throw new NotFoundError('ap-partner', input.apPartnerId);
  }
  return writeOrder(em, p, await nextNumber(em, 'business-order', shanghaiYear(at)), customer.name);
}

/** the order's rows under a number already allocated in this transaction (references checked) */
async function writeOrder(em: EntityManager, p: PreparedOrder, orderNo: string, customerName: string): Promise<CreatedOrder> {
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
      orderSummary: orderSummaryOf(order, customerName),
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
  const res = await updateRows(db, BusinessOrderEntity, { id }, { processInstanceKey });
  if (res.affected !== 1) throw new NotFoundError('business-order', id);
}
