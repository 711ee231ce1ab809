import type { DataSource } from 'typeorm';
import type { Outcome, Variables } from './outcome';
import type { JobType } from '../../domain/vocabulary';
import type { HttpClient } from './http';
import type { TaskActorResolver } from './actor';

/** The part of a Zeebe job a handler may look at. */
export interface JobView<V = Variables> {
  readonly key: string;
  readonly type: string;
  readonly variables: V;
  readonly customHeaders: Readonly<Record<string, string>>;
  readonly processInstanceKey: string;
  readonly elementId: string;
  readonly retries: number;
}

export { type Clock, systemClock } from '../../domain/clock';
import type { Clock } from '../../domain/clock';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Settings handlers need (from config/, passed in by workers/main.ts: handlers never read env). */
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

/** Everything a handler may use; injected by workers/main.ts (or a test). */
export interface Services {
  readonly settings: WorkerSettings;
  readonly dataSource: DataSource;
  readonly clock: Clock;
  readonly http: HttpClient;
  readonly actors: TaskActorResolver;
  readonly log: Logger;
}

/** A JSON schema (ajv) of the variables a handler reads. */
export type JsonSchema = Record<string, unknown>;

export interface HandlerDef<V = any> {
  readonly type: JobType;
  /** JSON schema of the job variables this handler needs (validated before the handler runs) */
  readonly variables: JsonSchema;
  /** variables to fetch from the engine (defaults to the schema's properties) */
  readonly fetchVariables?: readonly string[];
  readonly handle: (job: JobView<V>, services: Services) => Promise<Outcome> | Outcome;
}

export function defineHandler<V>(def: HandlerDef<V>): HandlerDef<V> {
  return def;
}
