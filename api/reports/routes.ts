/** The managers' overview (issue #19), measured against the business clock (tests pin it). */
import { managementOverview } from '../../domain/management-overview';
import type { Role } from '../../domain/vocabulary';
import { calendarAdminOf } from '../calendar-admin';
import { route, type RouteSpec } from '../route';

const MANAGERS: Role[] = ['customer-manager', 'dept-manager', 'center-reviewer', 'contract-admin', 'admin', 'auditor'];

export const REPORT_ROUTES: RouteSpec[] = [
  route({
    id: 'getManagementOverview',
    method: 'get',
    path: '/reports/overview',
    roles: MANAGERS,
    tag: 'reports',
    summary: {
      en: 'Orders by stage, completion deadlines due in the next 10 working days, overdue ones, countersign turnaround in working days',
      zh: '管理概览：订单阶段、10个工作日内到期、已逾期、会签周期',
    },
    response: { status: 200, schema: { type: 'object' } },
    // ds and the business clock come with the calendar services (api/calendar-admin.ts)
    handler: async ({ services }) => {
      const s = calendarAdminOf(services);
      return managementOverview(s.ds, s.now());
    },
  }),
];
