import { AccountMonitoringEntryEntity, AccountUsageMonthlyEntity, MonthlyReportEntity } from './accounts';
import {
  CountersignDecisionEntity,
  CountersignFormEntity,
  CountersignRoundEntity,
  ExpenseContractEntity,
  RevenueContractEntity,
} from './contracts';
import {
  CollaborationTaskOrderEntity,
  CollaborationTaskOrderEventEntity,
  CustomerCommunicationRecordEntity,
  PaymentBasisCheckEntity,
  PaymentBasisEntity,
  ServiceRequestEntity,
} from './fulfilment';
import { BusinessOrderEntity, ChangeOrderEntity } from './orders';
import { ApPartnerEntity, AppUserEntity, CustomerEntity } from './parties';
import { IdempotencyRecordEntity } from './requests';
import {
  AuditLogEntity,
  CalendarDayEntity,
  CalendarYearEntity,
  DocumentSequenceEntity,
  NotificationEntity,
  ProcessCommandEntity,
  ProcessedJobEntity,
  RecordVersionEntity,
} from './system';

export * from './types';
export * from './columns';
export * from './parties';
export * from './orders';
export * from './contracts';
export * from './fulfilment';
export * from './accounts';
export * from './system';
export * from './requests';
export * from './notifications';
import { NotificationCursorEntity, NotificationDeliveryEntity } from './notifications';

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
  IdempotencyRecordEntity,
  NotificationDeliveryEntity,
  NotificationCursorEntity,
];
