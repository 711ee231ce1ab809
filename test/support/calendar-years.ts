/**
 * Calendar fixtures. The tests' literal dates count through the published schedules of 2025 and 2026 (as
 * seeded from the packaged `chinese-days` data) and, where a test needs "a year without a published
 * schedule", through 2027 made so in the test's database. Neither depends on the machine's date, and a
 * newer package that publishes 2027 does not change what these tests mean.
 */
import type { DataSource } from 'typeorm';
import { CalendarDayEntity, CalendarYearEntity } from '../../db/entities/index';
import { packagedCalendar } from '../../db/calendar-seed';
import { invalidateCalendarCache } from '../../domain/calendar';

/** years whose published schedule the tests' literal dates rely on */
export const SCHEDULED_YEARS = [2025, 2026] as const;
/** the year the tests count into as one without a published schedule (weekends only, provisional) */
export const UNSCHEDULED_YEAR = 2027;

/** Fails loudly if the packaged calendar no longer holds a year the tests' literal dates need. */
export function checkScheduledYears(): void {
  const { years, version } = packagedCalendar();
  for (const y of SCHEDULED_YEARS)
    if (!years.has(y))
      throw new Error(`the packaged calendar (chinese-days@${version}) has no schedule for ${y}, which the tests' dates rely on`);
}

/** Removes a year's schedule from the test database, so counting there is weekends only and provisional. */
export async function withoutSchedule(ds: DataSource, year: number = UNSCHEDULED_YEAR): Promise<void> {
  await ds.getRepository(CalendarDayEntity).delete({ year });
  await ds.getRepository(CalendarYearEntity).delete({ year });
  invalidateCalendarCache(ds);
}
