/** The business orders, newest first, each linking to its case. */
import { get, qs } from '../api';
import { field, h } from '../dom';
import { dateTime, money } from '../format';
import { ORDER_STATUS, label } from '../labels';
import { notice, page } from '../shell';
import type { Row } from './case-panel';

export async function ordersPage(params: URLSearchParams) {
  const status = params.get('status') ?? '';
  const r = await get<{ items: Row[]; total: number }>(`/orders${qs({ status, limit: 100 })}`).catch((e: Error) => e);
  if (r instanceof Error) return page('订单', notice(`订单加载失败：${r.message}`, 'error'));
  const select = h(
    'select',
    {
      name: 'status',
      onchange: () => {
        location.hash = `#/orders${qs({ status: select.value })}`;
      },
    },
    h('option', { value: '' }, '全部状态'),
    Object.entries(ORDER_STATUS).map(([k, v]) => h('option', { value: k, selected: k === status }, v)),
  );
  page(
    '订单',
    h('form', { class: 'filters', onsubmit: (e: Event) => e.preventDefault() }, field('状态', select)),
    r.items.length
      ? h(
          'table',
          { class: 'list', 'aria-label': '订单' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['订单编号', '客户', '账号数', '金额', '状态', '创建时间'].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            r.items.map((o) =>
              h(
                'tr',
                { 'data-order': o.orderNo },
                h('td', { 'data-label': '订单编号' }, h('a', { href: `#/orders/${o.id}` }, o.orderNo)),
                h('td', { 'data-label': '客户' }, o.customerName ?? '—'),
                h('td', { 'data-label': '账号数' }, String(o.accounts)),
                h('td', { 'data-label': '金额' }, money(o.amount)),
                h('td', { 'data-label': '状态' }, label(ORDER_STATUS, o.status)),
                h('td', { 'data-label': '创建时间' }, dateTime(o.createdAt)),
              ),
            ),
          ),
        )
      : h('p', { class: 'empty' }, '没有订单。'),
  );
}
