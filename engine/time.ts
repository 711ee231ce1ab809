// ISO-8601 durations, dates and cycles (R[n]/[start/]duration and 6-field cron) for timers.
import { CronExpressionParser } from 'cron-parser';

export interface Duration { years: number; months: number; weeks: number; days: number; hours: number; minutes: number; seconds: number; negative: boolean }

export function parseDuration(s: string): Duration | null {
  const m = /^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s.trim());
  if (!m || s.trim() === 'P' || s.trim().endsWith('T')) return null;
  const n = (i: number) => (m[i] ? Number(m[i]) : 0);
  return { negative: !!m[1], years: n(2), months: n(3), weeks: n(4), days: n(5), hours: n(6), minutes: n(7), seconds: n(8) };
}

/** Add a duration to an instant (UTC calendar arithmetic for years/months, like Java's Period on a UTC clock). */
export function addDuration(fromMs: number, d: Duration): number {
  const sign = d.negative ? -1 : 1;
  const dt = new Date(fromMs);
  if (d.years || d.months) dt.setUTCMonth(dt.getUTCMonth() + sign * (d.years * 12 + d.months));
  let ms = dt.getTime();
  ms += sign * ((d.weeks * 7 + d.days) * 86400000 + d.hours * 3600000 + d.minutes * 60000 + d.seconds * 1000);
  return Math.round(ms);
}

/** The zone id if the runtime knows it (an IANA name such as Asia/Shanghai, or UTC); throws otherwise. */
export function checkTimeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new Error(`unknown time zone '${tz}': expected an IANA zone id such as Asia/Shanghai or UTC`);
  }
  return tz;
}

// one formatter per zone: building an Intl.DateTimeFormat costs far more than formatting with it
const formatters = new Map<string, Intl.DateTimeFormat>();
function zoneParts(t: number, tz: string): Record<string, string> {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(tz, f);
  }
  return Object.fromEntries(f.formatToParts(new Date(t)).filter((x) => x.type !== 'literal').map((x) => [x.type, x.value]));
}

/** The wall-clock date-time 'YYYY-MM-DDTHH:MM:SS' of an instant in a zone. */
export function localDateTime(t: number, tz: string): string {
  const p = zoneParts(t, tz);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

/** Offset (ms) of a time zone at an instant. */
function zoneOffset(t: number, tz: string): number {
  const parts = Object.fromEntries(Object.entries(zoneParts(t, tz)).map(([k, v]) => [k, Number(v)]));
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(t / 1000) * 1000;
}

export function parseDate(s: string): number | null {
  const zoned = /^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?)(?:@|\[)([A-Za-z_]+\/[A-Za-z_/+-]+)\]?$/.exec(s.trim());
  if (zoned) {
    // a FEEL date-time with a zone id (e.g. 2026-10-08T23:59:59@Asia/Shanghai)
    try {
      const guess = Date.parse(`${zoned[1]}Z`);
      if (Number.isNaN(guess)) return null;
      const off1 = zoneOffset(guess, zoned[2]);
      let t = guess - off1;
      const off2 = zoneOffset(t, zoned[2]);
      if (off2 !== off1) t = guess - off2;
      return t;
    } catch { return null; }
  }
  const v = s.trim().replace(/\[.*\]$/, '');
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(v)) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

export interface Cycle { repetitions: number; start?: number; duration?: Duration; cron?: string }

export function parseTimeCycle(s: string): Cycle | null {
  const v = s.trim();
  const m = /^R(\d*)\/(.+)$/.exec(v);
  if (m) {
    const parts = m[2].split('/');
    const repetitions = m[1] === '' ? -1 : Number(m[1]);
    if (parts.length === 1) {
      const d = parseDuration(parts[0]);
      return d ? { repetitions, duration: d } : null;
    }
    if (parts.length === 2) {
      const start = parseDate(parts[0]);
      const d = parseDuration(parts[1]);
      return start !== null && d ? { repetitions, start, duration: d } : null;
    }
    return null;
  }
  const fields = v.split(/\s+/);
  if (fields.length === 6) {
    try {
      CronExpressionParser.parse(v);
      return { repetitions: -1, cron: v };
    } catch {
      return null;
    }
  }
  return null;
}

/** Next due time of a cycle after `now`; `first` = whether this is the first occurrence. */
export function nextCycleDue(c: Cycle, nowMs: number, first: boolean, timeZone: string): number {
  if (c.cron) {
    // in the engine's declared zone, never the host's: "0 0 1 1 * *" is 01:00 on the 1st where the
    // business is, whatever TZ the machine runs with
    const it = CronExpressionParser.parse(c.cron, { currentDate: new Date(nowMs), tz: timeZone });
    return it.next().toDate().getTime();
  }
  if (first && c.start !== undefined && c.start > nowMs) return c.start;
  return addDuration(nowMs, c.duration!);
}
