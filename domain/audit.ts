/**
 * Audit log: every write carries actor, time and reason. Domain services take a WriteContext and call
 * `audit` inside the same transaction as the write, so the log and the data cannot disagree.
 */
import type { EntityManager } from 'typeorm';
import { AuditLogEntity, type AuditLog } from '../db/entities/index';
import { insertLater, type Db } from '../db/transaction';
import { ValidationError } from './errors';
import { newId } from './ids';

export interface WriteContext {
  /** user name, or `system:<component>` for writes of the system itself */
  actor: string;
  /** why (required for corrections and cancellations) */
  reason?: string | null;
  /** the instant of the write; default now */
  at?: Date;
  /** provenance added to every audit row of the write (e.g. the job key and how a worker found the actor) */
  details?: Record<string, unknown> | null;
}

export function ctxAt(ctx: WriteContext): Date {
  return ctx.at ?? new Date();
}

export function requireActor(ctx: WriteContext): void {
  if (!ctx || typeof ctx.actor !== 'string' || !ctx.actor.trim()) throw new ValidationError('every write needs an actor');
}

export async function audit(
  em: EntityManager,
  ctx: WriteContext,
  action: string,
  entityType: string,
  entityId: string,
  details: Record<string, unknown> | null = null,
): Promise<AuditLog> {
  requireActor(ctx);
  const row: AuditLog = {
    id: newId(),
    at: ctxAt(ctx),
    actor: ctx.actor,
    action,
    entityType,
    entityId,
    reason: ctx.reason ?? null,
    details: ctx.details ? { ...(details ?? {}), ...ctx.details } : details,
  };
  // one multi-row INSERT per transaction (db/transaction.ts insertLater): nothing reads it back before COMMIT
  await insertLater(em, AuditLogEntity, row);
  return row;
}

export async function auditTrail(db: Db, entityType: string, entityId: string): Promise<AuditLog[]> {
  return db.getRepository(AuditLogEntity).find({ where: { entityType, entityId }, order: { at: 'ASC' } });
}
