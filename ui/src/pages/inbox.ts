/**
 * 待办 My work: the three tabs with their counts, filters (process, business number, customer), the list
 * sorted by due date with overdue and provisional deadlines marked, claim / release in place.
 */
import { ApiProblem, get, post, qs } from '../api';
import { field, h } from '../dom';
import { dateTime } from '../format';
import { CONTEXT_LABEL, PROCESS_NAME, refusalText, roleName } from '../labels';
import { notice, page } from '../shell';
import type { Me } from '../user';

export interface InboxTask {
  key: string;
  name: string;
  elementId: string;
  processDefinitionId: string | null;
  assignee: string | null;
  candidateGroups: string[];
  dueDate: string | null;
  completionDate: string | null;
  overdue: boolean;
  deadlineProvisional: boolean;
  customerName: string | null;
  orderId: string | null;
  context: Record<string, unknown>;
}
interface Inbox {
  tab: string;
  items: InboxTask[];
  counts: Record<string, number>;
}
const TABS: [string, string][] = [
  ['assigned', '分配给我'],
  ['unassigned', '组内待认领'],
  ['completed', '我已完成'],
];

export const businessKeys = (ctx: Record<string, unknown>) =>
  Object.entries(CONTEXT_LABEL)
    .filter(([k]) => typeof ctx[k] === 'string' && ctx[k])
    .map(([k, l]) => `${l} ${ctx[k]}`)
    .join(' · ');

export async function inboxPage(me: Me, params: URLSearchParams) {
  const tab = TABS.some(([t]) => t === params.get('tab')) ? params.get('tab')! : 'assigned';
  const filter = { process: params.get('process') ?? '', orderNo: params.get('orderNo') ?? '', customer: params.get('customer') ?? '' };
  const msg = h('div', { 'aria-live': 'polite' });
  let data: Inbox;
  try {
    data = await get<Inbox>(`/workbench/inbox${qs({ tab, ...filter })}`);
  } catch (e) {
    page('待办', notice(`待办加载失败：${(e as Error).message}`, 'error'));
    return;
  }
  const go = (q: Record<string, string>) => {
    location.hash = `#/inbox${qs({ tab, ...filter, ...q })}`;
  };
  const process = h(
    'select',
    { name: 'process' },
    h('option', { value: '' }, '全部流程'),
    Object.entries(PROCESS_NAME).map(([id, n]) => h('option', { value: id, selected: filter.process === id }, n)),
  );
  const orderNo = h('input', { name: 'orderNo', value: filter.orderNo, placeholder: 'YW-2026-000001' });
  const customer = h('input', { name: 'customer', value: filter.customer });
  const filters = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        go({ process: process.value, orderNo: orderNo.value.trim(), customer: customer.value.trim() });
      },
    },
    field('流程', process),
    field('业务编号', orderNo),
    field('客户', customer),
    h('button', { type: 'submit' }, '筛选'),
  );
  const tabs = h(
    'div',
    { class: 'tabs', role: 'tablist', 'aria-label': '待办分类' },
    TABS.map(([t, text]) =>
      h(
        'a',
        { role: 'tab', href: `#/inbox${qs({ tab: t, ...filter })}`, 'aria-selected': t === tab ? 'true' : 'false', 'data-tab': t },
        `${text} `,
        h('span', { class: 'count' }, String(data.counts[t] ?? 0)),
      ),
    ),
  );
  const row = (t: InboxTask) => {
    const actions: HTMLElement[] = [];
    if (tab !== 'completed') actions.push(h('a', { class: 'button', href: `#/tasks/${t.key}` }, '办理'));
    if (tab === 'unassigned')
      actions.push(
        h(
          'button',
          { type: 'button', onclick: () => act(`/workbench/tasks/${t.key}/claim`, `已认领：${t.name}`, { tab: 'assigned' }) },
          '认领',
        ),
      );
    if (tab === 'assigned' && t.assignee === me.username)
      actions.push(
        h(
          'button',
          { type: 'button', class: 'secondary', onclick: () => act(`/workbench/tasks/${t.key}/unclaim`, `已释放：${t.name}`, {}) },
          '释放',
        ),
      );
    if (t.orderId) actions.push(h('a', { href: `#/orders/${t.orderId}` }, '案卷'));
    return h(
      'tr',
      { class: t.overdue ? 'overdue' : '', 'data-task': t.key, 'data-element': t.elementId },
      h('td', { 'data-label': '任务' }, h('strong', {}, t.name), h('div', { class: 'muted' }, businessKeys(t.context))),
      h('td', { 'data-label': '客户' }, t.customerName ?? '—'),
      h('td', { 'data-label': '流程' }, PROCESS_NAME[t.processDefinitionId ?? ''] ?? t.processDefinitionId ?? '—'),
      h(
        'td',
        { 'data-label': tab === 'completed' ? '完成时间' : '截止时间' },
        tab === 'completed' ? dateTime(t.completionDate) : dateTime(t.dueDate),
        t.overdue ? h('span', { class: 'badge danger' }, '已逾期') : null,
        t.deadlineProvisional && t.dueDate ? h('span', { class: 'badge warn', title: '次年工作日历尚未发布，按周末推算' }, '暂定') : null,
      ),
      h('td', { 'data-label': '处理人' }, t.assignee ?? `待认领（${t.candidateGroups.map(roleName).join('、')}）`),
      h('td', { class: 'actions' }, actions),
    );
  };
  async function act(path: string, ok: string, then: Record<string, string>) {
    try {
      await post(path);
      sessionStorage.setItem('ot.flash', ok);
      go(then);
      if (Object.keys(then).length === 0) void inboxPage(me, params);
    } catch (e) {
      msg.replaceChildren(
        notice(
          e instanceof ApiProblem
            ? `操作失败：${e.status === 409 ? conflictText(e) : refusalText(e)}`
            : `操作失败：${(e as Error).message}`,
          'error',
        ),
      );
    }
  }
  const flash = sessionStorage.getItem('ot.flash');
  sessionStorage.removeItem('ot.flash');
  page(
    '待办',
    filters,
    tabs,
    flash ? notice(flash, 'ok') : null,
    msg,
    data.items.length
      ? h(
          'table',
          { class: 'list', 'aria-label': TABS.find(([t]) => t === tab)![1] },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['任务', '客户', '流程', tab === 'completed' ? '完成时间' : '截止时间', '处理人', '操作'].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          h('tbody', {}, data.items.map(row)),
        )
      : h('p', { class: 'empty' }, '没有任务。'),
  );
}

/** "task 1 is already claimed by dept-manager" → 该任务已由 dept-manager 认领 */
export function conflictText(e: ApiProblem): string {
  const m = /claimed by (\S+)/.exec(e.detail);
  if (m) return `该任务已由 ${m[1]} 认领，请刷新待办`;
  if (/completed/.test(e.detail)) return '该任务已办结';
  return e.detail;
}
