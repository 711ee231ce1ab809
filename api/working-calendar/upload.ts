/**
 * One upload of a year: checked, stored (a new version, audited), then every open order whose
 * provisional completion deadline the year changes is computed again and its task re-armed
 * (domain/deadline-firming.ts). Used by PUT /calendar/:year, POST /calendar and POST /calendar/uploads.
 */
import { firmProvisionalDeadlines, type FirmedDeadline } from '../../domain/deadline-firming';
import type { Principal } from '../auth';
import { badRequest } from '../problem';
import { actorOf, type ApiServices } from '../services';
import { calendarFieldErrors } from './checks';
import { calendarAdminOf } from '../calendar-admin';
import type { CalendarYearDto, CalendarYearInput } from './port';

export async function uploadYear(
  services: ApiServices,
  principal: Principal,
  body: CalendarYearInput,
): Promise<{ created: boolean; record: CalendarYearDto; firmed: FirmedDeadline[] }> {
  const errors = calendarFieldErrors(body);
  if (errors.length) throw badRequest('the schedule is not consistent', errors);
  const admin = calendarAdminOf(services, { optional: true });
  const res = await services.store.putCalendarYear(actorOf(principal), body.year, body);
  // an app built without the calendar services (some API tests) stores the year and firms nothing
  if (!admin) return { ...res, firmed: [] };
  const firmed = await firmProvisionalDeadlines(admin.ds, admin.reminderWorkingDays, {
    actor: principal.username,
    reason: `calendar ${body.year} uploaded: the provisional deadline computed again`,
    at: admin.now(),
  });
  return { ...res, firmed };
}
