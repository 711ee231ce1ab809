// User task listeners (zeebe:taskListeners, Camunda 8.8+): the 'completing' event. A completion waits while
// the listeners' jobs run one at a time in model order; a listener may deny it (the task stays CREATED and
// the completion call is rejected, as Zeebe rejects it) or let it go on to the next listener and, after
// the last one, to the task's completion.
import type { Engine } from './core';
import { EngineError, Job, ListenerResult, UserTask, Vars } from './entities';
import { elementOf } from './deployment';
import { addActivatable, deleteJob } from './jobs';
import { evalOrIncident } from './incidents';
import { feelValue } from './variables';
import { runAgenda } from './flow';

interface Waiter { resolve(): void; reject(e: Error): void }
// the callers waiting for a completion (not durable: after a restart their connections are gone anyway)
const waiters = new WeakMap<Engine, Map<string, Waiter>>();

function waitersOf(eng: Engine): Map<string, Waiter> {
  let m = waiters.get(eng);
  if (!m) { m = new Map(); waiters.set(eng, m); }
  return m;
}

export function hasCompletingListeners(eng: Engine, ut: UserTask): boolean {
  return !!elementOf(eng, eng.eis.get(ut.eiKey)!).userTask?.listeners?.length;
}

/** Start a completion through the listeners; the promise settles when the last one completed or one denied. */
export function startCompletion(eng: Engine, ut: UserTask, vars: Vars, finish: (ut: UserTask, vars: Vars) => void): Promise<void> {
  ut.state = 'COMPLETING';
  ut.completing = { vars, next: 0 };
  eng.touch(ut);
  eng.record(ut.piKey, 'USER_TASK', 'COMPLETING', ut.key, { elementId: ut.elementId });
  const done = new Promise<void>((resolve, reject) => waitersOf(eng).set(ut.key, { resolve, reject }));
  nextListener(eng, ut, finish);
  return done;
}

function nextListener(eng: Engine, ut: UserTask, finish: (ut: UserTask, vars: Vars) => void): void {
  const ei = eng.eis.get(ut.eiKey)!;
  const listeners = elementOf(eng, ei).userTask?.listeners ?? [];
  const c = ut.completing!;
  if (c.next >= listeners.length) {
    ut.completing = undefined;
    finish(ut, c.vars);
    settle(eng, ut.key);
    return;
  }
  const l = listeners[c.next];
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
    retries: r.v.retries, state: 'ACTIVATABLE', worker: '', deadline: -1, backoffUntil: 0, customHeaders: { ...ut.customHeaders, ...userTaskHeaders(ut) }, errorMessage: '', created: eng.now(),
    listener: { eventType: 'COMPLETING', utKey: ut.key },
  };
  eng.jobs.set(job.key, job);
  ei.jobKey = job.key;
  eng.touch(ei);
  eng.touch(job);
  eng.record(ei.piKey, 'JOB', 'CREATED', job.key, { elementId: ei.elementId, elementInstanceKey: ei.key, type: job.type, retries: job.retries, jobKind: 'TASK_LISTENER', listenerEventType: 'COMPLETING' });
  addActivatable(eng, job);
}

/** the task's data in the reserved headers a listener job carries (Zeebe's io.camunda.zeebe:* names) */
function userTaskHeaders(ut: UserTask): Record<string, string> {
  const h: Record<string, string> = { 'io.camunda.zeebe:userTaskKey': ut.key, 'io.camunda.zeebe:action': 'complete', 'io.camunda.zeebe:priority': String(ut.priority) };
  if (ut.assignee) h['io.camunda.zeebe:assignee'] = ut.assignee;
  if (ut.candidateGroups.length) h['io.camunda.zeebe:candidateGroups'] = JSON.stringify(ut.candidateGroups);
  if (ut.candidateUsers.length) h['io.camunda.zeebe:candidateUsers'] = JSON.stringify(ut.candidateUsers);
  if (ut.dueDate) h['io.camunda.zeebe:dueDate'] = ut.dueDate;
  if (ut.followUpDate) h['io.camunda.zeebe:followUpDate'] = ut.followUpDate;
  if (ut.formKey) h['io.camunda.zeebe:formKey'] = ut.formKey;
  return h;
}

/** CompleteJob on a listener's job: Zeebe's checks, then deny or go on. */
export function completeListenerJob(eng: Engine, job: Job, vars: Vars, result: ListenerResult | undefined, finish: (ut: UserTask, vars: Vars) => void): void {
  if (Object.keys(vars).length) {
    throw new EngineError('INVALID_ARGUMENT', `Command 'COMPLETE' rejected with code 'INVALID_ARGUMENT': Task Listener job completion with variables payload provided is not yet supported (job key '${job.key}', type '${job.type}', processInstanceKey '${job.piKey}').`);
  }
  deleteJob(eng, job, 'COMPLETED');
  const ei = eng.eis.get(job.eiKey)!;
  ei.jobKey = undefined;
  eng.touch(ei);
  const ut = eng.userTasks.get(job.listener!.utKey);
  if (!ut || ut.state !== 'COMPLETING' || !ut.completing) return;
  if (result?.denied) {
    ut.state = 'CREATED';
    ut.completing = undefined;
    eng.touch(ut);
    const reason = result.deniedReason ?? '';
    eng.record(ut.piKey, 'USER_TASK', 'COMPLETION_DENIED', ut.key, { elementId: ut.elementId, deniedReason: reason });
    settle(eng, ut.key, new EngineError('FAILED_PRECONDITION', `Command 'COMPLETE' rejected with code 'INVALID_STATE': Completion of the User Task with key '${ut.key}' was denied by Task Listener. Reason to deny: '${reason}'`));
    return;
  }
  ut.completing.next++;
  eng.touch(ut);
  nextListener(eng, ut, finish);
  runAgenda(eng);
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
