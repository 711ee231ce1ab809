/** The consistency rules of an uploaded year, each problem with the JSON pointer of its field (the page marks it). */
import type { FieldError } from '../problem';

export function calendarFieldErrors(body: { year: number; holidays: { date: string }[]; workdays: { date: string }[] }): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, string>();
  for (const [list, days] of [
    ['holidays', body.holidays],
    ['workdays', body.workdays],
  ] as const) {
    days.forEach(({ date }, i) => {
      const pointer = `/${list}/${i}/date`;
      if (!date.startsWith(`${body.year}-`)) errors.push({ in: 'body', pointer, detail: `${date} is not in ${body.year}` });
      if (seen.has(date)) errors.push({ in: 'body', pointer, detail: `${date} is also listed at ${seen.get(date)}` });
      seen.set(date, pointer);
      const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
      if (Number.isNaN(wd)) errors.push({ in: 'body', pointer, detail: `${date} is not a date` });
      else if (list === 'workdays' && wd !== 0 && wd !== 6)
        errors.push({ in: 'body', pointer, detail: `${date} is a weekday; adjusted working days are weekend days` });
    });
  }
  return errors;
}
