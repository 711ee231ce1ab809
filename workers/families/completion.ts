/**
 * delivery.record and completion.* — 交付 and 竣工 (§6.3.4), for business orders and change orders. The
 * rules live in domain/completion.ts; these handlers pick the order the instance is about, resolve the
 * actor and run the domain service once per key.
 *
 *  delivery.record                 delivered on / note; order → DELIVERED (key order)
 *  completion.compute-deadline     60 working days after delivery, reminder N working days before,
 *                                  ISO-8601 +08:00, provisional when a year has no published schedule
 *                                  (key job: a later computation is a new job and computes afresh)
 *  completion.send-reminder        notification to the customer manager (once per order and deadline)
 *  completion.escalate-overdue     notification to dept-manager + audit (once per order and deadline)
 *  completion.record-completion    customer communication record 客户沟通记录表 and the order COMPLETED,
 *                                  in one transaction (key order)
 */
import {
  computeCompletionDeadline,
  escalateCompletionOverdue,
  recordCompletion as completeOrder,
  recordDelivery as deliver,
  sendCompletionReminder,
  type OrderRef,
} from '../../domain/completion';
import { orderNumberOf } from '../../domain/order-lifecycle';
import { JOB } from '../../domain/vocabulary';
import { defineHandler, type JobView } from '../runtime/job';
import { S } from '../runtime/validate';
import { NonRetryable, recordOnce, systemOnce } from '../common';

const targetVars = { orderId: S.optStr, changeOrderId: S.optStr };
/** the change order when the instance is a change, else the business order */
function targetOf(job: JobView<Record<string, unknown>>): OrderRef {
  const changeOrderId = job.variables.changeOrderId;
  if (typeof changeOrderId === 'string' && changeOrderId) return { kind: 'change-order', id: changeOrderId };
  const orderId = job.variables.orderId;
  if (typeof orderId === 'string' && orderId) return { kind: 'business-order', id: orderId };
  throw new NonRetryable(
    'neither changeOrderId nor orderId in the job variables',
    'the provisioning process carries orderId, the change process changeOrderId: check the model',
  );
}
const keyOf = (t: OrderRef) => `${t.kind === 'change-order' ? 'change' : 'order'}:${t.id}`;

export const recordDelivery = defineHandler({
  type: JOB.deliveryRecord,
  variables: S.obj({ deliveredOn: S.date }, { ...targetVars, deliveryNote: S.optStr, completedBy: S.optStr }),
  handle(job, services) {
    const t = targetOf(job);
    return recordOnce(job, services, keyOf(t), async (em, ctx) => {
      const o = await deliver(em, t, job.variables.deliveredOn, job.variables.deliveryNote ?? null, ctx);
      return { deliveredOn: o.deliveredOn };
    });
  },
});

export const computeDeadline = defineHandler({
  type: JOB.completionComputeDeadline,
  variables: S.obj({}, { ...targetVars, deliveredOn: S.optDate }),
  handle(job, services) {
    const t = targetOf(job);
    return systemOnce(job, services, `job:${job.key}`, async (em, ctx) => {
      const s = await computeCompletionDeadline(em, t, services.settings.completionReminderWorkingDays, ctx);
      return {
        completionDeadline: s.completionDeadline,
        completionReminderAt: s.completionReminderAt,
        deadlineProvisional: s.deadlineProvisional,
      };
    });
  },
});

export const sendReminder = defineHandler({
  type: JOB.completionSendReminder,
  variables: S.obj({}, { ...targetVars, completionDeadline: S.optStr, customerManager: S.optStr }),
  handle(job, services) {
    const t = targetOf(job);
    return systemOnce(job, services, `${keyOf(t)}:${String(job.variables.completionDeadline ?? '')}`, async (em, ctx) => {
      await sendCompletionReminder(em, t, ctx);
      return { completionReminderSent: true };
    });
  },
});

export const escalateOverdue = defineHandler({
  type: JOB.completionEscalateOverdue,
  variables: S.obj({}, { ...targetVars, completionDeadline: S.optStr }),
  handle(job, services) {
    const t = targetOf(job);
    return systemOnce(job, services, `${keyOf(t)}:${String(job.variables.completionDeadline ?? '')}`, async (em, ctx) => {
      await escalateCompletionOverdue(em, t, ctx);
      return { completionOverdue: true };
    });
  },
});

const communicationVars = {
  networkQuality: S.optStr,
  serviceAttitude: S.optStr,
  customerFeedback: S.optStr,
  followUp: S.optStr,
  completedBy: S.optStr,
};

export const recordCompletion = defineHandler({
  type: JOB.completionRecordCompletion,
  variables: S.obj({}, { ...targetVars, ...communicationVars }),
  handle(job, services) {
    const t = targetOf(job);
    return recordOnce(job, services, keyOf(t), async (em, ctx) => {
      const { order, record } = await completeOrder(em, t, job.variables, ctx);
      if (!record)
        throw new NonRetryable(
          `${orderNumberOf(order)} is already completed`,
          'it was completed outside this process instance: check the instance in Operate and cancel it if it is redundant',
        );
      return { communicationRecordId: record.id, communicationRecordNo: record.recordNo };
    });
  },
});

export const DELIVERY_HANDLERS = [recordDelivery];
export const COMPLETION_HANDLERS = [computeDeadline, sendReminder, escalateOverdue, recordCompletion];
