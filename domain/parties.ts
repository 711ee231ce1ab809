/** Customers and AP partners (admin data). */
import {
  ApPartnerEntity,
  CustomerEntity,
  AP_PARTNER_STATUS,
  type ApPartner,
  type ApPartnerStatus,
  type ApTerms,
  type Customer,
} from '../db/entities/index';
import { inTransaction, type Db } from '../db/transaction';
import { findRow, updateRows } from '../db/rows';
import { audit, ctxAt, requireActor, type WriteContext } from './audit';
import { NotFoundError, ValidationError } from './errors';
import { normalizePage, type Page, type PageOf } from './paging';
import { findForUpdate } from './records';
import { newId } from './ids';

export interface CustomerInput {
  name: string;
  code?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
  customerManager?: string | null;
}

export async function createCustomer(db: Db, input: CustomerInput, ctx: WriteContext): Promise<Customer> {
  requireActor(ctx);
  if (typeof input.name !== 'string' || !input.name.trim()) throw new ValidationError('name: required');
  const at = ctxAt(ctx);
  return inTransaction(db, async (em) => {
    const c: Customer = {
      id: newId(),
      name: input.name,
      code: input.code ?? null,
      contactName: input.contactName ?? null,
      contactPhone: input.contactPhone ?? null,
      customerManager: input.customerManager ?? null,
      createdAt: at,
      updatedAt: at,
    };
    await em.getRepository(CustomerEntity).insert(c);
    await audit(em, ctx, 'customer.create', 'customer', c.id, { name: c.name });
    return c;
  });
}
/** an admin's correction of a customer's master data (not a §9 record: updated in place, audited) */
export async function updateCustomer(db: Db, id: string, patch: Partial<CustomerInput>, ctx: WriteContext): Promise<Customer> {
  requireActor(ctx);
  if (patch.name !== undefined && !patch.name.trim()) throw new ValidationError('name: required');
  return inTransaction(db, async (em) => {
    const cur = await findForUpdate(em, CustomerEntity, { id });
    if (!cur) throw new NotFoundError('customer', id);
    const at = ctxAt(ctx);
    await updateRows(em, CustomerEntity, { id }, { ...patch, updatedAt: at } as never);
    await audit(em, ctx, 'customer.update', 'customer', id, { fields: Object.keys(patch) });
    return { ...cur, ...patch, updatedAt: at } as Customer;
  });
}

export async function getCustomer(db: Db, id: string): Promise<Customer | null> {
  return findRow(db, CustomerEntity, { id });
}
export async function listCustomers(
  db: Db,
  filter: { customerManager?: string } = {},
  page: Partial<Page> = {},
): Promise<PageOf<Customer>> {
  const p = normalizePage(page);
  const where: Record<string, unknown> = {};
  if (filter.customerManager) where.customerManager = filter.customerManager;
  const [items, total] = await db
    .getRepository(CustomerEntity)
    .findAndCount({ where, order: { name: 'ASC', id: 'ASC' }, take: p.limit, skip: p.offset });
  return { items, total, ...p };
}

export interface ApPartnerInput {
  name: string;
  code: string;
  endpointUrl: string;
  hmacSecret: string;
  status?: ApPartnerStatus;
  terms?: ApTerms | null;
}
function validUrl(u: unknown): string {
  try {
    const url = new URL(String(u));
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error();
    return url.toString();
  } catch {
    throw new ValidationError('endpointUrl: an http(s) URL');
  }
}

export async function createApPartner(db: Db, input: ApPartnerInput, ctx: WriteContext): Promise<ApPartner> {
  requireActor(ctx);
  if (!input.name?.trim() || !input.code?.trim()) throw new ValidationError('name, code: required');
  if (typeof input.hmacSecret !== 'string' || input.hmacSecret.length < 16) throw new ValidationError('hmacSecret: at least 16 characters');
  const status = input.status ?? 'ACTIVE';
  if (!AP_PARTNER_STATUS.includes(status)) throw new ValidationError(`status: one of ${AP_PARTNER_STATUS.join(', ')}`);
  const at = ctxAt(ctx);
  return inTransaction(db, async (em) => {
    const p: ApPartner = {
      id: newId(),
      name: input.name,
      code: input.code,
      endpointUrl: validUrl(input.endpointUrl),
      hmacSecret: input.hmacSecret,
      status,
      terms: input.terms ?? null,
      createdAt: at,
      updatedAt: at,
    };
    await em.getRepository(ApPartnerEntity).insert(p as never);
    await audit(em, ctx, 'ap-partner.create', 'ap-partner', p.id, { code: p.code, status });
    return p;
  });
}

/** status (suspend / reactivate), terms, endpoint, secret; audited without the secret */
export async function updateApPartner(
  db: Db,
  id: string,
  patch: Partial<Pick<ApPartner, 'name' | 'endpointUrl' | 'hmacSecret' | 'status' | 'terms'>>,
  ctx: WriteContext,
): Promise<ApPartner> {
  requireActor(ctx);
  const p: Record<string, unknown> = {};
  if (patch.name !== undefined) p.name = patch.name;
  if (patch.endpointUrl !== undefined) p.endpointUrl = validUrl(patch.endpointUrl);
  if (patch.hmacSecret !== undefined) {
    if (patch.hmacSecret.length < 16) throw new ValidationError('hmacSecret: at least 16 characters');
    p.hmacSecret = patch.hmacSecret;
  }
  if (patch.status !== undefined) {
    if (!AP_PARTNER_STATUS.includes(patch.status)) throw new ValidationError(`status: one of ${AP_PARTNER_STATUS.join(', ')}`);
    p.status = patch.status;
  }
  if (patch.terms !== undefined) p.terms = patch.terms;
  return inTransaction(db, async (em) => {
    const cur = await findForUpdate(em, ApPartnerEntity, { id });
    if (!cur) throw new NotFoundError('ap-partner', id);
    const at = ctxAt(ctx);
    await updateRows(em, ApPartnerEntity, { id }, { ...p, updatedAt: at } as never);
    await audit(em, ctx, 'ap-partner.update', 'ap-partner', id, { fields: Object.keys(p), ...(p.status ? { status: p.status } : {}) });
    return { ...cur, ...p, updatedAt: at } as ApPartner;
  });
}
export async function getApPartner(db: Db, id: string): Promise<ApPartner | null> {
  return findRow(db, ApPartnerEntity, { id });
}
export async function listApPartners(db: Db, page: Partial<Page> = {}): Promise<PageOf<ApPartner>> {
  const p = normalizePage(page);
  const [items, total] = await db.getRepository(ApPartnerEntity).findAndCount({ order: { code: 'ASC' }, take: p.limit, skip: p.offset });
  return { items, total, ...p };
}
