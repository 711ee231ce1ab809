// What a user task listener's job may send back (JobResult of type userTask): Zeebe's checks of a result,
// and its corrections (assignee, dates, candidates, priority) merged and applied to the task.
import { Corrections, EngineError, Job, ListenerResult, UserTask, Vars } from './entities';
import { parseDate } from './time';

const rejected = (text: string) => new EngineError('INVALID_ARGUMENT', `Command 'COMPLETE' rejected with code 'INVALID_ARGUMENT': ${text}`);
const jobRef = (job: Job) => `job key '${job.key}', type '${job.type}', processInstanceKey '${job.piKey}'`;

/** the result's values, as the gateway checks them before the broker sees the command */
function checkValues(c: Corrections): void {
  for (const f of ['assignee', 'dueDate', 'followUpDate'] as const) {
    if (c[f] !== undefined && typeof c[f] !== 'string') throw new EngineError('INVALID_ARGUMENT', `Expected corrections.${f} to be a string, but was '${String(c[f])}'`);
  }
  for (const f of ['dueDate', 'followUpDate'] as const) {
    const v = c[f];
    if (v && parseDate(v) === null) throw new EngineError('INVALID_ARGUMENT', `The provided ${f} '${v}' cannot be parsed as a date according to RFC 3339, section 5.6.`);
  }
  for (const f of ['candidateUsers', 'candidateGroups'] as const) {
    const v = c[f];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) throw new EngineError('INVALID_ARGUMENT', `Expected corrections.${f} to be a list of strings`);
  }
  const p = c.priority;
  if (p !== undefined && (!Number.isInteger(p) || p < 0 || p > 100)) throw new EngineError('INVALID_ARGUMENT', `The value '${String(p)}' for priority must be an integer between 0 and 100`);
}

/**
 * Zeebe's JobCompleteProcessor checks of a listener job's completion, in its order; nothing has changed
 * when one fails. `ut` is the listener's task (absent when it is gone).
 */
export function checkListenerCompletion(job: Job, vars: Vars, result: ListenerResult | undefined, ut: UserTask | undefined): void {
  const c = result?.corrections ?? {};
  checkValues(c);
  if (Object.keys(vars).length) {
    throw rejected(`Task Listener job completion with variables payload provided is not yet supported (${jobRef(job)}).`);
  }
  const event = job.listener!.eventType;
  if (result?.denied && event === 'CREATING') {
    throw rejected(`Denying result is not supported for '${event}' task listener jobs (${jobRef(job)}). Only the following listener event types support denying: [ASSIGNING, COMPLETING, UPDATING].`);
  }
  if (result?.denied && Object.keys(c).length) {
    throw rejected(`Expected to complete task listener job with corrections, but the job result is denied (${jobRef(job)}). The corrections would be reverted by the denial. Either complete the job with corrections without setting denied, or complete the job with a denied result but no corrections.`);
  }
  // the model's assignee is only assigned once the task is CREATED (then by an assignment, as Zeebe)
  if (event === 'CREATING' && c.assignee !== undefined && ut?.creating?.assignee) {
    throw rejected(`Expected to complete task listener job, but correcting the assignee on 'CREATING' event is not supported when the user task has an assignee defined in the model (${jobRef(job)}). Use the 'CREATING' event to set an assignee only if it was not defined. Use the 'ASSIGNING' event to correct an assignee that is already defined.`);
  }
}

/** the attributes a correction changes (Zeebe's names in its CORRECTED record), against the task as the listener saw it */
export function changedBy(view: Required<Corrections>, c: Corrections): string[] {
  const out: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (c.assignee !== undefined && !same(c.assignee, view.assignee)) out.push('assignee');
  if (c.candidateGroups !== undefined && !same(c.candidateGroups, view.candidateGroups)) out.push('candidateGroupsList');
  if (c.candidateUsers !== undefined && !same(c.candidateUsers, view.candidateUsers)) out.push('candidateUsersList');
  if (c.dueDate !== undefined && !same(c.dueDate, view.dueDate)) out.push('dueDate');
  if (c.followUpDate !== undefined && !same(c.followUpDate, view.followUpDate)) out.push('followUpDate');
  if (c.priority !== undefined && c.priority !== view.priority) out.push('priority');
  return out;
}

/** the task as a listener of `event` sees it: its values with the earlier listeners' corrections ("" = unset) */
export function correctedView(ut: UserTask, event: 'CREATING' | 'COMPLETING'): Required<Corrections> {
  const c = (event === 'CREATING' ? ut.creating?.corrections : ut.completing?.corrections) ?? {};
  const assignee = event === 'CREATING' ? ut.creating?.assignee : ut.assignee;
  return {
    assignee: c.assignee ?? assignee ?? '', dueDate: c.dueDate ?? ut.dueDate ?? '', followUpDate: c.followUpDate ?? ut.followUpDate ?? '',
    candidateGroups: c.candidateGroups ?? ut.candidateGroups, candidateUsers: c.candidateUsers ?? ut.candidateUsers, priority: c.priority ?? ut.priority,
  };
}

/** the corrections of a task's values (not the assignee: its assignment is the caller's), "" clearing a date */
export function applyCorrections(ut: UserTask, c: Corrections | undefined): void {
  if (!c) return;
  if (c.dueDate !== undefined) ut.dueDate = c.dueDate || undefined;
  if (c.followUpDate !== undefined) ut.followUpDate = c.followUpDate || undefined;
  if (c.candidateGroups !== undefined) ut.candidateGroups = [...c.candidateGroups];
  if (c.candidateUsers !== undefined) ut.candidateUsers = [...c.candidateUsers];
  if (c.priority !== undefined) ut.priority = c.priority;
}
