/**
 * Helpers shared by the handler families: the system actor, the actor of a recording job, the
 * WriteContext handed to the domain services (domain/ holds every business rule; a handler validates,
 * resolves the actor, calls the domain service inside once() and maps errors to outcomes), and the
 * worker-side errors of runtime/errors.ts.
 */
import type { EntityManager } from 'typeorm';
import type { WriteContext } from '../domain/audit';
import { resolveActor, type ResolvedActor } from './runtime/actor';
import type { JobView, Services } from './runtime/job';
import { checked, guardOnly, once, storedResult } from './runtime/once';
import { complete, type Outcome, type Variables } from './runtime/outcome';

/** the actor of writes the workers make on their own account */
export const SYSTEM_ACTOR = 'system:worker';

/** the worker-side errors, by class (runtime/errors.ts): BusinessError → BPMN error, NonRetryable → incident */
export { BusinessError, NonRetryable } from './runtime/errors';

export async function actorOf(job: JobView, services: Services, userTaskElementId: string | null = null): Promise<ResolvedActor> {
  return resolveActor(services.actors, job as never, userTaskElementId);
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
export function writeContext(
  job: JobView,
  at: Date,
  actor: ResolvedActor | typeof SYSTEM_ACTOR,
  reason: string | null = null,
): WriteContext {
  if (typeof actor === 'string') return { actor, at, reason, details: { jobKey: job.key } };
  return { actor: actor.actor, at, reason, details: { jobKey: job.key, ...actorDetails(actor) } };
}

/**
 * A recording job (it writes down what a person decided in the user task before it): a redelivery gets
 * the stored result (found by the guard row of processed_job; looked up before the actor when naming the
 * actor would need a REST call); otherwise the actor is resolved (outside the transaction: a REST call must not hold
 * row locks) and `work` runs once per key, in one transaction with processed_job (runtime/once.ts).
 * That transaction may be shared with the other jobs of this type in flight (group commit,
 * runtime/batch.ts): `work` must stay DB-only (no HTTP, no messages) and may be re-run from scratch
 * when the batch is retried after a deadlock; anything outside the database happens before once().
 */
export async function recordOnce(
  job: JobView,
  services: Services,
  key: string,
  work: (em: EntityManager, ctx: WriteContext, actor: ResolvedActor) => Promise<Variables>,
  opts: { reason?: string | null; userTaskElementId?: () => Promise<string | null> } = {},
): Promise<Outcome> {
  const { dataSource, clock } = services;
  const now = clock.now();
  // completedBy (set when the API completed the task) names the actor without any call: then the guard
  // row inside the transaction is the only redelivery check needed (guardOnly). Otherwise look first, so
  // a redelivery does not repeat the user-task search.
  const named = typeof job.variables.completedBy === 'string' && job.variables.completedBy.trim() !== '';
  if (!named) {
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
  }
  const actor = await actorOf(job, services, !named && opts.userTaskElementId ? await opts.userTaskElementId() : null);
  return complete(
    await once(dataSource, job.type, named ? guardOnly(key) : checked(key), now, (em) =>
      work(em, writeContext(job, now, actor, opts.reason ?? null), actor),
    ),
  );
}

/** A job the system does on its own account: `work` once per key, with the system actor. */
export async function systemOnce(
  job: JobView,
  services: Services,
  key: string,
  work: (em: EntityManager, ctx: WriteContext) => Promise<Variables>,
  reason: string | null = null,
): Promise<Outcome> {
  const now = services.clock.now();
  return complete(
    await once(services.dataSource, job.type, guardOnly(key), now, (em) => work(em, writeContext(job, now, SYSTEM_ACTOR, reason))),
  );
}
