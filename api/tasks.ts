/**
 * Tasks for people 待办任务: the Camunda user tasks of the processes, through the Orchestration Cluster
 * REST API v2 (Camunda 8.9, or engine/ locally) at ZEEBE_REST_ADDRESS.
 *
 *   GET  /api/tasks                          open tasks of the caller: candidate group ∈ the caller's roles, or assignee = the caller
 *   GET  /api/tasks/:key                     one task with its form (schema) and the variables the form reads
 *                                            (its fields, option lists, and the names its text blocks and conditions read)
 *   POST /api/tasks/:key/completion          { variables } → checks the caller may complete it, validates the
 *                                            variables against the form, assigns the task to the caller and
 *                                            completes it with the variables plus completedBy = username;
 *                                            422 completion-denied with the reason when a completing task
 *                                            listener (the recording of the decision) denies it: the task stays open
 *
 * The routes reach the engine through `services.tasks` (a UserTaskPort, task-port.ts); createRestUserTasks
 * (task-rest.ts) builds it. Who may work on a task and the check against its form are in task-rules.ts.
 */
import { badRequest, forbidden, notFound, ProblemError } from './problem';
import { route, type RouteSpec } from './route';
import { arrayOf, int, named, nullable, obj, str, type JsonSchema } from './schema';
import type { Principal } from './auth';
import type { ApiServices } from './services';
import type { Role } from '../domain/vocabulary';
import type { UserTask, UserTaskPort } from './task-port';
import { EngineUnavailable } from './task-rest';
import { CONTEXT_VARIABLES, mayWorkOn, taskContexts, uniqueTasks, validateAgainstForm } from './task-rules';
import { formReferences } from './form-references';

// the task routes' modules, one import for their users (app/, the workbench, the tests)
export type { FormComponent, FormSchema, TaskForm, UserTask, UserTaskPort } from './task-port';
export { createRestUserTasks, EngineUnavailable, type RestUserTaskOptions } from './task-rest';
export { CONTEXT_VARIABLES, mayWorkOn, taskContexts, uniqueTasks, validateAgainstForm } from './task-rules';

// ------------------------------------------------------------------ rules

/** the countersign review tasks (contract-countersign.bpmn) and the step each decides */
const REVIEW_STEP: Record<string, 'DEPT_MANAGER' | 'CENTER'> = { 'dept-manager-review': 'DEPT_MANAGER', 'center-review': 'CENTER' };

/**
 * Separation of duties (domain/countersign-integrity.ts) before the engine is told anything (no claim, no
 * assignment, no completion): a refused reviewer gets a 403 naming the rule, the task stays open and
 * unassigned for someone else. The workbench's claim calls it too (assertMayDecide).
 */
export async function assertMayDecide(services: ApiServices, t: UserTask, username: string): Promise<void> {
  return separationOfDuties(services, port(services), t, username);
}

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
      variables: {
        type: 'object',
        description: 'the variables the form reads: its fields, option lists (valuesKey), and what its text blocks and conditions read',
      },
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
    summary: { en: 'A task with its form and the variables the form reads', zh: '查看待办任务及表单' },
    params: TaskKeyParams,
    response: { status: 200, schema: Task },
    handler: async ({ services, principal, params }) =>
      guard(async () => {
        const tasks = port(services);
        const t = await tasks.get(params.key);
        if (!t || !mayWorkOn(t, principal)) throw notFound('task', params.key, '/key');
        const form = await tasks.form(params.key, t.formKey);
        // a field's value, the option list a select reads from a variable (valuesKey), and what the form's text
        // blocks and conditions read (订单概要 reads orderSummary): form-js sees only what is returned here
        const keys = form ? formReferences(form.schema.components ?? []) : [];
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
        const t = await port(services).get(params.key);
        if (!t) throw notFound('task', params.key, '/key');
        const variables = { ...(body.variables ?? {}) };
        await checkCompletion(services, t, principal, variables);
        return finishCompletion(services, t, principal, variables);
      }),
  }),
];

/**
 * What a completion must pass before the engine is told anything (no claim, no assignment): the caller may
 * work on the task, it is open, `completedBy` is the system's, the variables fit the task's form, and
 * separation of duties. The task route and the workbench's completion (which claims after it) both run it.
 */
export async function checkCompletion(
  services: ApiServices,
  t: UserTask,
  principal: Principal,
  variables: Record<string, unknown>,
): Promise<void> {
  const tasks = port(services);
  const key = String(t.userTaskKey);
  if (!mayWorkOn(t, principal))
    throw forbidden(
      `task ${key} (${t.elementId}) is for ${[...(t.candidateGroups ?? []), t.assignee].filter(Boolean).join(', ')}, not for ${principal.username}`,
    );
  if (t.state !== 'CREATED') throw new ProblemError(409, 'conflict', 'Conflict', `task ${key} is ${t.state}`);
  if ('completedBy' in variables)
    throw badRequest('completedBy is set by the system', [
      { in: 'body', pointer: '/variables/completedBy', detail: 'is set by the system' },
    ]);
  const form = await tasks.form(key, t.formKey);
  if (form) {
    const errors = validateAgainstForm(form.schema, variables);
    if (errors.length)
      throw badRequest(
        `the form ${form.formId ?? ''} is not filled in correctly: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`,
        errors,
      );
  }
  await separationOfDuties(services, tasks, t, principal.username);
}

/** the completion itself, after checkCompletion: assigned to the caller if not yet, completed as them */
export async function finishCompletion(services: ApiServices, t: UserTask, principal: Principal, variables: Record<string, unknown>) {
  const tasks = port(services);
  const key = String(t.userTaskKey);
  if (t.assignee !== principal.username) await tasks.assign(key, principal.username);
  const sent = { ...variables, completedBy: principal.username };
  await tasks.complete(key, sent);
  return { key, elementId: t.elementId, completedBy: principal.username, variables: sent };
}
