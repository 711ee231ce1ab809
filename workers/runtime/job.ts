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

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Everything a handler may use; injected by workers/main.ts (or a test). */
export interface Services {
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
