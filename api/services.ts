/**
 * What the API needs from the rest of the system, injected into createApp. The routes only call these
 * ports; main.ts (and the tests) build them from db/ and domain/ (see store.ts).
 */
import type { Actor, Authenticator, Principal } from './auth';
import type { UserTaskPort } from './task-port';
import type { IncidentPort } from './incident-port';
import type { NotificationPort } from './notifications/port';
import type { IdempotencyClaim, IdempotentRequest } from '../domain/idempotency';
import type { OrdersStore } from './orders/port';
import type { ChangeOrdersStore } from './change-orders/port';
import type { ContractsStore } from './contracts/port';
import type { CountersignStore } from './countersign/port';
import type { CollaborationTaskOrdersStore } from './collaboration-task-orders/port';
import type { PaymentBasesStore } from './payment-bases/port';
import type { CommunicationRecordsStore } from './communication-records/port';
import type { AccountMonitoringStore } from './account-monitoring/port';
import type { ServiceRequestsStore } from './service-requests/port';
import type { WorkingCalendarStore } from './working-calendar/port';
import type { RecordsStore } from './records/port';

export type { Page, PageOf } from '../domain/paging';
export type { Actor } from './auth';
export type { RecordVersionDto } from './common-schemas';
// the records a slice reads of another one's (the workbench's case shows them all)
export type { CountersignRoundDto } from './countersign/port';

export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** Idempotency-Key storage (domain/idempotency.ts), bound to the database and the clock */
export interface IdempotencyPort {
  claim(req: IdempotentRequest): Promise<IdempotencyClaim>;
  complete(req: IdempotentRequest, status: number, body: unknown, headers: Record<string, string>): Promise<void>;
  release(req: IdempotentRequest): Promise<void>;
}

/**
 * The operations of the routes, one part per slice (its port.ts: the methods and the JSON of its
 * schemas). Each returns plain JSON-ready objects, null for "no such record", and throws ProblemError
 * (409 illegal transition, 400 business rule) for refusals.
 */
export interface ApiStore
  extends OrdersStore,
    ChangeOrdersStore,
    ContractsStore,
    CountersignStore,
    CollaborationTaskOrdersStore,
    PaymentBasesStore,
    CommunicationRecordsStore,
    AccountMonitoringStore,
    ServiceRequestsStore,
    WorkingCalendarStore,
    RecordsStore {
  idempotency: IdempotencyPort;
}

export interface ApiServices {
  auth: Authenticator;
  store: ApiStore;
  health: { ready(): Promise<HealthReport> };
  /** user tasks of the engine (api/tasks.ts); absent: the task routes answer 503 */
  tasks?: UserTaskPort;
  /** incidents and their repair (api/operations/incidents.ts); absent: those routes answer 503 */
  incidents?: IncidentPort;
  /** the in-app inbox (api/notifications/); absent: the notification routes answer 503 */
  notifications?: NotificationPort;
  /** error sink; defaults to console.error */
  logError?: (err: unknown, context: Record<string, unknown>) => void;
}

export const actorOf = (p: Principal): Actor => ({ username: p.username, roles: p.roles });
