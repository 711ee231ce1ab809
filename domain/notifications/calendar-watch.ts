/**
 * "Next year's working-day calendar is missing" (people.md, admin): the State Council publishes each
 * year's holiday schedule in late autumn; from WATCH_FROM (1 November, Asia/Shanghai, on the business
 * clock) a year whose successor has no published schedule in calendar_year tells the admins, once per
 * year (dedupe key `calendar-next-year-missing:<year>`). Deadlines counted into that year are weekends
 * only and provisional until the admin loads it (PUT /api/calendar/<year>).
 */
import { CalendarYearEntity } from '../../db/entities/index';
import { inTransaction, type Db } from '../../db/transaction';
import { enqueueNotification } from '../outbox';
import { shanghaiDay } from '../time';

/** month and day (MM-DD, Shanghai) from which next year's schedule is expected */
export const WATCH_FROM = '11-01';
export const calendarDedupeKey = (year: number) => `calendar-next-year-missing:${year}`;

/** Checks at business time `now`; returns the year it told the admins about (first time only), else null. */
export async function checkNextYearCalendar(db: Db, now: Date): Promise<number | null> {
  const today = shanghaiDay(now);
  if (today.slice(5) < WATCH_FROM) return null;
  const next = Number(today.slice(0, 4)) + 1;
  const row = await db.getRepository(CalendarYearEntity).findOneBy({ year: next });
  if (row?.published) return null;
  const { created } = await inTransaction(db, (em) =>
    enqueueNotification(
      em,
      {
        dedupeKey: calendarDedupeKey(next),
        recipientRole: 'admin',
        template: 'calendar-next-year-missing',
        refs: { calendarYear: String(next), checkedOn: today },
      },
      now,
    ),
  );
  return created ? next : null;
}
