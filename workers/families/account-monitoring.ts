/**
 * account-monitoring.* — 账号监管 (§6.4). The rules live in domain/account-monitoring.ts and domain/monthly-report.ts; these handlers
 * pick the month or report from the job and run the domain service once per key.
 *
 *  register-accounts     after the revenue contract is signed: the INITIAL entry (accounts contracted,
 *                        opening date) — one per contract (unique index + key)
 *  apply-account-delta   after a supplementary agreement is signed: the DELTA entry — one per supplement
 *                        Both are the second completing listener of the signing task (issue #20: the
 *                        contract admin signs and enters the accounts in one step, §6.4), whose actor
 *                        enters the entry; on the service task of an older process version, the system
 *  generate-monthly-report  last month (Asia/Shanghai, relative to the job's time) per root contract:
 *                        contracted, opened, active, utilisation, over-quota. Idempotent per month
 *                        (key month); REGENERATE makes version n+1 and supersedes n (key: the reviewed report)
 *  publish-monthly-report   PUBLISHED with who/when (key report)
 *  escalate-late-report  notification to dept-manager (key report)
 */
import { applyAccountDelta as applyDelta, contractedAccounts, registerAccounts as register } from '../../domain/account-monitoring';
import {
  escalateLateReport as escalateLate,
  generateMonthlyReport as generateReport,
  getMonthlyReportById,
  monthlyReportOf,
  publishMonthlyReport as publishReport,
  reportDueAt,
  reportMonthOf,
} from '../../domain/monthly-report';
import { NotFoundError } from '../../domain/errors';
import { JOB, REPORT_REVIEW_DECISION } from '../../domain/vocabulary';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { recordOnce, systemOnce } from '../common';
import { isTaskListenerJob } from '../runtime/listener';
import type { JobView, Services } from '../runtime/job';
import type { EntityManager } from 'typeorm';
import type { WriteContext } from '../../domain/audit';
import type { Variables } from '../runtime/outcome';

/**
 * The entry is the signing task's person's on its listener's job (completedBy, else the task's assignee),
 * the system's on the service task of an older process version, as before.
 */
function entryOnce(job: JobView, services: Services, key: string, work: (em: EntityManager, ctx: WriteContext) => Promise<Variables>) {
  return isTaskListenerJob(job) ? recordOnce(job, services, key, work) : systemOnce(job, services, key, work);
}

export const registerAccounts = defineHandler({
  type: JOB.accountMonitoringRegisterAccounts,
  variables: S.obj({ revenueContractId: S.str }, { orderId: S.optStr, completedBy: S.optStr }),
  handle(job, services) {
    return entryOnce(job, services, `contract:${job.variables.revenueContractId}`, async (em, ctx) => {
      const entry = await register(em, job.variables.revenueContractId, ctx);
      return { accountMonitoringEntryId: entry.id };
    });
  },
});

export const applyAccountDelta = defineHandler({
  type: JOB.accountMonitoringApplyAccountDelta,
  variables: S.obj({ revenueContractId: S.str }, { changeOrderId: S.optStr, accountDelta: S.int, completedBy: S.optStr }),
  handle(job, services) {
    const v = job.variables;
    return entryOnce(job, services, `contract:${v.revenueContractId}`, async (em, ctx) => {
      const entry = await applyDelta(em, v.revenueContractId, ctx, v.accountDelta);
      return { accountMonitoringEntryId: entry.id, contractedAccounts: await contractedAccounts(em, entry.rootContractId) };
    });
  },
});

export const generateMonthlyReport = defineHandler({
  type: JOB.accountMonitoringGenerateMonthlyReport,
  variables: S.obj(
    {},
    { reportDecision: S.enumOf(REPORT_REVIEW_DECISION), reportId: S.optStr, reportMonth: S.optStr, reportNote: S.optStr },
  ),
  async handle(job, services) {
    const v = job.variables;
    const regenerate = v.reportDecision === 'REGENERATE' && !!v.reportId;
    let month: string;
    if (regenerate) {
      const previous = await getMonthlyReportById(services.dataSource, v.reportId!);
      if (!previous) throw new NotFoundError('monthly-report', v.reportId!);
      month = previous.month;
    } else {
      month = reportMonthOf(services.clock.now());
    }
    const key = regenerate ? `regenerate:${v.reportId}` : `month:${month}`;
    return systemOnce(
      job,
      services,
      key,
      async (em, ctx) => {
        const withInstance = { ...ctx, processInstanceKey: job.processInstanceKey };
        const report = regenerate ? await generateReport(em, month, withInstance) : await monthlyReportOf(em, month, withInstance);
        // the figures go to the review form (the reviewer decides on the report, not on its id)
        return {
          reportId: report.id,
          reportMonth: month,
          reportDueAt: reportDueAt(month),
          reportVersion: report.version,
          reportTotals: report.totals,
        };
      },
      regenerate ? (v.reportNote ?? null) : null,
    );
  },
});

export const publishMonthlyReport = defineHandler({
  type: JOB.accountMonitoringPublishMonthlyReport,
  variables: S.obj({ reportId: S.str }, { reportNote: S.optStr, completedBy: S.optStr }),
  handle(job, services) {
    const v = job.variables;
    return recordOnce(job, services, `report:${v.reportId}`, async (em, ctx) => {
      const r = await publishReport(em, v.reportId, v.reportNote ?? null, ctx);
      return { reportStatus: r.status };
    });
  },
});

export const escalateLateReport = defineHandler({
  type: JOB.accountMonitoringEscalateLateReport,
  variables: S.obj({ reportId: S.str }, { reportMonth: S.optStr, reportDueAt: S.optStr }),
  handle(job, services) {
    const v = job.variables;
    return systemOnce(job, services, `report:${v.reportId}`, async (em, ctx) => {
      await escalateLate(em, v.reportId, v.reportDueAt ?? null, ctx);
      return { reportEscalated: true };
    });
  },
});

export const ACCOUNT_MONITORING_HANDLERS = [
  registerAccounts,
  applyAccountDelta,
  generateMonthlyReport,
  publishMonthlyReport,
  escalateLateReport,
];
