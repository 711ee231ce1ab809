/**
 * Tasks for people 待办任务: the Camunda user tasks of the processes, through the Orchestration Cluster
 * REST API v2 (Camunda 8.9, or engine/ locally) at ZEEBE_REST_ADDRESS.
 *
 *   GET  /api/tasks                          open tasks of the caller: candidate group ∈ the caller's roles, or assignee = the caller
 *   GET  /api/tasks/:key                     one task with its form (schema) and the variables the form shows
 *   POST /api/tasks/:key/completion          { variables } → checks the caller may complete it, validates the
 *                                            variables against the form, assigns the task to the caller and
 *                                            completes it with the variables plus completedBy = username;
 *                                            422 completion-denied with the reason when a completing task
 *                                            listener (the recording of the decision) denies it: the task stays open
 *
 * The routes reach the engine through `services.tasks` (a UserTaskPort); createRestUserTasks builds it.
 */
import type { Principal } from './auth';
import { requestText, type TextResponse } from '../platform/http/request-text';
import { badRequest, forbidden, notFound, ProblemError } from './problem';
import { route, type RouteSpec } from './route';
import { arrayOf, int, named, nullable, obj, str, type JsonSchema } from './schema';
import type { ApiServices } from './services';
import { isValidDay } from '../domain/time';
import type { Role } from '../domain/vocabulary';
import { completionDenied, type FormComponent, type FormSchema, type TaskForm, type UserTask, type UserTaskPort } from './task-port';

// ------------------------------------------------------------------ the port (task-port.ts)

export type { FormComponent, FormSchema, TaskForm, UserTask, UserTaskPort } from './task-port';

export class EngineUnavailable extends Error {}

/** The port over the REST API v2 (fetch). `headers` may add Authorization for a secured cluster. */
export interface RestUserTaskOptions {
  /** extra headers (e.g. Authorization for a secured cluster) */
  headers?: () => Promise<Record<string, string>> | Record<string, string>;
  /**
   * business keys of instances from the system of record; instances it does not know fall back to a
   * variable search in the engine
   */
  context?: (processInstanceKeys: string[], definitions?: Map<string, string>) => Promise<Map<string, Record<string, unknown>>>;
}

export function createRestUserTasks(baseUrl: string, opts: RestUserTaskOptions = {}): UserTaskPort {
  const headers = opts.headers ?? (() => ({}));
  const base = baseUrl.replace(/\/$/, '');
  /** forms are immutable per form key */
  const forms = new Map<string, TaskForm>();
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    let res: TextResponse;
    try {
      res = await requestText(base + path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          accept: 'application/json',
          ...(await headers()),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: 10_000,
      });
    } catch (e) {
      throw new EngineUnavailable(`the process engine at ${base} does not answer: ${(e as Error).message}`);
    }
    const { text } = res;
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  }
  const fail = (what: string, r: { status: number; body: any }) =>
    new Error(`${what}: engine answered ${r.status} ${typeof r.body === 'string' ? r.body : JSON.stringify(r.body)}`);
  return {
    async search(filter, limit) {
      const r = await call('POST', '/v2/user-tasks/search', { filter, page: { limit }, sort: [{ field: 'creationDate', order: 'ASC' }] });
      if (r.status !== 200) throw fail('user task search', r);
      return (r.body.items ?? []) as UserTask[];
    },
    async get(key) {
      const r = await call('GET', `/v2/user-tasks/${encodeURIComponent(key)}`);
      if (r.status === 404) return null;
      if (r.status !== 200) throw fail(`user task ${key}`, r);
      return r.body as UserTask;
    },
    async form(key, formKey) {
      if (formKey && forms.has(String(formKey))) return forms.get(String(formKey))!;
      const r = await call('GET', `/v2/user-tasks/${encodeURIComponent(key)}/form`);
      if (r.status === 204 || r.status === 404) return null;
      if (r.status !== 200) throw fail(`form of user task ${key}`, r);
      const schema = typeof r.body.schema === 'string' ? JSON.parse(r.body.schema) : r.body.schema;
      const form = { formId: r.body.formId, formKey: r.body.formKey, version: r.body.version, schema };
      if (form.formKey) forms.set(String(form.formKey), form);
      return form;
    },
    async variables(pis, names, definitions) {
      const out = new Map<string, Record<string, unknown>>();
      if (!pis.length || !names.length) return out;
      if (opts.context && names.every((n) => (CONTEXT_VARIABLES as readonly string[]).includes(n))) {
        const known = await opts.context(pis, definitions);
        for (const [k, v] of known) out.set(k, v);
        pis = pis.filter((k) => !known.has(k));
        if (!pis.length) return out;
      }
      const r = await call('POST', '/v2/variables/search', {
        filter: { processInstanceKey: { $in: pis }, name: { $in: names } },
        page: { limit: Math.min(10_000, pis.length * names.length * 2 + 10) },
      });
      if (r.status !== 200) throw fail('variable search', r);
      for (const v of r.body.items as { name: string; value: string; processInstanceKey: string; scopeKey: string }[]) {
        if (String(v.scopeKey) !== String(v.processInstanceKey)) continue;
        const vars = out.get(String(v.processInstanceKey)) ?? {};
        try {
          vars[v.name] = JSON.parse(v.value);
        } catch {
          vars[v.name] = v.value;
        }
        out.set(String(v.processInstanceKey), vars);
      }
      return out;
    },
    async localVariables(scopeKey, names) {
      const out: Record<string, unknown> = {};
      if (!names.length) return out;
      const r = await call('POST', '/v2/variables/search', {
        filter: { scopeKey, name: { $in: names } },
        page: { limit: names.length * 2 + 10 },
      });
      if (r.status !== 200) throw fail('variable search', r);
      for (const v of r.body.items as { name: string; value: string; scopeKey: string }[]) {
        if (String(v.scopeKey) !== String(scopeKey)) continue;
        try {
          out[v.name] = JSON.parse(v.value);
        } catch {
          out[v.name] = v.value;
        }
      }
      return out;
    },
    async assign(key, assignee) {
      const r = await call('POST', `/v2/user-tasks/${encodeURIComponent(key)}/assignment`, { assignee, allowOverride: true });
      if (r.status === 404) throw notFound('task', key, '/key');
      if (r.status >= 300) throw fail(`assigning user task ${key}`, r);
    },
    async complete(key, variables) {
      const r = await call('POST', `/v2/user-tasks/${encodeURIComponent(key)}/completion`, { variables });
      if (r.status === 404) throw notFound('task', key, '/key');
      const denied = r.status === 409 ? completionDenied(r.body?.detail) : null;
      if (denied !== null)
        throw new ProblemError(422, 'completion-denied', 'Completion denied', denied || `task ${key}: the completion was denied`);
      if (r.status === 409)
        throw new ProblemError(409, 'conflict', 'Conflict', `task ${key} cannot be completed now: ${r.body?.detail ?? ''}`);
      if (r.status >= 300) throw fail(`completing user task ${key}`, r);
    },
  };
}

// ------------------------------------------------------------------ rules

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

function inputComponents(components: FormComponent[]): FormComponent[] {
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

/** the countersign review tasks (contract-countersign.bpmn) and the step each decides */
const REVIEW_STEP: Record<string, 'DEPT_MANAGER' | 'CENTER'> = { 'dept-manager-review': 'DEPT_MANAGER', 'center-review': 'CENTER' };

/**
 * Separation of duties (domain/countersign-integrity.ts) before the engine is told anything: a refused
 * reviewer gets a 403 naming the rule, the task stays open and unassigned for someone else.
 */
async function separationOfDuties(services: ApiServices, tasks: UserTaskPort, t: UserTask, username: string): Promise<void> {
  const step = REVIEW_STEP[t.elementId];
  if (!step) return;
  const pik = String(t.processInstanceKey);
  const roundId = (await tasks.variables([pik], ['countersignRoundId'])).get(pik)?.countersignRoundId;
  if (typeof roundId !== 'string')
    throw new ProblemError(
      409,
      'conflict',
      'Conflict',
      `review task ${t.userTaskKey} has no countersign round yet (countersignRoundId missing)`,
    );
  await services.store.assertMayReview(roundId, step, username);
}

/** ApiServices plus the task port (main.ts / the tests add `tasks`) */
export type ServicesWithTasks = ApiServices & { tasks?: UserTaskPort };

function port(services: ApiServices): UserTaskPort {
  const t = (services as ServicesWithTasks).tasks;
  if (!t) throw new ProblemError(503, 'engine-unavailable', 'Service unavailable', 'no process engine is configured for tasks');
  return t;
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof EngineUnavailable) throw new ProblemError(503, 'engine-unavailable', 'Service unavailable', e.message);
    throw e;
  }
}

function taskDto(t: UserTask, context: Record<string, unknown> | undefined) {
  return {
    key: String(t.userTaskKey),
    name: t.name ?? t.elementId,
    elementId: t.elementId,
    processDefinitionId: t.processDefinitionId ?? null,
    processInstanceKey: String(t.processInstanceKey),
    state: t.state,
    assignee: t.assignee ?? null,
    candidateGroups: t.candidateGroups ?? [],
    creationDate: t.creationDate ?? null,
    dueDate: t.dueDate ?? null,
    followUpDate: t.followUpDate ?? null,
    context: context ?? {},
  };
}

// ------------------------------------------------------------------ schemas

const TaskKeyParams = obj({ key: str({ pattern: '^[0-9]{1,20}$', description: 'userTaskKey' }) }, ['key']);
const TaskQuery = obj(
  {
    elementId: str({ maxLength: 100, description: 'only tasks of this BPMN element' }),
    processInstanceKey: str({ pattern: '^[0-9]{1,20}$' }),
    processDefinitionId: str({ maxLength: 100 }),
    limit: int(1, 500, { default: 100 }),
  },
  [],
);
const Task = named(
  'Task',
  obj(
    {
      key: str(),
      name: str(),
      elementId: str(),
      processDefinitionId: nullable(str()),
      processInstanceKey: str(),
      state: str(),
      assignee: nullable(str()),
      candidateGroups: arrayOf(str()),
      creationDate: nullable(str()),
      dueDate: nullable(str()),
      followUpDate: nullable(str()),
      context: { type: 'object', description: 'business keys of the process (orderNo, contractNo, ...)' },
      form: nullable({ type: 'object', description: 'the Camunda Form (schema) of the task' }),
      variables: { type: 'object', description: 'values of the fields the form shows' },
    },
    ['key', 'name', 'elementId', 'processInstanceKey', 'state', 'assignee', 'candidateGroups', 'context'],
  ),
);
const TaskList = named('TaskList', obj({ items: arrayOf(Task), total: int(0, Number.MAX_SAFE_INTEGER) }, ['items', 'total']));
const CompleteTaskBody = named(
  'CompleteTaskRequest',
  obj({ variables: { type: 'object', description: 'the form fields filled in', maxProperties: 100 } as JsonSchema }, []),
);
const CompletedTask = named(
  'CompletedTask',
  obj({ key: str(), elementId: str(), completedBy: str(), variables: { type: 'object' } }, [
    'key',
    'elementId',
    'completedBy',
    'variables',
  ]),
);

const STAFF_WITH_TASKS: Role[] = ['customer-manager', 'dept-manager', 'center-reviewer', 'tech-dept', 'contract-admin', 'ops', 'admin'];

// ------------------------------------------------------------------ routes

export const TASK_ROUTES: RouteSpec[] = [
  route<{}, { elementId?: string; processInstanceKey?: string; processDefinitionId?: string; limit: number }>({
    id: 'listMyTasks',
    method: 'get',
    path: '/tasks',
    roles: STAFF_WITH_TASKS,
    tag: 'tasks',
    summary: {
      en: "The caller's open tasks (candidate group of one of the caller's roles, or assigned to the caller)",
      zh: '我的待办任务',
    },
    query: TaskQuery,
    response: { status: 200, schema: TaskList },
    handler: async ({ services, principal, query }) =>
      guard(async () => {
        const tasks = port(services);
        const base: Record<string, unknown> = { state: 'CREATED' };
        if (query.elementId) base.elementId = query.elementId;
        if (query.processInstanceKey) base.processInstanceKey = query.processInstanceKey;
        if (query.processDefinitionId) base.processDefinitionId = query.processDefinitionId;
        const found = await Promise.all([
          tasks.search({ ...base, assignee: principal.username }, query.limit),
          ...principal.roles.map((r) => tasks.search({ ...base, candidateGroup: r }, query.limit)),
        ]);
        const items = uniqueTasks(found, (t) => mayWorkOn(t, principal))
          .sort(
            (a, b) =>
              String(a.creationDate ?? '').localeCompare(String(b.creationDate ?? '')) ||
              (BigInt(a.userTaskKey) < BigInt(b.userTaskKey) ? -1 : 1),
          )
          .slice(0, query.limit);
        const ctx = await taskContexts(tasks, items);
        return { items: items.map((t) => taskDto(t, ctx.get(String(t.processInstanceKey)))), total: items.length };
      }),
  }),
  route<{ key: string }>({
    id: 'getTask',
    method: 'get',
    path: '/tasks/:key',
    roles: STAFF_WITH_TASKS,
    tag: 'tasks',
    summary: { en: 'A task with its form and the values the form shows', zh: '查看待办任务及表单' },
    params: TaskKeyParams,
    response: { status: 200, schema: Task },
    handler: async ({ services, principal, params }) =>
      guard(async () => {
        const tasks = port(services);
        const t = await tasks.get(params.key);
        if (!t || !mayWorkOn(t, principal)) throw notFound('task', params.key, '/key');
        const form = await tasks.form(params.key, t.formKey);
        const keys = form ? inputComponents(form.schema.components ?? []).map((c) => c.key!) : [];
        const vars = await tasks.variables([String(t.processInstanceKey)], [...new Set([...CONTEXT_VARIABLES, ...keys])]);
        const local = t.elementInstanceKey ? await tasks.localVariables(String(t.elementInstanceKey), keys) : {};
        const all = { ...(vars.get(String(t.processInstanceKey)) ?? {}), ...local };
        const context = Object.fromEntries(CONTEXT_VARIABLES.filter((k) => k in all).map((k) => [k, all[k]]));
        const variables = Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]]));
        return { ...taskDto(t, context), form: form ? form.schema : null, variables };
      }),
  }),
  route<{ key: string }, {}, { variables?: Record<string, unknown> }>({
    id: 'completeTask',
    method: 'post',
    path: '/tasks/:key/completion',
    roles: STAFF_WITH_TASKS,
    tag: 'tasks',
    summary: { en: 'Complete a task with the form values (assigned to and recorded as the caller)', zh: '办理待办任务（提交表单）' },
    params: TaskKeyParams,
    body: CompleteTaskBody,
    response: { status: 200, schema: CompletedTask },
    problems: {
      '422':
        'A completing task listener denied the completion (a business rule of the recording): its reason in `detail`; the task stays open',
    },
    handler: async ({ services, principal, params, body }) =>
      guard(async () => {
        const tasks = port(services);
        const t = await tasks.get(params.key);
        if (!t) throw notFound('task', params.key, '/key');
        if (!mayWorkOn(t, principal))
          throw forbidden(
            `task ${params.key} (${t.elementId}) is for ${[...(t.candidateGroups ?? []), t.assignee].filter(Boolean).join(', ')}, not for ${principal.username}`,
          );
        if (t.state !== 'CREATED') throw new ProblemError(409, 'conflict', 'Conflict', `task ${params.key} is ${t.state}`);
        const variables = { ...(body.variables ?? {}) };
        if ('completedBy' in variables)
          throw badRequest('completedBy is set by the system', [
            { in: 'body', pointer: '/variables/completedBy', detail: 'is set by the system' },
          ]);
        const form = await tasks.form(params.key, t.formKey);
        if (form) {
          const errors = validateAgainstForm(form.schema, variables);
          if (errors.length)
            throw badRequest(
              `the form ${form.formId ?? ''} is not filled in correctly: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`,
              errors,
            );
        }
        await separationOfDuties(services, tasks, t, principal.username);
        if (t.assignee !== principal.username) await tasks.assign(params.key, principal.username);
        const sent = { ...variables, completedBy: principal.username };
        await tasks.complete(params.key, sent);
        return { key: params.key, elementId: t.elementId, completedBy: principal.username, variables: sent };
      }),
  }),
];
