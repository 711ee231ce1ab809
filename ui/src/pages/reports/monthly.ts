/**
 * 月度报表 (§6.4): the month's account-usage report as a table and as charts, its review state (with a
 * link to the review task where the reader may hold it: publishing is that task's form), the CSV as the
 * API gives it (UTF-8 with BOM) and a printable page (print CSS in reports.css).
 */
import { ApiProblem, get, qs, session } from '../../api';
import { h } from '../../dom';
import { dateTime } from '../../format';
import { notice, page } from '../../shell';
import { monthOverMonthChart, openedChart, utilisationChart, type ReportRow } from './charts';

interface Report {
  id: string;
  month: string;
  version: number;
  status: string;
  rows: ReportRow[];
  totals: Record<string, number>;
  note: string | null;
  generatedBy: string;
  generatedAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
}
const STATUS: Record<string, string> = { DRAFT: '待审核发布', PUBLISHED: '已发布', SUPERSEDED: '已被新版本取代' };
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

/** the CSV through fetch (the route needs the bearer token), saved under the name the API gives */
async function downloadCsv(month: string) {
  const res = await fetch(`/api/account-monitoring/reports/${month}/csv`, { headers: { authorization: `Bearer ${session.token ?? ''}` } });
  if (!res.ok) throw new Error(`CSV ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: `account-usage-${month}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function reviewTaskLink(month: string): Promise<HTMLElement | null> {
  const r = await get<{ items: { key: string; context: Record<string, unknown> }[] }>(
    `/tasks${qs({ elementId: 'review-monthly-report' })}`,
  ).catch(() => null);
  const t = r?.items.find((x) => x.context.reportMonth === month);
  return t ? h('a', { href: `#/tasks/${t.key}`, class: 'button', 'data-testid': 'review-task' }, '审核并发布（待办任务）') : null;
}

function table(rep: Report): HTMLElement {
  return h(
    'table',
    { class: 'list report-table', 'aria-label': `${rep.month} 月度报表` },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['合同编号', '客户', '合同账号数', '已开通', '活跃', '使用率', '超额', '缺数据'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rep.rows.map((r) =>
        h(
          'tr',
          { 'data-contract': r.contractNo },
          h('td', { 'data-label': '合同编号' }, r.contractNo),
          h('td', { 'data-label': '客户' }, r.customerName ?? '—'),
          h('td', { 'data-label': '合同账号数' }, String(r.contracted)),
          h('td', { 'data-label': '已开通' }, r.opened === null ? '—' : String(r.opened)),
          h('td', { 'data-label': '活跃' }, r.active === null ? '—' : String(r.active)),
          h('td', { 'data-label': '使用率' }, pct(r.utilisation)),
          h('td', { 'data-label': '超额' }, String(r.overQuota)),
          h('td', { 'data-label': '缺数据' }, r.missingFigures ? '是' : ''),
        ),
      ),
    ),
    h(
      'tfoot',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, '合计'),
        h('td', {}, `${rep.totals.contracts ?? 0} 份合同`),
        h('td', {}, String(rep.totals.contracted ?? 0)),
        h('td', {}, String(rep.totals.opened ?? 0)),
        h('td', {}, String(rep.totals.active ?? 0)),
        h('td', {}, rep.totals.contracted ? pct((rep.totals.active ?? 0) / rep.totals.contracted) : '—'),
        h('td', {}, String(rep.totals.overQuota ?? 0)),
        h('td', {}, String(rep.totals.missingFigures ?? 0)),
      ),
    ),
  );
}

export async function monthlyReportPage(params: URLSearchParams) {
  const list = await get<{ items: Report[] }>(`/account-monitoring/reports${qs({ limit: 24 })}`);
  const months = [...new Set(list.items.map((r) => r.month))].sort();
  const month = params.get('month') ?? months[months.length - 1];
  if (!month) return page('月度报表', notice('还没有月度报表：每月1日生成上月报表。'));
  const rep = await get<Report>(`/account-monitoring/reports/${month}`).catch((e: unknown) => {
    if (e instanceof ApiProblem && e.status === 404) return null;
    throw e;
  });
  if (!rep) return page('月度报表', notice(`${month} 没有月度报表。`, 'error'));
  const current = new Map<string, Report>();
  for (const r of list.items)
    if (r.status !== 'SUPERSEDED' && (!current.has(r.month) || current.get(r.month)!.version < r.version)) current.set(r.month, r);
  const series = [...current.values()]
    .sort((a, b) => a.month.localeCompare(b.month))
    .map((r) => ({ month: r.month, contracted: r.totals.contracted ?? 0, opened: r.totals.opened ?? 0, active: r.totals.active ?? 0 }));
  const picker = h(
    'select',
    {
      name: 'month',
      'aria-label': '月份',
      onchange: () => {
        location.hash = `#/reports/monthly${qs({ month: picker.value })}`;
      },
    },
    months.map((m) => h('option', { value: m, selected: m === month }, m)),
  );
  const state = h(
    'p',
    { class: `report-state ${rep.status.toLowerCase()}`, 'data-testid': 'report-state' },
    `${STATUS[rep.status] ?? rep.status}（第 ${rep.version} 版，${rep.generatedBy} 于 ${dateTime(rep.generatedAt)} 生成${rep.publishedAt ? `；${rep.publishedBy ?? ''} 于 ${dateTime(rep.publishedAt)} 发布` : ''}）`,
  );
  const msg = h('div', { 'aria-live': 'polite' });
  page(
    `${month} 账号月度报表`,
    h(
      'div',
      { class: 'report-tools no-print' },
      picker,
      ' ',
      h(
        'button',
        {
          type: 'button',
          onclick: () => downloadCsv(month).catch((e: Error) => msg.replaceChildren(notice(`下载失败：${e.message}`, 'error'))),
        },
        '下载 CSV',
      ),
      ' ',
      h('button', { type: 'button', onclick: () => window.print() }, '打印'),
      ' ',
      rep.status === 'DRAFT' ? await reviewTaskLink(month) : null,
    ),
    msg,
    state,
    rep.note ? h('p', {}, `说明：${rep.note}`) : null,
    table(rep),
    h('div', { class: 'report-charts' }, utilisationChart(rep.rows), openedChart(rep.rows), monthOverMonthChart(series)),
  );
}
