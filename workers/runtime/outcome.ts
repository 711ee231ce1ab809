/**
 * What a job handler decides. Handlers are plain functions returning one of these; the adapter
 * (./adapter.ts) turns it into the SDK call (job.complete / job.error / job.fail).
 */
export type Variables = Record<string, unknown>;

export interface CompleteOutcome {
  readonly kind: 'complete';
  readonly variables: Variables;
}
export interface BpmnErrorOutcome {
  readonly kind: 'bpmnError';
  readonly errorCode: string;
  readonly message: string;
  readonly variables: Variables;
}
export interface FailOutcome {
  readonly kind: 'fail';
  readonly message: string;
  /** back-off before the next attempt; default: exponential from the remaining retries */
  readonly retryBackOffMs?: number;
  /** explicit remaining retries (0 = raise an incident now); default: job.retries - 1 */
  readonly retries?: number;
  /** what a person should do when this ends in an incident */
  readonly hint?: string;
}
export type Outcome = CompleteOutcome | BpmnErrorOutcome | FailOutcome;

export function complete(variables: Variables = {}): CompleteOutcome {
  return { kind: 'complete', variables };
}

export function bpmnError(errorCode: string, message: string, variables: Variables = {}): BpmnErrorOutcome {
  return { kind: 'bpmnError', errorCode, message, variables };
}

export function fail(message: string, retryBackOffMs?: number, opts: { retries?: number; hint?: string } = {}): FailOutcome {
  return { kind: 'fail', message, retryBackOffMs, ...opts };
}

/** A failure that retrying cannot fix (bad input): incident at once, with what to do. */
export function failPermanently(message: string, hint: string): FailOutcome {
  return { kind: 'fail', message, retries: 0, retryBackOffMs: 0, hint };
}
