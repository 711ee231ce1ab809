/**
 * Jobs of user-task listeners (`zeebe:taskListener eventType="completing"`, Camunda 8.8+): the recording
 * of a person's decision runs before the task completes instead of in a service task after it. A handler
 * does not know which of the two it serves: it reads the same variables (on a listener's job, the
 * completion's form fields and `completedBy` over the task's scope) and returns the same outcome; the
 * adapter answers a listener's job differently (runtime/adapter.ts):
 *
 *   complete(vars)   → the variables go onto the PROCESS INSTANCE first (SetVariables, elementInstanceKey =
 *                      the job's processInstanceKey, local false), then the completion goes on:
 *                      `result { denied: false }` and no variables. Why there: Zeebe refuses variables on
 *                      a listener's job ("Task Listener job completion with variables payload provided is
 *                      not yet supported"), and it refuses SetVariables on the user task's own scope while
 *                      the task is COMPLETING (VariableDocumentUpdateProcessor: "Expected to trigger update
 *                      transition for user task ... but it is in state 'COMPLETING'"); the process
 *                      instance's scope takes them. So a recording whose outputs later elements read (a
 *                      number the system assigns, a computed deadline) can be a listener too. Set before
 *                      the approval, so the task never completes without them; a redelivery (the approval
 *                      lost) finds the handler's once-guard and gets the same variables, and setting them
 *                      again is harmless. A denied completion sets nothing.
 *   bpmnError(…)     → the completion is denied with the error's message: the task stays open and the
 *                      person completing it gets the reason (the API answers 422, api/tasks.ts); so is
 *                      a SeparationOfDutiesError (the person may not take this decision), which on a
 *                      service task's job retries into an incident, and an invalid value (the handler's
 *                      schema, a ValidationError: a completion past the API's form checks), which on a
 *                      service task's job is an incident at once (runtime/adapter.ts executeJob)
 *   fail(…)          → as for any job: retries, then an incident (TASK_LISTENER_NO_RETRIES)
 *
 * A `creating` listener's job (the task's request issued as it is created, e.g. the 协作任务单 of
 * configure-platform) cannot be denied: Zeebe refuses a denial except on assigning, completing and
 * updating ("Denying result is not supported for 'CREATING' task listener jobs"), and nobody would get the
 * reason, as no one is completing anything. There a BPMN error, an invalid value or a broken rule fails the
 * job at once into an incident with its message (runtime/adapter.ts toJobAction), never a denial the
 * engine would refuse over and over. Which event a job serves is its `listenerEventType` (gRPC field 17,
 * platform/camunda/gateway-proto.ts; REST: the string); a job without it (a client parsed without the
 * field) is taken as deniable, as every listener was a completing one before.
 *
 * Instances of process versions from before a task moved into a listener still create its service task's
 * job of the same type: each job is told apart by its kind, not by its type.
 */

import type { Variables } from './outcome';

/** the `result` of CompleteJob on a user-task listener's job */
export interface ListenerJobResult {
  readonly denied: boolean;
  readonly deniedReason?: string;
}

/** SetVariables on the process instance `processInstanceKey` (its own scope, local false) */
export type SetProcessVariables = (processInstanceKey: string, variables: Variables) => Promise<unknown>;

/**
 * CompleteJob with a result and no variables (the SDK's job.complete cannot send a result); `supported`
 * tells whether the client can send the result at all (absent: it can); `setProcessVariables` puts an
 * approving handler's variables on the process instance (absent: a handler returning variables on a
 * listener's job is an incident, as dropping them would starve the elements that read them).
 */
export type CompleteListenerJob = ((jobKey: string, result: ListenerJobResult) => Promise<unknown>) & {
  readonly supported?: () => Promise<boolean>;
  readonly setProcessVariables?: SetProcessVariables;
};

/** the reserved header Zeebe puts on every user-task listener's job (and the local engine too) */
export const USER_TASK_KEY_HEADER = 'io.camunda.zeebe:userTaskKey';
/** the task's assignee when the listener's job was created (absent when unassigned) */
export const USER_TASK_ASSIGNEE_HEADER = 'io.camunda.zeebe:assignee';

/**
 * A listener's job: `kind` TASK_LISTENER (the gateway protocol platform/camunda/gateway-proto.ts parses),
 * or, from a client parsed without that field, the reserved user-task header only listener jobs carry.
 */
export function isTaskListenerJob(job: { readonly kind?: unknown; readonly customHeaders?: unknown }): boolean {
  if (job.kind === 'TASK_LISTENER') return true;
  const headers = job.customHeaders as Record<string, unknown> | null | undefined;
  return typeof headers?.[USER_TASK_KEY_HEADER] === 'string';
}

/** the listener events whose job may deny (Zeebe: the others' denial is refused) */
const DENIABLE_EVENTS: ReadonlySet<string> = new Set(['ASSIGNING', 'COMPLETING', 'UPDATING']);

/**
 * Whether a listener's job may answer with a denial: its event is one Zeebe lets deny, or it is not known
 * (absent, or UNSPECIFIED from a gateway that does not send it).
 */
export function listenerMayDeny(job: { readonly listenerEventType?: unknown }): boolean {
  const event = job.listenerEventType;
  if (typeof event !== 'string' || event === '' || event === 'UNSPECIFIED') return true;
  return DENIABLE_EVENTS.has(event);
}
