import { EntitySchema } from 'typeorm';
import { col } from './columns';
import type { CalendarDayKind, ProcessCommandKind } from './types';

/** Working-day calendar: only the days that differ from the Mon–Fri rule are stored. */
export interface CalendarDay {
  /** YYYY-MM-DD */
  date: string;
  year: number;
  /** HOLIDAY: a weekday off (statutory holiday); WORKDAY: a weekend day worked (调休) */
  kind: CalendarDayKind;
  name: string | null;
}
export const CalendarDayEntity = new EntitySchema<CalendarDay>({
  name: 'CalendarDay',
  tableName: 'calendar_day',
  columns: {
    date: { type: 'varchar', length: 10, primary: true },
    year: col.int(),
    kind: col.str(16),
    name: col.str(100, true),
  },
  indices: [{ name: 'IDX_calendar_day_year', columns: ['year'] }],
});

/** Per year: whether the State Council schedule is loaded ("published"); otherwise weekends only, provisional. */
export interface CalendarYear {
  year: number;
  published: boolean;
  /** 'chinese-days@<version>' or 'upload' */
  source: string;
  note: string | null;
  updatedBy: string;
  updatedAt: Date;
}
export const CalendarYearEntity = new EntitySchema<CalendarYear>({
  name: 'CalendarYear',
  tableName: 'calendar_year',
  columns: {
    year: { type: 'int', primary: true },
    published: col.bool(),
    source: col.str(64),
    note: col.text(),
    updatedBy: col.actor(),
    updatedAt: col.at(),
  },
});

/** Gap-free document numbers: one row per document type and year, locked while allocating. */
export interface DocumentSequence {
  documentType: string;
  year: number;
  lastValue: number;
}
export const DocumentSequenceEntity = new EntitySchema<DocumentSequence>({
  name: 'DocumentSequence',
  tableName: 'document_sequence',
  columns: {
    documentType: { type: 'varchar', length: 40, primary: true },
    year: { type: 'int', primary: true },
    lastValue: col.int(),
  },
});

/** Every write: who, when, why (append-only). */
export interface AuditLog {
  id: string;
  at: Date;
  actor: string;
  /** e.g. 'business-order.create', 'business-order.transition' */
  action: string;
  entityType: string;
  entityId: string;
  reason: string | null;
  details: Record<string, unknown> | null;
}
export const AuditLogEntity = new EntitySchema<AuditLog>({
  name: 'AuditLog',
  tableName: 'audit_log',
  columns: {
    id: col.uuidPk(),
    at: col.at(),
    actor: col.actor(),
    action: col.str(80),
    entityType: col.str(48),
    entityId: col.str(64),
    reason: col.text(),
    details: col.json(true),
  },
  indices: [
    { name: 'IDX_audit_log_entity', columns: ['entityType', 'entityId', 'at'] },
    { name: 'IDX_audit_log_at', columns: ['at'] },
    { name: 'IDX_audit_log_actor', columns: ['actor', 'at'] },
  ],
});

/** Immutable versions of the §9 records and contracts (content = the full record as of that version). */
export interface RecordVersion {
  id: string;
  recordType: string;
  recordId: string;
  version: number;
  content: Record<string, unknown>;
  actor: string;
  at: Date;
  reason: string | null;
}
export const RecordVersionEntity = new EntitySchema<RecordVersion>({
  name: 'RecordVersion',
  tableName: 'record_version',
  columns: {
    id: col.uuidPk(),
    recordType: col.str(48),
    recordId: col.uuid(),
    version: col.int(),
    content: col.json(),
    actor: col.actor(),
    at: col.at(),
    reason: col.text(),
  },
  indices: [{ name: 'UQ_record_version', columns: ['recordType', 'recordId', 'version'], unique: true }],
});

/** Commands for the engine, written in the same transaction as the record (transactional outbox). */
export interface ProcessCommand {
  id: string;
  kind: ProcessCommandKind;
  dedupeKey: string;
  /** publish-message: { name, correlationKey, variables, messageId, timeToLive }; create-process-instance: { bpmnProcessId, variables } */
  payload: Record<string, unknown>;
  createdAt: Date;
  /** earliest next attempt (back-off); claimPending only picks rows due */
  nextAttemptAt: Date;
  /** claimed by a dispatcher until this instant (crash-safe lease) */
  claimedUntil: Date | null;
  dispatchedAt: Date | null;
  attempts: number;
  lastError: string | null;
  /** e.g. { processInstanceKey } returned by the engine */
  result: Record<string, unknown> | null;
}
export const ProcessCommandEntity = new EntitySchema<ProcessCommand>({
  name: 'ProcessCommand',
  tableName: 'process_command_outbox',
  columns: {
    id: col.uuidPk(),
    kind: col.str(32),
    dedupeKey: col.str(191),
    payload: col.json(),
    createdAt: col.at(),
    nextAttemptAt: col.at(),
    claimedUntil: col.at(true),
    dispatchedAt: col.at(true),
    attempts: col.int(),
    lastError: col.text(),
    result: col.json(true),
  },
  indices: [
    { name: 'UQ_process_command_dedupe', columns: ['dedupeKey'], unique: true },
    { name: 'IDX_process_command_pending', columns: ['dispatchedAt', 'nextAttemptAt'] },
    { name: 'IDX_process_command_claim', columns: ['dispatchedAt', 'createdAt', 'id'] },
  ],
});

/** Notifications to a role or a user, recorded once per dedupe key; a sender delivers them later. */
export interface Notification {
  id: string;
  dedupeKey: string;
  recipientRole: string | null;
  recipientUser: string | null;
  template: string;
  /** ids/numbers the message is about, e.g. { orderId, orderNo } */
  refs: Record<string, unknown>;
  createdAt: Date;
  sentAt: Date | null;
  attempts: number;
  lastError: string | null;
}
export const NotificationEntity = new EntitySchema<Notification>({
  name: 'Notification',
  tableName: 'notification_outbox',
  columns: {
    id: col.uuidPk(),
    dedupeKey: col.str(191),
    recipientRole: col.str(32, true),
    recipientUser: col.actor(true),
    template: col.str(80),
    refs: col.json(),
    createdAt: col.at(),
    sentAt: col.at(true),
    attempts: col.int(),
    lastError: col.text(),
  },
  indices: [
    { name: 'UQ_notification_dedupe', columns: ['dedupeKey'], unique: true },
    { name: 'IDX_notification_pending', columns: ['sentAt', 'createdAt'] },
    { name: 'IDX_notification_user', columns: ['recipientUser', 'createdAt'] },
    { name: 'IDX_notification_role', columns: ['recipientRole', 'createdAt'] },
  ],
});

/** Idempotency keys of handled jobs/requests (job key or business key) with the result returned. */
export interface ProcessedJob {
  jobType: string;
  idempotencyKey: string;
  result: Record<string, unknown> | null;
  processedAt: Date;
}
export const ProcessedJobEntity = new EntitySchema<ProcessedJob>({
  name: 'ProcessedJob',
  tableName: 'processed_job',
  columns: {
    jobType: { type: 'varchar', length: 80, primary: true },
    idempotencyKey: { type: 'varchar', length: 160, primary: true },
    result: col.json(true),
    processedAt: col.at(),
  },
});
