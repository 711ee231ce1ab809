/** The store of 账号监管 account monitoring and the monthly reports: the domain services behind its routes and the JSON of its schemas. */
import { In } from 'typeorm';
import { AccountUsageMonthlyEntity, RevenueContractEntity, type AccountMonitoringEntry, type MonthlyReport } from '../../db/entities/index';
import { iso, type StoreDeps } from '../store-kernel';
import * as monitoring from '../../domain/account-monitoring';
import * as monthly from '../../domain/monthly-report';
import type { AccountMonitoringStore, MonitoringEntryDto, MonthlyReportDto } from './port';

export function accountMonitoringStore({ ds, m, ctxOf, customersById }: StoreDeps): AccountMonitoringStore {
  async function monitoringDto(rows: AccountMonitoringEntry[]): Promise<MonitoringEntryDto[]> {
    const contractIds = [...new Set(rows.flatMap((r) => [r.revenueContractId, r.rootContractId]))];
    const contracts = contractIds.length
      ? await m.getRepository(RevenueContractEntity).find({ where: { id: In(contractIds) }, select: { id: true, contractNo: true } })
      : [];
    const nos = new Map(contracts.map((c) => [c.id, c.contractNo]));
    const roots = [...new Set(rows.map((r) => r.rootContractId))];
    const usage = roots.length
      ? await m.getRepository(AccountUsageMonthlyEntity).find({ where: { revenueContractId: In(roots) }, order: { month: 'ASC' } })
      : [];
    return rows.map((r) => ({
      id: r.id,
      revenueContractId: r.revenueContractId,
      revenueContractNo: nos.get(r.revenueContractId) ?? null,
      rootContractId: r.rootContractId,
      orderId: r.orderId,
      changeOrderId: r.changeOrderId,
      kind: r.kind,
      accounts: r.accounts,
      openingDate: r.openingDate,
      enteredBy: r.enteredBy,
      enteredAt: iso(r.enteredAt),
      usage: usage
        .filter((u) => u.revenueContractId === r.rootContractId)
        .map((u) => ({
          month: u.month,
          openedAccounts: u.openedAccounts,
          activeAccounts: u.activeAccounts,
          source: u.source,
          recordedAt: iso(u.updatedAt),
        })),
    }));
  }

  async function reportDto(r: MonthlyReport): Promise<MonthlyReportDto> {
    const cs = await customersById(r.rows.map((x) => x.customerId));
    return {
      id: r.id,
      month: r.month,
      version: r.version,
      status: r.status,
      rows: r.rows.map((x) => ({ ...x, customerName: cs.get(x.customerId)?.name ?? null })),
      totals: r.totals,
      note: r.note,
      generatedBy: r.generatedBy,
      generatedAt: iso(r.generatedAt),
      publishedBy: r.publishedBy,
      publishedAt: iso(r.publishedAt),
    };
  }

  return {
    // ---------------------------------------------------------------- account monitoring
    async listMonitoringEntries(f, page) {
      const res = await monitoring.listMonitoringEntries(ds, { revenueContractId: f.revenueContractId }, page);
      return { ...res, items: await monitoringDto(res.items) };
    },
    async getMonitoringEntry(id) {
      const e = await monitoring.getMonitoringEntry(ds, id);
      return e ? (await monitoringDto([e]))[0] : null;
    },
    async ingestUsage(actor, items) {
      return monitoring.ingestUsage(
        ds,
        items.map((i) => ({
          contractNo: i.revenueContractNo,
          month: i.month,
          openedAccounts: i.openedAccounts,
          activeAccounts: i.activeAccounts,
        })),
        { ...ctxOf(actor, 'usage figures from the training platform'), source: 'training-platform' },
      );
    },
    async getMonthlyReport(month) {
      const r = await monthly.getMonthlyReport(ds, month);
      return r ? reportDto(r) : null;
    },
    async listMonthlyReports(page) {
      const res = await monthly.listMonthlyReports(ds, page);
      return { ...res, items: await Promise.all(res.items.map(reportDto)) };
    },
  };
}
