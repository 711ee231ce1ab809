/** A year as twelve month grids (Monday first): statutory holidays, adjusted working days (调休) and weekends marked. */
import { h } from '../../dom';

export interface YearDoc {
  year: number;
  published: boolean;
  holidays: { date: string; name?: string }[];
  workdays: { date: string; name?: string }[];
  note?: string;
  source?: string;
  updatedBy?: string;
  updatedAt?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function yearGrid(year: number, doc: YearDoc | null, today: string): HTMLElement {
  const kind = new Map<string, { cls: string; name: string }>();
  for (const d of doc?.holidays ?? []) kind.set(d.date, { cls: 'holiday', name: d.name ?? '节假日' });
  for (const d of doc?.workdays ?? []) kind.set(d.date, { cls: 'adjusted', name: d.name ?? '调休上班' });
  const months = Array.from({ length: 12 }, (_, m) => {
    // calendar arithmetic on UTC dates: a day of the schedule, not an instant of the browser's clock
    const first = new Date(Date.UTC(year, m, 1));
    const days = new Date(Date.UTC(year, m + 1, 0)).getUTCDate();
    const lead = (first.getUTCDay() + 6) % 7;
    const cells: HTMLElement[] = Array.from({ length: lead }, () => h('td', {}));
    for (let d = 1; d <= days; d++) {
      const date = `${year}-${pad(m + 1)}-${pad(d)}`;
      const wd = (lead + d - 1) % 7;
      const k = kind.get(date);
      const cls = [k?.cls ?? (wd >= 5 ? 'weekend' : 'working'), date === today ? 'today' : ''].filter(Boolean).join(' ');
      cells.push(h('td', { class: cls, 'data-date': date, title: k ? `${date} ${k.name}` : date }, String(d)));
    }
    const rows: HTMLElement[] = [];
    for (let i = 0; i < cells.length; i += 7) rows.push(h('tr', {}, cells.slice(i, i + 7)));
    return h(
      'table',
      { class: 'month', 'aria-label': `${year}年${m + 1}月` },
      h('caption', {}, `${m + 1}月`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['一', '二', '三', '四', '五', '六', '日'].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h('tbody', {}, rows),
    );
  });
  return h(
    'div',
    {},
    h(
      'ul',
      { class: 'calendar-legend' },
      h('li', { class: 'holiday' }, '法定节假日'),
      h('li', { class: 'adjusted' }, '调休上班'),
      h('li', { class: 'weekend' }, '周末'),
    ),
    h('div', { class: 'year-grid' }, months),
  );
}
