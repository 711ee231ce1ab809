/**
 * The working-day calendar for admins (issue #19): the business clock the page takes its default year
 * from (never the browser's clock), and the upload that answers with the orders it firmed up.
 */
import { shanghaiDay, shanghaiYear } from '../../domain/time';
import type { Role } from '../../domain/vocabulary';
import { Reply, route, type RouteSpec } from '../route';
import { arrayOf, bool, enumOf, named, obj, str } from '../schema';
import { CalendarYear, CalendarYearBody } from './schemas';
import type { CalendarYearInput } from './port';
import { calendarAdminOf } from '../calendar-admin';
import { uploadYear } from './upload';

const STAFF: Role[] = ['customer-manager', 'dept-manager', 'center-reviewer', 'tech-dept', 'contract-admin', 'ops', 'admin', 'auditor'];

const BusinessClock = named(
  'BusinessClock',
  obj({ now: str({ format: 'date-time' }), today: str({ format: 'date' }), year: { type: 'integer' } }, ['now', 'today', 'year']),
);
const schedule = obj({ completionDeadline: str(), completionReminderAt: { type: ['string', 'null'] }, deadlineProvisional: bool() }, [
  'completionDeadline',
  'deadlineProvisional',
]);
const FirmedOrder = obj(
  { kind: enumOf(['business-order', 'change-order']), id: str(), orderNo: str(), before: schedule, after: schedule },
  ['kind', 'id', 'orderNo', 'before', 'after'],
);
const CalendarUpload = named(
  'CalendarUpload',
  obj({ calendar: CalendarYear, firmedOrders: arrayOf(FirmedOrder) }, ['calendar', 'firmedOrders']),
);

export const CALENDAR_ADMIN_ROUTES: RouteSpec[] = [
  route({
    id: 'getBusinessClock',
    method: 'get',
    path: '/business-clock',
    roles: [...STAFF, 'ap-partner'],
    tag: 'calendar',
    summary: {
      en: 'The business clock: now, today and this year in Asia/Shanghai (what pages count from)',
      zh: '业务时钟（上海时间的今天与年份）',
    },
    response: { status: 200, schema: BusinessClock },
    handler: async ({ services }) => {
      const now = calendarAdminOf(services).now();
      return { now: now.toISOString(), today: shanghaiDay(now), year: shanghaiYear(now) };
    },
  }),
  route<{}, {}, CalendarYearInput>({
    id: 'uploadCalendarYear',
    method: 'post',
    path: '/calendar/uploads',
    roles: ['admin'],
    tag: 'calendar',
    summary: {
      en: "Upload a year's schedule; open orders whose provisional completion deadline it changes are computed again and their timers re-armed",
      zh: '上传年度工作日历并确定暂定竣工期限',
    },
    body: CalendarYearBody,
    response: { status: 201, schema: CalendarUpload, description: '200 when the year existed' },
    handler: async ({ services, principal, body }) => {
      const res = await uploadYear(services, principal, body);
      return new Reply(res.created ? 201 : 200, { calendar: res.record, firmedOrders: res.firmed });
    },
  }),
];
