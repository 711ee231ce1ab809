/**
 * collaboration-task-order.* — 协作任务单 to the technical department (§6.3.3). The rules live in
 * domain/collaboration-task-orders.ts; these handlers resolve the actor and run the service once per key.
 *
 *  issue-task-order   one task order per order / change order (business key), numbered XZ-<year>-<seq>,
 *                     snapshot of modules, accounts, opening date, contacts; event ISSUED; one
 *                     notification to tech-dept — all in one transaction. The creating listener of
 *                     configure-platform: a send-back re-creates the task and runs it again, and the
 *                     once-guard on the business key gives the same task order back (no second number or notice)
 *  record-reply       event REPLY (text, configuredAt, actor); status REPLIED (key: job key)
 *  record-acceptance  event ACCEPTED / SENT_BACK (opinion, actor); status; a send-back notifies tech-dept
 */
import { issueTaskOrder as issue, recordTaskOrderAcceptance, recordTaskOrderReply } from '../../domain/collaboration-task-orders';
import { ACCEPTANCE_DECISION, JOB } from '../../domain/vocabulary';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { recordOnce, systemOnce } from '../common';

export const issueTaskOrder = defineHandler({
  type: JOB.collaborationTaskOrderIssue,
  variables: S.obj({ orderId: S.str }, { orderNo: S.optStr, changeOrderId: S.optStr, changeOrderNo: S.optStr }),
  handle(job, services) {
    const v = job.variables;
    const key = v.changeOrderId ? `change-order:${v.changeOrderId}` : `order:${v.orderId}`;
    return systemOnce(job, services, key, async (em, ctx) => {
      const t = await issue(em, { orderId: v.orderId, changeOrderId: v.changeOrderId ?? null }, ctx);
      return { taskOrderId: t.id, taskOrderNo: t.taskOrderNo };
    });
  },
});

export const recordReply = defineHandler({
  type: JOB.collaborationTaskOrderRecordReply,
  variables: S.obj({ taskOrderId: S.str, configurationReply: S.optStr }, { configuredAt: S.optStr, completedBy: S.optStr }),
  handle(job, services) {
    const v = job.variables;
    return recordOnce(job, services, `job:${job.key}`, async (em, ctx) => {
      const { taskOrder } = await recordTaskOrderReply(
        em,
        v.taskOrderId,
        { configurationReply: v.configurationReply as string, configuredAt: v.configuredAt ?? null },
        ctx,
      );
      return { taskOrderStatus: taskOrder.status };
    });
  },
});

export const recordAcceptance = defineHandler({
  type: JOB.collaborationTaskOrderRecordAcceptance,
  variables: S.obj(
    { taskOrderId: S.str, acceptanceDecision: S.enumOf(ACCEPTANCE_DECISION) },
    { acceptanceOpinion: S.optStr, completedBy: S.optStr },
  ),
  handle(job, services) {
    const v = job.variables;
    return recordOnce(job, services, `job:${job.key}`, async (em, ctx) => {
      const { taskOrder } = await recordTaskOrderAcceptance(em, v.taskOrderId, v.acceptanceDecision, v.acceptanceOpinion ?? null, ctx);
      return { taskOrderStatus: taskOrder.status };
    });
  },
});

export const COLLABORATION_TASK_ORDER_HANDLERS = [issueTaskOrder, recordReply, recordAcceptance];
