/**
 * The year's schedule as the admin copies it from the State Council's notice: one entry per line, a date
 * or a range and its name —
 *
 *   2027-01-01 元旦
 *   2027-02-08 至 2027-02-14 春节        (also 2027-02-08~2027-02-14, 2027-02-08—2027-02-14)
 *   2027/2/7 春节调休                     (slashes and unpadded months and days too)
 *
 * A range becomes one entry per day. Each entry remembers its line, so a field error the server names by
 * pointer (`/holidays/3/date`) is shown on the line the admin wrote. No DOM here: tests import it.
 */
export interface DayEntry {
  date: string;
  name: string;
}
export interface Parsed {
  entries: DayEntry[];
  /** the 1-based line of each entry */
  lineOf: number[];
  /** lines that are not a date (or range) and a name, with why */
  errors: { line: number; detail: string }[];
}

const DATE = String.raw`(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?`;
const LINE = new RegExp(String.raw`^${DATE}(?:\s*(?:至|到|~|～|—|–|-{1,2})\s*${DATE})?\s+(.+)$`);

const iso = (y: string, m: string, d: string) => `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
function valid(date: string): boolean {
  const t = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === date;
}

export function parseSchedule(text: string): Parsed {
  const out: Parsed = { entries: [], lineOf: [], errors: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = LINE.exec(line);
    if (!m) {
      out.errors.push({ line: i + 1, detail: '应为“日期 名称”或“日期 至 日期 名称”，例如 2027-02-08 至 2027-02-14 春节' });
      return;
    }
    const from = iso(m[1], m[2], m[3]);
    const to = m[4] ? iso(m[4], m[5], m[6]) : from;
    const name = m[7].trim();
    for (const d of [from, to]) {
      if (!valid(d)) {
        out.errors.push({ line: i + 1, detail: `${d} 不是有效日期` });
        return;
      }
    }
    if (to < from) {
      out.errors.push({ line: i + 1, detail: `结束日期 ${to} 早于开始日期 ${from}` });
      return;
    }
    const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
    if (days > 31) {
      out.errors.push({ line: i + 1, detail: '一段假期不超过 31 天' });
      return;
    }
    for (let k = 0; k <= days; k++) {
      out.entries.push({ date: new Date(Date.parse(`${from}T00:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10), name });
      out.lineOf.push(i + 1);
    }
  });
  return out;
}

/** the lines of a year's entries, ranges of consecutive days with one name joined again */
export function scheduleText(entries: DayEntry[]): string {
  const lines: string[] = [];
  const sorted = [...entries].sort((a, b) => a.date.localeCompare(b.date));
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    const next = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    while (j + 1 < sorted.length && sorted[j + 1].name === sorted[i].name && sorted[j + 1].date === next(sorted[j].date)) j++;
    lines.push(j > i ? `${sorted[i].date} 至 ${sorted[j].date} ${sorted[i].name}` : `${sorted[i].date} ${sorted[i].name}`);
    i = j + 1;
  }
  return lines.join('\n');
}
