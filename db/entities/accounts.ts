import { EntitySchema } from 'typeorm';
import { col } from './columns';
import type { AccountEntryKind, MonthlyReportStatus } from './types';

/**
 * Account monitoring 账号监管 (§6.4): one entry per revenue contract. The original agreement gives the
 * INITIAL entry (accounts contracted, opening date); each signed supplementary agreement gives a DELTA
 * entry. rootContractId = the original agreement, so contracted accounts = sum over the root.
 */
export interface AccountMonitoringEntry {
  id: string;
  revenueContractId: string;
  rootContractId: string;
  orderId: string;
  changeOrderId: string | null;
  kind: AccountEntryKind;
  /** INITIAL: accounts contracted; DELTA: change (+/-) */
  accounts: number;
  openingDate: string | null;
  enteredBy: string;
  enteredAt: Date;
}
export const AccountMonitoringEntryEntity = new EntitySchema<AccountMonitoringEntry>({
  name: 'AccountMonitoringEntry',
  tableName: 'account_monitoring_entry',
  columns: {
    id: col.uuidPk(),
    revenueContractId: col.uuid(),
    rootContractId: col.uuid(),
    orderId: col.uuid(),
    changeOrderId: col.uuid(true),
    kind: col.str(16),
    accounts: col.int(),
    openingDate: col.day(),
    enteredBy: col.actor(),
    enteredAt: col.at(),
  },
  indices: [
    { name: 'UQ_account_monitoring_contract', columns: ['revenueContractId'], unique: true },
    { name: 'IDX_account_monitoring_root', columns: ['rootContractId'] },
  ],
});

/** Monthly usage figures per (root) revenue contract and month, from the training platform. */
export interface AccountUsageMonthly {
  id: string;
  revenueContractId: string;
  /** YYYY-MM */
  month: string;
  openedAccounts: number;
  activeAccounts: number;
  source: string;
  recordedBy: string;
  recordedAt: Date;
  updatedAt: Date;
}
export const AccountUsageMonthlyEntity = new EntitySchema<AccountUsageMonthly>({
  name: 'AccountUsageMonthly',
  tableName: 'account_usage_monthly',
  columns: {
    id: col.uuidPk(),
    revenueContractId: col.uuid(),
    month: col.str(7),
    openedAccounts: col.int(),
    activeAccounts: col.int(),
    source: col.str(64),
    recordedBy: col.actor(),
    recordedAt: col.at(),
    updatedAt: col.at(),
  },
  indices: [{ name: 'UQ_account_usage_contract_month', columns: ['revenueContractId', 'month'], unique: true }],
});

export interface MonthlyReportRow {
  revenueContractId: string;
  contractNo: string;
  orderNo: string;
  customerId: string;
  contracted: number;
  opened: number | null;
  active: number | null;
  /** active / contracted, 0..1 (null without figures) */
  utilisation: number | null;
  /** opened beyond contracted */
  overQuota: number;
  missingFigures: boolean;
}
/** Monthly report 月度报表: per month, versioned (regenerate = new version), published once. */
export interface MonthlyReport {
  id: string;
  month: string;
  version: number;
  status: MonthlyReportStatus;
  rows: MonthlyReportRow[];
  totals: Record<string, number>;
  note: string | null;
  processInstanceKey: string | null;
  generatedBy: string;
  generatedAt: Date;
  publishedBy: string | null;
  publishedAt: Date | null;
}
export const MonthlyReportEntity = new EntitySchema<MonthlyReport>({
  name: 'MonthlyReport',
  tableName: 'monthly_report',
  columns: {
    id: col.uuidPk(),
    month: col.str(7),
    version: col.int(),
    status: col.str(16),
    rows: col.json(),
    totals: col.json(),
    note: col.text(),
    processInstanceKey: col.zeebeKey(),
    generatedBy: col.actor(),
    generatedAt: col.at(),
    publishedBy: col.actor(true),
    publishedAt: col.at(true),
  },
  indices: [
    { name: 'UQ_monthly_report_month_version', columns: ['month', 'version'], unique: true },
    { name: 'IDX_monthly_report_pik', columns: ['processInstanceKey'] },
  ],
});
