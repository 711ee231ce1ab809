/**
 * The API's services, built in one place for both entries that serve it (the all-in-one system in
 * app/system.ts and the standalone API process in app/entry/api.ts): a port added here reaches both,
 * where two hand-written lists had drifted (the standalone API served the AP portal as 503).
 */
import type { DataSource } from 'typeorm';
import type { Authenticator } from '../api/auth';
import { createCalendarAdmin } from '../api/calendar-admin';
import type { createHealth } from '../api/health';
import { createNotificationPort } from '../api/notifications/port';
import { createIncidentPort } from '../api/operations/incidents';
import { createOperations } from '../api/operations/services';
import { createPortal } from '../api/portal/port';
import type { ApiServices } from '../api/services';
import { createStore } from '../api/store';
import type { UserTaskPort } from '../api/tasks';
import { createWorkbench } from '../api/workbench/index';
import type { Clock } from '../domain/clock';
import type { Config } from '../platform/config/index';

export interface ApiServiceDeps {
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'COMPLETION_REMINDER_WORKING_DAYS'>;
  auth: Authenticator;
  health: ReturnType<typeof createHealth>;
  tasks: UserTaskPort;
  logError: ApiServices['logError'];
  /** the orchestration cluster's REST API (Camunda 8.9 or the local engine) and its auth headers */
  restAddress: string;
  restHeaders?: () => Promise<Record<string, string>> | Record<string, string>;
  /** the business clock: every "now" of the API's writes and pages */
  clock: Clock;
}

export function buildApiServices(ds: DataSource, d: ApiServiceDeps): ApiServices {
  const now = () => d.clock.now();
  const headers = d.restHeaders ?? (() => ({}));
  return {
    auth: d.auth,
    store: createStore(ds, d.clock),
    health: d.health,
    tasks: d.tasks,
    incidents: createIncidentPort(d.restAddress, headers),
    workbench: createWorkbench(ds, d.restAddress, { headers, now }),
    operations: createOperations(ds, d.restAddress, { headers, clock: d.clock }),
    portal: createPortal(ds, d.clock),
    notifications: createNotificationPort(ds, { baseUrl: d.config.PUBLIC_BASE_URL, clock: d.clock }),
    calendarAdmin: createCalendarAdmin(ds, { now, reminderWorkingDays: d.config.COMPLETION_REMINDER_WORKING_DAYS }),
    logError: d.logError,
  } as ApiServices;
}
