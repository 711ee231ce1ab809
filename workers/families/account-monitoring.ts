/**
 * account-monitoring.* — 账号监管 (§6.4).
 *
 *  register-accounts     after the revenue contract is signed: the INITIAL entry (accounts contracted,
 *                        opening date) — one per contract (unique index + key)
 *  apply-account-delta   after a supplementary agreement is signed: the DELTA entry — one per supplement
 *  generate-monthly-report  last month (Asia/Shanghai, relative to the job's time) per root contract:
 *                        contracted, opened, active, utilisation, over-quota. Idempotent per month
 *                        (key month); REGENERATE makes version n+1 and supersedes n (key: the reviewed report)
 *  publish-monthly-report   PUBLISHED with who/when (key report)
 *  escalate-late-report  notification to dept-manager (key report)
 */
import { randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import {
  AccountMonitoringEntryEntity,
  AccountUsageMonthlyEntity,
  BusinessOrderEntity,
  ChangeOrderEntity,
  MonthlyReportEntity,
  RevenueContractEntity,
  type MonthlyReportRow,
  type RevenueContract,
} from '../../db/entities/index.js';
import { JOB, REPORT_REVIEW_DECISION } from '../../domain/vocabulary';
import { complete } from '../runtime/outcome';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { checked, once, storedResult } from '../runtime/once';
import { actorDetails, actorOf, audit, isoAt, missing, notify, PermanentError, previousMonth, shanghaiMonth, SYSTEM_ACTOR } from '../common';

async function contractOf(em: EntityManager, id: string): Promise<RevenueContract> {
  const c = await em.getRepository(RevenueContractEntity).findOneBy({ id });
  if (!c) missing('revenue contract', id);
  return c;
}

async function rootOf(em: EntityManager, c: RevenueContract): Promise<RevenueContract> {
  let cur = c;
  for (let i = 0; i < 20 && cur.parentContractId; i++) cur = await contractOf(em, cur.parentContractId);
  return cur;
}

export const registerAccounts = defineHandler<{ revenueContractId: string; orderId?: string }>({
  type: JOB.accountMonitoringRegisterAccounts,
  variables: S.obj({ revenueContractId: S.str }, { orderId: S.optStr }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const v = job.variables;
    const result = await once(dataSource, job.type, `contract:${v.revenueContractId}`, now, async (em) => {
      const c = await contractOf(em, v.revenueContractId);
      if (c.status !== 'SIGNED') throw new PermanentError(`revenue contract ${c.contractNo} is ${c.status}, not SIGNED`, 'accounts are entered after the contract is signed: check the process');
      const order = await em.getRepository(BusinessOrderEntity).findOneBy({ id: c.orderId });
      if (!order) missing('business order', c.orderId);
      const id = randomUUID();
      await em.getRepository(AccountMonitoringEntryEntity).insert({
        id,
        revenueContractId: c.id,
        rootContractId: c.id,
        orderId: order.id,
        changeOrderId: null,
        kind: 'INITIAL',
        accounts: order.accounts,
        openingDate: order.openingDate,
        enteredBy: SYSTEM_ACTOR,
        enteredAt: now,
      });
      await audit(em, now, { actor: SYSTEM_ACTOR, action: 'account-monitoring.register', entityType: 'account-monitoring-entry', entityId: id, details: { contractNo: c.contractNo, accounts: order.accounts, openingDate: order.openingDate } });
      return { accountMonitoringEntryId: id };
    });
    return complete(result);
  },
});

export const applyAccountDelta = defineHandler<{ revenueContractId: string; changeOrderId?: string; accountDelta?: number }>({
  type: JOB.accountMonitoringApplyAccountDelta,
  variables: S.obj({ revenueContractId: S.str }, { changeOrderId: S.optStr, accountDelta: S.int }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const v = job.variables;
    const result = await once(dataSource, job.type, `contract:${v.revenueContractId}`, now, async (em) => {
      const c = await contractOf(em, v.revenueContractId);
      if (c.kind !== 'SUPPLEMENT' || !c.changeOrderId) throw new PermanentError(`revenue contract ${c.contractNo} is not a supplementary agreement`, 'apply-account-delta runs on the signed supplement of a change order: check revenueContractId');
      if (c.status !== 'SIGNED') throw new PermanentError(`supplement ${c.contractNo} is ${c.status}, not SIGNED`, 'the account delta is applied after signing: check the process');
      const change = await em.getRepository(ChangeOrderEntity).findOneBy({ id: c.changeOrderId });
      if (!change) missing('change order', c.changeOrderId);
      // the change order is the record; a differing process variable is reported, the record wins
      const root = await rootOf(em, c);
      const id = randomUUID();
      await em.getRepository(AccountMonitoringEntryEntity).insert({
        id,
        revenueContractId: c.id,
        rootContractId: root.id,
        orderId: c.orderId,
        changeOrderId: change.id,
        kind: 'DELTA',
        accounts: change.accountDelta,
        openingDate: change.effectiveDate,
        enteredBy: SYSTEM_ACTOR,
        enteredAt: now,
      });
      const entries = await em.getRepository(AccountMonitoringEntryEntity).find({ where: { rootContractId: root.id } });
      const contracted = entries.reduce((s, e) => s + e.accounts, 0);
      await audit(em, now, {
        actor: SYSTEM_ACTOR,
        action: 'account-monitoring.delta',
        entityType: 'account-monitoring-entry',
        entityId: id,
        details: { contractNo: c.contractNo, rootContractNo: root.contractNo, delta: change.accountDelta, contracted, ...(v.accountDelta !== undefined && v.accountDelta !== change.accountDelta ? { variableDelta: v.accountDelta } : {}) },
      });
      return { accountMonitoringEntryId: id, contractedAccounts: contracted };
    });
    return complete(result);
  },
});

/** the last instant of a month 'YYYY-MM' is before the first of the next; days compare as strings */
function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${month}-${String(last).padStart(2, '0')}`;
}

async function buildRows(em: EntityManager, month: string): Promise<{ rows: MonthlyReportRow[]; totals: Record<string, number> }> {
  const end = monthEnd(month);
  const entries = await em.getRepository(AccountMonitoringEntryEntity).find();
  const byRoot = new Map<string, typeof entries>();
  for (const e of entries) {
    // an entry counts once its accounts are open (opening / effective date within or before the month)
    if (e.openingDate && e.openingDate > end) continue;
    byRoot.set(e.rootContractId, [...(byRoot.get(e.rootContractId) ?? []), e]);
  }
  const rootIds = [...byRoot.keys()].filter((id) => byRoot.get(id)!.some((e) => e.kind === 'INITIAL'));
  if (rootIds.length === 0) return { rows: [], totals: { contracts: 0, contracted: 0, opened: 0, active: 0, overQuota: 0, missingFigures: 0 } };
  const contracts = await em.getRepository(RevenueContractEntity).find({ where: { id: In(rootIds) } });
  const orders = await em.getRepository(BusinessOrderEntity).find({ where: { id: In(contracts.map((c) => c.orderId)) } });
  const usage = await em.getRepository(AccountUsageMonthlyEntity).find({ where: { month, revenueContractId: In(rootIds) } });
  const rows: MonthlyReportRow[] = contracts
    .map((c) => {
      const contracted = byRoot.get(c.id)!.reduce((s, e) => s + e.accounts, 0);
      const u = usage.find((x) => x.revenueContractId === c.id);
      const order = orders.find((o) => o.id === c.orderId);
      return {
        revenueContractId: c.id,
        contractNo: c.contractNo,
        orderNo: order?.orderNo ?? '',
        customerId: order?.customerId ?? '',
        contracted,
        opened: u ? u.openedAccounts : null,
        active: u ? u.activeAccounts : null,
        utilisation: u && contracted > 0 ? Math.round((u.activeAccounts / contracted) * 10_000) / 10_000 : null,
        overQuota: u ? Math.max(0, u.openedAccounts - contracted) : 0,
        missingFigures: !u,
      };
    })
    .sort((a, b) => a.contractNo.localeCompare(b.contractNo));
  const totals = {
    contracts: rows.length,
    contracted: rows.reduce((s, r) => s + r.contracted, 0),
    opened: rows.reduce((s, r) => s + (r.opened ?? 0), 0),
    active: rows.reduce((s, r) => s + (r.active ?? 0), 0),
    overQuota: rows.reduce((s, r) => s + r.overQuota, 0),
    missingFigures: rows.filter((r) => r.missingFigures).length,
  };
  return { rows, totals };
}

export const generateMonthlyReport = defineHandler<{ reportDecision?: string; reportId?: string; reportMonth?: string; reportNote?: string | null }>({
  type: JOB.accountMonitoringGenerateMonthlyReport,
  variables: S.obj({}, { reportDecision: S.enumOf(REPORT_REVIEW_DECISION), reportId: S.optStr, reportMonth: S.optStr, reportNote: S.optStr }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const v = job.variables;
    const regenerate = v.reportDecision === 'REGENERATE' && !!v.reportId;
    let month: string;
    if (regenerate) {
      const previous = await dataSource.getRepository(MonthlyReportEntity).findOneBy({ id: v.reportId! });
      if (!previous) missing('monthly report', v.reportId!);
      month = previous.month;
    } else {
      month = previousMonth(shanghaiMonth(now));
    }
    // due before the 5th: the 4th of the month after the report month, 23:59:59 Shanghai
    const [y, m] = month.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    const reportDueAt = isoAt(`${next}-04`, '23:59:59');
    const key = regenerate ? `regenerate:${v.reportId}` : `month:${month}`;
    const result = await once(dataSource, job.type, key, now, async (em) => {
      const reports = em.getRepository(MonthlyReportEntity);
      const existing = await reports.find({ where: { month }, order: { version: 'DESC' } });
      if (!regenerate && existing.length > 0) {
        // a second timer instance for the same month: hand out the current version, make nothing new
        return { reportId: existing[0].id, reportMonth: month, reportDueAt, reportVersion: existing[0].version };
      }
      const { rows, totals } = await buildRows(em, month);
      const version = (existing[0]?.version ?? 0) + 1;
      const id = randomUUID();
      for (const old of existing.filter((r) => r.status === 'DRAFT')) await reports.update({ id: old.id }, { status: 'SUPERSEDED' });
      await reports.insert({
        id,
        month,
        version,
        status: 'DRAFT',
        rows,
        totals,
        note: regenerate ? (v.reportNote ?? null) : null,
        processInstanceKey: job.processInstanceKey,
        generatedBy: SYSTEM_ACTOR,
        generatedAt: now,
        publishedBy: null,
        publishedAt: null,
      } as never);
      await audit(em, now, { actor: SYSTEM_ACTOR, action: regenerate ? 'monthly-report.regenerate' : 'monthly-report.generate', entityType: 'monthly-report', entityId: id, reason: regenerate ? (v.reportNote ?? null) : null, details: { month, version, contracts: rows.length } });
      return { reportId: id, reportMonth: month, reportDueAt, reportVersion: version };
    });
    return complete(result);
  },
});

export const publishMonthlyReport = defineHandler<{ reportId: string; reportNote?: string | null }>({
  type: JOB.accountMonitoringPublishMonthlyReport,
  variables: S.obj({ reportId: S.str }, { reportNote: S.optStr, completedBy: S.optStr }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const v = job.variables;
    const key = `report:${v.reportId}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const r = await em.getRepository(MonthlyReportEntity).findOneBy({ id: v.reportId });
      if (!r) missing('monthly report', v.reportId);
      if (r.status !== 'DRAFT') throw new PermanentError(`monthly report ${r.month} v${r.version} is ${r.status}`, 'only the current draft is published: check the process');
      await em.getRepository(MonthlyReportEntity).update({ id: r.id }, { status: 'PUBLISHED', publishedBy: actor.actor, publishedAt: now, note: v.reportNote ?? r.note });
      await notify(em, now, { dedupeKey: `monthly-report-published:${r.id}`, recipientRole: 'dept-manager', template: 'monthly-report-published', refs: { reportId: r.id, month: r.month, version: r.version } });
      await audit(em, now, { actor: actor.actor, action: 'monthly-report.publish', entityType: 'monthly-report', entityId: r.id, reason: v.reportNote ?? null, details: { month: r.month, version: r.version, jobKey: job.key, ...actorDetails(actor) } });
      return { reportStatus: 'PUBLISHED' };
    });
    return complete(result);
  },
});

export const escalateLateReport = defineHandler<{ reportId: string; reportMonth?: string; reportDueAt?: string }>({
  type: JOB.accountMonitoringEscalateLateReport,
  variables: S.obj({ reportId: S.str }, { reportMonth: S.optStr, reportDueAt: S.optStr }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const v = job.variables;
    const result = await once(dataSource, job.type, `report:${v.reportId}`, now, async (em) => {
      const r = await em.getRepository(MonthlyReportEntity).findOneBy({ id: v.reportId });
      if (!r) missing('monthly report', v.reportId);
      await notify(em, now, { dedupeKey: `monthly-report-late:${r.id}`, recipientRole: 'dept-manager', template: 'monthly-report-late', refs: { reportId: r.id, month: r.month, version: r.version, dueAt: v.reportDueAt ?? null } });
      await audit(em, now, { actor: SYSTEM_ACTOR, action: 'monthly-report.escalate-late', entityType: 'monthly-report', entityId: r.id, details: { month: r.month, dueAt: v.reportDueAt ?? null } });
      return { reportEscalated: true };
    });
    return complete(result);
  },
});

export const ACCOUNT_MONITORING_HANDLERS = [registerAccounts, applyAccountDelta, generateMonthlyReport, publishMonthlyReport, escalateLateReport];
