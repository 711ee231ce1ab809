/**
 * PRC working-day calendar (domain.md "Working days").
 *
 * A day is a working day when it is stored as WORKDAY (an adjusted working day 调休 on a weekend), or
 * it is Monday–Friday and not stored as HOLIDAY (statutory holiday). Years the State Council has
 * published are seeded from the `chinese-days` package (db/calendar-seed.ts); an admin uploads further
 * years as one validated document (uploadCalendarYear). For a year without a published schedule the
 * weekends-only rule applies and every result touching it is `provisional`.
 *
 * Checked against the State Council notices (chinese-days 1.5.7 data agrees on every date below):
 * 2025 (国务院办公厅 notice of November 2024): 元旦 Jan 1; 春节 Jan 28–Feb 4, working Sun Jan 26 and Sat Feb 8;
 *   清明 Apr 4–6; 劳动节 May 1–5, working Sun Apr 27; 端午 May 31–Jun 2;
 *   国庆·中秋 Oct 1–8, working Sun Sep 28 and Sat Oct 11.
 * 2026 (国务院办公厅 notice of November 2025): 元旦 Jan 1–3, working Sun Jan 4; 春节 Feb 15–23, working Sat Feb 14 and
 *   Sat Feb 28; 清明 Apr 4–6; 劳动节 May 1–5, working Sat May 9; 端午 Jun 19–21; 中秋 Sep 25–27;
 *   国庆 Oct 1–7, working Sun Sep 20 and Sat Oct 10.
 * 2027 and later: not in the package (not published when it was built) → provisional until uploaded.
 * test/domain/calendar.test.ts asserts these facts against the seeded data.
 *
 * Counting (addWorkingDays): the start day does not count; the result is the Nth working day after
 * it; the deadline is that day at 23:59:59+08:00.
 */
import { createAjv, type ValidateFunction } from '../platform/validation';
import type { DataSource } from 'typeorm';
import { CalendarDayEntity, CalendarYearEntity, type CalendarDay, type CalendarYear } from '../db/entities/index';
import { dataSourceOf, inTransaction, type Db } from '../db/transaction';
import { findRow } from '../db/rows';
import { audit, ctxAt, type WriteContext } from './audit';
import { ValidationError } from './errors';
import { isValidDay, isoAt } from './time';

export type DayKind = 'HOLIDAY' | 'WORKDAY';

export interface WorkingDayResult {
  /** YYYY-MM-DD */
  date: string;
  /** date at 23:59:59+08:00 */
  deadline: string;
  /** some day examined lies in a year without a published schedule */
  provisional: boolean;
}

const DAY_MS = 86_400_000;
function toUtc(day: string): number {
  if (!isValidDay(day)) throw new ValidationError(`not a date (YYYY-MM-DD): ${String(day)}`);
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));
}
function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A loaded calendar: pure, synchronous queries. */
export class WorkingCalendar {
  private readonly overrides: Map<string, DayKind>;
  readonly publishedYears: ReadonlySet<number>;

  constructor(days: Iterable<{ date: string; kind: DayKind }>, publishedYears: Iterable<number>) {
    this.overrides = new Map([...days].map((d) => [d.date, d.kind]));
    this.publishedYears = new Set(publishedYears);
  }

  isPublished(year: number): boolean {
    return this.publishedYears.has(year);
  }

  isWorkingDay(day: string): boolean {
    const ms = toUtc(day);
    const o = this.overrides.get(day);
    if (o === 'WORKDAY') return true;
    if (o === 'HOLIDAY') return false;
    const wd = new Date(ms).getUTCDay();
    return wd !== 0 && wd !== 6;
  }

  /** the Nth working day after `from` (from itself does not count); n ≥ 1 (n = 0 answers `from`) */
  addWorkingDays(from: string, n: number): WorkingDayResult {
    if (!Number.isInteger(n) || n < 0) throw new ValidationError(`working days must be a non-negative integer: ${n}`);
    let ms = toUtc(from);
    let provisional = false;
    let left = n;
    while (left > 0) {
      ms += DAY_MS;
      const day = fromUtc(ms);
      if (!this.isPublished(Number(day.slice(0, 4)))) provisional = true;
      if (this.isWorkingDay(day)) left--;
    }
    const date = fromUtc(ms);
    return { date, deadline: isoAt(date, '23:59:59'), provisional };
  }

  /** the Nth working day before `from` (from itself does not count) */
  subtractWorkingDays(from: string, n: number): { date: string; provisional: boolean } {
    if (!Number.isInteger(n) || n < 0) throw new ValidationError(`working days must be a non-negative integer: ${n}`);
    let ms = toUtc(from);
    let provisional = !this.isPublished(Number(from.slice(0, 4)));
    let left = n;
    while (left > 0) {
      ms -= DAY_MS;
      const day = fromUtc(ms);
      if (!this.isPublished(Number(day.slice(0, 4)))) provisional = true;
      if (this.isWorkingDay(day)) left--;
    }
    return { date: fromUtc(ms), provisional };
  }

  /**
   * Completion deadline and its reminder: deadline = end of the Nth working day after `deliveredOn`;
   * reminder = 09:00+08:00 on the working day `reminderWorkingDays` working days before the deadline day
   * (never before the delivery day's next working day).
   */
  completionSchedule(deliveredOn: string, workingDays: number, reminderWorkingDays: number) {
    const due = this.addWorkingDays(deliveredOn, workingDays);
    const back = Math.min(reminderWorkingDays, Math.max(0, workingDays - 1));
    const reminder = this.subtractWorkingDays(due.date, back);
    return {
      completionDeadline: due.deadline,
      deadlineDate: due.date,
      completionReminderAt: isoAt(reminder.date, '09:00:00'),
      deadlineProvisional: due.provisional || reminder.provisional,
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// DB-backed loader with cache. Invalidated on upload in this process; other processes (api/workers)
// see an upload within CACHE_TTL_MS.
export const CACHE_TTL_MS = 60_000;
const cache = new WeakMap<DataSource, { at: number; calendar: Promise<WorkingCalendar> }>();

export function invalidateCalendarCache(db?: Db): void {
  if (db) cache.delete(dataSourceOf(db));
}

export async function loadCalendar(db: Db, opts: { fresh?: boolean } = {}): Promise<WorkingCalendar> {
  const ds = dataSourceOf(db);
  const hit = cache.get(ds);
  if (!opts.fresh && hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.calendar;
  const calendar = (async () => {
    const [days, years] = await Promise.all([ds.getRepository(CalendarDayEntity).find(), ds.getRepository(CalendarYearEntity).find()]);
    return new WorkingCalendar(
      days,
      years.filter((y) => y.published).map((y) => y.year),
    );
  })();
  cache.set(ds, { at: Date.now(), calendar });
  calendar.catch(() => cache.delete(ds));
  return calendar;
}

/** convenience: addWorkingDays over the DB calendar */
export async function addWorkingDaysDb(db: Db, from: string, n: number): Promise<WorkingDayResult> {
  return (await loadCalendar(db)).addWorkingDays(from, n);
}

// ---------------------------------------------------------------------------------------------------
// Admin upload of one year's schedule

export interface CalendarYearDocument {
  year: number;
  /** true: the State Council schedule (results are final); false: a draft (results stay provisional) */
  published: boolean;
  /** statutory holidays (days off), weekend days of a holiday period may be listed too */
  holidays: { date: string; name?: string }[];
  /** adjusted working days 调休: weekend days that are worked */
  workdays: { date: string; name?: string }[];
  note?: string;
}

export const calendarYearDocumentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['year', 'published', 'holidays', 'workdays'],
  properties: {
    year: { type: 'integer', minimum: 2000, maximum: 2100 },
    published: { type: 'boolean' },
    holidays: {
      type: 'array',
      maxItems: 60,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['date'],
        properties: { date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, name: { type: 'string', maxLength: 100 } },
      },
    },
    workdays: {
      type: 'array',
      maxItems: 30,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['date'],
        properties: { date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, name: { type: 'string', maxLength: 100 } },
      },
    },
    note: { type: 'string', maxLength: 2000 },
  },
} as const;

let validateDoc: ValidateFunction | undefined;

/** Validates shape and meaning; returns the problems (empty = valid). */
export function validateCalendarYearDocument(doc: unknown): string[] {
  validateDoc ??= createAjv().compile(calendarYearDocumentSchema);
  if (!validateDoc(doc)) return (validateDoc.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
  const d = doc as CalendarYearDocument;
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const [list, kind] of [
    [d.holidays, 'holidays'],
    [d.workdays, 'workdays'],
  ] as const) {
    for (const { date } of list) {
      if (!isValidDay(date)) problems.push(`${kind}: ${date} is not a date`);
      else if (Number(date.slice(0, 4)) !== d.year) problems.push(`${kind}: ${date} is not in ${d.year}`);
      if (seen.has(date)) problems.push(`${kind}: ${date} listed twice (also in ${seen.get(date)})`);
      seen.set(date, kind);
      if (kind === 'workdays' && isValidDay(date)) {
        const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
        if (wd !== 0 && wd !== 6) problems.push(`workdays: ${date} is a weekday; adjusted working days are weekend days`);
      }
    }
  }
  return problems;
}

/** Replaces one year's schedule atomically (audit: calendar-year.upload); invalidates the cache. */
export async function uploadCalendarYear(
  db: Db,
  doc: CalendarYearDocument,
  ctx: WriteContext,
): Promise<{ created: boolean; year: CalendarYear; days: CalendarDay[] }> {
  const problems = validateCalendarYearDocument(doc);
  if (problems.length) throw new ValidationError(`invalid calendar document: ${problems.join('; ')}`, { problems });
  const days: CalendarDay[] = [
    ...doc.holidays.map((h) => ({ date: h.date, year: doc.year, kind: 'HOLIDAY' as const, name: h.name ?? null })),
    ...doc.workdays.map((w) => ({ date: w.date, year: doc.year, kind: 'WORKDAY' as const, name: w.name ?? null })),
  ].sort((a, b) => a.date.localeCompare(b.date));
  const result = await inTransaction(db, async (em) => {
    const before = await findRow(em, CalendarYearEntity, { year: doc.year });
    const previousDays = await em.getRepository(CalendarDayEntity).count({ where: { year: doc.year } });
    await em.getRepository(CalendarDayEntity).delete({ year: doc.year });
    if (days.length) await em.getRepository(CalendarDayEntity).insert(days);
    const year: CalendarYear = {
      year: doc.year,
      published: doc.published,
      source: 'upload',
      note: doc.note ?? null,
      updatedBy: ctx.actor,
      updatedAt: ctxAt(ctx),
    };
    await em.getRepository(CalendarYearEntity).save(year);
    await audit(em, ctx, 'calendar-year.upload', 'calendar-year', String(doc.year), {
      published: doc.published,
      holidays: doc.holidays.length,
      workdays: doc.workdays.length,
      replaced: before ? { source: before.source, published: before.published, days: previousDays } : null,
    });
    return { created: !before, year, days };
  });
  invalidateCalendarCache(db);
  return result;
}

/** One year as the upload document (null when the year is unknown: weekends-only, provisional). */
export async function getCalendarYear(
  db: Db,
  year: number,
): Promise<(CalendarYearDocument & { source: string; updatedBy: string; updatedAt: Date }) | null> {
  const y = await findRow(db, CalendarYearEntity, { year });
  if (!y) return null;
  const days = await db.getRepository(CalendarDayEntity).find({ where: { year }, order: { date: 'ASC' } });
  const item = (d: CalendarDay) => (d.name ? { date: d.date, name: d.name } : { date: d.date });
  return {
    year,
    published: y.published,
    holidays: days.filter((d) => d.kind === 'HOLIDAY').map(item),
    workdays: days.filter((d) => d.kind === 'WORKDAY').map(item),
    ...(y.note ? { note: y.note } : {}),
    source: y.source,
    updatedBy: y.updatedBy,
    updatedAt: y.updatedAt,
  };
}

export async function listCalendarYears(db: Db): Promise<CalendarYear[]> {
  return db.getRepository(CalendarYearEntity).find({ order: { year: 'ASC' } });
}
