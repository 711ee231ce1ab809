/** The JSON Schemas of 工作日历 the working-day calendar: request bodies, queries, path parameters and responses. */
import { named, obj, str, text, int, bool, arrayOf, date } from '../schema';
import { at, record, integer } from '../common-schemas';

// ------------------------------------------------------------------ calendar 工作日历
export const YearParams = obj({ year: int(2000, 2099) }, ['year']);
const calendarDay = obj({ date: date(), name: text(100) }, ['date']);
export const CalendarYearBody = named(
  'CalendarYearDocument',
  obj(
    {
      year: int(2000, 2099),
      published: bool(),
      holidays: arrayOf(calendarDay, { maxItems: 60, description: '法定节假日: days off' }),
      workdays: arrayOf(calendarDay, { maxItems: 30, description: '调休: weekend days that are worked' }),
      note: text(2000, { description: 'where the schedule comes from / why it changes' }),
    },
    ['year', 'published', 'holidays', 'workdays', 'note'],
  ),
);
export const CalendarYear = named(
  'CalendarYear',
  obj(
    {
      year: integer(),
      published: bool(),
      holidays: arrayOf(obj({ date: str(), name: str() }, ['date'])),
      workdays: arrayOf(obj({ date: str(), name: str() }, ['date'])),
      note: str(),
      source: str(),
      updatedBy: str(),
      updatedAt: at(),
    },
    ['year', 'published', 'holidays', 'workdays', 'source', 'updatedBy', 'updatedAt'],
  ),
);
export const DeadlineQuery = obj({ from: date(), workingDays: int(0, 1000) }, ['from', 'workingDays']);
export const Deadline = record('Deadline', { date: str({ format: 'date' }), deadline: str(), provisional: bool() });
