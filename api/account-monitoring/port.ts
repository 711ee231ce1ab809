/**
 * What the routes of 账号监管 account monitoring and the monthly reports ask of the store: this slice's part
 * of ApiStore (services.ts) and the JSON it answers, typed by the slice's schemas.
 */
import type { IngestResult } from '../../domain/account-monitoring';
import type { Page, PageOf } from '../../domain/paging';
import type { Actor } from '../auth';
import type { Static } from '../schema';
import type { MonitoringEntry, MonthlyReport, UsageIngestBody } from './schemas';

/** one usage figure of POST /account-monitoring/usage, as its schema says */
export type UsageIngestItem = Static<typeof UsageIngestBody>['items'][number];
/** an account monitoring entry with the monthly usage of its agreement */
export type MonitoringEntryDto = Static<typeof MonitoringEntry>;
/** a monthly report with its rows (customer names joined), as the MonthlyReport schema has it */
export type MonthlyReportDto = Static<typeof MonthlyReport>;

export interface AccountMonitoringStore {
  listMonitoringEntries(filter: { revenueContractId?: string }, page: Page): Promise<PageOf<MonitoringEntryDto>>;
  getMonitoringEntry(id: string): Promise<MonitoringEntryDto | null>;
  /** idempotent per contract and month: the same figures again change nothing */
  ingestUsage(actor: Actor, items: UsageIngestItem[]): Promise<IngestResult>;
  getMonthlyReport(month: string): Promise<MonthlyReportDto | null>;
  listMonthlyReports(page: Page): Promise<PageOf<MonthlyReportDto>>;
}
