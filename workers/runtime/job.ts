import type { DataSource } from 'typeorm';
import type { Outcome, Variables } from './outcome';
import type { JobType } from '../../domain/vocabulary';
import type { HttpClient } from '../../platform/http/client';
import type { TaskActorResolver } from './actor';
import type { Logger } from '../../platform/observability/logger';
import type { JsonSchema } from '../../platform/validation';
import type { Infer, Schema } from './validate';

/** The part of a Zeebe job a handler may look at. */
export interface JobView<V = Variables> {
  readonly key: string;
  readonly type: string;
  readonly variables: V;
  readonly customHeaders: Readonly<Record<string, string>>;
  readonly processInstanceKey: string;
  readonly elementId: string;
  readonly retries: number;
  /** a user-task listener's job: the event it serves (CREATING, COMPLETING, …; runtime/listener.ts); absent on other jobs */
  readonly listenerEventType?: string;
}

export { type Clock, systemClock } from '../../domain/clock';
import type { Clock } from '../../domain/clock';

export type { Logger } from '../../platform/observability/logger';
export { silentLogger } from '../../platform/observability/logger';

/** Settings handlers need (from platform/config, passed in by the entry files through workers/start.ts: handlers never read env). */
export interface WorkerSettings {
  /** ISO-8601 duration of the AP SLA reminder when the partner's terms do not say (AP_SLA_DURATION) */
  readonly apSlaDuration: string;
  /** remind this many working days before the completion deadline (COMPLETION_REMINDER_WORKING_DAYS) */
  readonly completionReminderWorkingDays: number;
  /** time-out of the HTTP call to an AP endpoint, ms */
  readonly apRequestTimeoutMs: number;
}
export const DEFAULT_WORKER_SETTINGS: WorkerSettings = {
  apSlaDuration: 'P10D',
  completionReminderWorkingDays: 5,
  apRequestTimeoutMs: 10_000,
};

/** Everything a handler may use; injected by workers/start.ts (or a test). */
export interface Services {
  readonly settings: WorkerSettings;
  readonly dataSource: DataSource;
  readonly clock: Clock;
  readonly http: HttpClient;
  readonly actors: TaskActorResolver;
  readonly log: Logger;
}

/** A JSON schema (ajv) of the variables a handler reads. */
export type { JsonSchema } from '../../platform/validation';

export interface HandlerDef<V = any> {
  readonly type: JobType;
  /** JSON schema of the job variables this handler needs (validated before the handler runs) */
  readonly variables: JsonSchema;
  /** variables to fetch from the engine (defaults to the schema's properties) */
  readonly fetchVariables?: readonly string[];
  readonly handle: (job: JobView<V>, services: Services) => Promise<Outcome> | Outcome;
}

/**
 * A handler with its input type taken from its variables' schema (runtime/validate.ts `S`): the adapter
 * validates the job's variables against that schema before `handle` runs, so `job.variables` is that type.
 */
export function defineHandler<Sch extends Schema<object>>(def: {
  readonly type: JobType;
  readonly variables: Sch;
  readonly fetchVariables?: readonly string[];
  readonly handle: (job: JobView<Infer<Sch>>, services: Services) => Promise<Outcome> | Outcome;
}): HandlerDef<Infer<Sch>> {
  return def;
}
