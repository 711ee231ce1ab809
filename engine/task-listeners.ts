// User task listeners (zeebe:taskListeners, Camunda 8.8+): the 'creating' and 'completing' events. Their jobs
// run one at a time in model order while the task is CREATING or COMPLETING; the next listener's job is created
// when one completes, and after the last the transition finishes (the task is CREATED, or completed). A listener
// may correct the task's assignee, dates, candidates and priority (applied when the transition finishes) and,
// on 'completing' only, deny it: the task stays CREATED and the completion call is rejected, as Zeebe rejects it.
import type { Engine } from './core';
import { Corrections, EngineError, Job, ListenerEventType, ListenerResult, UserTask, Vars } from './entities';
import { elementOf } from './deployment';
import { addActivatable, deleteJob } from './jobs';
import { evalOrIncident } from './incidents';
import { feelValue } from './variables';
import { runAgenda } from './flow';
import { finishCompletion } from './user-tasks';
import { applyCorrections, changedBy, checkListenerCompletion, correctedView } from './task-listener-results';

interface Waiter { resolve(): void; reject(e: Error): void }
// the callers waiting for a completion (not durable: after a restart their connections are gone anyway)
const waiters = new WeakMap<Engine, Map<string, Waiter>>();

function waitersOf(eng: Engine): Map<string, Waiter> {
  let m = waiters.get(eng);
  if (!m) { m = new Map(); waiters.set(eng, m); }
  return m;
}

const MODEL_EVENT = { CREATING: 'creating', COMPLETING: 'completing' } as const;

function listenersOf(eng: Engine, ut: UserTask, event: ListenerEventType) {
  return (elementOf(eng, eng.eis.get(ut.eiKey)!).userTask?.listeners ?? []).filter((l) => l.eventType === MODEL_EVENT[event]);
}

export function hasListeners(eng: Engine, ut: UserTask, event: ListenerEventType): boolean {
  return listenersOf(eng, ut, event).length > 0;
}

/** the task's element is activated and the task is CREATING: its first creating listener's job */
export function startCreation(eng: Engine, ut: UserTask): void {
  eng.record(ut.piKey, 'USER_TASK', 'CREATING', ut.key, { elementId: ut.elementId, elementInstanceKey: ut.eiKey });
  nextListener(eng, ut, 'CREATING');
}

/** Start a completion through the listeners; the promise settles when the last one completed or one denied. */
export function startCompletion(eng: Engine, ut: UserTask, vars: Vars): Promise<void> {
  ut.state = 'COMPLETING';
  ut.completing = { vars, next: 0 };
  eng.touch(ut);
  eng.record(ut.piKey, 'USER_TASK', 'COMPLETING', ut.key, { elementId: ut.elementId });
  const done = new Promise<void>((resolve, reject) => waitersOf(eng).set(ut.key, { resolve, reject }));
  nextListener(eng, ut, 'COMPLETING');
  return done;
}

/** an incident on creating a listener's job (its type or retries) was resolved: create it again */
export function resumeListeners(eng: Engine, ut: UserTask): void {
  if (ut.state === 'CREATING' && ut.creating) nextListener(eng, ut, 'CREATING');
  else if (ut.state === 'COMPLETING' && ut.completing) nextListener(eng, ut, 'COMPLETING');
}

function progressOf(ut: UserTask, event: ListenerEventType): { next: number; corrections?: Corrections } | undefined {
  return event === 'CREATING' ? ut.creating : ut.completing;
}

function nextListener(eng: Engine, ut: UserTask, event: ListenerEventType): void {
  const ei = eng.eis.get(ut.eiKey)!;
  const listeners = listenersOf(eng, ut, event);
  const p = progressOf(ut, event)!;
  if (p.next >= listeners.length) {
    if (event === 'CREATING') finishCreation(eng, ut);
    else finishCompleting(eng, ut);
    return;
  }
  const l = listeners[p.next];
  // evaluated right before the job is created, as Zeebe does; a failure is an incident on the task
  const r = evalOrIncident(eng, ei, 'activate', 'Failed to evaluate the task listener job type or retries', () => {
    const type = feelValue(eng, l.type, ei.key);
    if (typeof type !== 'string' || !type) throw new Error(`Expected result of the expression '${l.type}' to be 'STRING'`);
    const retries = Number(feelValue(eng, l.retries, ei.key));
    if (!Number.isInteger(retries)) throw new Error(`Expected result of the expression '${l.retries}' to be 'NUMBER'`);
    return { type, retries };
  });
  if (!r.ok) return;
  const job: Job = {
    kind: 'job', key: eng.newKey(), type: r.v.type, piKey: ei.piKey, eiKey: ei.key, elementId: ei.elementId, bpmnProcessId: ei.bpmnProcessId, defKey: ei.defKey, version: ei.version,
    retries: r.v.retries, state: 'ACTIVATABLE', worker: '', deadline: -1, backoffUntil: 0, customHeaders: { ...ut.customHeaders, ...userTaskHeaders(ut, event) }, errorMessage: '', created: eng.now(),
    listener: { eventType: event, utKey: ut.key },
  };
  eng.jobs.set(job.key, job);
  ei.jobKey = job.key;
  eng.touch(ei);
  eng.touch(job);
  eng.record(ei.piKey, 'JOB', 'CREATED', job.key, { elementId: ei.elementId, elementInstanceKey: ei.key, type: job.type, retries: job.retries, jobKind: 'TASK_LISTENER', listenerEventType: event });
  addActivatable(eng, job);
}

/**
 * the task's data in the reserved headers a listener job carries (Zeebe's io.camunda.zeebe:* names), with the
 * earlier listeners' corrections; a creating listener has no action and sees the model's assignee
 */
function userTaskHeaders(ut: UserTask, event: ListenerEventType): Record<string, string> {
  const v = correctedView(ut, event);
  const h: Record<string, string> = { 'io.camunda.zeebe:userTaskKey': ut.key };
  if (event === 'COMPLETING') h['io.camunda.zeebe:action'] = 'complete';
  if (v.priority > 0) h['io.camunda.zeebe:priority'] = String(v.priority);
  if (v.assignee) h['io.camunda.zeebe:assignee'] = v.assignee;
  if (v.candidateGroups.length) h['io.camunda.zeebe:candidateGroups'] = JSON.stringify(v.candidateGroups);
  if (v.candidateUsers.length) h['io.camunda.zeebe:candidateUsers'] = JSON.stringify(v.candidateUsers);
  if (v.dueDate) h['io.camunda.zeebe:dueDate'] = v.dueDate;
  if (v.followUpDate) h['io.camunda.zeebe:followUpDate'] = v.followUpDate;
  if (ut.formKey) h['io.camunda.zeebe:formKey'] = ut.formKey;
  return h;
}

/** CompleteJob on a listener's job: Zeebe's checks, then deny or correct and go on. */
export function completeListenerJob(eng: Engine, job: Job, vars: Vars, result: ListenerResult | undefined): void {
  const event = job.listener!.eventType;
  const found = eng.userTasks.get(job.listener!.utKey);
  checkListenerCompletion(job, vars, result, found);
  deleteJob(eng, job, 'COMPLETED');
  const ei = eng.eis.get(job.eiKey)!;
  ei.jobKey = undefined;
  eng.touch(ei);
  const ut = found && found.state === event ? found : undefined;
  const p = ut && progressOf(ut, event);
  if (!ut || !p) return;
  if (result?.denied) {
    ut.state = 'CREATED';
    ut.completing = undefined;
    eng.touch(ut);
    const reason = result.deniedReason ?? '';
    eng.record(ut.piKey, 'USER_TASK', 'COMPLETION_DENIED', ut.key, { elementId: ut.elementId, deniedReason: reason });
    settle(eng, ut.key, new EngineError('FAILED_PRECONDITION', `Command 'COMPLETE' rejected with code 'INVALID_STATE': Completion of the User Task with key '${ut.key}' was denied by Task Listener. Reason to deny: '${reason}'`));
    return;
  }
  const c = result?.corrections;
  if (c && Object.keys(c).length) {
    const changed = changedBy(correctedView(ut, event), c);
    p.corrections = { ...p.corrections, ...c };
    if (changed.length) eng.record(ut.piKey, 'USER_TASK', 'CORRECTED', ut.key, { elementId: ut.elementId, changedAttributes: changed });
  }
  p.next++;
  eng.touch(ut);
  nextListener(eng, ut, event);
  runAgenda(eng);
}

/** the last creating listener completed: the task is CREATED with the corrections, then assigned (as Zeebe: CREATED, then ASSIGNED) */
function finishCreation(eng: Engine, ut: UserTask): void {
  const c = ut.creating!;
  ut.creating = undefined;
  applyCorrections(ut, c.corrections);
  ut.state = 'CREATED';
  eng.openUserTasks.set(ut.key, ut);
  eng.touch(ut);
  eng.record(ut.piKey, 'USER_TASK', 'CREATED', ut.key, { elementId: ut.elementId, elementInstanceKey: ut.eiKey, assignee: '' });
  const assignee = c.corrections.assignee ?? c.assignee;
  if (assignee) {
    ut.assignee = assignee;
    eng.record(ut.piKey, 'USER_TASK', 'ASSIGNED', ut.key, { assignee });
  }
}

/** the last completing listener completed: the task completes with the corrections, the waiting call is answered */
function finishCompleting(eng: Engine, ut: UserTask): void {
  const c = ut.completing!;
  ut.completing = undefined;
  applyCorrections(ut, c.corrections);
  if (c.corrections?.assignee !== undefined) ut.assignee = c.corrections.assignee || undefined;
  finishCompletion(eng, ut, c.vars);
  settle(eng, ut.key);
}

/** the task ended otherwise (terminated): a caller still waiting is told */
export function abandonCompletion(eng: Engine, utKey: string): void {
  settle(eng, utKey, new EngineError('NOT_FOUND', `Command 'COMPLETE' rejected with code 'NOT_FOUND': Expected to complete user task with key '${utKey}', but it was canceled`));
}

function settle(eng: Engine, utKey: string, err?: Error): void {
  const w = waitersOf(eng).get(utKey);
  if (!w) return;
  waitersOf(eng).delete(utKey);
  if (err) w.reject(err); else w.resolve();
}
