/**
 * What the API needs from the rest of the system, injected into createApp. The routes only call these
 * ports; main.ts (and the tests) build them from db/ and domain/ (see store.ts).
 */
import type { Authenticator, Principal } from './auth';
import type { UserTaskPort } from './task-port';
import type { IncidentPort } from './incident-port';
import type { NotificationPort } from './notifications/port';

export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export type { Page, PageOf } from '../domain/paging';
import type { Page, PageOf } from '../domain/paging';
import type { IdempotencyClaim, IdempotentRequest } from '../domain/idempotency';

/** Who acts, and why (every write to a §9 record carries actor, time and reason). */
export interface Actor {
  username: string;
  roles: string[];
}

export type Row = Record<string, unknown>;

export interface OrderFilter {
  status?: string;
  customer?: string;
  customerManager?: string;
  from?: string;
  to?: string;
}

export interface RecordVersion {
  version: number;
  actor: string;
  at: string;
  reason: string;
  data: Row;
}

/** Idempotency-Key storage (domain/idempotency.ts), bound to the database and the clock */
export interface IdempotencyPort {
  claim(req: IdempotentRequest): Promise<IdempotencyClaim>;
  complete(req: IdempotentRequest, status: number, body: unknown, headers: Record<string, string>): Promise<void>;
  release(req: IdempotentRequest): Promise<void>;
}

/**
 * The operations of the routes. Each returns plain JSON-ready objects, null for "no such record",
 * and throws ProblemError (409 illegal transition, 400 business rule) for refusals.
 */
export interface ApiStore {
  idempotency: IdempotencyPort;

  createOrder(actor: Actor, input: Row): Promise<Row>;
  getOrder(id: string): Promise<Row | null>;
  listOrders(filter: OrderFilter, page: Page): Promise<PageOf<Row>>;
  cancelOrder(actor: Actor, id: string, reason: string): Promise<Row | null>;

  createChangeOrder(actor: Actor, input: Row): Promise<Row | null>;
  getChangeOrder(id: string): Promise<Row | null>;
  listChangeOrders(filter: { orderId?: string; status?: string }, page: Page): Promise<PageOf<Row>>;

  getContract(id: string): Promise<Row | null>;
  listContracts(filter: { type?: string; orderId?: string; apPartnerId?: string }, page: Page): Promise<PageOf<Row>>;
  contractVersions(id: string): Promise<RecordVersion[] | null>;

  getCountersignForm(id: string): Promise<Row | null>;
  listCountersignForms(filter: { contractId?: string; type?: string }, page: Page): Promise<PageOf<Row>>;
  /** every review round of the form's contract, rejected ones included */
  countersignHistory(id: string): Promise<Row[] | null>;

  getTaskOrder(id: string): Promise<Row | null>;
  listTaskOrders(filter: { orderId?: string; status?: string }, page: Page): Promise<PageOf<Row>>;

  /** AP submission: payment basis + outbox publish of ap-implementation-completed, one transaction; idempotent per submissionId. */
  submitPaymentBasis(actor: Actor, apPartnerId: string, input: Row): Promise<{ created: boolean; record: Row } | null>;
  getPaymentBasis(id: string): Promise<Row | null>;
  listPaymentBases(filter: { expenseContractId?: string; apPartnerId?: string }, page: Page): Promise<PageOf<Row>>;

  createCommunicationRecord(actor: Actor, input: Row): Promise<Row | null>;
  getCommunicationRecord(id: string): Promise<Row | null>;
  listCommunicationRecords(filter: { orderId?: string; serviceRequestId?: string }, page: Page): Promise<PageOf<Row>>;

  listMonitoringEntries(filter: { revenueContractId?: string }, page: Page): Promise<PageOf<Row>>;
  getMonitoringEntry(id: string): Promise<Row | null>;
  /** idempotent per contract and month: the same figures again change nothing */
  ingestUsage(actor: Actor, items: Row[]): Promise<{ inserted: number; updated: number; unchanged: number; unknownContracts: string[] }>;
  getMonthlyReport(month: string): Promise<Row | null>;
  listMonthlyReports(page: Page): Promise<PageOf<Row>>;

  createServiceRequest(actor: Actor, input: Row): Promise<Row | null>;
  getServiceRequest(id: string): Promise<Row | null>;
  listServiceRequests(filter: { type?: string; status?: string; orderId?: string }, page: Page): Promise<PageOf<Row>>;

  getCalendarYear(year: number): Promise<Row | null>;
  putCalendarYear(actor: Actor, year: number, doc: Row): Promise<{ created: boolean; record: Row }>;
  deadline(from: string, workingDays: number): Promise<{ date: string; deadline: string; provisional: boolean }>;

  /** separation of duties before a review task is completed: throws SeparationOfDutiesError (403) */
  assertMayReview(roundId: string, step: 'DEPT_MANAGER' | 'CENTER', username: string): Promise<void>;

  /** audit row of a repair through the API (api/operations/incidents.ts): the incident and the variables set */
  auditRepair(
    actor: Actor,
    reason: string,
    incident: { incidentKey: string; processInstanceKey: string; elementId: string; jobKey: string | null },
    variables: Row,
  ): Promise<void>;

  recordVersions(kind: string, id: string): Promise<RecordVersion[] | null>;
  correctRecord(actor: Actor, kind: string, id: string, reason: string, changes: Row): Promise<RecordVersion | null>;
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
