import { AccountMonitoringEntryEntity, AccountUsageMonthlyEntity, MonthlyReportEntity } from './accounts.js';
import {
  CountersignDecisionEntity,
  CountersignFormEntity,
  CountersignRoundEntity,
  ExpenseContractEntity,
  RevenueContractEntity,
} from './contracts.js';
import {
  CollaborationTaskOrderEntity,
  CollaborationTaskOrderEventEntity,
  CustomerCommunicationRecordEntity,
  PaymentBasisCheckEntity,
  PaymentBasisEntity,
  ServiceRequestEntity,
} from './fulfilment.js';
import { BusinessOrderEntity, ChangeOrderEntity } from './orders.js';
import { ApPartnerEntity, AppUserEntity, CustomerEntity } from './parties.js';
import {
  AuditLogEntity,
  CalendarDayEntity,
  CalendarYearEntity,
  DocumentSequenceEntity,
  NotificationEntity,
  ProcessCommandEntity,
  ProcessedJobEntity,
  RecordVersionEntity,
} from './system.js';
import { NotificationCursorEntity, NotificationDeliveryEntity } from './notifications.js';

export * from './types.js';
export * from './columns.js';
export * from './parties.js';
export * from './orders.js';
export * from './contracts.js';
export * from './fulfilment.js';
export * from './accounts.js';
export * from './system.js';
export * from './notifications.js';

export const ENTITIES = [
  CustomerEntity,
  ApPartnerEntity,
  AppUserEntity,
  BusinessOrderEntity,
  ChangeOrderEntity,
  RevenueContractEntity,
  ExpenseContractEntity,
  CountersignRoundEntity,
  CountersignDecisionEntity,
  CountersignFormEntity,
  CollaborationTaskOrderEntity,
  CollaborationTaskOrderEventEntity,
  PaymentBasisEntity,
  PaymentBasisCheckEntity,
  CustomerCommunicationRecordEntity,
  ServiceRequestEntity,
  AccountMonitoringEntryEntity,
  AccountUsageMonthlyEntity,
  MonthlyReportEntity,
  CalendarDayEntity,
  CalendarYearEntity,
  DocumentSequenceEntity,
  AuditLogEntity,
  RecordVersionEntity,
  ProcessCommandEntity,
  NotificationEntity,
  ProcessedJobEntity,
  NotificationDeliveryEntity,
  NotificationCursorEntity,
];
