/**
 * 待办 My work, as Tasklist shows it: three tabs (assigned to me / unassigned in my groups / completed by
 * me) with their counts, sorted by due date, overdue against the business clock; claim and release; and
 * the completion the workbench submits, which claims first so that two people never complete one task
 * (the loser gets 409 naming who holds it).
 */
import type { Role } from '../../domain/vocabulary';
import type { Principal } from '../auth';
import { conflict, forbidden, notFound } from '../problem';
import { route, type RouteSpec } from '../route';
import { arrayOf, bool, enumOf, int, named, nullable, obj, str } from '../schema';
import {
  TASK_ROUTES,
  assertMayDecide,
  checkCompletion,
  finishCompletion,
  mayWorkOn,
  taskContexts,
  uniqueTasks,
  type UserTask,
} from '../tasks';
import type { OrderGlance } from './parties';
import { guard, workbenchOf, type WorkbenchServices } from './services';

export const WORKERS: Role[] = ['customer-manager', 'dept-manager', 'center-reviewer', 'tech-dept', 'contract-admin', 'ops', 'admin'];
export const TABS = ['assigned', 'unassigned', 'completed'] as const;
type Tab = (typeof TABS)[number];
/** how many open tasks one inbox call considers per search (a group's queue beyond this is not listed) */
const OPEN_LIMIT = 10_000;
const COMPLETED_LIMIT = 500;

const InboxQuery = obj(
  {
    tab: enumOf(TABS, { default: 'assigned' }),
    process: str({ maxLength: 100, pattern: '^[a-z0-9-]+$', description: 'processDefinitionId' }),
    orderNo: str({ maxLength: 40, description: 'part of a business key (order, contract, request number)' }),
    customer: str({ maxLength: 100, description: 'part of the customer name' }),
    limit: int(1, 500, { default: 100 }),
  },
  [],
);
const InboxTask = obj(
  {
    key: str(),
    name: str(),
    elementId: str(),
    processDefinitionId: nullable(str()),
    processInstanceKey: str(),
    assignee: nullable(str()),
    candidateGroups: arrayOf(str()),
    creationDate: nullable(str()),
    dueDate: nullable(str()),
    completionDate: nullable(str()),
    overdue: bool(),
    deadlineProvisional: bool(),
    customerName: nullable(str()),
    orderId: nullable(str()),
    context: { type: 'object' },
  },
  ['key', 'name', 'elementId', 'processInstanceKey', 'assignee', 'dueDate', 'overdue', 'context'],
);
const Inbox = named(
  'Inbox',
  obj(
    {
      tab: enumOf(TABS),
      items: arrayOf(InboxTask),
      counts: obj({ assigned: int(0, 1e9), unassigned: int(0, 1e9), completed: int(0, 1e9) }, ['assigned', 'unassigned', 'completed']),
    },
    ['tab', 'items', 'counts'],
  ),
);
const TaskKeyParams = obj({ key: str({ pattern: '^[0-9]{1,20}$', description: 'userTaskKey' }) }, ['key']);
const Claimed = named('ClaimedTask', obj({ key: str(), assignee: nullable(str()) }, ['key', 'assignee']));

const dueOrder = (a: UserTask, b: UserTask) => {
  const da = a.dueDate ? Date.parse(String(a.dueDate)) : Infinity;
  const db = b.dueDate ? Date.parse(String(b.dueDate)) : Infinity;
  return da - db || String(a.creationDate ?? '').localeCompare(String(b.creationDate ?? ''));
};

const BY_DUE = [
  { field: 'dueDate', order: 'ASC' as const },
  { field: 'creationDate', order: 'ASC' as const },
];

/** the engine filters of each tab: one per search (unassigned: one per group of the caller) */
function tabFilters(p: Principal, process: string | undefined): Record<Tab, Record<string, unknown>[]> {
  const base: Record<string, unknown> = process ? { processDefinitionId: process } : {};
  return {
    assigned: [{ ...base, state: 'CREATED', assignee: p.username }],
    unassigned: p.roles.map((r) => ({ ...base, state: 'CREATED', candidateGroup: r, assignee: { $exists: false } })),
    completed: [{ ...base, state: 'COMPLETED', assignee: p.username }],
  };
}

/**
 * Without a text filter the engine sorts and pages, and counts with page.totalItems: one page of the tab
 * shown, a count of each other tab (a task in two of the caller's groups is counted in both). With a
 * business-number or customer filter, which need the business keys of every task, all tasks are read.
 */
async function paged(wb: WorkbenchServices, f: Record<Tab, Record<string, unknown>[]>, tab: Tab, limit: number) {
  const counts = { assigned: 0, unassigned: 0, completed: 0 };
  let items: UserTask[] = [];
  await Promise.all(
    TABS.flatMap((t) =>
      f[t].map(async (filter) => {
        const page = await wb.engine.taskPage(
          filter,
          t === tab ? limit : 1,
          t === 'completed' ? [{ field: 'completionDate', order: 'DESC' }] : BY_DUE,
        );
        counts[t] += page.total;
        if (t === tab) items.push(...page.items);
      }),
    ),
  );
  items = uniqueTasks([items]);
  items = (
    tab === 'completed'
      ? items.sort((a, b) => String(b.completionDate ?? '').localeCompare(String(a.completionDate ?? '')))
      : items.sort(dueOrder)
  ).slice(0, limit);
  return { counts, items };
}

async function everything(wb: WorkbenchServices, f: Record<Tab, Record<string, unknown>[]>) {
  const all = {} as Record<Tab, UserTask[]>;
  await Promise.all(
    TABS.map(async (t) => {
      all[t] = uniqueTasks(
        await Promise.all(f[t].map((filter) => wb.engine.searchTasks(filter, t === 'completed' ? COMPLETED_LIMIT : OPEN_LIMIT))),
      );
    }),
  );
  return all;
}

export const INBOX_ROUTES: RouteSpec[] = [
  route<{}, { tab: Tab; process?: string; orderNo?: string; customer?: string; limit: number }>({
    id: 'workbenchInbox',
    method: 'get',
    path: '/workbench/inbox',
    roles: WORKERS,
    tag: 'workbench',
    summary: {
      en: 'My work: tasks assigned to me, unassigned in my groups, completed by me; counts per tab',
      zh: '我的待办：分配给我、我所在组未认领、我已完成',
    },
    query: InboxQuery,
    response: { status: 200, schema: Inbox },
    handler: async ({ services, principal, query }) =>
      guard(async () => {
        const wb = workbenchOf(services);
        const f = tabFilters(principal, query.process);
        const filtering = !!(query.orderNo || query.customer);
        let counts: Record<Tab, number>;
        let list: UserTask[];
        let ctx: Map<string, Record<string, unknown>>;
        let orders: Map<string, OrderGlance>;
        const keysOf = async (tasks: UserTask[]) => {
          const c = await taskContexts(wb.tasks, tasks);
          const nos = [...new Set([...c.values()].map((x) => x.orderNo).filter((x): x is string => typeof x === 'string'))];
          return { c, o: await wb.parties.customersOfOrders(nos) };
        };
        if (!filtering) {
          const p = await paged(wb, f, query.tab, query.limit);
          counts = p.counts;
          list = p.items;
          ({ c: ctx, o: orders } = await keysOf(list));
        } else {
          const all = await everything(wb, f);
          ({ c: ctx, o: orders } = await keysOf([...all.assigned, ...all.unassigned, ...all.completed]));
          const keep = (t: UserTask) => {
            const c = ctx.get(String(t.processInstanceKey)) ?? {};
            const o = typeof c.orderNo === 'string' ? orders.get(c.orderNo) : undefined;
            if (
              query.orderNo &&
              !Object.values(c).some((v) => typeof v === 'string' && v.toLowerCase().includes(query.orderNo!.toLowerCase()))
            )
              return false;
            if (query.customer && !(o?.customerName ?? '').includes(query.customer)) return false;
            return true;
          };
          counts = {
            assigned: all.assigned.filter(keep).length,
            unassigned: all.unassigned.filter(keep).length,
            completed: all.completed.filter(keep).length,
          };
          list = all[query.tab].filter(keep).sort(dueOrder).slice(0, query.limit);
        }
        const info = (t: UserTask) => {
          const c = ctx.get(String(t.processInstanceKey)) ?? {};
          return { c, o: typeof c.orderNo === 'string' ? orders.get(c.orderNo) : undefined };
        };
        const now = wb.now().getTime();
        const items = list.map((t) => {
          const { c, o } = info(t);
          return {
            key: String(t.userTaskKey),
            name: t.name ?? t.elementId,
            elementId: t.elementId,
            processDefinitionId: t.processDefinitionId ?? null,
            processInstanceKey: String(t.processInstanceKey),
            assignee: t.assignee ?? null,
            candidateGroups: t.candidateGroups ?? [],
            creationDate: t.creationDate ?? null,
            dueDate: t.dueDate ?? null,
            completionDate: (t.completionDate as string | undefined) ?? null,
            overdue: t.state === 'CREATED' && !!t.dueDate && Date.parse(String(t.dueDate)) < now,
            deadlineProvisional: o?.deadlineProvisional ?? false,
            customerName: o?.customerName ?? null,
            orderId: o?.orderId ?? null,
            context: c,
          };
        });
        return { tab: query.tab, items, counts };
      }),
  }),
  route<{ key: string }>({
    id: 'claimTask',
    method: 'post',
    path: '/workbench/tasks/:key/claim',
    roles: WORKERS,
    tag: 'workbench',
    summary: { en: 'Claim a task of my groups (409 when someone else holds it; 403 when a rule bars me from deciding it)', zh: '认领任务' },
    params: TaskKeyParams,
    response: { status: 200, schema: Claimed },
    handler: async ({ services, principal, params }) =>
      guard(async () => {
        const wb = workbenchOf(services);
        // nobody claims what they may not decide (the drafter their own review): it stays free for another
        await assertMayDecide(services, await openTask(wb, principal, params.key), principal.username);
        await claimOrConflict(wb, principal, params.key);
        return { key: params.key, assignee: principal.username };
      }),
  }),
  route<{ key: string }>({
    id: 'unclaimTask',
    method: 'post',
    path: '/workbench/tasks/:key/unclaim',
    roles: WORKERS,
    tag: 'workbench',
    summary: { en: 'Release a task I hold back to its groups', zh: '释放任务（退回组内）' },
    params: TaskKeyParams,
    response: { status: 200, schema: Claimed },
    handler: async ({ services, principal, params }) =>
      guard(async () => {
        const wb = workbenchOf(services);
        const t = await openTask(wb, principal, params.key);
        if (t.assignee !== principal.username)
          throw forbidden(`task ${params.key} is held by ${t.assignee ?? 'nobody'}, not by ${principal.username}`);
        await wb.engine.unclaim(params.key);
        return { key: params.key, assignee: null };
      }),
  }),
  route<{ key: string }, {}, { variables?: Record<string, unknown> }>({
    id: 'workbenchCompleteTask',
    method: 'post',
    path: '/workbench/tasks/:key/completion',
    roles: WORKERS,
    tag: 'workbench',
    summary: {
      en: 'Complete a task from the workbench: the form and separation of duties are checked first, then the task is claimed (409 for the loser), then completed',
      zh: '提交任务表单（先校验，再认领，再办结）',
    },
    params: TaskKeyParams,
    body: completeRoute().body,
    response: completeRoute().response,
    problems: completeRoute().problems,
    handler: async ({ services, principal, params, body }) =>
      guard(async () => {
        const wb = workbenchOf(services);
        const t = await openTask(wb, principal, params.key);
        const variables = { ...(body.variables ?? {}) };
        // the task route's checks (form, separation of duties) before the claim: a refused person must not
        // be left holding the task
        await checkCompletion(services, t, principal, variables);
        await claimOrConflict(wb, principal, params.key, t);
        return finishCompletion(services, { ...t, assignee: principal.username }, principal, variables);
      }),
  }),
];

function completeRoute(): RouteSpec {
  const r = TASK_ROUTES.find((x) => x.id === 'completeTask');
  if (!r) throw new Error('api/tasks.ts has no completeTask route');
  return r;
}

async function openTask(wb: ReturnType<typeof workbenchOf>, p: Principal, key: string): Promise<UserTask> {
  const t = await wb.tasks.get(key);
  if (!t || !mayWorkOn(t, p)) throw notFound('task', key, '/key');
  if (t.state !== 'CREATED')
    throw conflict(`task ${key} is ${t.state === 'COMPLETED' ? `already completed${t.assignee ? ` by ${t.assignee}` : ''}` : t.state}`);
  return t;
}

async function claimOrConflict(wb: ReturnType<typeof workbenchOf>, p: Principal, key: string, known?: UserTask) {
  const t = known ?? (await openTask(wb, p, key));
  if (t.assignee === p.username) return;
  const held = () =>
    conflict(`task ${key} is already claimed by ${t.assignee ?? 'someone else'}`, [
      { in: 'path', pointer: '/key', detail: 'claimed by someone else' },
    ]);
  if (t.assignee) throw held();
  if (!(await wb.engine.claim(key, p.username))) {
    const now = await wb.tasks.get(key);
    throw conflict(`task ${key} is already claimed by ${now?.assignee ?? 'someone else'}`, [
      { in: 'path', pointer: '/key', detail: 'claimed by someone else' },
    ]);
  }
}
