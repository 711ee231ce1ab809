/**
 * account-monitoring.* — 账号监管 (§6.4). The rules live in domain/account-monitoring.ts; these handlers
 * pick the month or report from the job and run the domain service once per key.
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
import {
  applyAccountDelta as applyDelta,
  contractedAccounts,
  escalateLateReport as escalateLate,
  generateMonthlyReport as generateReport,
  getMonthlyReportById,
  monthlyReportOf,
  publishMonthlyReport as publishReport,
  registerAccounts as register,
  reportDueAt,
  reportMonthOf,
} from '../../domain/account-monitoring.js';
import { NotFoundError } from '../../domain/errors.js';
import { JOB, REPORT_REVIEW_DECISION } from '../../domain/vocabulary';
import { complete } from '../runtime/outcome';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { checked, once, storedResult } from '../runtime/once';
import { actorOf, SYSTEM_ACTOR, writeContext } from '../common';

export const registerAccounts = defineHandler<{ revenueContractId: string; orderId?: string }>({
  type: JOB.accountMonitoringRegisterAccounts,
  variables: S.obj({ revenueContractId: S.str }, { orderId: S.optStr }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const result = await once(dataSource, job.type, `contract:${job.variables.revenueContractId}`, now, async (em) => {
      const entry = await register(em, job.variables.revenueContractId, writeContext(job, now, SYSTEM_ACTOR));
      return { accountMonitoringEntryId: entry.id };
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
      const entry = await applyDelta(em, v.revenueContractId, writeContext(job, now, SYSTEM_ACTOR), v.accountDelta);
      return { accountMonitoringEntryId: entry.id, contractedAccounts: await contractedAccounts(em, entry.rootContractId) };
    });
    return complete(result);
  },
});

export const generateMonthlyReport = defineHandler<{ reportDecision?: string; reportId?: string; reportMonth?: string; reportNote?: string | null }>({
  type: JOB.accountMonitoringGenerateMonthlyReport,
  variables: S.obj({}, { reportDecision: S.enumOf(REPORT_REVIEW_DECISION), reportId: S.optStr, reportMonth: S.optStr, reportNote: S.optStr }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const v = job.variables;
    const regenerate = v.reportDecision === 'REGENERATE' && !!v.reportId;
    let month: string;
    if (regenerate) {
      const previous = await getMonthlyReportById(dataSource, v.reportId!);
      if (!previous) throw new NotFoundError('monthly-report', v.reportId!);
      month = previous.month;
    } else {
      month = reportMonthOf(now);
    }
    const key = regenerate ? `regenerate:${v.reportId}` : `month:${month}`;
    const result = await once(dataSource, job.type, key, now, async (em) => {
      const ctx = { ...writeContext(job, now, SYSTEM_ACTOR, regenerate ? (v.reportNote ?? null) : null), processInstanceKey: job.processInstanceKey };
      const report = regenerate ? await generateReport(em, month, ctx) : await monthlyReportOf(em, month, ctx);
      return { reportId: report.id, reportMonth: month, reportDueAt: reportDueAt(month), reportVersion: report.version };
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
      const r = await publishReport(em, v.reportId, v.reportNote ?? null, writeContext(job, now, actor));
      return { reportStatus: r.status };
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
      await escalateLate(em, v.reportId, v.reportDueAt ?? null, writeContext(job, now, SYSTEM_ACTOR));
      return { reportEscalated: true };
    });
    return complete(result);
  },
});

export const ACCOUNT_MONITORING_HANDLERS = [registerAccounts, applyAccountDelta, generateMonthlyReport, publishMonthlyReport, escalateLateReport];
