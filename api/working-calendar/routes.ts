/** The routes of 工作日历 the working-day calendar, with the roles that may call each. */
import type { Principal } from '../auth';
import { badRequest } from '../problem';
import { Reply, route, found, type RouteSpec } from '../route';
import type { ApiServices } from '../services';
import type { CalendarYearInput } from './port';
import { ALL } from '../access';
import { uploadYear } from './upload';
import * as S from './schemas';

export const WORKING_CALENDAR_ROUTES: RouteSpec[] = [
  // ---------------------------------------------------------------- calendar 工作日历
  route<{}, { from: string; workingDays: number }>({
    id: 'computeDeadline',
    method: 'get',
    path: '/calendar/deadline',
    roles: ALL,
    tag: 'calendar',
    summary: { en: 'Deadline N working days after a date (PRC calendar, Asia/Shanghai)', zh: '按工作日计算期限' },
    query: S.DeadlineQuery,
    response: { status: 200, schema: S.Deadline },
    handler: async ({ services, query }) => services.store.deadline(query.from, query.workingDays),
  }),
  route<{ year: number }>({
    id: 'getCalendarYear',
    method: 'get',
    path: '/calendar/:year',
    roles: ALL,
    tag: 'calendar',
    summary: { en: "A year's holidays and adjusted working days", zh: '查看年度节假日与调休安排' },
    params: S.YearParams,
    response: { status: 200, schema: S.CalendarYear },
    handler: async ({ services, params }) =>
      found(await services.store.getCalendarYear(params.year), 'calendar year', String(params.year), '/year'),
  }),
  route<{ year: number }, {}, CalendarYearInput>({
    id: 'putCalendarYear',
    method: 'put',
    path: '/calendar/:year',
    roles: ['admin'],
    tag: 'calendar',
    summary: { en: "Replace a year's schedule (one validated document; a new version)", zh: '维护年度工作日历' },
    params: S.YearParams,
    body: S.CalendarYearBody,
    response: { status: 200, schema: S.CalendarYear, description: '201 when the year is new' },
    handler: async ({ services, principal, params, body }) => {
      if (body.year !== params.year)
        throw badRequest(`the document is for ${body.year}, the path for ${params.year}`, [
          { in: 'body', pointer: '/year', detail: 'must equal the year in the path' },
        ]);
      return saveCalendar(services, principal, body);
    },
  }),
  route<{}, {}, CalendarYearInput>({
    id: 'postCalendarYear',
    method: 'post',
    path: '/calendar',
    roles: ['admin'],
    tag: 'calendar',
    summary: { en: "Add (or replace) a year's schedule as one document", zh: '新增年度工作日历' },
    body: S.CalendarYearBody,
    response: { status: 201, schema: S.CalendarYear, description: '200 when the year existed' },
    handler: async ({ services, principal, body }) => saveCalendar(services, principal, body),
  }),
];

async function saveCalendar(services: ApiServices, principal: Principal, body: CalendarYearInput) {
  // checks, stores and firms the provisional deadlines the year changes (upload.ts)
  const res = await uploadYear(services, principal, body);
  return new Reply(res.created ? 201 : 200, res.record);
}
