/**
 * 工作日历 for admins: a year's twelve months with holidays and adjusted working days, the upload of a
 * year's schedule (the document PUT /api/calendar/:year takes) with the server's validation errors on the
 * page, and the orders whose provisional completion deadlines the upload firmed up. The default year is
 * the business clock's (GET /api/business-clock), never the browser's.
 */
import { ApiProblem, get, post } from '../../api';
import { field, h } from '../../dom';
import { dateTime } from '../../format';
import { notice, page } from '../../shell';
import { yearGrid, type YearDoc } from './year-grid';

interface Firmed {
  kind: 'business-order' | 'change-order';
  id: string;
  orderNo: string;
  before: { completionDeadline: string; deadlineProvisional: boolean };
  after: { completionDeadline: string; deadlineProvisional: boolean };
}

const POINTER_TEXT: Record<string, string> = { holidays: '节假日', workdays: '调休上班日' };
/** `/workdays/0/date` → 调休上班日第 1 项 */
function where(pointer: string): string {
  const [, list, i] = pointer.split('/');
  if (list && POINTER_TEXT[list] && i !== undefined && /^\d+$/.test(i)) return `${POINTER_TEXT[list]}第 ${Number(i) + 1} 项`;
  return pointer || '文档';
}

function firmedTable(items: Firmed[]): HTMLElement {
  if (!items.length) return h('p', { class: 'empty' }, '没有订单的暂定竣工期限因此改变。');
  return h(
    'table',
    { class: 'list', 'aria-label': '已确定竣工期限的订单' },
    h('thead', {}, h('tr', {}, ['订单编号', '原暂定期限', '新期限', '状态'].map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      items.map((f) =>
        h(
          'tr',
          { 'data-order': f.orderNo },
          h('td', { 'data-label': '订单编号' }, f.kind === 'business-order' ? h('a', { href: `#/orders/${f.id}` }, f.orderNo) : f.orderNo),
          h('td', { 'data-label': '原暂定期限' }, dateTime(f.before.completionDeadline)),
          h('td', { 'data-label': '新期限' }, dateTime(f.after.completionDeadline)),
          h('td', { 'data-label': '状态' }, f.after.deadlineProvisional ? '仍为暂定' : '已确定'),
        ),
      ),
    ),
  );
}

export async function calendarPage(params: URLSearchParams, mayUpload: boolean) {
  const clock = await get<{ today: string; year: number }>('/business-clock');
  const year = /^\d{4}$/.test(params.get('year') ?? '') ? Number(params.get('year')) : clock.year;
  const doc = await get<YearDoc>(`/calendar/${year}`).catch((e: unknown) => {
    if (e instanceof ApiProblem && e.status === 404) return null;
    throw e;
  });
  const status = doc
    ? notice(`${year} 年：${doc.published ? '国务院公布的安排' : '草案（据此计算的期限仍为暂定）'}，${doc.holidays.length} 个节假日、${doc.workdays.length} 个调休上班日；${doc.updatedBy ?? ''} 于 ${dateTime(doc.updatedAt)} 更新。`)
    : notice(`${year} 年的节假日安排尚未上传：按周末计算，落在该年的竣工期限标记为暂定。`);
  const yearNav = h(
    'p',
    { class: 'year-nav' },
    h('a', { href: `#/calendar?year=${year - 1}` }, `‹ ${year - 1}`),
    ' ',
    h('strong', { 'data-testid': 'calendar-year' }, `${year} 年`),
    ' ',
    h('a', { href: `#/calendar?year=${year + 1}` }, `${year + 1} ›`),
  );
  page('工作日历', yearNav, status, yearGrid(year, doc, clock.today), mayUpload ? uploadForm(doc ? year + 1 : year) : null);
}

function uploadForm(suggested: number): HTMLElement {
  const text = h('textarea', { name: 'document', class: 'calendar-doc', spellcheck: false }) as HTMLTextAreaElement;
  text.value = JSON.stringify({ year: suggested, published: true, holidays: [{ date: `${suggested}-01-01`, name: '元旦' }], workdays: [], note: `${suggested} 年国务院办公厅通知` }, null, 2);
  const file = h('input', { type: 'file', accept: 'application/json,.json', onchange: async () => {
    const f = file.files?.[0];
    if (f) text.value = await f.text();
  } }) as HTMLInputElement;
  const out = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'calendar-upload', onsubmit: async (ev: Event) => {
      ev.preventDefault();
      out.replaceChildren();
      let body: unknown;
      try {
        body = JSON.parse(text.value);
      } catch (e) {
        out.append(notice(`文档不是有效的 JSON：${(e as Error).message}`, 'error'));
        return;
      }
      try {
        const r = await post<{ calendar: YearDoc; firmedOrders: Firmed[] }>('/calendar/uploads', body);
        out.append(notice(`${r.calendar.year} 年工作日历已上传。`, 'ok'), h('h3', {}, '据此确定竣工期限的订单'), firmedTable(r.firmedOrders));
      } catch (e) {
        if (!(e instanceof ApiProblem)) throw e;
        out.append(
          notice(`未能上传：${e.detail}`, 'error'),
          h('ul', { class: 'upload-errors' }, e.errors.map((fe) => h('li', { 'data-pointer': fe.pointer }, `${where(fe.pointer)}：${fe.detail}`))),
        );
      }
    } },
    h('h2', {}, '上传年度安排'),
    h('p', {}, '格式：{ year, published, holidays: [{ date, name }], workdays: [{ date, name }], note }；节假日为放假日期，调休上班日须为周末。'),
    field('从文件读取', file),
    field('年度安排（JSON）', text),
    h('button', { type: 'submit' }, '上传'),
    out,
  );
  return form;
}
