/** Customer communication record 客户沟通记录表 (§9.2): numbered, versioned (content in record_version). */
import type { EntityManager, FindOptionsWhere } from 'typeorm';
import {
  CustomerCommunicationRecordEntity,
  CustomerEntity,
  COMMUNICATION_OCCASION,
  type CommunicationOccasion,
  type CustomerCommunicationRecord,
} from '../db/entities/index';
import { inTransaction, type Db } from '../db/transaction';
import { findRow, rowExists, updateRows } from '../db/rows';
import { ctxAt, requireActor, type WriteContext } from './audit';
import { NotFoundError, ValidationError } from './errors';
import { nextNumber } from './numbering';
import { provisionalNumber } from './provisional-number';
import { normalizePage, type Page, type PageOf } from './paging';
import { createVersionedRecord, currentContent } from './records';
import { shanghaiYear } from './time';
import { newId } from './ids';
import { RATING, type Rating } from './vocabulary';

/** the form's fields (process-contract form `customer-communication-record`) */
export interface CommunicationContent {
  networkQuality: Rating;
  serviceAttitude: Rating;
  customerFeedback: string;
  followUp?: string | null;
  contactPerson?: string | null;
  note?: string | null;
}

export interface FileCommunicationRecordInput {
  customerId: string;
  orderId?: string | null;
  changeOrderId?: string | null;
  serviceRequestId?: string | null;
  occasion: CommunicationOccasion;
  content: CommunicationContent;
  /** references stored with the content (the order, change order or request number, ...) */
  refs?: Record<string, unknown>;
}

/** the form fields as a user task returns them (the form validated them; absent ones are stored as null) */
export type FormCommunicationContent = { [K in 'networkQuality' | 'serviceAttitude' | 'customerFeedback' | 'followUp']?: string | null };

/** 网络质量 and 服务态度, when given, are ratings 1–5 (RATING): anything else names the field */
export function checkRatings(o: Record<string, unknown>): void {
  for (const k of ['networkQuality', 'serviceAttitude']) {
    const v = o[k];
    if (v !== undefined && v !== null && !(RATING as readonly unknown[]).includes(v)) {
      throw new ValidationError(`${k}: a rating 1–5 (${RATING.join(', ')})`, { field: k, allowed: [...RATING] });
    }
  }
}

export function validateCommunicationContent(c: unknown): CommunicationContent {
  const o = (c ?? {}) as Record<string, unknown>;
  for (const k of ['networkQuality', 'serviceAttitude', 'customerFeedback']) {
    if (typeof o[k] !== 'string' || !(o[k] as string).trim()) throw new ValidationError(`${k}: required`);
  }
  for (const k of ['followUp', 'contactPerson', 'note']) {
    if (o[k] !== undefined && o[k] !== null && typeof o[k] !== 'string') throw new ValidationError(`${k}: text`);
  }
  checkRatings(o);
  return {
    networkQuality: o.networkQuality as Rating,
    serviceAttitude: o.serviceAttitude as Rating,
    customerFeedback: o.customerFeedback as string,
    followUp: (o.followUp as string | undefined) ?? null,
    ...(o.contactPerson ? { contactPerson: o.contactPerson as string } : {}),
    ...(o.note ? { note: o.note as string } : {}),
  };
}

/**
 * The content filed from the process's user task (completion, service request): the form
 * `customer-communication-record` has required its fields already, so this only checks they are text and
 * stores every form field, absent ones as null (the API files through validateCommunicationContent).
 */
export function formCommunicationContent(c: FormCommunicationContent): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const k of ['networkQuality', 'serviceAttitude', 'customerFeedback', 'followUp'] as const) {
    const v = c[k];
    if (v !== undefined && v !== null && typeof v !== 'string') throw new ValidationError(`${k}: text`);
    out[k] = v ?? null;
  }
  checkRatings(out);
  return out;
}

/** Files a record inside the caller's transaction (used by completion and service requests). */
export async function fileCommunicationRecordIn(
  em: EntityManager,
  input:
    | FileCommunicationRecordInput
    | (Omit<FileCommunicationRecordInput, 'content'> & { content: FormCommunicationContent; fromForm: true }),
  ctx: WriteContext,
): Promise<{ record: CustomerCommunicationRecord; content: Record<string, unknown> }> {
  requireActor(ctx);
  if (!COMMUNICATION_OCCASION.includes(input.occasion)) throw new ValidationError(`occasion: one of ${COMMUNICATION_OCCASION.join(', ')}`);
  const content: Record<string, unknown> = {
    ...('fromForm' in input ? formCommunicationContent(input.content) : validateCommunicationContent(input.content)),
    ...(input.refs ?? {}),
  };
  if (!(await rowExists(em, CustomerEntity, { id: input.customerId }))) throw new NotFoundError('customer', input.customerId);
  const at = ctxAt(ctx);
  const id = newId();
  const header: CustomerCommunicationRecord = {
    id,
    recordNo: provisionalNumber(id),
    customerId: input.customerId,
    orderId: input.orderId ?? null,
    changeOrderId: input.changeOrderId ?? null,
    serviceRequestId: input.serviceRequestId ?? null,
    occasion: input.occasion,
    currentVersion: 1,
    filedBy: ctx.actor,
    filedAt: at,
    updatedAt: at,
  };
  const created = await createVersionedRecord(em, 'customer-communication-record', header, { ...ctx, at }, { ...content });
  // the number last (its document_sequence row lock is held until commit): provisional-number.ts
  const recordNo = await nextNumber(em, 'customer-communication-record', shanghaiYear(at));
  await updateRows(em, CustomerCommunicationRecordEntity, { id }, { recordNo });
  return { record: { ...created.record, recordNo }, content };
}

export async function fileCommunicationRecord(db: Db, input: FileCommunicationRecordInput, ctx: WriteContext) {
  return inTransaction(db, (em) => fileCommunicationRecordIn(em, input, ctx));
}

export async function getCommunicationRecord(
  db: Db,
  id: string,
): Promise<(CustomerCommunicationRecord & { content: Record<string, unknown> }) | null> {
  const r = await findRow(db, CustomerCommunicationRecordEntity, { id });
  if (!r) return null;
  const v = await currentContent(db, 'customer-communication-record', id);
  return { ...r, content: v?.content ?? {} };
}

export async function listCommunicationRecords(
  db: Db,
  filter: {
    customerId?: string;
    orderId?: string;
    changeOrderId?: string;
    serviceRequestId?: string;
    occasion?: CommunicationOccasion;
  } = {},
  page: Partial<Page> = {},
): Promise<PageOf<CustomerCommunicationRecord>> {
  const p = normalizePage(page);
  const where: FindOptionsWhere<CustomerCommunicationRecord> = {};
  for (const k of ['customerId', 'orderId', 'changeOrderId', 'serviceRequestId', 'occasion'] as const)
    if (filter[k]) (where as Record<string, unknown>)[k] = filter[k];
  const [items, total] = await db
    .getRepository(CustomerCommunicationRecordEntity)
    .findAndCount({ where, order: { filedAt: 'DESC', recordNo: 'DESC' }, take: p.limit, skip: p.offset });
  return { items, total, ...p };
}
