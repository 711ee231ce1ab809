/** The store of 工作日历 the working-day calendar: the domain services behind its routes and the JSON of its schemas. */
import { addWorkingDaysDb, getCalendarYear, uploadCalendarYear } from '../../domain/calendar';
import { iso, type StoreDeps } from '../store-kernel';
import type { WorkingCalendarStore } from './port';

export function workingCalendarStore({ ds, ctxOf }: StoreDeps): WorkingCalendarStore {
  return {
    // ---------------------------------------------------------------- calendar
    async getCalendarYear(year) {
      const y = await getCalendarYear(ds, year);
      return y ? { ...y, updatedAt: iso(y.updatedAt) } : null;
    },
    async putCalendarYear(actor, year, doc) {
      const { created } = await uploadCalendarYear(ds, doc, ctxOf(actor, doc.note ?? 'calendar uploaded'));
      return { created, record: (await this.getCalendarYear(year))! };
    },
    async deadline(from, workingDays) {
      return addWorkingDaysDb(ds, from, workingDays);
    },
  };
}
