/**
 * What the calendar admin routes need beside ApiServices: the database (to firm provisional deadlines
 * after an upload), the business clock (the page's default year and the writes' time; tests pin it) and
 * the reminder setting the workers use (COMPLETION_REMINDER_WORKING_DAYS), so both compute the same figures.
 */
import type { DataSource } from 'typeorm';
import { ProblemError } from './problem';
import type { ApiServices } from './services';

export interface CalendarAdminServices {
  ds: DataSource;
  now: () => Date;
  reminderWorkingDays: number;
}
type WithCalendarAdmin = ApiServices & { calendarAdmin?: CalendarAdminServices };

export function createCalendarAdmin(ds: DataSource, opts: { now?: () => Date; reminderWorkingDays: number }): CalendarAdminServices {
  return { ds, now: opts.now ?? (() => new Date()), reminderWorkingDays: opts.reminderWorkingDays };
}

export function calendarAdminOf(services: ApiServices): CalendarAdminServices;
export function calendarAdminOf(services: ApiServices, opts: { optional: true }): CalendarAdminServices | undefined;
export function calendarAdminOf(services: ApiServices, opts: { optional?: boolean } = {}): CalendarAdminServices | undefined {
  const s = (services as WithCalendarAdmin).calendarAdmin;
  if (!s && opts.optional) return undefined;
  if (!s)
    throw new ProblemError(503, 'calendar-admin-unavailable', 'Service unavailable', 'the calendar admin services are not configured');
  return s;
}
