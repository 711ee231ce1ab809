/**
 * Helpers shared by the handler families: the system actor, the actor of a recording job, the
 * WriteContext handed to the domain services (domain/ holds every business rule; a handler validates,
 * resolves the actor, calls the domain service inside once() and maps errors to outcomes), and the one
 * worker-side permanent error.
 */
import type { WriteContext } from '../domain/audit.js';
import { resolveActor, type ResolvedActor } from './runtime/actor';
import type { JobView, Services } from './runtime/job';

/** the actor of writes the workers make on their own account */
export const SYSTEM_ACTOR = 'system:worker';

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
