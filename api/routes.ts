/**
 * THE route table: every route of /api, declared once, with its roles. app.ts wires it, openapi.ts
 * publishes it, and nothing else decides who may call what.
 */
import type { RouteSpec } from './route';
import { SESSION_ROUTES } from './session/routes';
import { ORDERS_ROUTES } from './orders/routes';
import { CHANGE_ORDERS_ROUTES } from './change-orders/routes';
import { CONTRACTS_ROUTES } from './contracts/routes';
import { COUNTERSIGN_ROUTES } from './countersign/routes';
import { COLLABORATION_TASK_ORDERS_ROUTES } from './collaboration-task-orders/routes';
import { PAYMENT_BASES_ROUTES } from './payment-bases/routes';
import { COMMUNICATION_RECORDS_ROUTES } from './communication-records/routes';
import { ACCOUNT_MONITORING_ROUTES } from './account-monitoring/routes';
import { SERVICE_REQUESTS_ROUTES } from './service-requests/routes';
import { WORKING_CALENDAR_ROUTES } from './working-calendar/routes';
import { RECORDS_ROUTES } from './records/routes';
import { INCIDENT_ROUTES } from './operations/incidents';
import { OPERATIONS_ROUTES } from './operations/routes';
import { TASK_ROUTES } from './tasks';
import { WORKBENCH_ROUTES } from './workbench/index';
import { NOTIFICATION_ROUTES } from './notifications/routes';
import { PORTAL_ROUTES } from './portal/routes';
import { CALENDAR_ADMIN_ROUTES } from './working-calendar/admin-routes';
import { REPORT_ROUTES } from './reports/routes';

export const ROUTES: RouteSpec[] = [
  ...SESSION_ROUTES,
  ...ORDERS_ROUTES,
  ...CHANGE_ORDERS_ROUTES,
  ...CONTRACTS_ROUTES,
  ...COUNTERSIGN_ROUTES,
  ...COLLABORATION_TASK_ORDERS_ROUTES,
  ...PAYMENT_BASES_ROUTES,
  ...COMMUNICATION_RECORDS_ROUTES,
  ...ACCOUNT_MONITORING_ROUTES,
  ...SERVICE_REQUESTS_ROUTES,
  ...WORKING_CALENDAR_ROUTES,
  ...RECORDS_ROUTES,

  // ---------------------------------------------------------------- tasks 待办任务 (api/tasks.ts, H7)
  ...TASK_ROUTES,

  // ---------------------------------------------------------------- incidents 故障修复 (api/operations/incidents.ts)
  ...INCIDENT_ROUTES,
  ...OPERATIONS_ROUTES,

  // ---------------------------------------------------------------- the workbench (api/workbench/)
  ...WORKBENCH_ROUTES,

  // ---------------------------------------------------------------- notifications 通知 (api/notifications/)
  ...NOTIFICATION_ROUTES,

  // ---------------------------------------------------------------- the AP partner portal AP 门户 (api/portal/)
  ...PORTAL_ROUTES,

  // ---------------------------------------------------------------- calendar admin 工作日历维护 (api/working-calendar/)
  ...CALENDAR_ADMIN_ROUTES,

  // ---------------------------------------------------------------- reports 管理概览 (api/reports/)
  ...REPORT_ROUTES,
];
