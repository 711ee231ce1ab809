/**
 * 运维 overview: the instance search (order number, state, process) and every active incident with the
 * engine's message; each row leads to the instance page.
 */
import { get, qs } from '../../api';
import { field, h } from '../../dom';
import { dateTime } from '../../format';
import { PROCESS_NAME } from '../../labels';
import { page } from '../../shell';
import { ERROR_TYPE, elementLabel, INSTANCE_STATE, type Incident, type Instance } from './types';

const processName = (id: string | null) => (id ? (PROCESS_NAME[id] ?? id) : '—');
export const subNav = () =>
  h(
    'p',
    { class: 'subnav' },
    h('a', { href: '#/operations' }, '实例与故障'),
    ' · ',
    h('a', { href: '#/operations/definitions' }, '流程定义'),
  );

export async function operationsOverview(params: URLSearchParams): Promise<void> {
  const q = {
    orderNo: params.get('orderNo') ?? '',
    state: params.get('state') ?? '',
    processDefinitionId: params.get('processDefinitionId') ?? '',
  };
  const [instances, incidents] = await Promise.all([
    get<{ items: Instance[] }>(`/operations/process-instances${qs({ ...q, limit: 100 })}`),
    get<{ items: Incident[] }>('/operations/incidents'),
  ]);
  const orderNo = h('input', { name: 'orderNo', value: q.orderNo, placeholder: 'YW-2026-000001' });
  const state = h(
    'select',
    { name: 'state' },
    h('option', { value: '' }, '全部'),
    Object.entries(INSTANCE_STATE).map(([v, t]) => h('option', { value: v, selected: v === q.state }, t)),
  );
  const proc = h(
    'select',
    { name: 'processDefinitionId' },
    h('option', { value: '' }, '全部'),
    Object.entries(PROCESS_NAME).map(([v, t]) => h('option', { value: v, selected: v === q.processDefinitionId }, t)),
  );
  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        location.hash = `#/operations${qs({ orderNo: orderNo.value.trim(), state: state.value, processDefinitionId: proc.value })}`;
      },
    },
    field('订单编号', orderNo),
    field('状态', state),
    field('流程', proc),
    h('button', { type: 'submit' }, '查询'),
  );
  page(
    '运维',
    subNav(),
    h(
      'section',
      { class: 'card', 'aria-label': '流程实例' },
      h('h2', {}, '流程实例'),
      form,
      instances.items.length
        ? h(
            'table',
            { class: 'list', 'data-testid': 'instances' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['实例', '流程', '版本', '状态', '故障', '开始时间'].map((t) => h('th', {}, t)),
              ),
            ),
            h(
              'tbody',
              {},
              instances.items.map((i) =>
                h(
                  'tr',
                  { 'data-key': i.processInstanceKey },
                  h('td', {}, h('a', { href: `#/operations/instances/${i.processInstanceKey}` }, i.processInstanceKey)),
                  h('td', {}, processName(i.processDefinitionId)),
                  h('td', {}, i.processDefinitionVersion ?? '—'),
                  h('td', {}, INSTANCE_STATE[i.state] ?? i.state),
                  h('td', {}, i.hasIncident ? h('span', { class: 'badge danger' }, '有故障') : '—'),
                  h('td', {}, dateTime(i.startDate)),
                ),
              ),
            ),
          )
        : h('p', {}, '没有符合条件的流程实例。'),
    ),
    h(
      'section',
      { class: 'card', 'aria-label': '未解决的故障' },
      h('h2', {}, `未解决的故障（${incidents.items.length}）`),
      incidents.items.length
        ? h(
            'table',
            { class: 'list', 'data-testid': 'incidents' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['流程', '环节', '类型', '错误信息', '发生时间', ''].map((t) => h('th', {}, t)),
              ),
            ),
            h(
              'tbody',
              {},
              incidents.items.map((i) =>
                h(
                  'tr',
                  {},
                  h('td', {}, processName(i.processDefinitionId)),
                  h('td', {}, ...elementLabel(i.elementId, i.elementName)),
                  h('td', {}, ERROR_TYPE[i.errorType] ?? i.errorType),
                  h('td', { class: 'error-message' }, i.errorMessage),
                  h('td', {}, dateTime(i.creationTime)),
                  h('td', {}, h('a', { href: `#/operations/instances/${i.processInstanceKey}` }, '查看实例')),
                ),
              ),
            ),
          )
        : h('p', {}, '当前没有故障。'),
    ),
  );
}
