/**
 * Maps plain handlers onto Zeebe jobs.
 *
 *  executeJob   validation + handler + exception capture → Outcome (never throws)
 *  toJobAction  Outcome → the exact call to make (complete / error / fail with retries and back-off; on a
 *               user-task listener's job approve / deny instead of complete / error: runtime/listener.ts)
 *  createTaskHandler  the SDK taskHandler: a poison job (bad variables, a throwing handler, a failed
 *               acknowledgement) never escapes to the worker process.
 */
import type { HandlerDef, JobView, Logger, Services } from './job';
import { IllegalTransitionError, NotFoundError, SeparationOfDutiesError, StateConflictError, ValidationError } from '../../domain/errors';
import { BusinessError, NonRetryable } from './errors';
import { bpmnError, failPermanently, type Outcome, type Variables } from './outcome';
import { validateVariables } from './validate';
import { type CompleteListenerJob, isTaskListenerJob, listenerMayDeny } from './listener';

/** retries the models set on every service task (process-contract.md) */
export const DEFAULT_JOB_RETRIES = 5;

export interface RetryPolicy {
  readonly baseBackOffMs: number;
  readonly maxBackOffMs: number;
}
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseBackOffMs: 2_000, maxBackOffMs: 5 * 60_000 };

/** exponential: base·2^(attempts so far), attempts so far = DEFAULT_JOB_RETRIES - retries left */
export function backOffFor(retriesLeft: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  const attempt = Math.max(0, DEFAULT_JOB_RETRIES - retriesLeft);
  return Math.min(policy.maxBackOffMs, policy.baseBackOffMs * 2 ** attempt);
}

/**
 * `listener`: the job is a user-task listener's (runtime/listener.ts), where a BPMN error outcome denies the
 * completion; there a rule the person completing the task broke (separation of duties: a completion that
 * bypassed the API's check, e.g. in Tasklist) denies it too, instead of retrying into an incident; so does
 * an invalid value (the job's schema, or a ValidationError): a listener's job sees the completion's form
 * fields over the task's scope, so the value is the completer's to correct, and an incident could not be
 * repaired by fixing the variable (the completion's variables hide the scope's until the completion ends).
 */
export async function executeJob(def: HandlerDef, job: JobView, services: Services, listener = false): Promise<Outcome> {
  const problem = validateVariables(def.variables, job.variables);
  if (problem) {
    if (listener) {
      const invalid = new ValidationError(`invalid variables for ${def.type}: ${problem}`);
      return bpmnError(invalid.code, invalid.message);
    }
    return failPermanently(
      `invalid variables for ${def.type}: ${problem}`,
      `correct the variables of element ${job.elementId} (运维 page, or Operate; or fix the model's input mapping), then retry the incident`,
    );
  }
  try {
    return await def.handle(job, services);
  } catch (e) {
    if (listener && (e instanceof SeparationOfDutiesError || e instanceof ValidationError)) return bpmnError(e.code, e.message);
    const classified = classify(def.type, e);
    if (classified) return classified;
    const err = e as Error | undefined;
    services.log.error({ jobKey: job.key, type: job.type, err: err?.stack ?? String(e) }, 'job handler threw');
    return {
      kind: 'fail',
      message: `${def.type} failed: ${err?.message ?? String(e)}`,
      hint: 'check that the database and the services the worker uses are reachable, then retry the incident (运维 page, or Operate)',
    };
  }
}

/**
 * The outcome of an error thrown on purpose, by its class (runtime/errors.ts, domain/errors.ts); null for
 * a technical error, which fails the job for Zeebe to retry. A missing record, an invalid value, an illegal
 * transition or a record in the wrong state will not heal by retrying: an incident at once, with a hint.
 */
export function classify(type: string, e: unknown): Outcome | null {
  if (e instanceof BusinessError) return bpmnError(e.errorCode, e.message, e.variables);
  if (e instanceof NonRetryable) return failPermanently(`${type}: ${e.message}`, e.hint);
  if (e instanceof NotFoundError) {
    const what = e.entity.replace(/-/g, ' ');
    return failPermanently(
      `${type}: ${what} ${e.id} not found`,
      `check the ${what} id in the process variables against the database, then retry the incident`,
    );
  }
  if (e instanceof IllegalTransitionError) {
    return failPermanently(
      `${type}: ${e.message}`,
      `the record is ${e.current}, which this step cannot move to ${e.requested}: compare the instance (运维 page, or Operate) with the record (it may have been changed through the API); fix the record or cancel the instance, then retry or resolve the incident`,
    );
  }
  if (e instanceof StateConflictError) {
    return failPermanently(
      `${type}: ${e.message}`,
      'the record is not in the state this step needs: compare the instance (运维 page, or Operate) with the record (it may have been changed through the API or by another instance); fix the record or cancel the instance, then retry or resolve the incident',
    );
  }
  if (e instanceof ValidationError) {
    return failPermanently(
      `${type}: ${e.message}`,
      'the process variables do not match the records: correct them (运维 page, or Operate; or the record via the API), then retry the incident',
    );
  }
  // a plain ConflictError (the record changed concurrently) heals by retrying, like any technical error
  return null;
}

export type JobAction =
  | { action: 'complete'; variables: Variables }
  | { action: 'error'; errorCode: string; errorMessage: string; variables: Variables }
  | { action: 'fail'; errorMessage: string; retries: number; retryBackOff: number }
  // a user-task listener's job (runtime/listener.ts): the handler's variables go onto the process
  // instance before the approval (Zeebe takes none on the job itself)
  | { action: 'approve'; variables: Variables }
  | { action: 'deny'; deniedReason: string };

/**
 * `job.listenerEventType`: the event a listener's job serves; on one that cannot deny (creating: Zeebe
 * refuses the denial, runtime/listener.ts) a BPMN error fails the job at once into an incident with its
 * message, instead of a denial the engine would refuse each time the job came back.
 */
export function toJobAction(
  outcome: Outcome,
  job: { retries: number; listener?: boolean; listenerEventType?: string },
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): JobAction {
  switch (outcome.kind) {
    case 'complete':
      return job.listener ? { action: 'approve', variables: outcome.variables } : { action: 'complete', variables: outcome.variables };
    case 'bpmnError':
      if (job.listener && !listenerMayDeny(job)) {
        const event = job.listenerEventType!.toLowerCase();
        return toJobAction(
          failPermanently(
            `${outcome.message} (${outcome.errorCode}; a ${event} listener's job cannot deny, so the task waits)`,
            'correct the cause named above (the record, or the process variables on the 运维 page or in Operate), then retry the incident: the listener runs again and the task is created',
          ),
          job,
          policy,
        );
      }
      if (job.listener) return { action: 'deny', deniedReason: outcome.message };
      return { action: 'error', errorCode: outcome.errorCode, errorMessage: outcome.message, variables: outcome.variables };
    case 'fail': {
      const retries = Math.max(0, outcome.retries ?? job.retries - 1);
      const retryBackOff = retries === 0 ? 0 : (outcome.retryBackOffMs ?? backOffFor(job.retries, policy));
      const errorMessage =
        retries === 0
          ? `${outcome.message}. No retries left — what to do: ${outcome.hint ?? 'fix the cause named above, then retry the incident (运维 page, or Operate)'}`
          : outcome.message;
      return { action: 'fail', errorMessage, retries, retryBackOff };
    }
  }
}

/** The SDK job surface the adapter uses (ZeebeJob of @camunda8/sdk satisfies it). */
export interface SdkJob {
  readonly key: string;
  readonly type: string;
  readonly variables: unknown;
  readonly customHeaders: unknown;
  readonly processInstanceKey: string;
  readonly elementId: string;
  readonly retries: number;
  /** TASK_LISTENER on a user-task listener's job (the gateway protocol of platform/camunda/gateway-proto.ts) */
  readonly kind?: string;
  /** on a listener's job, the event it serves (CREATING, COMPLETING, …; same protocol, field 17) */
  readonly listenerEventType?: string;
  complete(variables?: any): Promise<any>;
  error(e: { errorCode: string; errorMessage?: string; variables: any }): Promise<any>;
  fail(conf: { errorMessage: string; retries?: number; retryBackOff?: number }): Promise<any>;
  /** frees the worker's slot of a job acknowledged past the SDK (a listener's job: CompleteListenerJob) */
  forward?(): unknown;
}

export const JOB_ACK = 'JOB_ACTION_ACKNOWLEDGEMENT' as const;

export function toJobView(job: SdkJob): JobView {
  return {
    key: String(job.key),
    type: job.type,
    variables: (job.variables ?? {}) as Variables,
    customHeaders: (job.customHeaders ?? {}) as Record<string, string>,
    processInstanceKey: String(job.processInstanceKey),
    elementId: job.elementId,
    retries: job.retries,
    // only on a listener's job: other jobs carry UNSPECIFIED, or the enum's zero value from a protocol parse
    // with defaults, which would name an event they do not serve
    ...(job.listenerEventType && job.listenerEventType !== 'UNSPECIFIED' && isTaskListenerJob(job)
      ? { listenerEventType: job.listenerEventType }
      : {}),
  };
}

export interface TaskHandlerHooks {
  onStart?(job: JobView): void;
  /** action: what the gateway acknowledged; null when the acknowledgement (or the handling) crashed */
  onDone?(job: JobView, action: JobAction | null): void;
}

/** Variables fetched for every job beside the handler's own, only to put them on its log lines. */
export const LOG_CONTEXT_VARIABLES = ['orderNo'] as const;

/**
 * The log context of one job: jobKey, jobType, processInstanceKey, elementId and, when the job's
 * variables hold it, orderNo (the business key operators search by; never the other variables, which may
 * hold personal data). A pino logger gets a child; any other Logger gets the fields merged into each line.
 */
export function jobContext(job: JobView): Record<string, string> {
  const fields: Record<string, string> = { jobKey: job.key, jobType: job.type, processInstanceKey: job.processInstanceKey };
  if (job.elementId) fields.elementId = job.elementId;
  const orderNo = (job.variables as Record<string, unknown> | null)?.orderNo;
  if (typeof orderNo === 'string' && orderNo !== '') fields.orderNo = orderNo;
  return fields;
}

export function withJobContext(log: Logger, job: JobView): Logger {
  const fields = jobContext(job);
  const child = (log as Logger & { child?: (bindings: object) => Logger }).child;
  if (typeof child === 'function') return child.call(log, fields);
  return {
    info: (obj, msg) => log.info({ ...fields, ...obj }, msg),
    warn: (obj, msg) => log.warn({ ...fields, ...obj }, msg),
    error: (obj, msg) => log.error({ ...fields, ...obj }, msg),
  };
}

/** the job as its handler gets it, and whether it is a user-task listener's job */
function viewOf(job: SdkJob): { view: JobView; listener: boolean } {
  return { view: toJobView(job), listener: isTaskListenerJob(job) };
}

const OUTCOME_LABEL = { complete: 'complete', error: 'bpmn_error', approve: 'approved', deny: 'denied' } as const;

/**
 * The SDK task handler of one job type. `completeListenerJob`: how this worker's client answers a user-task
 * listener's job (start.ts; its `supported` says whether the client's gateway protocol has the result
 * field); without it such a job fails at once, as a client that drops the result would turn a denial into
 * an approval.
 */
export function createTaskHandler(
  def: HandlerDef,
  services: Services,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hooks: TaskHandlerHooks = {},
  completeListenerJob?: CompleteListenerJob,
) {
  return async (job: SdkJob): Promise<typeof JOB_ACK> => {
    let view: JobView | null = null;
    let action: JobAction | null = null;
    let log: Logger = services.log;
    const t0 = performance.now();
    try {
      const seen = viewOf(job);
      view = seen.view;
      log = withJobContext(services.log, view);
      hooks.onStart?.(view);
      const answerable = seen.listener && completeListenerJob !== undefined && (await (completeListenerJob.supported?.() ?? true));
      const outcome =
        seen.listener && !answerable
          ? failPermanently(
              `${def.type}: this worker's Zeebe client cannot answer a user-task listener's job (its gateway protocol has no job result)`,
              'run the workers with the client of platform/camunda/zeebe-client.ts (createZeebeClient), then retry the incident',
            )
          : // a listener's job that cannot deny (creating) treats an invalid value or a broken rule as a
            // service task's job does: an incident, not a denial (runtime/listener.ts)
            await executeJob(def, view, log === services.log ? services : { ...services, log }, seen.listener && listenerMayDeny(view));
      action = toJobAction(outcome, { retries: view.retries, listener: seen.listener, listenerEventType: view.listenerEventType }, policy);
      if (action.action === 'approve' && Object.keys(action.variables).length > 0 && !completeListenerJob?.setProcessVariables) {
        action = toJobAction(
          failPermanently(
            `${def.type}: this worker cannot set the variables of a user-task listener's job on the process instance`,
            'run the workers through workers/start.ts (startWorkers), whose listener answer sets them, then retry the incident',
          ),
          { retries: view.retries, listener: true },
          policy,
        );
      }
      switch (action.action) {
        case 'complete':
          await job.complete(action.variables);
          break;
        case 'error':
          await job.error({ errorCode: action.errorCode, errorMessage: action.errorMessage, variables: action.variables });
          break;
        case 'fail':
          await job.fail({ errorMessage: action.errorMessage, retries: action.retries, retryBackOff: action.retryBackOff });
          break;
        case 'approve':
        case 'deny':
          try {
            // first the variables (runtime/listener.ts: on the process instance, the task's own scope
            // refuses them while it is completing), then the approval: a failure in between leaves the
            // job to be redelivered, and the once-guard gives the same variables again
            if (action.action === 'approve' && Object.keys(action.variables).length > 0)
              await completeListenerJob!.setProcessVariables!(view.processInstanceKey, action.variables);
            await completeListenerJob!(
              view.key,
              action.action === 'approve' ? { denied: false } : { denied: true, deniedReason: action.deniedReason },
            );
          } finally {
            job.forward?.();
          }
          break;
      }
    } catch (e) {
      // the acknowledgement itself failed (job gone: NOT_FOUND after a time-out, or the gateway unreachable):
      // the engine will hand the job out again; the handler is idempotent, so nothing is lost.
      log.warn(
        { jobKey: String(job?.key), type: def.type, action: action?.action ?? null, err: (e as Error)?.message },
        'job acknowledgement failed',
      );
      action = null;
    } finally {
      if (view) hooks.onDone?.(view, action);
    }
    if (action) {
      const durationMs = Math.round(performance.now() - t0);
      if (action.action === 'fail')
        log.warn({ outcome: 'fail', retries: action.retries, durationMs, errorMessage: action.errorMessage }, 'job failed');
      else
        log.info(
          {
            outcome: OUTCOME_LABEL[action.action],
            durationMs,
            ...(action.action === 'error' ? { errorCode: action.errorCode } : {}),
            ...(action.action === 'deny' ? { deniedReason: action.deniedReason } : {}),
          },
          'job handled',
        );
    }
    return JOB_ACK;
  };
}
