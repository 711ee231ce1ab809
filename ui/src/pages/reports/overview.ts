/**
 * 管理概览 for managers: orders by stage (a Chart.js bar chart and its table), completion deadlines due
 * within the next 10 working days, overdue ones, and the countersign turnaround in working days. Every
 * "today" and "overdue" is the server's business clock (GET /api/reports/overview says which).
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { get } from '../../api';
import { h } from '../../dom';
import { dateTime, day } from '../../format';
import { ORDER_STATUS, label } from '../../labels';
import { page } from '../../shell';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

interface Line {
  kind: 'business-order' | 'change-order';
  id: string;
  orderNo: string;
  customerManager: string | null;
  completionDeadline: string;
  deadlineProvisional: boolean;
}
interface Summary {
  count: number;
  averageWorkingDays: number | null;
  maxWorkingDays: number | null;
}
interface Overview {
  today: string;
  dueSoonUntil: string;
  byStage: { kind: string; status: string; count: number }[];
  dueSoon: Line[];
  overdue: Line[];
  countersignTurnaround: { all: Summary; byType: Record<string, Summary> };
}
const KIND: Record<string, string> = { 'business-order': '业务订单', 'change-order': '变更单' };
const TYPE: Record<string, string> = { REVENUE: '收入合同', EXPENSE: '支出合同' };

function deadlines(title: string, testid: string, lines: Line[]): HTMLElement {
  return h(
    'section',
    { 'data-testid': testid },
    h('h2', {}, `${title}（${lines.length}）`),
    lines.length
      ? h(
          'table',
          { class: 'list', 'aria-label': title },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['编号', '类型', '客户经理', '竣工期限'].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            lines.map((l) =>
              h(
                'tr',
                { 'data-order': l.orderNo },
                h('td', {}, l.kind === 'business-order' ? h('a', { href: `#/orders/${l.id}` }, l.orderNo) : l.orderNo),
                h('td', {}, KIND[l.kind] ?? l.kind),
                h('td', {}, l.customerManager ?? '—'),
                h('td', {}, dateTime(l.completionDeadline), l.deadlineProvisional ? h('span', { class: 'badge' }, '暂定') : null),
              ),
            ),
          ),
        )
      : h('p', { class: 'empty' }, '没有。'),
  );
}

export async function overviewPage() {
  const o = await get<Overview>('/reports/overview');
  const statuses = [...new Set(o.byStage.map((s) => s.status))];
  const count = (kind: string, status: string) => o.byStage.find((s) => s.kind === kind && s.status === status)?.count ?? 0;
  const el = h('canvas', { id: 'chart-stages', role: 'img', 'aria-label': '各阶段订单数' }) as HTMLCanvasElement;
  const t = o.countersignTurnaround;
  page(
    '管理概览',
    h('p', {}, `今天 ${day(o.today)}（业务时钟）；“即将到期”指 ${dateTime(o.dueSoonUntil)} 之前（10 个工作日内）。`),
    h(
      'section',
      {},
      h('h2', {}, '各阶段订单'),
      h('figure', { class: 'report-chart' }, h('div', { class: 'chart-box' }, el)),
      h(
        'table',
        { class: 'list', 'aria-label': '各阶段订单' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['阶段', '业务订单', '变更单'].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          statuses.map((s) =>
            h(
              'tr',
              { 'data-status': s },
              h('td', {}, label(ORDER_STATUS, s)),
              h('td', {}, String(count('business-order', s))),
              h('td', {}, String(count('change-order', s))),
            ),
          ),
        ),
      ),
    ),
    deadlines('10 个工作日内到期', 'due-soon', o.dueSoon),
    deadlines('已逾期', 'overdue', o.overdue),
    h(
      'section',
      { 'data-testid': 'turnaround' },
      h('h2', {}, '会签周期（工作日）'),
      h(
        'table',
        { class: 'list', 'aria-label': '会签周期' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['合同类型', '会签单数', '平均', '最长'].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          [['全部', t.all] as const, ...Object.entries(t.byType).map(([k, v]) => [TYPE[k] ?? k, v] as const)].map(([k, v]) =>
            h(
              'tr',
              {},
              h('td', {}, k),
              h('td', {}, String(v.count)),
              h('td', {}, v.averageWorkingDays === null ? '—' : String(v.averageWorkingDays)),
              h('td', {}, v.maxWorkingDays === null ? '—' : String(v.maxWorkingDays)),
            ),
          ),
        ),
      ),
    ),
  );
  new Chart(el, {
    type: 'bar',
    data: {
      labels: statuses.map((s) => label(ORDER_STATUS, s)),
      datasets: [
        { label: '业务订单', data: statuses.map((s) => count('business-order', s)), backgroundColor: '#2563eb' },
        { label: '变更单', data: statuses.map((s) => count('change-order', s)), backgroundColor: '#f59e0b' },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}
