/**
 * Revenue contracts 收入合同 (agreements and supplementary agreements 补充协议) and expense contracts
 * 支出合同 with an AP (and their supplements). Versioned append-only (records.ts): a revision after a
 * rejected countersign is a new version with the reason.
 */
import type { EntityManager, FindOptionsWhere } from 'typeorm';
import {
  ApPartnerEntity,
  BusinessOrderEntity,
  ChangeOrderEntity,
  ExpenseContractEntity,
  RevenueContractEntity,
  type ApPartner,
  type ExpenseContract,
  type RevenueContract,
} from '../db/entities/index';
import { inTransaction, type Db } from '../db/transaction';
import { findRow, updateRows } from '../db/rows';
import { audit, ctxAt, requireActor, type WriteContext } from './audit';
import { ApPartnerUnavailableError, NotFoundError, StateConflictError, ValidationError } from './errors';
import { nextNumber } from './numbering';
import { provisionalNumber } from './provisional-number';
import { transition } from './order-status';
import { validAmount } from './orders';
import { normalizePage, type Page, type PageOf } from './paging';
import { correctRecord, createVersionedRecord, findForUpdate } from './records';
import { isValidDay, shanghaiYear } from './time';
import { type ContractType } from './vocabulary';
import { newId } from './ids';

export type AnyContract = RevenueContract | ExpenseContract;
export const contractEntity = (type: ContractType) => (type === 'REVENUE' ? RevenueContractEntity : ExpenseContractEntity);
export const contractRecordType = (type: ContractType) =>
  type === 'REVENUE' ? ('revenue-contract' as const) : ('expense-contract' as const);

export interface DraftRevenueContractInput {
  orderId: string;
  /** default: 在线培训服务协议（<orderNo>） */
  title?: string | null;
  /** default: the order's amount */
  amount?: number | null;
  /** default: the order's term */
  termMonths?: number | null;
  note?: string | null;
}

function validTitle(t: unknown): string {
  if (typeof t !== 'string' || !t.trim() || t.length > 300) throw new ValidationError('title: 1–300 characters');
  return t;
}
function validTerm(t: unknown): number | null {
  if (t === undefined || t === null) return null;
  if (!Number.isInteger(t) || (t as number) < 1 || (t as number) > 240) throw new ValidationError('termMonths: 1–240');
  return t as number;
}

/** a blank form field means "take the default" */
const given = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null && !(typeof v === 'string' && !v.trim());

/**
 * revenue-contract.register: the agreement of a CONFIRMED order (one per order; a repeat returns the draft).
 * Title, amount and term default to the order's.
 */
export async function draftRevenueContract(db: Db, input: DraftRevenueContractInput, ctx: WriteContext): Promise<RevenueContract> {
  requireActor(ctx);
  const termMonths = validTerm(input.termMonths);
  const at = ctxAt(ctx);
  return inTransaction(db, async (em) => {
    const order = await findForUpdate(em, BusinessOrderEntity, { id: input.orderId });
    if (!order) throw new NotFoundError('business-order', input.orderId);
    const title = validTitle(given(input.title) ? input.title.trim() : `在线培训服务协议（${order.orderNo}）`);
    const amount = validAmount(given(input.amount) ? input.amount : order.amount);
    const existing = await findRow(em, RevenueContractEntity, { orderId: order.id, kind: 'AGREEMENT' });
    if (existing) return sameDraftOrConflict(existing, title, amount, `order ${order.orderNo} already has agreement`);
    if (order.status !== 'CONFIRMED') throw new StateConflictError(`order ${order.orderNo} is ${order.status}, not CONFIRMED`);
    return createRevenueContract(
      em,
      {
        kind: 'AGREEMENT',
        orderId: order.id,
        changeOrderId: null,
        parentContractId: null,
        title,
        amount,
        termMonths: termMonths ?? order.termMonths,
        note: input.note ?? null,
      },
      { ...ctx, at },
    );
  });
}

/** a repeated draft with the same title and amount returns the draft; anything else is a conflict */
function sameDraftOrConflict(existing: RevenueContract, title: string, amount: number, what: string): RevenueContract {
  if (existing.status === 'DRAFT' && existing.title === title && existing.amount === amount) return existing;
  throw new StateConflictError(`${what} ${existing.contractNo}`, { contractId: existing.id });
}

/** a new revenue contract (agreement or supplement): numbered SR-<year>-<seq>, DRAFT, version 1 */
async function createRevenueContract(
  em: EntityManager,
  f: Pick<RevenueContract, 'kind' | 'orderId' | 'changeOrderId' | 'parentContractId' | 'title' | 'amount' | 'termMonths' | 'note'>,
  ctx: WriteContext & { at: Date },
): Promise<RevenueContract> {
  const id = newId();
  const header: RevenueContract = {
    id,
    contractNo: provisionalNumber(id),
    ...f,
    status: 'DRAFT',
    signedDate: null,
    countersignFormNo: null,
    rejectionReason: null,
    currentVersion: 1,
    createdBy: ctx.actor,
    createdAt: ctx.at,
    updatedAt: ctx.at,
  };
  const { record } = await createVersionedRecord(em, 'revenue-contract', header, ctx);
  // the number last (its document_sequence row lock is held until commit): provisional-number.ts
  const contractNo = await nextNumber(em, 'revenue-contract', shanghaiYear(ctx.at));
  await updateRows(em, RevenueContractEntity, { id }, { contractNo });
  return { ...record, contractNo };
}

/**
 * revenue-contract.register-supplement: supplementary agreement of a CONFIRMED change order to the order's
 * signed agreement. Defaults: title 补充协议（<changeOrderNo>）, amount the change's positive amount delta
 * (else 0), the agreement's term, the change description as note.
 */
export async function draftRevenueSupplement(
  db: Db,
  input: { changeOrderId: string; title?: string | null; amount?: number | null; termMonths?: number | null; note?: string | null },
  ctx: WriteContext,
): Promise<RevenueContract> {
  requireActor(ctx);
  const at = ctxAt(ctx);
  return inTransaction(db, async (em) => {
    const co = await findForUpdate(em, ChangeOrderEntity, { id: input.changeOrderId });
    if (!co) throw new NotFoundError('change-order', input.changeOrderId);
    const title = validTitle(given(input.title) ? input.title.trim() : `补充协议（${co.changeOrderNo}）`);
    const amount = validAmount(given(input.amount) ? input.amount : Math.max(0, co.amountDelta ?? 0));
    const existing = await findRow(em, RevenueContractEntity, { changeOrderId: co.id });
    if (existing) return sameDraftOrConflict(existing, title, amount, `change order ${co.changeOrderNo} already has supplement`);
    if (co.status !== 'CONFIRMED') throw new StateConflictError(`change order ${co.changeOrderNo} is ${co.status}, not CONFIRMED`);
    const parent = await findRow(em, RevenueContractEntity, { orderId: co.orderId, kind: 'AGREEMENT' });
    if (!parent || parent.status !== 'SIGNED')
      throw new StateConflictError(`the order of ${co.changeOrderNo} has no signed agreement to supplement`);
    const termMonths = validTerm(input.termMonths) ?? parent.termMonths;
    return createRevenueContract(
      em,
      {
        kind: 'SUPPLEMENT',
        orderId: co.orderId,
        changeOrderId: co.id,
        parentContractId: parent.id,
        title,
        amount,
        termMonths,
        note: input.note ?? co.description,
      },
      { ...ctx, at },
    );
  });
}

/**
 * revenue-contract.apply-revision / expense-contract.apply-revision: after a rejected countersign round, a new version with
 * the changes and the revision note as reason; status REJECTED → DRAFT (ready for the next round).
 */
export async function reviseContract(
  db: Db,
  type: ContractType,
  id: string,
  changes: { title?: string; amount?: number; termMonths?: number | null; note?: string | null },
  ctx: WriteContext,
): Promise<AnyContract> {
  const c: Record<string, unknown> = {};
  if (changes.title !== undefined) c.title = validTitle(changes.title);
  if (changes.amount !== undefined && changes.amount !== null) c.amount = validAmount(changes.amount);
  if (type === 'REVENUE' && changes.termMonths !== undefined) c.termMonths = validTerm(changes.termMonths);
  if (changes.note !== undefined) c.note = changes.note;
  const recordType = contractRecordType(type);
  return inTransaction(db, async (em) => {
    const contract = (await findForUpdate(em, contractEntity(type) as never, { id })) as AnyContract | null;
    if (!contract) throw new NotFoundError(recordType, id);
    if (contract.status !== 'REJECTED')
      throw new StateConflictError(`${recordType} ${contract.contractNo} is ${contract.status}: only a rejected contract is revised`);
    const reason = ctx.reason ?? `revised after countersign rejection: ${contract.rejectionReason ?? ''}`.trim();
    const { record } = await correctRecord<AnyContract>(
      em,
      recordType,
      id,
      c,
      { ...ctx, reason },
      {
        action: `${recordType}.revise`,
        headerPatch: { status: 'DRAFT' },
      },
    );
    return record;
  });
}

/** revenue-contract.record-signing: APPROVED → SIGNED; the order / change order → CONTRACT_SIGNED */
export async function recordRevenueSigning(db: Db, id: string, signedDate: string, ctx: WriteContext): Promise<RevenueContract> {
  requireActor(ctx);
  if (!isValidDay(signedDate)) throw new ValidationError('signedDate: YYYY-MM-DD');
  return inTransaction(db, async (em) => {
    const c = await findForUpdate(em, RevenueContractEntity, { id });
    if (!c) throw new NotFoundError('revenue-contract', id);
    if (c.status === 'SIGNED' && c.signedDate === signedDate) return c;
    if (c.status !== 'APPROVED') throw new StateConflictError(`revenue-contract ${c.contractNo} is ${c.status}, not APPROVED`);
    const at = ctxAt(ctx);
    await updateRows(em, RevenueContractEntity, { id, status: 'APPROVED' }, { status: 'SIGNED', signedDate, updatedAt: at });
    await audit(em, ctx, 'revenue-contract.sign', 'revenue-contract', id, { signedDate });
    if (c.changeOrderId) {
      const co = await findForUpdate(em, ChangeOrderEntity, { id: c.changeOrderId });
      if (!co) throw new NotFoundError('change-order', c.changeOrderId);
      transition(co, 'CONTRACT_SIGNED', 'change-order');
      await updateRows(em, ChangeOrderEntity, { id: co.id }, { status: 'CONTRACT_SIGNED', updatedAt: at });
      await audit(em, ctx, 'change-order.contract-signed', 'change-order', co.id, {
        from: co.status,
        to: 'CONTRACT_SIGNED',
        contractNo: c.contractNo,
      });
    } else {
      const o = await findForUpdate(em, BusinessOrderEntity, { id: c.orderId });
      if (!o) throw new NotFoundError('business-order', c.orderId);
      transition(o, 'CONTRACT_SIGNED', 'business-order');
      await updateRows(em, BusinessOrderEntity, { id: o.id }, { status: 'CONTRACT_SIGNED', updatedAt: at });
      await audit(em, ctx, 'business-order.contract-signed', 'business-order', o.id, {
        from: o.status,
        to: 'CONTRACT_SIGNED',
        contractNo: c.contractNo,
      });
    }
    return { ...c, status: 'SIGNED', signedDate, updatedAt: at };
  });
}

/** why the partner cannot take an expense contract now, or null */
export function partnerUnavailability(p: ApPartner | null, apPartnerId: string): string | null {
  if (!p) return `AP partner ${apPartnerId} is not registered`;
  if (p.status !== 'ACTIVE') return `AP partner ${p.name} (${p.code}) is ${p.status}`;
  if (!p.terms || typeof p.terms.pricePerAccountMonth !== 'number') return `AP partner ${p.name} (${p.code}) has no agreed terms`;
  return null;
}

/** throws ApPartnerUnavailableError (BPMN AP_PARTNER_UNAVAILABLE) when unknown, suspended or without agreed price */
export async function requireAvailablePartner(em: EntityManager | Db, apPartnerId: string): Promise<ApPartner> {
  const p = await findRow(em, ApPartnerEntity, { id: apPartnerId });
  const why = partnerUnavailability(p, apPartnerId);
  if (why) throw new ApPartnerUnavailableError(apPartnerId, why);
  return p as ApPartner;
}

export interface DraftExpenseContractInput {
  /** the business order (for a supplement: optional, the change order's) */
  orderId?: string | null;
  /** for a supplement (expense-contract.draft-supplement) */
  changeOrderId?: string | null;
  /** default: the change order's / order's partner */
  apPartnerId?: string | null;
  /** default: 在线培训AP实施支出合同（YW-…）, for a supplement AP支出合同补充协议（BG-…） */
  title?: string;
  /**
   * default: terms.pricePerAccountMonth × accounts × the order's term in months, where accounts are the
   * order's, for a supplement the accounts the change adds (none when it removes accounts)
   */
  amount?: number;
  /** default: how the amount was computed */
  note?: string | null;
}

const money = (n: number) => Math.round(n * 100) / 100;

/**
 * expense-contract.draft / expense-contract.draft-supplement, from the order (change order) and the partner's
 * terms. Drafting again for the same order (or change order), e.g. after the AP refused the request,
 * writes a new version of the same expense contract (same number, so the AP's completion message still
 * correlates) with status DRAFT.
 */
export async function draftExpenseContract(db: Db, input: DraftExpenseContractInput, ctx: WriteContext): Promise<ExpenseContract> {
  requireActor(ctx);
  const at = ctxAt(ctx);
  return inTransaction(db, async (em) => {
    const co = input.changeOrderId ? await findRow(em, ChangeOrderEntity, { id: input.changeOrderId }) : null;
    if (input.changeOrderId && !co) throw new NotFoundError('change-order', input.changeOrderId);
    const orderId = input.orderId ?? co?.orderId;
    if (!orderId) throw new ValidationError('orderId: required');
    const order = await findRow(em, BusinessOrderEntity, { id: orderId });
    if (!order) throw new NotFoundError('business-order', orderId);
    const apPartnerId = input.apPartnerId ?? co?.apPartnerId ?? order.apPartnerId;
    if (!apPartnerId)
      throw new ValidationError(
        `${co ? `change order ${co.changeOrderNo}` : `order ${order.orderNo}`} names no AP partner: set it (or apInvolved=false), then retry`,
      );
    const partner = await requireAvailablePartner(em, apPartnerId);
    const price = partner.terms!.pricePerAccountMonth as number;
    const accounts = co ? Math.max(0, co.accountDelta) : order.accounts;
    const amount = validAmount(input.amount ?? money(price * accounts * order.termMonths));
    const title = validTitle(
      input.title ?? (co ? `AP支出合同补充协议（${co.changeOrderNo}）` : `在线培训AP实施支出合同（${order.orderNo}）`),
    );
    const computed = `${accounts} 账号 × ${order.termMonths} 月 × ${price} 元/账号·月（${partner.name}）`;
    const note = input.note !== undefined ? input.note : co ? `${co.description}；新增 ${computed}` : computed;
    const slaDuration = typeof partner.terms?.slaDuration === 'string' ? partner.terms.slaDuration : null;
    const kind = co ? 'SUPPLEMENT' : 'AGREEMENT';
    const where: FindOptionsWhere<ExpenseContract> = co ? { changeOrderId: co.id } : { orderId: order.id, kind: 'AGREEMENT' };
    const existing = await findForUpdate(em, ExpenseContractEntity, where as Record<string, unknown>);
    if (existing) {
      if (['IMPLEMENTED', 'PAYMENT_BASIS_ACCEPTED'].includes(existing.status)) {
        throw new StateConflictError(`expense-contract ${existing.contractNo} is ${existing.status}`);
      }
      const { record } = await correctRecord<ExpenseContract>(
        em,
        'expense-contract',
        existing.id,
        { title, amount, note },
        { ...ctx, reason: ctx.reason ?? 'drafted again' },
        {
          action: 'expense-contract.redraft',
          headerPatch: { status: 'DRAFT', apPartnerId, slaDuration, rejectionReason: null, countersignFormNo: null },
        },
      );
      return record;
    }
    let parentContractId: string | null = null;
    if (co) {
      const parent = await findRow(em, ExpenseContractEntity, { orderId: order.id, kind: 'AGREEMENT' }, { orderBy: { createdAt: 'ASC' } });
      parentContractId = parent?.id ?? null;
    }
    const header: ExpenseContract = {
      id: newId(),
      contractNo: await nextNumber(em, 'expense-contract', shanghaiYear(at)),
      kind,
      orderId: order.id,
      changeOrderId: co?.id ?? null,
      parentContractId,
      apPartnerId,
      status: 'DRAFT',
      title,
      amount,
      note,
      countersignFormNo: null,
      rejectionReason: null,
      implementationRequestedAt: null,
      slaDuration,
      currentVersion: 1,
      createdBy: ctx.actor,
      createdAt: at,
      updatedAt: at,
    };
    const reason = ctx.reason ?? `drafted from the ${co ? 'change order' : 'business order'} and the AP terms`;
    return (await createVersionedRecord(em, 'expense-contract', header, { ...ctx, at, reason })).record;
  });
}

export async function getContract(db: Db, id: string): Promise<(AnyContract & { type: ContractType }) | null> {
  const r = await findRow(db, RevenueContractEntity, { id });
  if (r) return { ...r, type: 'REVENUE' };
  const e = await findRow(db, ExpenseContractEntity, { id });
  return e ? { ...e, type: 'EXPENSE' } : null;
}
export async function getContractByNo(db: Db, type: ContractType, contractNo: string): Promise<AnyContract | null> {
  return db.getRepository(contractEntity(type) as never).findOneBy({ contractNo } as never) as Promise<AnyContract | null>;
}

/** AP partners see only their own expense contracts: pass apPartnerId for them. */
export async function listContracts(
  db: Db,
  filter: { type?: ContractType; orderId?: string; apPartnerId?: string; status?: string } = {},
  page: Partial<Page> = {},
): Promise<PageOf<AnyContract & { type: ContractType }>> {
  const p = normalizePage(page);
  const type: ContractType | undefined = filter.apPartnerId ? 'EXPENSE' : filter.type;
  const where: Record<string, unknown> = {};
  if (filter.orderId) where.orderId = filter.orderId;
  if (filter.status) where.status = filter.status;
  if (filter.apPartnerId) where.apPartnerId = filter.apPartnerId;
  const fetch = async (t: ContractType, take: number, skip: number) => {
    const [items, total] = await db
      .getRepository(contractEntity(t) as never)
      .findAndCount({ where: where as never, order: { createdAt: 'DESC', contractNo: 'DESC' } as never, take, skip });
    return { items: (items as AnyContract[]).map((i) => ({ ...i, type: t })), total };
  };
  if (type) return { ...(await fetch(type, p.limit, p.offset)), ...p };
  // both kinds: revenue first, then expense (stable order for paging)
  const rev = await fetch('REVENUE', p.limit, p.offset);
  const expSkip = Math.max(0, p.offset - rev.total);
  const exp = await fetch('EXPENSE', Math.max(0, p.limit - rev.items.length) || 1, expSkip);
  const items = [...rev.items, ...(rev.items.length < p.limit ? exp.items.slice(0, p.limit - rev.items.length) : [])];
  return { items, total: rev.total + exp.total, ...p };
}
