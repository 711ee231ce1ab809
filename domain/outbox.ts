/**
 * Transactional outbox for engine commands and notifications.
 *
 * The API and workers write a record and the command that must follow it in ONE transaction
 * (enqueueCommand with the caller's EntityManager). A dispatcher (written elsewhere) then does:
 *
 *   const batch = await claimPending(ds, 50);              // leased for leaseMs, safe with several dispatchers
 *   for (const c of batch) try { const r = await send(c); await markDispatched(ds, c.id, r) }
 *                          catch (e) { await markFailed(ds, c.id, String(e)) }   // exponential back-off
 *
 * Start messages carry messageId = dedupeKey, so a command sent twice (crash between send and
 * markDispatched) is dropped by Zeebe while the first message is buffered, and a message start event
 * with a correlation key starts at most one active instance per key.
 *
 * A staff cancellation writes `cancel-process-instance` (dedupe `cancel:<recordNo>`) with the status
 * change; supersedeCommand withdraws a start that was never sent, so a cancelled order never starts.
 */
import { IsNull, LessThan, LessThanOrEqual, type EntityManager } from 'typeorm';
import { NotificationEntity, ProcessCommandEntity, type Notification, type ProcessCommand } from '../db/entities/index';
import { inTransaction, insertRows, isMysql, type Db } from '../db/transaction';
import { findRow } from '../db/rows';
import { ValidationError } from './errors';
import { MESSAGE, PROCESS, type MessageName, type ProcessId, type Role } from './vocabulary';
import { newId } from './ids';

/** default message TTL for start messages: 1 hour (ms), long enough for a deploy/restart */
export const DEFAULT_MESSAGE_TTL_MS = 3_600_000;

export interface PublishMessageCommand {
  kind: 'publish-message';
  name: MessageName;
  correlationKey: string;
  variables: Record<string, unknown>;
  /** default: the dedupe key */
  messageId?: string;
  /** ms; default DEFAULT_MESSAGE_TTL_MS */
  timeToLive?: number;
  /** default `${name}:${correlationKey}` */
  dedupeKey?: string;
}
export interface CreateProcessInstanceCommand {
  kind: 'create-process-instance';
  bpmnProcessId: ProcessId;
  variables: Record<string, unknown>;
  /** required: what makes this start unique (e.g. `monthly-report:2026-10`) */
  dedupeKey: string;
}
/**
 * Cancels the running instance of a cancelled order / change order (written with the status change).
 * The dispatcher reads the record's processInstanceKey at send time when it was not known here.
 */
export interface CancelProcessInstanceCommand {
  kind: 'cancel-process-instance';
  recordKind: 'business-order' | 'change-order';
  recordId: string;
  /** the record number (YW-… / BG-…): the correlation key of its start message */
  recordNo: string;
  processInstanceKey: string | null;
}
export type ProcessCommandInput = PublishMessageCommand | CreateProcessInstanceCommand | CancelProcessInstanceCommand;

/** payload stored for kind publish-message */
export interface PublishMessagePayload {
  name: MessageName;
  correlationKey: string;
  variables: Record<string, unknown>;
  messageId: string;
  timeToLive: number;
}
/** payload stored for kind create-process-instance */
export interface CreateProcessInstancePayload {
  bpmnProcessId: ProcessId;
  variables: Record<string, unknown>;
}

/** the dedupe key of the cancel command of a record (order / change order number) */
export const cancelDedupeKey = (recordNo: string) => `cancel:${recordNo}`;

/** payload stored for kind cancel-process-instance (dedupe key `cancel:<recordNo>`) */
export interface CancelProcessInstancePayload {
  recordKind: 'business-order' | 'change-order';
  recordId: string;
  recordNo: string;
  processInstanceKey: string | null;
}

/**
 * Writes the command in the caller's transaction. A second command with the same dedupe key returns
 * the existing row (created=false) instead of a second row.
 */
export async function enqueueCommand(
  em: EntityManager,
  cmd: ProcessCommandInput,
  now: Date = new Date(),
): Promise<{ command: ProcessCommand; created: boolean }> {
  let dedupeKey: string;
  let payload: PublishMessagePayload | CreateProcessInstancePayload | CancelProcessInstancePayload;
  if (cmd.kind === 'publish-message') {
    if (!(Object.values(MESSAGE) as string[]).includes(cmd.name)) throw new ValidationError(`unknown message ${cmd.name}`);
    if (!cmd.correlationKey) throw new ValidationError('publish-message needs a correlation key');
    dedupeKey = cmd.dedupeKey ?? `${cmd.name}:${cmd.correlationKey}`;
    payload = {
      name: cmd.name,
      correlationKey: cmd.correlationKey,
      variables: cmd.variables,
      messageId: cmd.messageId ?? dedupeKey,
      timeToLive: cmd.timeToLive ?? DEFAULT_MESSAGE_TTL_MS,
    };
  } else if (cmd.kind === 'create-process-instance') {
    if (!(Object.values(PROCESS) as string[]).includes(cmd.bpmnProcessId))
      throw new ValidationError(`unknown process ${cmd.bpmnProcessId}`);
    if (!cmd.dedupeKey) throw new ValidationError('create-process-instance needs a dedupe key');
    dedupeKey = cmd.dedupeKey;
    payload = { bpmnProcessId: cmd.bpmnProcessId, variables: cmd.variables };
  } else if (cmd.kind === 'cancel-process-instance') {
    if (cmd.recordKind !== 'business-order' && cmd.recordKind !== 'change-order')
      throw new ValidationError(`cannot cancel the process of ${cmd.recordKind}`);
    if (!cmd.recordId || !cmd.recordNo) throw new ValidationError('cancel-process-instance needs the record id and number');
    dedupeKey = cancelDedupeKey(cmd.recordNo);
    payload = {
      recordKind: cmd.recordKind,
      recordId: cmd.recordId,
      recordNo: cmd.recordNo,
      processInstanceKey: cmd.processInstanceKey ?? null,
    };
  } else {
    throw new ValidationError(`unknown command kind ${(cmd as { kind: string }).kind}`);
  }
  const repo = em.getRepository(ProcessCommandEntity);
  const existing = await repo.findOneBy({ dedupeKey });
  if (existing) return { command: existing, created: false };
  const row: ProcessCommand = {
    id: newId(),
    kind: cmd.kind,
    dedupeKey,
    payload: payload as unknown as Record<string, unknown>,
    createdAt: now,
    // due at once. The dispatcher's schedule (leases, back-off) runs on the machine's clock; `now` is the
    // business clock's, which may be pinned ahead (test mode): the earlier of the two never leaves the
    // command waiting for that date
    nextAttemptAt: new Date(Math.min(now.getTime(), Date.now())),
    claimedUntil: null,
    dispatchedAt: null,
    attempts: 0,
    lastError: null,
    result: null,
  };
  await repo.insert(row as never);
  return { command: row, created: true };
}

/**
 * Claims up to `limit` due, undispatched commands (oldest first) for `leaseMs`; a dispatcher that dies
 * loses its lease and another picks the rows up. MySQL: FOR UPDATE SKIP LOCKED, so dispatchers do not
 * block each other.
 */
export async function claimPending(db: Db, limit: number, opts: { leaseMs?: number; now?: Date } = {}): Promise<ProcessCommand[]> {
  const now = opts.now ?? new Date();
  const until = new Date(now.getTime() + (opts.leaseMs ?? 30_000));
  return inTransaction(db, async (em) => {
    let qb = em
      .getRepository(ProcessCommandEntity)
      .createQueryBuilder('c')
      .where('c.dispatchedAt IS NULL')
      .andWhere('c.nextAttemptAt <= :now', { now })
      .andWhere('(c.claimedUntil IS NULL OR c.claimedUntil < :now)', { now })
      .orderBy('c.createdAt', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .take(limit);
    if (isMysql(em.connection)) qb = qb.setLock('pessimistic_write').setOnLocked('skip_locked');
    const rows = await qb.getMany();
    if (!rows.length) return [];
    await em
      .getRepository(ProcessCommandEntity)
      .createQueryBuilder()
      .update()
      .set({ claimedUntil: until })
      .whereInIds(rows.map((r) => r.id))
      .execute();
    return rows.map((r) => ({ ...r, claimedUntil: until }));
  });
}

export async function markDispatched(db: Db, id: string, result: Record<string, unknown> | null = null, now = new Date()): Promise<void> {
  const res = await db
    .getRepository(ProcessCommandEntity)
    .update({ id, dispatchedAt: IsNull() }, { dispatchedAt: now, claimedUntil: null, result, attempts: () => 'attempts + 1' } as never);
  if (res.affected !== 1) {
    const row = await findRow(db, ProcessCommandEntity, { id });
    if (!row) throw new Error(`process command ${id} not found`);
    // already dispatched: a repeated acknowledgement changes nothing
  }
}

/** Records the error and schedules the next attempt with exponential back-off (1 s · 2^attempts, max 10 min). */
export async function markFailed(db: Db, id: string, error: string, opts: { now?: Date; retryInMs?: number } = {}): Promise<void> {
  const now = opts.now ?? new Date();
  await inTransaction(db, async (em) => {
    const repo = em.getRepository(ProcessCommandEntity);
    const row = await repo.findOneBy({ id });
    if (!row) throw new Error(`process command ${id} not found`);
    if (row.dispatchedAt) return;
    const attempts = row.attempts + 1;
    const delay = opts.retryInMs ?? Math.min(600_000, 1000 * 2 ** Math.min(attempts, 20));
    await repo.update(
      { id },
      { attempts, lastError: error.slice(0, 4000), claimedUntil: null, nextAttemptAt: new Date(now.getTime() + delay) },
    );
  });
}

/**
 * Withdraws a command that must no longer go out (the start of an order cancelled before it was sent):
 * marks it dispatched with `result = { superseded: note }`, but only while it is neither sent nor
 * claimed by a dispatcher. Returns what the command is now: 'superseded' (withdrawn here, or earlier),
 * 'dispatched' (it went out before), 'in-flight' (claimed: ask again when the lease ends), 'missing'.
 */
export async function supersedeCommand(
  db: Db,
  dedupeKey: string,
  note: string,
  now = new Date(),
): Promise<'superseded' | 'dispatched' | 'in-flight' | 'missing'> {
  return inTransaction(db, async (em) => {
    const repo = em.getRepository(ProcessCommandEntity);
    const patch = { dispatchedAt: now, claimedUntil: null, result: { superseded: note } } as never;
    for (const claimedUntil of [IsNull(), LessThan(now)]) {
      const res = await repo.update({ dedupeKey, dispatchedAt: IsNull(), claimedUntil }, patch);
      if ((res.affected ?? 0) === 1) return 'superseded';
    }
    const row = await repo.findOneBy({ dedupeKey });
    if (!row) return 'missing';
    if (row.dispatchedAt) return (row.result as { superseded?: unknown } | null)?.superseded !== undefined ? 'superseded' : 'dispatched';
    return 'in-flight';
  });
}

export async function pendingCommandCount(db: Db, now = new Date()): Promise<number> {
  return db.getRepository(ProcessCommandEntity).count({ where: { dispatchedAt: IsNull(), nextAttemptAt: LessThanOrEqual(now) } });
}

export interface NotificationInput {
  /** a notification is recorded once per key, e.g. `completion-reminder:<orderId>` */
  dedupeKey: string;
  recipientRole?: Role | null;
  recipientUser?: string | null;
  template: string;
  refs: Record<string, unknown>;
}
/** Records a notification once per dedupe key (created=false when it already exists). */
export async function enqueueNotification(
  em: EntityManager,
  n: NotificationInput,
  now: Date = new Date(),
): Promise<{ notification: Notification; created: boolean }> {
  if (!n.recipientRole && !n.recipientUser) throw new ValidationError('a notification needs a recipient role or user');
  const existing = await findRow(em, NotificationEntity, { dedupeKey: n.dedupeKey });
  if (existing) return { notification: existing, created: false };
  const row: Notification = {
    id: newId(),
    dedupeKey: n.dedupeKey,
    recipientRole: n.recipientRole ?? null,
    recipientUser: n.recipientUser ?? null,
    template: n.template,
    refs: n.refs,
    createdAt: now,
    sentAt: null,
    attempts: 0,
    lastError: null,
  };
  await insertRows(em, NotificationEntity, [row]);
  return { notification: row, created: true };
}
