/**
 * Account monitoring 账号监管 (§6.4): entries per revenue contract (accounts contracted, opening date;
 * deltas from signed supplements) and monthly usage figures (idempotent per contract and month). The
 * monthly report 月度报表 built from them is in monthly-report.ts.
 */
import { In } from 'typeorm';
import {
  AccountMonitoringEntryEntity,
  AccountUsageMonthlyEntity,
  BusinessOrderEntity,
  ChangeOrderEntity,
  RevenueContractEntity,
  type AccountMonitoringEntry,
  type AccountUsageMonthly,
} from '../db/entities/index';
import { inTransaction, insertRows, type Db } from '../db/transaction';
import { findRow } from '../db/rows';
import { audit, ctxAt, requireActor, type WriteContext } from './audit';
import { NotFoundError, StateConflictError, ValidationError } from './errors';
import { normalizePage, type Page, type PageOf } from './paging';
import { findForUpdate } from './records';
import { MONTH_RE } from './time';
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
