/**
 * Append-only versioning of the §9 records and the contracts.
 *
 * A record = a header row (stable id, number, current status, process instance key, currentVersion, and
 * columns mirroring the current content for queries) + immutable rows in record_version (content,
 * version, actor, time, reason). Creating writes version 1; a correction writes version n+1 with actor,
 * time and reason and moves the header to it. Nothing is updated in place in record_version and nothing
 * is deleted. The DB refuses nothing silently: a duplicate version violates UQ_record_version, and the
 * header moves only if it is still at the version the correction was based on (otherwise ConflictError).
 */
import type { EntityManager, EntitySchema, ObjectLiteral } from 'typeorm';
import {
  BusinessOrderEntity,
  ChangeOrderEntity,
  CountersignFormEntity,
  CustomerCommunicationRecordEntity,
  ExpenseContractEntity,
  PaymentBasisEntity,
  RecordVersionEntity,
  RevenueContractEntity,
  VERSIONED_RECORD,
  type RecordVersion,
  type VersionedRecordType,
} from '../db/entities/index';
import { inTransaction, insertRows, type Db } from '../db/transaction';
import { findRow } from '../db/rows';
import { audit, ctxAt, requireActor, type WriteContext } from './audit';
import { ConflictError, NotFoundError, ValidationError } from './errors';
import { newId } from './ids';

export { VERSIONED_RECORD, type VersionedRecordType };

interface Spec {
  entity: EntitySchema<any>;
  /** header columns that mirror the content of the current version */
  mirrored: readonly string[];
  /** content fields a correction may change (mirrored ones included) */
  correctable: readonly string[];
}

const ORDER_FIELDS = ['customerId', 'modules', 'accounts', 'openingDate', 'termMonths', 'amount', 'apInvolved', 'apPartnerId', 'note'];
const CHANGE_FIELDS = [
  'description',
  'platformChange',
  'apScopeChange',
  'apPartnerId',
  'accountDelta',
  'modules',
  'amountDelta',
  'effectiveDate',
  'note',
];
const CONTRACT_FIELDS = ['title', 'amount', 'termMonths', 'note'];
const EXPENSE_FIELDS = ['title', 'amount', 'note'];

export const RECORD_SPECS: Record<VersionedRecordType, Spec> = {
  'business-order': { entity: BusinessOrderEntity, mirrored: ORDER_FIELDS, correctable: ORDER_FIELDS },
  'change-order': { entity: ChangeOrderEntity, mirrored: CHANGE_FIELDS, correctable: CHANGE_FIELDS },
  'revenue-contract': { entity: RevenueContractEntity, mirrored: CONTRACT_FIELDS, correctable: CONTRACT_FIELDS },
  'expense-contract': { entity: ExpenseContractEntity, mirrored: EXPENSE_FIELDS, correctable: EXPENSE_FIELDS },
  'countersign-form': { entity: CountersignFormEntity, mirrored: [], correctable: ['remarks'] },
  'payment-basis': {
    entity: PaymentBasisEntity,
    mirrored: [],
    correctable: ['description', 'amount', 'accountsImplemented', 'completedOn', 'attachments', 'note'],
  },
  'customer-communication-record': {
    entity: CustomerCommunicationRecordEntity,
    mirrored: [],
    correctable: ['networkQuality', 'serviceAttitude', 'customerFeedback', 'followUp', 'contactPerson', 'note'],
  },
};

export function isVersionedRecordType(s: string): s is VersionedRecordType {
  return (VERSIONED_RECORD as readonly string[]).includes(s);
}

/** findOne with an exclusive row lock on MySQL (SQLite: the transaction already holds the write lock) */
export async function findForUpdate<T extends ObjectLiteral>(
  em: EntityManager,
  entity: EntitySchema<T>,
  where: Record<string, unknown>,
): Promise<T | null> {
  return findRow(em, entity, where as never, { lock: true });
}

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const k of keys) if (k in o) r[k] = o[k];
  return r;
}

async function insertVersion(
  em: EntityManager,
  recordType: VersionedRecordType,
  recordId: string,
  version: number,
  content: Record<string, unknown>,
  ctx: WriteContext,
): Promise<RecordVersion> {
  const row: RecordVersion = {
    id: newId(),
    recordType,
    recordId,
    version,
    content,
    actor: ctx.actor,
    at: ctxAt(ctx),
    reason: ctx.reason ?? null,
  };
  await insertRows(em, RecordVersionEntity, [row]);
  return row;
}

/**
 * Inserts the header (currentVersion forced to 1) and version 1. `content` defaults to the header's
 * mirrored fields; records whose content lives only in versions pass it explicitly.
 */
export async function createVersionedRecord<T extends { id: string; currentVersion: number }>(
  em: EntityManager,
  recordType: VersionedRecordType,
  header: T,
  ctx: WriteContext,
  content?: Record<string, unknown>,
): Promise<{ record: T; version: RecordVersion }> {
  requireActor(ctx);
  const spec = RECORD_SPECS[recordType];
  const record = { ...header, currentVersion: 1 };
  await insertRows(em, spec.entity, [record]);
  const version = await insertVersion(em, recordType, record.id, 1, content ?? pick(record, spec.mirrored), ctx);
  await audit(em, ctx, `${recordType}.create`, recordType, record.id, { version: 1 });
  return { record, version };
}

export interface CorrectOptions {
  /** the version the change is based on; a different current version → ConflictError */
  expectedVersion?: number;
  /** audit action, default `<type>.correct` */
  action?: string;
  /** require ctx.reason (default true: a correction must say why) */
  requireReason?: boolean;
  /** extra header columns to set in the same update (e.g. status); not part of the content */
  headerPatch?: Record<string, unknown>;
  /**
   * checks the corrected whole before anything is written, inside the transaction and under the header's
   * row lock (the API: the record's JSON Schema, referenced ids, the countersign rule); throws to refuse
   */
  check?: (em: EntityManager, header: Record<string, unknown>, content: Record<string, unknown>) => Promise<void>;
}

/** Writes version n+1 = version n's content with `changes` applied, and moves the header to it. */
export async function correctRecord<T extends { id: string; currentVersion: number }>(
  em: EntityManager,
  recordType: VersionedRecordType,
  id: string,
  changes: Record<string, unknown>,
  ctx: WriteContext,
  opts: CorrectOptions = {},
): Promise<{ record: T; version: RecordVersion }> {
  requireActor(ctx);
  if (!em.queryRunner?.isTransactionActive) throw new Error('correctRecord must run inside a transaction');
  if ((opts.requireReason ?? true) && !ctx.reason?.trim()) throw new ValidationError('a correction needs a reason');
  const spec = RECORD_SPECS[recordType];
  const unknown = Object.keys(changes).filter((k) => !spec.correctable.includes(k));
  if (unknown.length) throw new ValidationError(`${recordType}: fields not correctable: ${unknown.join(', ')}`, { fields: unknown });
  const header = (await findForUpdate(em, spec.entity, { id })) as T | null;
  if (!header) throw new NotFoundError(recordType, id);
  const current = header.currentVersion;
  if (opts.expectedVersion !== undefined && opts.expectedVersion !== current) {
    throw new ConflictError(`${recordType} ${id} is at version ${current}, not ${opts.expectedVersion}`, {
      currentVersion: current,
      expectedVersion: opts.expectedVersion,
    });
  }
  const latest = await findRow(em, RecordVersionEntity, { recordType, recordId: id, version: current });
  if (!latest) throw new ConflictError(`${recordType} ${id}: version ${current} missing from record_version`);
  const content = { ...latest.content, ...changes };
  if (opts.check) await opts.check(em, header as Record<string, unknown>, content);
  const version = await insertVersion(em, recordType, id, current + 1, content, ctx);
  const patch: Record<string, unknown> = { ...pick(changes, spec.mirrored), ...(opts.headerPatch ?? {}), currentVersion: current + 1 };
  if (spec.entity.options.columns && 'updatedAt' in spec.entity.options.columns) patch.updatedAt = ctxAt(ctx);
  const res = await em.getRepository(spec.entity).update({ id, currentVersion: current } as never, patch as never);
  if (res.affected !== 1) throw new ConflictError(`${recordType} ${id} changed concurrently`, { expectedVersion: current });
  await audit(em, ctx, opts.action ?? `${recordType}.correct`, recordType, id, { version: current + 1, changes: Object.keys(changes) });
  return { record: { ...header, ...patch } as T, version };
}

/** correctRecord in its own transaction (or the caller's, given an EntityManager inside one) — for the API */
export async function correctVersionedRecord<T extends { id: string; currentVersion: number }>(
  db: Db,
  recordType: VersionedRecordType,
  id: string,
  changes: Record<string, unknown>,
  ctx: WriteContext,
  opts: CorrectOptions = {},
): Promise<{ record: T; version: RecordVersion }> {
  return inTransaction(db, (em) => correctRecord<T>(em, recordType, id, changes, ctx, opts));
}

export async function recordHistory(db: Db, recordType: VersionedRecordType, id: string): Promise<RecordVersion[]> {
  return db.getRepository(RecordVersionEntity).find({ where: { recordType, recordId: id }, order: { version: 'ASC' } });
}

export async function recordVersionOf(db: Db, recordType: VersionedRecordType, id: string, version: number): Promise<RecordVersion | null> {
  return findRow(db, RecordVersionEntity, { recordType, recordId: id, version });
}

export async function currentContent(db: Db, recordType: VersionedRecordType, id: string): Promise<RecordVersion | null> {
  return db.getRepository(RecordVersionEntity).findOne({ where: { recordType, recordId: id }, order: { version: 'DESC' } });
}
