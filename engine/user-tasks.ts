// Camunda user tasks: creation (assignment, schedule, form, priority as FEEL), assignment and completion.
import type { Engine } from './core';
import { El } from './model';
import { feelType, isExpression } from './feel';
import { parseDate } from './time';
import { EI, EngineError, UserTask, UserTaskChangeset, Vars } from './entities';
import { modelOf } from './deployment';
import { bindingText, boundForm } from './bindings';
import { completeElement, runAgenda } from './flow';
import { indexUserTask } from './history';
import { evalOrIncident, raiseIncident } from './incidents';
import { feelValue } from './variables';
import { hasListeners, startCompletion, startCreation } from './task-listeners';

export function createUserTask(eng: Engine, ei: EI, el: El): boolean {
  const u = el.userTask!;
  let formKey: string | undefined;
  if (u.formId) {
    const r = evalOrIncident(eng, ei, 'activate', 'Failed to evaluate the form id', () => feelValue(eng, u.formId!, ei.key));
    if (!r.ok) return false;
    const form = boundForm(eng, ei, String(r.v), u.formBinding);
    if (!form) {
      raiseIncident(eng, ei, 'FORM_NOT_FOUND', `Expected to find a form with id '${r.v}'${bindingText(u.formBinding)}, but no form with eng id is found, at least a form with eng id should be available. To resolve the Incident please deploy a form with the same id`, 'activate');
      return false;
    }
    formKey = form.key;
  }
  const r = evalOrIncident(eng, ei, 'activate', 'Failed to evaluate a user task property', () => {
    const str = (what: string, expr?: string) => {
      if (expr === undefined || expr === '') return undefined;
      const v = feelValue(eng, expr, ei.key);
      if (v === null) return undefined;
      if (typeof v !== 'string') throw new Error(`Expected result of the expression '${expr}' for ${what} to be 'STRING', but was '${feelType(v)}'`);
      return v;
    };
    const list = (what: string, expr?: string) => {
      if (expr === undefined || expr === '') return [];
      if (!isExpression(expr)) return expr.split(',').map((s) => s.trim()).filter(Boolean);
      const v = feelValue(eng, expr, ei.key);
      if (v === null) return [];
      if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
      throw new Error(`Expected result of the expression '${expr}' for ${what} to be 'ARRAY' or 'STRING', but was '${feelType(v)}'`);
    };
    const date = (what: string, expr?: string) => {
      const v = str(what, expr);
      if (v === undefined) return undefined;
      if (parseDate(v) === null) throw new Error(`Expected result of the expression '${expr}' for ${what} to be a valid date-time string with offset, but was '${v}'`);
      return v;
    };
    const pr = u.priority ? Number(feelValue(eng, u.priority, ei.key)) : 50;
    return {
      assignee: str('assignee', u.assignee), candidateGroups: list('candidateGroups', u.candidateGroups), candidateUsers: list('candidateUsers', u.candidateUsers),
      dueDate: date('dueDate', u.dueDate), followUpDate: date('followUpDate', u.followUpDate), priority: Number.isFinite(pr) ? pr : 50,
      externalFormReference: str('externalReference', u.externalReference),
    };
  });
  if (!r.ok) return false;
  const ut: UserTask = {
    kind: 'ut', key: eng.newKey(), eiKey: ei.key, piKey: ei.piKey, defKey: ei.defKey, bpmnProcessId: ei.bpmnProcessId, version: ei.version, elementId: ei.elementId,
    name: el.name || el.id, processName: modelOf(eng, ei.defKey).name, state: 'CREATED', ...r.v, formKey, creationDate: eng.now(), customHeaders: el.headers ?? {},
  };
  // with creating listeners the task is CREATING until they ran; the model's assignee waits until it is CREATED (Zeebe 8.8)
  if (u.listeners?.some((l) => l.eventType === 'creating')) {
    ut.state = 'CREATING';
    ut.creating = { next: 0, corrections: {}, assignee: ut.assignee };
    ut.assignee = undefined;
  }
  eng.userTasks.set(ut.key, ut);
  indexUserTask(eng, ut);
  ei.userTaskKey = ut.key;
  eng.touch(ut);
  eng.touch(ei);
  return true;
}

/** the task's element is ACTIVATED: the task is CREATED, or CREATING with its first creating listener's job */
export function recordUserTaskCreated(eng: Engine, ei: EI): void {
  const ut = eng.userTasks.get(ei.userTaskKey!)!;
  if (ut.state === 'CREATING') { startCreation(eng, ut); return; }
  eng.record(ei.piKey, 'USER_TASK', 'CREATED', ut.key, { elementId: ei.elementId, elementInstanceKey: ei.key, assignee: ut.assignee ?? '' });
}

export function getUserTask(eng: Engine, key: string): UserTask {
  const ut = eng.userTasks.get(key);
  if (!ut) throw new EngineError('NOT_FOUND', `User task with key '${key}' not found`);
  return ut;
}

/** a task a command may change: CREATED; one in a transition (listeners running) is rejected as Zeebe rejects it */
export function activeUserTask(eng: Engine, key: string, action: string): UserTask {
  const ut = eng.userTasks.get(key);
  if (ut && (ut.state === 'CREATING' || ut.state === 'COMPLETING')) {
    throw new EngineError('FAILED_PRECONDITION', `Command '${action}' rejected with code 'INVALID_STATE': Expected to ${action.toLowerCase()} user task with key '${key}', but it is in state '${ut.state}'`);
  }
  if (!ut || ut.state !== 'CREATED') throw new EngineError('NOT_FOUND', `Command '${action}' rejected with code 'NOT_FOUND': Expected to ${action.toLowerCase()} user task with key '${key}', but no such user task was found`);
  return ut;
}

export function assignUserTask(eng: Engine, key: string, assignee: string, allowOverride: boolean): void {
  const ut = activeUserTask(eng, key, allowOverride ? 'ASSIGN' : 'CLAIM');
  if (!allowOverride && ut.assignee && ut.assignee !== assignee) throw new EngineError('FAILED_PRECONDITION', `Command 'CLAIM' rejected with code 'INVALID_STATE': Expected to claim user task with key '${key}', but it has already been assigned`);
  ut.assignee = assignee;
  eng.touch(ut);
  eng.record(ut.piKey, 'USER_TASK', 'ASSIGNED', ut.key, { assignee });
}

/** Zeebe's UPDATE: every value checked before any is applied, then one UPDATED record naming what changed */
export function updateUserTask(eng: Engine, key: string, cs: UserTaskChangeset): void {
  const ut = activeUserTask(eng, key, 'UPDATE');
  const next: Partial<UserTask> = {};
  for (const f of ['dueDate', 'followUpDate'] as const) {
    const v = cs[f];
    if (v === undefined || v === null) continue;
    if (v === '') next[f] = undefined;
    else if (typeof v !== 'string' || parseDate(v) === null) throw new EngineError('INVALID_ARGUMENT', `The provided ${f} '${String(v)}' cannot be parsed as a date according to RFC 3339, section 5.6.`);
    else next[f] = v;
  }
  for (const f of ['candidateGroups', 'candidateUsers'] as const) {
    const v = cs[f];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new EngineError('INVALID_ARGUMENT', `Expected ${f} to be a list of strings`);
    next[f] = v;
  }
  if (cs.priority !== undefined && cs.priority !== null) {
    if (!Number.isInteger(cs.priority) || cs.priority! < 0 || cs.priority! > 100) throw new EngineError('INVALID_ARGUMENT', `The value '${cs.priority}' for priority must be an integer between 0 and 100`);
    next.priority = cs.priority!;
  }
  Object.assign(ut, next);
  eng.touch(ut);
  eng.record(ut.piKey, 'USER_TASK', 'UPDATED', ut.key, { elementId: ut.elementId, changedAttributes: Object.keys(next) });
}

export function unassignUserTask(eng: Engine, key: string): void {
  const ut = activeUserTask(eng, key, 'ASSIGN');
  ut.assignee = undefined;
  eng.touch(ut);
  eng.record(ut.piKey, 'USER_TASK', 'ASSIGNED', ut.key, { assignee: '' });
}

export function completeUserTask(eng: Engine, key: string, vars: Vars): Promise<void> | void {
  const task = activeUserTask(eng, key, 'COMPLETE');
  if (hasListeners(eng, task, 'COMPLETING')) return startCompletion(eng, task, vars);
  finishCompletion(eng, task, vars);
}

export function finishCompletion(eng: Engine, ut: UserTask, vars: Vars): void {
  ut.state = 'COMPLETED';
  ut.completionDate = eng.now();
  eng.openUserTasks.delete(ut.key);
  eng.touch(ut);
  eng.record(ut.piKey, 'USER_TASK', 'COMPLETED', ut.key, { elementId: ut.elementId, variables: JSON.stringify(vars) });
  const ei = eng.eis.get(ut.eiKey)!;
  completeElement(eng, ei, vars);
  runAgenda(eng);
}
