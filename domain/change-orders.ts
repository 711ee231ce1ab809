/**
 * Change orders 变更单 (§6.2) on an order in service. Same status table as orders (order-status.ts).
 * Created with their `change-order-submitted` start message in one transaction.
 */
import { In, Not, type FindOptionsWhere } from 'typeorm';
import { ApPartnerEntity, BusinessOrderEntity, ChangeOrderEntity, type ChangeOrder, type ProcessCommand } from '../db/entities/index';
import { inTransaction, type Db } from '../db/transaction';
import { findRow, rowExists } from '../db/rows';
import { ctxAt, requireActor, type WriteContext } from './audit';
import { ConflictError, NotFoundError, ValidationError } from './errors';
import { nextNumber } from './numbering';
import {
  cancelByStaff,
  cancelDeclined,
  newOrderLifecycleFields,
  recordOrderCustomerDecision,
  reviseOrder,
  type OrderRef,
} from './order-lifecycle';
import { FINAL_ORDER_STATUSES, IN_SERVICE_STATUSES, type OrderStatus } from './order-status';
import { validAmount, validateModules } from './orders';
import { enqueueCommand } from './outbox';
import { normalizePage, type Page, type PageOf } from './paging';
import { createVersionedRecord, findForUpdate } from './records';
import { isValidDay, shanghaiYear } from './time';
import { MESSAGE, type CustomerDecision, type ServiceModule } from './vocabulary';
import { newId } from './ids';
import { readOrderSummary, type OrderSummary } from './order-summary';

export interface CreateChangeOrderInput {
  orderId: string;
  description: string;
  platformChange: boolean;
  apScopeChange: boolean;
  /** default: the order's partner */
  apPartnerId?: string | null;
  accountDelta: number;
  modules?: ServiceModule[] | null;
  amountDelta?: number | null;
  effectiveDate?: string | null;
  note?: string | null;
  /** default: the order's customer manager */
  customerManager?: string;
}

/** start variables of online-training-change */
export interface ChangeOrderStartVariables {
  changeOrderId: string;
  changeOrderNo: string;
  orderId: string;
  orderNo: string;
  customerManager: string;
  platformChange: boolean;
  apScopeChange: boolean;
  apPartnerId: string | null;
  accountDelta: number;
  /** the order being changed, as every task shows it (domain/order-summary.ts) */
  orderSummary: OrderSummary;
}

export async function createChangeOrder(
  db: Db,
  input: CreateChangeOrderInput,
  ctx: WriteContext,
): Promise<{ changeOrder: ChangeOrder; command: ProcessCommand }> {
  requireActor(ctx);
  if (typeof input.description !== 'string' || !input.description.trim()) throw new ValidationError('description: required');
  if (typeof input.platformChange !== 'boolean' || typeof input.apScopeChange !== 'boolean') {
    throw new ValidationError('platformChange, apScopeChange: booleans');
  }
  if (!Number.isInteger(input.accountDelta)) throw new ValidationError('accountDelta: an integer');
  const modules = input.modules ? validateModules(input.modules) : null;
  const amountDelta =
    input.amountDelta === undefined || input.amountDelta === null ? null : validAmount(input.amountDelta, 'amountDelta', true);
  if (input.effectiveDate && !isValidDay(input.effectiveDate)) throw new ValidationError('effectiveDate: YYYY-MM-DD');
  const at = ctxAt(ctx);
  return inTransaction(db, async (em) => {
    const order = await findForUpdate(em, BusinessOrderEntity, { id: input.orderId });
    if (!order) throw new NotFoundError('business-order', input.orderId);
    if (!IN_SERVICE_STATUSES.includes(order.status)) {
      throw new ConflictError(`order ${order.orderNo} is ${order.status}: changes need an order in service`, { status: order.status });
    }
    // a change order that changes nothing would only block the real ones (one open change per order)
    const newModules = modules !== null && (modules.length !== order.modules.length || modules.some((m) => !order.modules.includes(m)));
    if (input.accountDelta === 0 && !input.platformChange && !input.apScopeChange && !newModules && !amountDelta) {
      throw new ValidationError(
        'the change order changes nothing: give an accountDelta other than 0, a platform or AP scope change, other modules or an amountDelta',
        { field: 'accountDelta' },
      );
    }
    const open = await findRow(em, ChangeOrderEntity, { orderId: order.id, status: Not(In([...FINAL_ORDER_STATUSES])) });
    if (open)
      throw new ConflictError(`order ${order.orderNo} already has change order ${open.changeOrderNo} in progress`, {
        changeOrderId: open.id,
      });
    const apPartnerId = input.apPartnerId ?? order.apPartnerId;
    if (input.apScopeChange && !apPartnerId) throw new ValidationError('apScopeChange needs an AP partner (the order has none)');
    if (apPartnerId && !(await rowExists(em, ApPartnerEntity, { id: apPartnerId }))) throw new NotFoundError('ap-partner', apPartnerId);
    if (order.accounts + input.accountDelta < 0) throw new ValidationError('accountDelta would make the accounts negative');
    const changeOrderNo = await nextNumber(em, 'change-order', shanghaiYear(at));
    const header: ChangeOrder = {
      id: newId(),
      changeOrderNo,
      orderId: order.id,
      customerManager: input.customerManager ?? order.customerManager,
      description: input.description,
      platformChange: input.platformChange,
      apScopeChange: input.apScopeChange,
      apPartnerId: apPartnerId ?? null,
      accountDelta: input.accountDelta,
      modules,
      amountDelta,
      effectiveDate: input.effectiveDate ?? null,
      note: input.note ?? null,
      ...newOrderLifecycleFields(ctx.actor, at),
    };
    const { record: changeOrder } = await createVersionedRecord(em, 'change-order', header, { ...ctx, at });
    const variables: ChangeOrderStartVariables = {
      changeOrderId: changeOrder.id,
      changeOrderNo,
      orderId: order.id,
      orderNo: order.orderNo,
      customerManager: changeOrder.customerManager,
      platformChange: changeOrder.platformChange,
      apScopeChange: changeOrder.apScopeChange,
      apPartnerId: changeOrder.apPartnerId,
      accountDelta: changeOrder.accountDelta,
      orderSummary: await readOrderSummary(em, order),
    };
    const { command } = await enqueueCommand(
      em,
      { kind: 'publish-message', name: MESSAGE.changeOrderSubmitted, correlationKey: changeOrderNo, variables: { ...variables } },
      at,
    );
    return { changeOrder, command };
  });
}

export async function getChangeOrder(db: Db, id: string): Promise<ChangeOrder | null> {
  return findRow(db, ChangeOrderEntity, { id });
}
export async function requireChangeOrder(db: Db, id: string): Promise<ChangeOrder> {
  const c = await getChangeOrder(db, id);
  if (!c) throw new NotFoundError('change-order', id);
  return c;
}

export async function listChangeOrders(
  db: Db,
  filter: { orderId?: string; status?: OrderStatus; customerManager?: string } = {},
  page: Partial<Page> = {},
): Promise<PageOf<ChangeOrder>> {
  const p = normalizePage(page);
  const where: FindOptionsWhere<ChangeOrder> = {};
  if (filter.orderId) where.orderId = filter.orderId;
  if (filter.status) where.status = filter.status;
  if (filter.customerManager) where.customerManager = filter.customerManager;
  const [items, total] = await db
    .getRepository(ChangeOrderEntity)
    .findAndCount({ where, order: { createdAt: 'DESC', changeOrderNo: 'DESC' }, take: p.limit, skip: p.offset });
  return { items, total, ...p };
}

const ref = (id: string): OrderRef => ({ kind: 'change-order', id });

/** staff cancellation: needs a reason */
export async function cancelChangeOrder(db: Db, id: string, ctx: WriteContext): Promise<ChangeOrder> {
  return cancelByStaff<ChangeOrder>(db, ref(id), ctx);
}

/** change-order.cancel (customer declined): idempotent when already cancelled */
export async function cancelDeclinedChangeOrder(db: Db, id: string, ctx: WriteContext): Promise<ChangeOrder> {
  return cancelDeclined<ChangeOrder>(db, ref(id), ctx);
}

/** change-order.record-customer-decision (order-lifecycle.ts: DECLINED is cancelled by change-order.cancel) */
export async function recordChangeCustomerDecision(
  db: Db,
  id: string,
  decision: CustomerDecision,
  feedback: string | null,
  ctx: WriteContext,
): Promise<ChangeOrder> {
  return recordOrderCustomerDecision<ChangeOrder>(db, ref(id), decision, feedback, ctx);
}

export interface ChangeOrderRevision {
  description?: string;
  accountDelta?: number;
  modules?: ServiceModule[] | null;
  amountDelta?: number | null;
  effectiveDate?: string | null;
  /** whether the change reconfigures the business platform (issue #20): the flow's 涉及平台变更? reads the revised value */
  platformChange?: boolean;
  /**
   * whether the change involves the AP (涉及AP变更): the flow's AP branch (ap-scope-change) reads the revised
   * value. The AP is the change order's (set at its creation, the order's AP); true without one is refused as
   * at creation
   */
  apScopeChange?: boolean;
  note?: string | null;
}
/** change-order.apply-revision: new version; CHANGE_REQUESTED → SUBMITTED */
export async function applyChangeOrderRevision(db: Db, id: string, revision: ChangeOrderRevision, ctx: WriteContext): Promise<ChangeOrder> {
  const changes: Record<string, unknown> = {};
  if (revision.description !== undefined) changes.description = revision.description;
  if (revision.accountDelta !== undefined && revision.accountDelta !== null) {
    if (!Number.isInteger(revision.accountDelta)) throw new ValidationError('accountDelta: an integer');
    changes.accountDelta = revision.accountDelta;
  }
  if (revision.modules !== undefined) changes.modules = revision.modules ? validateModules(revision.modules) : null;
  if (revision.amountDelta !== undefined)
    changes.amountDelta = revision.amountDelta === null ? null : validAmount(revision.amountDelta, 'amountDelta', true);
  if (revision.effectiveDate !== undefined) {
    if (revision.effectiveDate !== null && !isValidDay(revision.effectiveDate)) throw new ValidationError('effectiveDate: YYYY-MM-DD');
    changes.effectiveDate = revision.effectiveDate;
  }
  if (revision.note !== undefined) changes.note = revision.note;
  if (revision.platformChange !== undefined && revision.platformChange !== null) {
    if (typeof revision.platformChange !== 'boolean') throw new ValidationError('platformChange: boolean');
    changes.platformChange = revision.platformChange;
  }
  if (revision.apScopeChange !== undefined && revision.apScopeChange !== null) {
    if (typeof revision.apScopeChange !== 'boolean') throw new ValidationError('apScopeChange: boolean');
    changes.apScopeChange = revision.apScopeChange;
  }
  if (changes.apScopeChange !== true) return reviseOrder<ChangeOrder>(db, ref(id), changes, ctx);
  return inTransaction(db, async (em) => {
    const co = await findForUpdate(em, ChangeOrderEntity, { id });
    if (!co) throw new NotFoundError('change-order', id);
    // before the expense supplement is drafted for it: a change without an AP partner could not be drafted
    if (!co.apPartnerId) throw new ValidationError('apScopeChange needs an AP partner (the change order and its order have none)');
    return reviseOrder<ChangeOrder>(em, ref(id), changes, ctx);
  });
}
