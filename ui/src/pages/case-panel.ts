/**
 * THE CASE beside a task and on the case page: the order (customer, modules, accounts, opening date, term,
 * amount, AP), the contracts with their versions and every countersign round's decisions and opinions in
 * order, the collaboration task order's exchanges, the payment bases, and the deadline with its basis.
 */
import { facts, h } from '../dom';
import { actor, dateTime, day, money } from '../format';
import { reasonText } from '../reasons';
import {
  CONTRACT_KIND,
  CONTRACT_STATUS,
  PAYMENT_BASIS_STATUS,
  CONTRACT_TYPE,
  DECISION,
  ORDER_STATUS,
  STEP,
  TASK_ORDER_EVENT,
  label,
  moduleName,
} from '../labels';

export type Row = Record<string, any>;
export interface Case {
  order: Row;
  customer: Row | null;
  apPartner: Row | null;
  contracts: Row[];
  taskOrders: Row[];
  communicationRecords: Row[];
  changeOrders: Row[];
  orderVersions: Row[];
  timeline: Row[];
  deadline: { completionDeadline: string | null; provisional: boolean; basis: string };
}

export function deadlineView(c: Case) {
  const d = c.deadline;
  if (!d.completionDeadline) return h('span', {}, '交付后确定', h('small', { class: 'muted' }, `（${d.basis}）`));
  return h(
    'span',
    {},
    dateTime(d.completionDeadline),
    d.provisional ? h('span', { class: 'badge warn' }, '暂定') : null,
    h('small', { class: 'muted' }, `（${d.basis}${d.provisional ? '；次年工作日历未发布，按周末推算' : ''}）`),
  );
}

export function orderFacts(c: Case) {
  const o = c.order;
  return facts([
    ['订单编号', o.orderNo],
    ['状态', label(ORDER_STATUS, o.status)],
    ['客户', c.customer ? `${c.customer.name}${c.customer.contactName ? `（联系人 ${c.customer.contactName}）` : ''}` : o.customerName],
    ['业务模块', (o.modules as string[]).map(moduleName).join('、')],
    ['账号数', String(o.accounts)],
    ['开通日期', day(o.openingDate)],
    ['期限', `${o.termMonths} 个月`],
    ['金额', money(o.amount)],
    ['AP 供应商', o.apInvolved ? (c.apPartner?.name ?? o.apPartnerId) : '不涉及'],
    ['竣工期限', deadlineView(c)],
    ['订单版本', `第 ${o.version} 版`],
  ]);
}

export function roundsView(rounds: Row[]) {
  if (!rounds.length) return h('p', { class: 'muted' }, '尚未送审。');
  return h(
    'ol',
    { class: 'rounds' },
    rounds.map((r) =>
      h(
        'li',
        {},
        h('div', {}, `第 ${r.round} 轮（合同第 ${r.contractVersion} 版）：`, label(DECISION, r.status)),
        r.decisions.length
          ? h(
              'ul',
              {},
              r.decisions.map((d: Row) =>
                h(
                  'li',
                  {},
                  `${label(STEP, d.step)} · ${label(DECISION, d.decision)} · ${d.reviewer} · ${dateTime(d.decidedAt)}`,
                  d.opinion ? h('blockquote', {}, d.opinion) : null,
                ),
              ),
            )
          : h('p', { class: 'muted' }, '待审核'),
      ),
    ),
  );
}

export function contractView(ct: Row) {
  return h(
    'section',
    { class: 'contract' },
    h(
      'h3',
      {},
      `${label(CONTRACT_TYPE, ct.type)}${ct.kind === 'SUPPLEMENT' ? `（${label(CONTRACT_KIND, ct.kind)}）` : ''} ${ct.contractNo}`,
    ),
    facts([
      ['名称', ct.title],
      ['金额', money(ct.amount)],
      ['期限', ct.termMonths ? `${ct.termMonths} 个月` : '—'],
      ['状态', label(CONTRACT_STATUS, ct.status)],
      ['签订日期', day(ct.signedDate)],
      ['会签单', ct.countersignFormNo ?? '—'],
      ['版本', `第 ${ct.version} 版（共 ${ct.versions.length} 个版本）`],
    ]),
    ct.versions.length > 1
      ? h(
          'details',
          {},
          h('summary', {}, '版本记录'),
          h(
            'ol',
            {},
            ct.versions.map((v: Row) =>
              h('li', {}, `第 ${v.version} 版 · ${actor(v.actor)} · ${dateTime(v.at)} · ${reasonText(v.reason)}`),
            ),
          ),
        )
      : null,
    h('h4', {}, '会签意见'),
    roundsView(ct.rounds),
    ct.paymentBases?.length
      ? [
          h('h4', {}, '支付依据'),
          h(
            'ul',
            {},
            ct.paymentBases.map((b: Row) =>
              h(
                'li',
                {},
                `${b.paymentBasisNo} · ${money(b.amount)} · ${label(PAYMENT_BASIS_STATUS, b.status)}`,
                attachmentsView(b.attachments),
              ),
            ),
          ),
        ]
      : null,
  );
}

export function taskOrderView(t: Row) {
  return h(
    'section',
    {},
    h('h3', {}, `协作任务单 ${t.taskOrderNo}`),
    h(
      'ol',
      { class: 'events' },
      (t.events as Row[]).map((e) =>
        h(
          'li',
          {},
          `${label(TASK_ORDER_EVENT, e.kind)} · ${actor(e.actor)} · ${dateTime(e.at)}`,
          e.text ? h('blockquote', {}, e.text) : null,
        ),
      ),
    ),
  );
}

/** the compact case for the task page */
export function casePanel(c: Case) {
  return h(
    'aside',
    { class: 'case', 'aria-label': '案卷' },
    h('h2', {}, '案卷 ', h('a', { href: `#/orders/${c.order.id}` }, '打开完整案卷')),
    orderFacts(c),
    c.contracts.map(contractView),
    c.taskOrders.map(taskOrderView),
    c.communicationRecords.length
      ? [
          h('h3', {}, '客户沟通记录'),
          h(
            'ul',
            {},
            c.communicationRecords.map((r) => h('li', {}, `${r.recordNo} · ${r.customerFeedback ?? ''}`)),
          ),
        ]
      : null,
  );
}

/** a payment basis's attachment references (URLs as links), as the AP submitted them */
function attachmentsView(list: unknown) {
  const refs = Array.isArray(list) ? (list as string[]) : [];
  if (!refs.length) return null;
  return h(
    'ul',
    { class: 'attachments', 'aria-label': '附件引用' },
    refs.map((a) => h('li', {}, /^https?:\/\//.test(a) ? h('a', { href: a, target: '_blank', rel: 'noopener noreferrer' }, a) : a)),
  );
}
