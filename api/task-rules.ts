/**
 * The rules of the task routes: who may work on a task, the business keys shown with it, and the check of
 * submitted variables against the task's Camunda Form.
 */
import type { Principal } from './auth';
import { isValidDay } from '../domain/time';
import type { FormComponent, FormSchema, UserTask, UserTaskPort } from './task-port';

/** the business keys shown with every task, so staff see what a task is about */
export const CONTEXT_VARIABLES = [
  'orderNo',
  'changeOrderNo',
  'contractNo',
  'contractType',
  'requestNo',
  'requestType',
  'reportMonth',
  'expenseContractNo',
  'revenueContractNo',
] as const;

export function mayWorkOn(task: UserTask, p: Principal): boolean {
  if (task.assignee && task.assignee === p.username) return true;
  if ((task.candidateUsers ?? []).includes(p.username)) return true;
  return (task.candidateGroups ?? []).some((g) => (p.roles as string[]).includes(g));
}

/** one entry per task key, first seen first: a task of several of the caller's groups is found by each search */
export function uniqueTasks(lists: UserTask[][], keep: (t: UserTask) => boolean = () => true): UserTask[] {
  const byKey = new Map<string, UserTask>();
  for (const list of lists) for (const t of list) if (!byKey.has(String(t.userTaskKey)) && keep(t)) byKey.set(String(t.userTaskKey), t);
  return [...byKey.values()];
}

/** the business keys (CONTEXT_VARIABLES) of each task's process instance, by process instance key */
export function taskContexts(port: Pick<UserTaskPort, 'variables'>, tasks: UserTask[]): Promise<Map<string, Record<string, unknown>>> {
  const defs = new Map(
    tasks.filter((t) => t.processDefinitionId).map((t) => [String(t.processInstanceKey), String(t.processDefinitionId)]),
  );
  return port.variables([...new Set(tasks.map((t) => String(t.processInstanceKey)))], [...CONTEXT_VARIABLES], defs);
}

export function inputComponents(components: FormComponent[]): FormComponent[] {
  const out: FormComponent[] = [];
  for (const c of components) {
    if (c.key && !['text', 'image', 'button', 'spacer', 'separator', 'html'].includes(c.type)) out.push(c);
    if (c.components) out.push(...inputComponents(c.components));
  }
  return out;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;
const TIME = /^\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?$/;

/** a date or date-time whose day exists and whose time of day is in range (23:59:59 at most) */
function realDateTime(v: string): boolean {
  if (!isValidDay(v.slice(0, 10))) return false;
  if (v.length === 10) return true;
  const t = /^T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(v.slice(10));
  return !!t && Number(t[1]) <= 23 && Number(t[2]) <= 59 && Number(t[3] ?? 0) <= 59 && !Number.isNaN(Date.parse(v));
}

/**
 * Checks submitted variables against the form's input fields (Camunda Forms schema): unknown and
 * read-only fields, required fields (unless the field may be hidden by a condition), types, option
 * lists, lengths, ranges and patterns. Returns the problems as field errors.
 */
export function validateAgainstForm(form: FormSchema, variables: Record<string, unknown>) {
  const errors: { in: 'body'; pointer: string; detail: string }[] = [];
  const err = (key: string, detail: string) => errors.push({ in: 'body', pointer: `/variables/${key}`, detail });
  const fields = inputComponents(form.components ?? []);
  const byKey = new Map(fields.map((f) => [f.key!, f]));
  for (const key of Object.keys(variables)) {
    const f = byKey.get(key);
    if (!f) err(key, `is not a field of form ${form.id ?? ''}`.trim());
    else if (f.readonly || f.disabled) err(key, 'is read-only');
  }
  for (const f of fields) {
    if (f.readonly || f.disabled) continue;
    const key = f.key!;
    const v = variables[key];
    const v8 = f.validate ?? {};
    if (v === undefined || v === null || v === '') {
      if (v8.required && !f.conditional?.hide) err(key, 'is required');
      continue;
    }
    switch (f.type) {
      case 'number':
        if (typeof v !== 'number' || !Number.isFinite(v)) err(key, 'must be a number');
        else {
          if (v8.min !== undefined && v < v8.min) err(key, `must be ≥ ${v8.min}`);
          if (v8.max !== undefined && v > v8.max) err(key, `must be ≤ ${v8.max}`);
        }
        break;
      case 'checkbox':
        if (typeof v !== 'boolean') err(key, 'must be true or false');
        break;
      case 'checklist':
      case 'taglist':
        if (!Array.isArray(v)) err(key, 'must be a list');
        else if (f.values) {
          const ok = f.values.map((x) => x.value);
          for (const x of v) if (!ok.includes(x)) err(key, `${JSON.stringify(x)} is not one of ${ok.join(', ')}`);
        }
        break;
      case 'radio':
      case 'select':
        if (f.values && !f.values.some((x) => x.value === v)) err(key, `must be one of ${f.values.map((x) => x.value).join(', ')}`);
        break;
      case 'datetime': {
        // a real calendar day (isValidDay: 2026-02-30 is refused, where Date.parse rolls it over to 03-02)
        const re = f.subtype === 'date' ? DATE : f.subtype === 'time' ? TIME : DATE_TIME;
        if (typeof v !== 'string' || !re.test(v) || (f.subtype !== 'time' && !realDateTime(v)))
          err(key, `must be a ${f.subtype === 'date' ? 'date YYYY-MM-DD' : f.subtype === 'time' ? 'time' : 'date-time'}`);
        break;
      }
      default:
        if (typeof v !== 'string') err(key, 'must be text');
        else {
          if (v8.minLength !== undefined && v.length < v8.minLength) err(key, `must have at least ${v8.minLength} characters`);
          if (v8.maxLength !== undefined && v.length > v8.maxLength) err(key, `must have at most ${v8.maxLength} characters`);
          if (v8.pattern && !new RegExp(v8.pattern).test(v)) err(key, `must match ${v8.pattern}`);
        }
    }
  }
  return errors;
}
