/**
 * ap-issue.* — the way out of 处理AP异常 (resolve-ap-issue, issue #20) the customer manager chose, written
 * down before the model's gateway 处理方式? routes it. The rules are domain/ap-issues.ts; this handler
 * maps the form's variables, runs the one service of the choice once per job and hands the model back
 * the AP (`apPartnerId`, which draft-expense-contract / draft-expense-supplement reads) and the business
 * order's `orderSummary` (revised when the order's AP changed). With `changeOrderId` (the change flow) the
 * choice applies to the change order and its supplementary agreement to the expense contract.
 *
 *  record-resolution  RETRY → retryAp, OTHER_PARTNER → switchApPartner (newApPartnerId; missing, unknown
 *                     or unavailable → BPMN error AP_PARTNER_UNAVAILABLE with the reason as apIssue, which
 *                     the model catches back to resolve-ap-issue), WITHOUT_AP → goOnWithoutAp, CANCEL →
 *                     cancelAfterApIssue; the 处理说明 is the reason of every write (key: job key, the AP
 *                     issue loop makes new jobs)
 */
import { BusinessOrderEntity } from '../../db/entities/index';
import {
  availablePartnerOptions,
  cancelAfterApIssue,
  goOnWithoutAp,
  retryAp,
  switchApPartner,
  type ApIssueOutcome,
} from '../../domain/ap-issues';
import type { WriteContext } from '../../domain/audit';
import type { OrderKind } from '../../domain/order-lifecycle';
import { ApPartnerUnavailableError } from '../../domain/errors';
import { readOrderSummary } from '../../domain/order-summary';
import { AP_ISSUE_RESOLUTION, AP_ISSUE_RESOLUTION_LABEL, BPMN_ERROR, JOB, type ApIssueResolution } from '../../domain/vocabulary';
import type { Db } from '../../db/transaction';
import { bpmnError } from '../runtime/outcome';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { recordOnce } from '../common';

type Resolve = (db: Db, id: string, newApPartnerId: string, ctx: WriteContext, kind: OrderKind) => Promise<ApIssueOutcome>;
const RESOLVE: Record<ApIssueResolution, Resolve> = {
  RETRY: (db, id, _p, ctx, kind) => retryAp(db, id, ctx, kind),
  OTHER_PARTNER: switchApPartner,
  WITHOUT_AP: (db, id, _p, ctx, kind) => goOnWithoutAp(db, id, ctx, kind),
  CANCEL: (db, id, _p, ctx, kind) => cancelAfterApIssue(db, id, ctx, kind),
};

/** the form's 异常原因 when the task comes back because the new AP cannot take the order */
/** the partners the task can offer again: every available one but the order's current AP */
async function otherPartners(db: Db, orderId: string) {
  const order = await db.getRepository(BusinessOrderEntity).findOneBy({ id: orderId });
  return availablePartnerOptions(db, order?.apPartnerId);
}

const partnerIssue = (why: string) => `${AP_ISSUE_RESOLUTION_LABEL.OTHER_PARTNER}：${why}`;

export const recordResolution = defineHandler({
  type: JOB.apIssueRecordResolution,
  variables: S.obj(
    { orderId: S.str, apIssueResolution: S.enumOf(AP_ISSUE_RESOLUTION) },
    { changeOrderId: S.optStr, newApPartnerId: S.optStr, apIssueNote: S.optStr, completedBy: S.optStr },
  ),
  async handle(job, services) {
    const v = job.variables;
    const newApPartnerId = v.newApPartnerId?.trim() ?? '';
    // the form asks for the new AP only on this choice (a hidden field is not required), so the API lets it through empty
    if (v.apIssueResolution === 'OTHER_PARTNER' && !newApPartnerId) {
      const why = '未填写新AP编号';
      return bpmnError(BPMN_ERROR.apPartnerUnavailable, why, {
        apIssue: partnerIssue(why),
        apPartnerOptions: await otherPartners(services.dataSource, v.orderId),
      });
    }
    const reason = v.apIssueNote?.trim() || AP_ISSUE_RESOLUTION_LABEL[v.apIssueResolution];
    const [kind, id]: [OrderKind, string] = v.changeOrderId ? ['change-order', v.changeOrderId] : ['business-order', v.orderId];
    try {
      return await recordOnce(
        job,
        services,
        `job:${job.key}`,
        async (em, ctx) => {
          const out = await RESOLVE[v.apIssueResolution](em, id, newApPartnerId, ctx, kind);
          const order = await em.getRepository(BusinessOrderEntity).findOneByOrFail({ id: v.orderId });
          return { apPartnerId: out.apPartnerId, orderSummary: await readOrderSummary(em, order) };
        },
        { reason },
      );
    } catch (e) {
      if (!(e instanceof ApPartnerUnavailableError)) throw e;
      const why = String(e.details.why);
      return bpmnError(BPMN_ERROR.apPartnerUnavailable, why, {
        apIssue: partnerIssue(why),
        apPartnerOptions: await otherPartners(services.dataSource, v.orderId),
      });
    }
  },
});

export const AP_ISSUE_HANDLERS = [recordResolution];
