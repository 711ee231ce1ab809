/**
 * The monthly report 月度报表 of account monitoring 账号监管 (§6.4): per month, versioned (a regeneration
 * supersedes the draft), published once, escalated when its review is late. Its rows read the entries and
 * the usage figures that domain/account-monitoring.ts keeps.
 */
import { notifyMonthlyReportReady } from './notifications/events';
import {
  AccountMonitoringEntryEntity,
  AccountUsageMonthlyEntity,
  BusinessOrderEntity,
  MonthlyReportEntity,
  RevenueContractEntity,
  type MonthlyReport,
  type MonthlyReportRow,
} from '../db/entities/index';
import { inTransaction, insertRows, type Db } from '../db/transaction';
import { findRow, updateRows } from '../db/rows';
import { audit, ctxAt, requireActor, type WriteContext } from './audit';
import { NotFoundError, StateConflictError, ValidationError } from './errors';
import { enqueueNotification } from './outbox';
import { normalizePage, type Page, type PageOf } from './paging';
import { findForUpdate } from './records';
import { MONTH_RE, isoAt, previousMonth, shanghaiMonth } from './time';
import { newId } from './ids';

function lastDayOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** the month the report of an instant is about: the previous calendar month in Asia/Shanghai */
export function reportMonthOf(at: Date): string {
  return previousMonth(shanghaiMonth(at));
}

/** reportDueAt: the 4th of the month after `month`, 23:59:59+08:00 ("before the 5th") */
export function reportDueAt(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return isoAt(`${next}-04`, '23:59:59');
}

/**
 * account-monitoring.generate-monthly-report on the timer: the month's report; when the month has one
 * already (a second timer instance for the same month), that one is handed out and nothing is made.
 */
export async function monthlyReportOf(
  db: Db,
  month: string,
  ctx: WriteContext & { processInstanceKey?: string | null },
): Promise<MonthlyReport> {
  return inTransaction(db, async (em) => (await getMonthlyReport(em, month)) ?? generateMonthlyReport(em, month, ctx));
}

/**
 * account-monitoring.generate-monthly-report: a new version of the month's report (the previous draft
 * becomes SUPERSEDED); after the first, a regeneration with ctx.reason as its note. Rows: every agreement
 * opened by the month's last day; contracted = INITIAL + DELTAs effective by then; utilisation = active /
 * contracted; over-quota = opened beyond contracted. A published month is final (ConflictError).
 */
export async function generateMonthlyReport(
  db: Db,
  month: string,
  ctx: WriteContext & { processInstanceKey?: string | null },
): Promise<MonthlyReport> {
  requireActor(ctx);
  if (!MONTH_RE.test(month)) throw new ValidationError('month: YYYY-MM');
  const last = lastDayOfMonth(month);
  return inTransaction(db, async (em) => {
    const reports = await em.getRepository(MonthlyReportEntity).find({ where: { month }, order: { version: 'DESC' } });
    if (reports.some((r) => r.status === 'PUBLISHED')) throw new StateConflictError(`the report for ${month} is already published`);
    const entries = await em.getRepository(AccountMonitoringEntryEntity).find();
    const roots = entries.filter((e) => e.kind === 'INITIAL' && (!e.openingDate || e.openingDate <= last));
    const rows: MonthlyReportRow[] = [];
    for (const root of roots.sort((a, b) => a.revenueContractId.localeCompare(b.revenueContractId))) {
      const contract = await findRow(em, RevenueContractEntity, { id: root.revenueContractId });
      if (!contract) throw new NotFoundError('revenue-contract', root.revenueContractId);
      const order = await findRow(em, BusinessOrderEntity, { id: root.orderId });
      if (!order) throw new NotFoundError('business-order', root.orderId);
      const contracted = entries
        .filter((e) => e.rootContractId === root.revenueContractId && (e.kind === 'INITIAL' || !e.openingDate || e.openingDate <= last))
        .reduce((s, e) => s + e.accounts, 0);
      const usage = await findRow(em, AccountUsageMonthlyEntity, { revenueContractId: root.revenueContractId, month });
      rows.push({
        revenueContractId: contract.id,
        contractNo: contract.contractNo,
        orderNo: order.orderNo,
        customerId: order.customerId,
        contracted,
        opened: usage?.openedAccounts ?? null,
        active: usage?.activeAccounts ?? null,
        utilisation: usage && contracted > 0 ? Math.round((usage.activeAccounts / contracted) * 10_000) / 10_000 : null,
        overQuota: usage ? Math.max(0, usage.openedAccounts - contracted) : 0,
        missingFigures: !usage,
      });
    }
    rows.sort((a, b) => a.contractNo.localeCompare(b.contractNo));
    const totals = {
      contracts: rows.length,
      contracted: rows.reduce((s, r) => s + r.contracted, 0),
      opened: rows.reduce((s, r) => s + (r.opened ?? 0), 0),
      active: rows.reduce((s, r) => s + (r.active ?? 0), 0),
      overQuota: rows.reduce((s, r) => s + r.overQuota, 0),
      missingFigures: rows.filter((r) => r.missingFigures).length,
    };
    const at = ctxAt(ctx);
    for (const r of reports.filter((x) => x.status === 'DRAFT')) {
      await updateRows(em, MonthlyReportEntity, { id: r.id }, { status: 'SUPERSEDED' });
    }
    const report: MonthlyReport = {
      id: newId(),
      month,
      version: (reports[0]?.version ?? 0) + 1,
      status: 'DRAFT',
      rows,
      totals,
      note: reports.length ? (ctx.reason ?? null) : null,
      processInstanceKey: ctx.processInstanceKey ?? null,
      generatedBy: ctx.actor,
      generatedAt: at,
      publishedBy: null,
      publishedAt: null,
    };
    await insertRows(em, MonthlyReportEntity, [report]);
    await audit(em, ctx, report.version > 1 ? 'monthly-report.regenerate' : 'monthly-report.generate', 'monthly-report', report.id, {
      month,
      version: report.version,
      ...totals,
    });
    await notifyMonthlyReportReady(em, report, at);
    return report;
  });
}

/** account-monitoring.publish-monthly-report: DRAFT → PUBLISHED and the department manager told (a repeat returns it) */
export async function publishMonthlyReport(db: Db, reportId: string, note: string | null, ctx: WriteContext): Promise<MonthlyReport> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const r = await findForUpdate(em, MonthlyReportEntity, { id: reportId });
    if (!r) throw new NotFoundError('monthly-report', reportId);
    if (r.status === 'PUBLISHED') return r;
    if (r.status !== 'DRAFT')
      throw new StateConflictError(`report ${r.month} v${r.version} is ${r.status}: only the current draft is published`);
    const at = ctxAt(ctx);
    const patch = { status: 'PUBLISHED' as const, publishedBy: ctx.actor, publishedAt: at, note: note ?? r.note };
    await updateRows(em, MonthlyReportEntity, { id: r.id, status: 'DRAFT' }, patch);
    await enqueueNotification(
      em,
      {
        dedupeKey: `monthly-report-published:${r.id}`,
        recipientRole: 'dept-manager',
        template: 'monthly-report-published',
        refs: { reportId: r.id, month: r.month, version: r.version },
      },
      at,
    );
    await audit(em, { ...ctx, reason: ctx.reason ?? note }, 'monthly-report.publish', 'monthly-report', r.id, {
      month: r.month,
      version: r.version,
    });
    return { ...r, ...patch };
  });
}

/** account-monitoring.escalate-late-report: the review is late; the department manager is told once per report */
export async function escalateLateReport(db: Db, reportId: string, dueAt: string | null, ctx: WriteContext): Promise<MonthlyReport> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const r = await findRow(em, MonthlyReportEntity, { id: reportId });
    if (!r) throw new NotFoundError('monthly-report', reportId);
    const { created } = await enqueueNotification(
      em,
      {
        dedupeKey: `monthly-report-late:${r.id}`,
        recipientRole: 'dept-manager',
        template: 'monthly-report-late',
        refs: { reportId: r.id, month: r.month, version: r.version, dueAt },
      },
      ctxAt(ctx),
    );
    if (created) await audit(em, ctx, 'monthly-report.escalate-late', 'monthly-report', r.id, { month: r.month, dueAt });
    return r;
  });
}

/** the month's current report: the published one, else the latest version */
export async function getMonthlyReport(db: Db, month: string): Promise<MonthlyReport | null> {
  const all = await db.getRepository(MonthlyReportEntity).find({ where: { month }, order: { version: 'DESC' } });
  return all.find((r) => r.status === 'PUBLISHED') ?? all[0] ?? null;
}
export async function getMonthlyReportById(db: Db, id: string): Promise<MonthlyReport | null> {
  return findRow(db, MonthlyReportEntity, { id });
}
export async function listMonthlyReports(db: Db, page: Partial<Page> = {}): Promise<PageOf<MonthlyReport>> {
  const p = normalizePage(page);
  const [items, total] = await db
    .getRepository(MonthlyReportEntity)
    .findAndCount({ order: { month: 'DESC', version: 'DESC' }, take: p.limit, skip: p.offset });
  return { items, total, ...p };
}
