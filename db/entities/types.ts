/**
 * Stored value sets (VARCHAR columns, validated by the domain layer). Decisions, roles, contract types
 * and request types come from domain/vocabulary.ts; these are the record states the db layer owns.
 */
export const ORDER_STATUS = [
  'SUBMITTED',
  'CHANGE_REQUESTED',
  'CONFIRMED',
  'CONTRACT_SIGNED',
  'DELIVERED',
  'COMPLETED',
  'CANCELLED',
] as const;
export type OrderStatus = (typeof ORDER_STATUS)[number];

export const CONTRACT_KIND = ['AGREEMENT', 'SUPPLEMENT'] as const;
export type ContractKind = (typeof CONTRACT_KIND)[number];

export const REVENUE_CONTRACT_STATUS = ['DRAFT', 'COUNTERSIGNING', 'REJECTED', 'APPROVED', 'SIGNED'] as const;
export type RevenueContractStatus = (typeof REVENUE_CONTRACT_STATUS)[number];

export const EXPENSE_CONTRACT_STATUS = [
  'DRAFT',
  'COUNTERSIGNING',
  'REJECTED',
  'APPROVED',
  'IMPLEMENTATION_REQUESTED',
  'IMPLEMENTED',
  'PAYMENT_BASIS_ACCEPTED',
  // withdrawn when the order goes on without the AP (处理AP异常 → 不用AP继续, domain/ap-issues.ts)
  'WITHDRAWN',
] as const;
// (re-drafting after an AP issue writes a new version of the same expense contract, status back to DRAFT)
export type ExpenseContractStatus = (typeof EXPENSE_CONTRACT_STATUS)[number];

export const COUNTERSIGN_ROUND_STATUS = ['OPEN', 'APPROVED', 'REJECTED'] as const;
export type CountersignRoundStatus = (typeof COUNTERSIGN_ROUND_STATUS)[number];

export const TASK_ORDER_STATUS = ['ISSUED', 'REPLIED', 'ACCEPTED', 'SENT_BACK'] as const;
export type TaskOrderStatus = (typeof TASK_ORDER_STATUS)[number];
export const TASK_ORDER_EVENT = ['ISSUED', 'REPLY', 'ACCEPTED', 'SENT_BACK'] as const;
export type TaskOrderEventKind = (typeof TASK_ORDER_EVENT)[number];

export const PAYMENT_BASIS_STATUS = ['SUBMITTED', 'ACCEPTED', 'SENT_BACK'] as const;
export type PaymentBasisStatus = (typeof PAYMENT_BASIS_STATUS)[number];

export const COMMUNICATION_OCCASION = ['COMPLETION', 'FAULT', 'COMPLAINT', 'CONSULTATION', 'OTHER'] as const;
export type CommunicationOccasion = (typeof COMMUNICATION_OCCASION)[number];

export const ACCOUNT_ENTRY_KIND = ['INITIAL', 'DELTA'] as const;
export type AccountEntryKind = (typeof ACCOUNT_ENTRY_KIND)[number];

export const MONTHLY_REPORT_STATUS = ['DRAFT', 'PUBLISHED', 'SUPERSEDED'] as const;
export type MonthlyReportStatus = (typeof MONTHLY_REPORT_STATUS)[number];

export const SERVICE_REQUEST_STATUS = ['LOGGED', 'HANDLED', 'CLOSED'] as const;
export type ServiceRequestStatus = (typeof SERVICE_REQUEST_STATUS)[number];

export const AP_PARTNER_STATUS = ['ACTIVE', 'SUSPENDED'] as const;
export type ApPartnerStatus = (typeof AP_PARTNER_STATUS)[number];

export const CALENDAR_DAY_KIND = ['HOLIDAY', 'WORKDAY'] as const;
export type CalendarDayKind = (typeof CALENDAR_DAY_KIND)[number];

export const PROCESS_COMMAND_KIND = ['publish-message', 'create-process-instance', 'cancel-process-instance'] as const;
export type ProcessCommandKind = (typeof PROCESS_COMMAND_KIND)[number];

/** record_version.record_type: the §9 records and the contracts, versioned append-only. */
export const VERSIONED_RECORD = [
  'business-order',
  'change-order',
  'revenue-contract',
  'expense-contract',
  'countersign-form',
  'payment-basis',
  'customer-communication-record',
] as const;
export type VersionedRecordType = (typeof VERSIONED_RECORD)[number];
