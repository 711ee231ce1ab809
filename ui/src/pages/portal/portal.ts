/**
 * The AP partner portal AP 门户 (issue #19): what the signed-in partner's GET /api/portal/overview
 * returns: its implementation requests with what is due when (measured against the server's business
 * clock, never the browser's), its expense contracts, and each payment basis with its state and the
 * send-back reason; the submit/resubmit form where the API accepts one (canSubmit, the domain's rule).
 */
import { get } from '../../api';
import { facts, h } from '../../dom';
import { dateTime, day, money } from '../../format';
import { CONTRACT_KIND, CONTRACT_STATUS, PAYMENT_BASIS_STATUS, label, moduleName } from '../../labels';
import { notice, page } from '../../shell';
import type { PortalOverviewDto, PortalPaymentBasisDto, PortalRequestDto } from '../../../../api/portal/dto';
import { submitForm } from './submit-form';

type Basis = PortalPaymentBasisDto;
type Request = PortalRequestDto;
type Overview = PortalOverviewDto;

/** the API answers `{}` for a basis it listed but could not read again: shown as none */
const basisLine = (b: Basis | null) => (b ? `${b.paymentBasisNo} · ${label(PAYMENT_BASIS_STATUS, b.status)}` : '—');

function basisOf(r: Request): Basis | null {
  const b = r.paymentBasis;
  return b && typeof b.id === 'string' ? (b as Basis) : null;
}

const CHECK: Record<string, string> = { ACCEPTED: '通过', SENT_BACK: '退回' };
const DAY_MS = 86_400_000;

/** "due in N days" from the server's now; whole days, rounded up */
function dueText(r: Request, now: string): string {
  if (!r.dueAt) return '—';
  if (!r.canSubmit) return dateTime(r.dueAt);
  if (r.overdue) return `${dateTime(r.dueAt)}（已逾期）`;
  const days = Math.ceil((Date.parse(r.dueAt) - Date.parse(now)) / DAY_MS);
  return `${dateTime(r.dueAt)}（还剩 ${days} 天）`;
}

const reference = (a: string) => (/^https?:\/\//.test(a) ? h('a', { href: a, target: '_blank', rel: 'noopener noreferrer' }, a) : a);

function basisView(b: Basis): HTMLElement {
  return h(
    'div',
    { class: 'payment-basis', 'data-testid': 'payment-basis' },
    h('h4', {}, `支付依据 ${b.paymentBasisNo}`),
    facts([
      ['状态', h('span', { 'data-testid': 'payment-basis-status' }, label(PAYMENT_BASIS_STATUS, b.status))],
      ['版本', `第 ${b.version} 版`],
      ['申请金额', money(b.amount)],
      ['完成日期', day(b.completedOn)],
      ['实施说明', b.description ?? '—'],
      [
        '附件引用',
        b.attachments.length
          ? h(
              'ul',
              { 'data-testid': 'attachments' },
              b.attachments.map((a) => h('li', {}, reference(a))),
            )
          : '—',
      ],
      ['提交时间', dateTime(b.submittedAt)],
    ]),
    b.sendBack
      ? h(
          'div',
          { class: 'notice error', role: 'alert', 'data-testid': 'send-back-reason' },
          `已退回（第 ${b.sendBack.version} 版，${dateTime(b.sendBack.checkedAt)}）：${b.sendBack.opinion ?? '—'}`,
        )
      : null,
    b.checks.length
      ? h(
          'details',
          {},
          h('summary', {}, '核对记录'),
          h(
            'ol',
            {},
            b.checks.map((c) =>
              h(
                'li',
                {},
                `第 ${c.version} 版 · ${label(CHECK, c.decision)} · ${dateTime(c.checkedAt)}${c.opinion ? ` · ${c.opinion}` : ''}`,
              ),
            ),
          ),
        )
      : null,
  );
}

function requestView(r: Request, now: string, reload: () => void): HTMLElement {
  const basis = basisOf(r);
  return h(
    'section',
    { class: 'card', 'data-testid': 'implementation-request', 'data-contract-no': r.expenseContractNo },
    h('h3', {}, `${r.title}（${r.expenseContractNo}）`),
    facts([
      ['状态', h('span', { 'data-testid': 'request-status' }, label(CONTRACT_STATUS, r.status))],
      ['类型', label(CONTRACT_KIND, r.kind)],
      ['业务订单', r.changeOrderNo ? `${r.orderNo ?? '—'} · 变更单 ${r.changeOrderNo}` : (r.orderNo ?? '—')],
      ['客户', r.customer ?? '—'],
      ['服务模块', r.modules.map(moduleName).join('、') || '—'],
      ['账号数', r.accounts ?? '—'],
      ['开通日期', day(r.openingDate)],
      ['支出合同金额', money(r.expenseAmount)],
      ['请求时间', dateTime(r.requestedAt)],
      ['完成期限', h('span', { 'data-testid': 'due', class: r.overdue ? 'overdue' : undefined }, dueText(r, now))],
    ]),
    basis ? basisView(basis) : null,
    r.canSubmit ? submitForm({ ...r, paymentBasis: basis }, reload) : null,
  );
}

export async function portalPage(): Promise<void> {
  const o = await get<Overview>('/portal/overview');
  const reload = () => void portalPage();
  const requested = o.requests.filter((r) => r.requestedAt);
  page(
    `AP 门户 · ${o.partnerName}`,
    h('p', { 'data-testid': 'business-today' }, `业务日期：${day(o.today)}`),
    h('h2', {}, '实施请求'),
    requested.length
      ? h(
          'div',
          { class: 'requests' },
          requested.map((r) => requestView(r, o.now, reload)),
        )
      : notice('暂无实施请求。'),
    h('h2', {}, '支出合同'),
    o.requests.length
      ? h(
          'table',
          { 'data-testid': 'expense-contracts' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['合同编号', '名称', '类型', '状态', '金额', '支付依据'].map((t) => h('th', {}, t)),
            ),
          ),
          h(
            'tbody',
            {},
            o.requests.map((r) =>
              h(
                'tr',
                {},
                h('td', {}, r.expenseContractNo),
                h('td', {}, r.title),
                h('td', {}, label(CONTRACT_KIND, r.kind)),
                h('td', {}, label(CONTRACT_STATUS, r.status)),
                h('td', {}, money(r.expenseAmount)),
                h('td', {}, basisLine(basisOf(r))),
              ),
            ),
          ),
        )
      : notice('暂无支出合同。'),
  );
}
