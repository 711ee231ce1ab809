/**
 * Account monitoring 账号监管 (§6.4): entries per revenue contract (accounts contracted, opening date;
 * deltas from signed supplements), monthly usage figures (idempotent per contract and month) and the
 * monthly report 月度报表 (per month, versioned, published once).
 */
import { notifyMonthlyReportReady } from './notifications/events';
import { In } from 'typeorm';
import {
  AccountMonitoringEntryEntity,
  AccountUsageMonthlyEntity,
  BusinessOrderEntity,
  ChangeOrderEntity,
  MonthlyReportEntity,
  RevenueContractEntity,
  type AccountMonitoringEntry,
  type AccountUsageMonthly,
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

/** account-monitoring.register-accounts: INITIAL entry of a signed agreement (a repeat returns it) */
export async function registerAccounts(db: Db, revenueContractId: string, ctx: WriteContext): Promise<AccountMonitoringEntry> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const existing = await findRow(em, AccountMonitoringEntryEntity, { revenueContractId });
    if (existing) return existing;
    const c = await findRow(em, RevenueContractEntity, { id: revenueContractId });
    if (!c) throw new NotFoundError('revenue-contract', revenueContractId);
    if (c.kind !== 'AGREEMENT') throw new ValidationError(`${c.contractNo} is a supplement: use applyAccountDelta`);
    if (c.status !== 'SIGNED')
      throw new StateConflictError(
        `revenue-contract ${c.contractNo} is ${c.status}, not SIGNED: accounts are entered after the contract is signed`,
      );
    const order = await findRow(em, BusinessOrderEntity, { id: c.orderId });
    if (!order) throw new NotFoundError('business-order', c.orderId);
    const entry: AccountMonitoringEntry = {
      id: newId(),
      revenueContractId: c.id,
      rootContractId: c.id,
      orderId: order.id,
      changeOrderId: null,
      kind: 'INITIAL',
      accounts: order.accounts,
      openingDate: order.openingDate,
      enteredBy: ctx.actor,
      enteredAt: ctxAt(ctx),
    };
    await insertRows(em, AccountMonitoringEntryEntity, [entry]);
    await audit(em, ctx, 'account-monitoring.register', 'account-monitoring-entry', entry.id, {
      contractNo: c.contractNo,
      accounts: entry.accounts,
      openingDate: entry.openingDate,
    });
    return entry;
  });
}

/**
 * account-monitoring.apply-account-delta: DELTA entry of a signed supplement (a repeat returns it). The
 * change order is the record: `expectedDelta` (what the process carries), when it differs, is only
 * reported on the audit row.
 */
export async function applyAccountDelta(
  db: Db,
  supplementContractId: string,
  ctx: WriteContext,
  expectedDelta?: number | null,
): Promise<AccountMonitoringEntry> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const existing = await findRow(em, AccountMonitoringEntryEntity, { revenueContractId: supplementContractId });
    if (existing) return existing;
    const c = await findRow(em, RevenueContractEntity, { id: supplementContractId });
    if (!c) throw new NotFoundError('revenue-contract', supplementContractId);
    if (c.kind !== 'SUPPLEMENT' || !c.parentContractId || !c.changeOrderId)
      throw new ValidationError(`${c.contractNo} is not a supplement`);
    if (c.status !== 'SIGNED')
      throw new StateConflictError(
        `revenue-contract ${c.contractNo} is ${c.status}, not SIGNED: the account delta is applied after signing`,
      );
    const co = await findRow(em, ChangeOrderEntity, { id: c.changeOrderId });
    if (!co) throw new NotFoundError('change-order', c.changeOrderId);
    const root = await findRow(em, AccountMonitoringEntryEntity, { revenueContractId: c.parentContractId });
    if (!root) throw new StateConflictError(`the agreement of ${c.contractNo} has no account monitoring entry`);
    const entry: AccountMonitoringEntry = {
      id: newId(),
      revenueContractId: c.id,
      rootContractId: root.rootContractId,
      orderId: c.orderId,
      changeOrderId: co.id,
      kind: 'DELTA',
      accounts: co.accountDelta,
      openingDate: co.effectiveDate,
      enteredBy: ctx.actor,
      enteredAt: ctxAt(ctx),
    };
    await insertRows(em, AccountMonitoringEntryEntity, [entry]);
    await audit(em, ctx, 'account-monitoring.delta', 'account-monitoring-entry', entry.id, {
      contractNo: c.contractNo,
      accountDelta: co.accountDelta,
      ...(expectedDelta !== undefined && expectedDelta !== null && expectedDelta !== co.accountDelta
        ? { variableDelta: expectedDelta }
        : {}),
    });
    return entry;
  });
}

/** accounts contracted under an agreement as of a day (INITIAL + DELTAs effective by then; null date = always) */
export async function contractedAccounts(db: Db, rootContractId: string, asOf?: string): Promise<number> {
  const entries = await db.getRepository(AccountMonitoringEntryEntity).findBy({ rootContractId });
  return entries
    .filter((e) => !asOf || e.kind === 'INITIAL' || !e.openingDate || e.openingDate <= asOf)
    .reduce((s, e) => s + e.accounts, 0);
}

export async function getMonitoringEntry(db: Db, id: string): Promise<AccountMonitoringEntry | null> {
  return findRow(db, AccountMonitoringEntryEntity, { id });
}
export async function listMonitoringEntries(
  db: Db,
  filter: { revenueContractId?: string; rootContractId?: string; orderId?: string } = {},
  page: Partial<Page> = {},
): Promise<PageOf<AccountMonitoringEntry>> {
  const p = normalizePage(page);
  const where: Record<string, unknown> = {};
  if (filter.revenueContractId) where.revenueContractId = filter.revenueContractId;
  if (filter.rootContractId) where.rootContractId = filter.rootContractId;
  if (filter.orderId) where.orderId = filter.orderId;
  const [items, total] = await db
    .getRepository(AccountMonitoringEntryEntity)
    .findAndCount({ where, order: { enteredAt: 'DESC', id: 'ASC' }, take: p.limit, skip: p.offset });
  return { items, total, ...p };
}

export interface UsageItem {
  /** the agreement (root revenue contract): id or number */
  revenueContractId?: string;
  contractNo?: string;
  month: string;
  openedAccounts: number;
  activeAccounts: number;
}
export interface IngestResult {
  inserted: number;
  updated: number;
  unchanged: number;
  unknownContracts: string[];
}

/**
 * Monthly usage figures from the training platform. Idempotent per contract and month: the same
 * figures again change nothing; different figures replace them (audited with the old values).
 * Unknown contracts are reported, not stored; invalid items fail the whole batch (nothing stored).
 */
export async function ingestUsage(db: Db, items: UsageItem[], ctx: WriteContext & { source?: string }): Promise<IngestResult> {
  requireActor(ctx);
  if (!Array.isArray(items) || items.length > 5000) throw new ValidationError('items: a list of at most 5000');
  items.forEach((it, i) => {
    if (!it || (!it.revenueContractId && !it.contractNo)) throw new ValidationError(`items[${i}]: revenueContractId or contractNo`);
    if (typeof it.month !== 'string' || !MONTH_RE.test(it.month)) throw new ValidationError(`items[${i}].month: YYYY-MM`);
    for (const k of ['openedAccounts', 'activeAccounts'] as const) {
      if (!Number.isInteger(it[k]) || it[k] < 0) throw new ValidationError(`items[${i}].${k}: a non-negative integer`);
    }
    if (it.activeAccounts > it.openedAccounts) throw new ValidationError(`items[${i}]: activeAccounts > openedAccounts`);
  });
  return inTransaction(db, async (em) => {
    const seen = new Set<string>(); // inside: a deadlock retry runs this closure again
    const result: IngestResult = { inserted: 0, updated: 0, unchanged: 0, unknownContracts: [] };
    const ids = [...new Set(items.map((i) => i.revenueContractId).filter((x): x is string => !!x))];
    const nos = [...new Set(items.map((i) => i.contractNo).filter((x): x is string => !!x))];
    const repo = em.getRepository(RevenueContractEntity);
    const contracts = [
      ...(ids.length ? await repo.findBy({ id: In(ids), kind: 'AGREEMENT' }) : []),
      ...(nos.length ? await repo.findBy({ contractNo: In(nos), kind: 'AGREEMENT' }) : []),
    ];
    const byId = new Map(contracts.map((c) => [c.id, c]));
    const byNo = new Map(contracts.map((c) => [c.contractNo, c]));
    const at = ctxAt(ctx);
    for (const it of items) {
      const c = it.revenueContractId ? byId.get(it.revenueContractId) : byNo.get(it.contractNo!);
      if (!c) {
        const ref = (it.revenueContractId ?? it.contractNo)!;
        if (!result.unknownContracts.includes(ref)) result.unknownContracts.push(ref);
        continue;
      }
      const key = `${c.id}:${it.month}`;
      if (seen.has(key)) throw new ValidationError(`contract ${c.contractNo} month ${it.month} listed twice`);
      seen.add(key);
      const usageRepo = em.getRepository(AccountUsageMonthlyEntity);
      const prev = await findForUpdate(em, AccountUsageMonthlyEntity, { revenueContractId: c.id, month: it.month });
      if (!prev) {
        const row: AccountUsageMonthly = {
          id: newId(),
          revenueContractId: c.id,
          month: it.month,
          openedAccounts: it.openedAccounts,
          activeAccounts: it.activeAccounts,
          source: ctx.source ?? 'api',
          recordedBy: ctx.actor,
          recordedAt: at,
          updatedAt: at,
        };
        await usageRepo.insert(row);
        result.inserted++;
      } else if (prev.openedAccounts === it.openedAccounts && prev.activeAccounts === it.activeAccounts) {
        result.unchanged++;
      } else {
        await usageRepo.update(
          { id: prev.id },
          {
            openedAccounts: it.openedAccounts,
            activeAccounts: it.activeAccounts,
            recordedBy: ctx.actor,
            updatedAt: at,
            source: ctx.source ?? prev.source,
          },
        );
        await audit(em, ctx, 'account-usage.replace', 'account-usage-monthly', prev.id, {
          contractNo: c.contractNo,
          month: it.month,
          before: { openedAccounts: prev.openedAccounts, activeAccounts: prev.activeAccounts },
          after: { openedAccounts: it.openedAccounts, activeAccounts: it.activeAccounts },
        });
        result.updated++;
      }
    }
    if (result.inserted || result.updated) {
      await audit(em, ctx, 'account-usage.ingest', 'account-usage-monthly', 'batch', { ...result, items: items.length });
    }
    return result;
  });
}

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
