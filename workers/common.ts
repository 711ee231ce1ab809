/**
 * Helpers shared by the handler families: business time (Asia/Shanghai), actors, and the record-keeping
 * primitives (numbers, versions, audit, notifications) — thin wrappers over domain/ and db/.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { RecordVersionEntity } from '../db/entities/index.js';
import { enqueueNotification } from '../domain/outbox.js';
import { audit as domainAudit, type WriteContext } from '../domain/audit.js';
import type { DocumentType, Role } from '../domain/vocabulary';
import { resolveActor, type ResolvedActor } from './runtime/actor';
import type { JobView, Services } from './runtime/job';

/** the actor of writes the workers make on their own account */
export const SYSTEM_ACTOR = 'system:worker';

import { shanghaiYear } from '../domain/time.js';
import { nextNumber as domainNextNumber } from '../domain/numbering.js';
export { shanghaiDay, shanghaiYear, shanghaiMonth, isoAt, previousMonth } from '../domain/time.js';

/** a record the job refers to does not exist: retrying cannot help */
export function missing(what: string, id: string): never {
  throw new PermanentError(`${what} ${id} not found`, `check the ${what} id in the process variables against the database`);
}

/** An error that retrying cannot fix: the adapter fails the job with retries 0 and the hint. */
export class PermanentError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'PermanentError';
  }
}

export async function actorOf(job: JobView, services: Services, userTaskElementId: string | null = null): Promise<ResolvedActor> {
  return resolveActor(services.actors, job as never, userTaskElementId);
}

export interface AuditEntry {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  reason?: string | null;
  details?: Record<string, unknown> | null;
}
/** audit_log row through domain/audit (same transaction as the write) */
export async function audit(em: EntityManager, at: Date, e: AuditEntry): Promise<void> {
  await domainAudit(em, { actor: e.actor, reason: e.reason ?? null, at }, e.action, e.entityType, e.entityId, e.details ?? null);
}

/** actor details for the audit trail (where the actor came from, and the fallback note) */
export function actorDetails(a: ResolvedActor): Record<string, unknown> {
  return a.note ? { actorSource: a.source, actorNote: a.note } : { actorSource: a.source };
}

/**
 * The WriteContext a handler passes to a domain service: the resolved actor (or the system actor), the
 * job's clock, and the job key plus the actor's provenance (actorSource, and actorNote when the actor is
 * only the fallback) on every audit row the service writes. `reason` only when the job carries one: the
 * domain services supply their own default reasons.
 */
export function writeContext(job: JobView, at: Date, actor: ResolvedActor | typeof SYSTEM_ACTOR, reason: string | null = null): WriteContext {
  if (typeof actor === 'string') return { actor, at, reason, details: { jobKey: job.key } };
  return { actor: actor.actor, at, reason, details: { jobKey: job.key, ...actorDetails(actor) } };
}

export interface NotificationSpec {
  dedupeKey: string;
  recipientRole?: Role | null;
  recipientUser?: string | null;
  template: string;
  refs: Record<string, unknown>;
}
/** one outbox row per dedupe key (domain/outbox; a repeated call inserts nothing) */
export async function notify(em: EntityManager, at: Date, n: NotificationSpec): Promise<void> {
  await enqueueNotification(em, n, at);
}

/** append an immutable version of a §9 record / contract */
export async function addVersion(
  em: EntityManager,
  at: Date,
  v: { recordType: string; recordId: string; version: number; content: Record<string, unknown>; actor: string; reason: string | null },
): Promise<void> {
  await em.getRepository(RecordVersionEntity).insert({ id: randomUUID(), at, ...v } as never);
}

export type { DocumentType };

// ---- document numbers (domain numbering) -------------------------------------------------------------
/** next number of the type in the Shanghai year of `at`, inside the caller's transaction */
export async function nextNumber(em: EntityManager, type: DocumentType, at: Date): Promise<string> {
  return domainNextNumber(em, type, shanghaiYear(at));
}
