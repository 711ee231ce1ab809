/**
 * What the routes of 工作日历 the working-day calendar ask of the store: this slice's part of ApiStore
 * (services.ts) and the JSON it answers, typed by the slice's schemas.
 */
import type { WorkingDayResult } from '../../domain/calendar';
import type { Actor } from '../auth';
import type { Static } from '../schema';
import type { CalendarYear, CalendarYearBody } from './schemas';

/** one year's schedule as PUT /calendar/:year, POST /calendar and POST /calendar/uploads accept it */
export type CalendarYearInput = Static<typeof CalendarYearBody>;
/** a stored year's schedule, as the CalendarYear schema has it */
export type CalendarYearDto = Static<typeof CalendarYear>;

export interface WorkingCalendarStore {
  getCalendarYear(year: number): Promise<CalendarYearDto | null>;
  putCalendarYear(actor: Actor, year: number, doc: CalendarYearInput): Promise<{ created: boolean; record: CalendarYearDto }>;
  deadline(from: string, workingDays: number): Promise<WorkingDayResult>;
}
