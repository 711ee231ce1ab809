/**
 * Structured JSON logs (pino), one line per event, for `docker compose logs` and any log shipper.
 *
 * Dependency-injected: this module reads no environment variable. The start-up code passes the level
 * (and, in tests, a destination stream). Child loggers carry the business and engine keys an operator
 * searches by: `orderNo` (the business key of an order, e.g. YW-2026-000123), `processInstanceKey`
 * (what Operate shows), `jobKey` and `jobType` (what an incident names).
 *
 * `Logger` is the one logging interface of the code base: handlers, the dispatcher and the API take it;
 * the pino loggers made here (`AppLogger`) satisfy it, and so does `silentLogger` in tests.
 */
import pino, { type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';

/** What code that logs needs: one line per event, an object of fields and a message. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
/** drops every line (tests, and parts started without a logger) */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** the pino logger of a process: a Logger with levels, children and a destination */
export type AppLogger = PinoLogger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Paths never written in clear: credentials that may appear in logged objects. */
export const DEFAULT_REDACT_PATHS: readonly string[] = [
  'password',
  'secret',
  'token',
  'accessToken',
  'clientSecret',
  'authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.clientSecret',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

export interface LoggerConfig {
  /** minimum level; default `info` */
  level?: LogLevel;
  /** `service` field of every line, e.g. `api` or `workers` */
  service?: string;
  /** extra fields on every line (e.g. `{ version }`) */
  base?: Record<string, unknown>;
  /** where lines go; default stdout. Tests pass a stream to read them back. */
  destination?: DestinationStream;
  /** replaces DEFAULT_REDACT_PATHS */
  redact?: readonly string[];
}

export function createLogger(config: LoggerConfig = {}): AppLogger {
  const level = config.level ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`unknown log level "${level}" (one of ${LOG_LEVELS.join(', ')})`);
  }
  const options: LoggerOptions = {
    level,
    base: { ...(config.service ? { service: config.service } : {}), ...(config.base ?? {}) },
    // ISO-8601 UTC timestamps and textual levels: readable in `docker compose logs`, parseable anywhere.
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    messageKey: 'msg',
    redact: { paths: [...(config.redact ?? DEFAULT_REDACT_PATHS)], censor: '[redacted]' },
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}

/** The fields of an SDK job (ZeebeJob) or of workers/runtime JobView that a log line needs. */
export interface JobLike {
  readonly key: string | number | bigint;
  readonly type: string;
  readonly processInstanceKey: string | number | bigint;
  readonly elementId?: string;
  readonly bpmnProcessId?: string;
  readonly retries?: number;
  readonly variables?: unknown;
}

/** Business key carried by the variables of a job, where the flow has one. */
function orderNoOf(variables: unknown): string | undefined {
  if (variables === null || typeof variables !== 'object') return undefined;
  const v = (variables as Record<string, unknown>).orderNo;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Child logger for one job: jobKey, jobType, processInstanceKey, elementId, bpmnProcessId and, when the
 * job's variables hold it, orderNo. Keys are written as strings (Zeebe keys exceed 2^53).
 */
export function jobLogger(parent: AppLogger, job: JobLike): AppLogger {
  const fields: Record<string, unknown> = {
    jobKey: String(job.key),
    jobType: job.type,
    processInstanceKey: String(job.processInstanceKey),
  };
  if (job.elementId) fields.elementId = job.elementId;
  if (job.bpmnProcessId) fields.bpmnProcessId = job.bpmnProcessId;
  const orderNo = orderNoOf(job.variables);
  if (orderNo) fields.orderNo = orderNo;
  return parent.child(fields);
}

export interface OrderContext {
  orderNo: string;
  processInstanceKey?: string | number | bigint | null;
}

/** Child logger for work on one order (API handlers, outbox dispatch). */
export function orderLogger(parent: AppLogger, ctx: OrderContext): AppLogger {
  const fields: Record<string, unknown> = { orderNo: ctx.orderNo };
  if (ctx.processInstanceKey !== undefined && ctx.processInstanceKey !== null) {
    fields.processInstanceKey = String(ctx.processInstanceKey);
  }
  return parent.child(fields);
}

export interface RequestContext {
  requestId: string;
  method: string;
  path: string;
  username?: string;
}

/** Child logger for one HTTP request. */
export function requestLogger(parent: AppLogger, ctx: RequestContext): AppLogger {
  const fields: Record<string, unknown> = { requestId: ctx.requestId, method: ctx.method, path: ctx.path };
  if (ctx.username) fields.username = ctx.username;
  return parent.child(fields);
}
