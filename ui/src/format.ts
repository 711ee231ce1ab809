/** Dates as people read them: 2026年10月8日 23:59, Asia/Shanghai. */
const TZ = 'Asia/Shanghai';
const dateFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, year: 'numeric', month: 'long', day: 'numeric' });
const timeFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hour12: false });

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${dateFmt.format(d)} ${timeFmt.format(d)}`;
}

/** a calendar date (YYYY-MM-DD) without a time zone shift */
export function day(s: string | null | undefined): string {
  if (!s) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : dateTime(s);
}

export const money = (n: unknown) =>
  typeof n === 'number' ? `¥${n.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}` : '—';

/** who did it, as people read it: a user by name, the system's own writes (`system:worker`, `system:seed`) as 系统自动 */
export const actor = (a: unknown) => (typeof a === 'string' && a.startsWith('system:') ? '系统自动' : String(a ?? '—'));
