import { createRequire } from 'node:module';
import type { DataSource, EntityManager } from 'typeorm';
import { CalendarDayEntity, CalendarYearEntity, type CalendarDay } from './entities/index';
import { inTransaction } from './transaction';

const require_ = createRequire(__filename);

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
  inLieuDays: Record<string, string>;
}

/** `chinese-days` data grouped per year: statutory holidays and adjusted working days (调休). */
export function packagedCalendar(): { version: string; years: Map<number, CalendarDay[]> } {
  const data = require_('chinese-days/dist/chinese-days.json') as ChineseDaysData;
  const version = (require_('chinese-days/package.json') as { version: string }).version;
  const years = new Map<number, CalendarDay[]>();
  const add = (date: string, kind: CalendarDay['kind'], label: string) => {
    const year = Number(date.slice(0, 4));
    const [, zh] = label.split(',');
    const list = years.get(year) ?? [];
    list.push({ date, year, kind, name: zh ?? label });
    years.set(year, list);
  };
  for (const [d, label] of Object.entries(data.holidays)) add(d, 'HOLIDAY', label);
  for (const [d, label] of Object.entries(data.workdays)) add(d, 'WORKDAY', label);
  for (const list of years.values()) list.sort((a, b) => a.date.localeCompare(b.date));
  return { version, years };
}

/**
 * Seeds every year the package publishes that the database does not know yet (years an admin uploaded
 * are never overwritten). Idempotent; returns the years inserted.
 */
export async function seedCalendar(db: DataSource | EntityManager, now = new Date()): Promise<number[]> {
  const { version, years } = packagedCalendar();
  const manager = 'manager' in db && 'driver' in db ? (db as DataSource).manager : (db as EntityManager);
  const known = new Set((await manager.find(CalendarYearEntity, { select: { year: true } })).map((y) => y.year));
  const inserted: number[] = [];
  for (const [year, days] of [...years.entries()].sort((a, b) => a[0] - b[0])) {
    if (known.has(year)) continue;
    await inTransaction(db, async (em) => {
      await em.delete(CalendarDayEntity, { year });
      for (let i = 0; i < days.length; i += 100) await em.insert(CalendarDayEntity, days.slice(i, i + 100));
      await em.insert(CalendarYearEntity, {
        year,
        published: true,
        source: `chinese-days@${version}`,
        note: null,
        updatedBy: 'system:seed',
        updatedAt: now,
      });
    });
    inserted.push(year);
  }
  return inserted;
}
