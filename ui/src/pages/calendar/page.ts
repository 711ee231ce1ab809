/**
 * 工作日历 for admins: a year's twelve months with holidays and adjusted working days, the upload of a
 * year's schedule pasted line by line from the State Council's notice (schedule-text.ts), with the
 * server's validation errors on the lines they came from, and the orders whose provisional completion deadlines the upload firmed up. The default year is
 * the business clock's (GET /api/business-clock), never the browser's.
 */
import { ApiProblem, get, post } from '../../api';
import { field, h } from '../../dom';
import { dateTime } from '../../format';
import { notice, page } from '../../shell';
import { parseSchedule, scheduleText } from './schedule-text';
import { yearGrid, type YearDoc } from './year-grid';

interface Firmed {
  kind: 'business-order' | 'change-order';
  id: string;
  orderNo: string;
  before: { completionDeadline: string; deadlineProvisional: boolean };
  after: { completionDeadline: string; deadlineProvisional: boolean };
}

const POINTER_TEXT: Record<string, string> = { holidays: '节假日', workdays: '调休上班日' };
/** a pointer the page cannot place on a line (`/year`, `/note`): said as the part of the document */
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
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['订单编号', '原暂定期限', '新期限', '状态'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
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
    ? notice(
        `${year} 年：${doc.published ? '国务院公布的安排' : '草案（据此计算的期限仍为暂定）'}，${doc.holidays.length} 个节假日、${doc.workdays.length} 个调休上班日；${doc.updatedBy ?? ''} 于 ${dateTime(doc.updatedAt)} 更新。`,
      )
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
  const year = h('input', { name: 'year', type: 'number', min: 2000, max: 2100, required: true, value: suggested }) as HTMLInputElement;
  const published = h('input', { name: 'published', type: 'checkbox', checked: true }) as HTMLInputElement;
  const holidays = h('textarea', {
    name: 'holidays',
    rows: 8,
    spellcheck: false,
    placeholder: `${suggested}-01-01 元旦\n${suggested}-02-08 至 ${suggested}-02-14 春节`,
  }) as HTMLTextAreaElement;
  const workdays = h('textarea', {
    name: 'workdays',
    rows: 4,
    spellcheck: false,
    placeholder: `${suggested}-02-07 春节调休`,
  }) as HTMLTextAreaElement;
  const note = h('input', {
    name: 'note',
    required: true,
    value: `${suggested} 年国务院办公厅通知`,
    autocomplete: 'off',
  }) as HTMLInputElement;
  // a document saved earlier (the JSON that PUT /api/calendar/:year takes) fills the fields
  const file = h('input', {
    type: 'file',
    accept: 'application/json,.json',
    onchange: async () => {
      const f = file.files?.[0];
      if (!f) return;
      try {
        const d = JSON.parse(await f.text()) as Partial<YearDoc>;
        if (d.year) year.value = String(d.year);
        published.checked = d.published !== false;
        holidays.value = scheduleText((d.holidays ?? []).map((x) => ({ date: x.date, name: x.name ?? '' })));
        workdays.value = scheduleText((d.workdays ?? []).map((x) => ({ date: x.date, name: x.name ?? '' })));
        if (d.note) note.value = d.note;
      } catch (e) {
        out.replaceChildren(notice(`文件不是有效的 JSON：${(e as Error).message}`, 'error'));
      }
    },
  }) as HTMLInputElement;
  const out = h('div', { 'aria-live': 'polite' });
  const lists = { holidays, workdays };
  const form = h(
    'form',
    {
      class: 'calendar-upload',
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        out.replaceChildren();
        for (const t of Object.values(lists)) t.removeAttribute('aria-invalid');
        const parsed = { holidays: parseSchedule(holidays.value), workdays: parseSchedule(workdays.value) };
        const bad = (['holidays', 'workdays'] as const).flatMap((k) => parsed[k].errors.map((e) => ({ k, ...e })));
        if (bad.length) {
          for (const b of bad) lists[b.k].setAttribute('aria-invalid', 'true');
          out.append(
            notice('有几行看不懂，尚未上传：', 'error'),
            h(
              'ul',
              { class: 'upload-errors' },
              bad.map((b) => h('li', { 'data-line': `${b.k}:${b.line}` }, `${POINTER_TEXT[b.k]}第 ${b.line} 行：${b.detail}`)),
            ),
          );
          return;
        }
        const body = {
          year: Number(year.value),
          published: published.checked,
          holidays: parsed.holidays.entries,
          workdays: parsed.workdays.entries,
          note: note.value.trim(),
        };
        try {
          const r = await post<{ calendar: YearDoc; firmedOrders: Firmed[] }>('/calendar/uploads', body);
          out.append(
            notice(`${r.calendar.year} 年工作日历已上传。`, 'ok'),
            h('h3', {}, '据此确定竣工期限的订单'),
            firmedTable(r.firmedOrders),
          );
        } catch (e) {
          if (!(e instanceof ApiProblem)) throw e;
          // the server names an entry by pointer (/workdays/0/date): shown on the line it came from
          const lineOf = (pointer: string): { list: 'holidays' | 'workdays'; line: number | undefined } | null => {
            const [, list, i] = pointer.split('/');
            return list === 'holidays' || list === 'workdays' ? { list, line: parsed[list].lineOf[Number(i)] } : null;
          };
          for (const fe of e.errors) {
            const at = lineOf(fe.pointer);
            if (at) lists[at.list].setAttribute('aria-invalid', 'true');
          }
          out.append(
            notice(`未能上传：${e.detail}`, 'error'),
            h(
              'ul',
              { class: 'upload-errors' },
              e.errors.map((fe) => {
                const at = lineOf(fe.pointer);
                return h(
                  'li',
                  { 'data-pointer': fe.pointer },
                  `${at?.line ? `${POINTER_TEXT[at.list]}第 ${at.line} 行` : where(fe.pointer)}：${fe.detail}`,
                );
              }),
            ),
          );
        }
      },
    },
    h('h2', {}, '上传年度安排'),
    h(
      'p',
      {},
      '照国务院办公厅的通知逐行填写：一行一个日期或一段日期，后跟名称，例如“2027-02-08 至 2027-02-14 春节”。节假日为放假日期，调休上班日须为周末。',
    ),
    field('年份', year),
    field('已由国务院公布', published, '未勾选为草案：据此计算的竣工期限仍为暂定'),
    field('节假日（放假日期）', holidays, '一行一项：日期 名称，或 日期 至 日期 名称'),
    field('调休上班日', workdays, '一行一项：日期 名称（须为周六或周日）'),
    field('说明', note, '安排的出处，例如通知的文号'),
    field('从文件读取（JSON，可选）', file),
    h('button', { type: 'submit' }, '上传'),
    out,
  );
  return form;
}
