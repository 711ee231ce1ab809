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
} from '../../domain/completion.js';
import { orderNumberOf } from '../../domain/order-lifecycle.js';
import { JOB } from '../../domain/vocabulary';
import { complete } from '../runtime/outcome';
import { defineHandler, type JobView } from '../runtime/job';
import { S } from '../runtime/validate';
import { checked, once, storedResult } from '../runtime/once';
import { actorOf, PermanentError, SYSTEM_ACTOR, writeContext } from '../common';

const targetVars = { orderId: S.optStr, changeOrderId: S.optStr };
/** the change order when the instance is a change, else the business order */
function targetOf(job: JobView<Record<string, unknown>>): OrderRef {
  const changeOrderId = job.variables.changeOrderId;
  if (typeof changeOrderId === 'string' && changeOrderId) return { kind: 'change-order', id: changeOrderId };
  const orderId = job.variables.orderId;
  if (typeof orderId === 'string' && orderId) return { kind: 'business-order', id: orderId };
  throw new PermanentError('neither changeOrderId nor orderId in the job variables', 'the provisioning process carries orderId, the change process changeOrderId: check the model');
}
const keyOf = (t: OrderRef) => `${t.kind === 'change-order' ? 'change' : 'order'}:${t.id}`;

export const recordDelivery = defineHandler<Record<string, unknown> & { deliveredOn: string; deliveryNote?: string | null }>({
  type: JOB.deliveryRecord,
  variables: S.obj({ deliveredOn: S.date }, { ...targetVars, deliveryNote: S.optStr, completedBy: S.optStr }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const t = targetOf(job);
    const key = keyOf(t);
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const o = await deliver(em, t, job.variables.deliveredOn, job.variables.deliveryNote ?? null, writeContext(job, now, actor));
      return { deliveredOn: o.deliveredOn };
    });
    return complete(result);
  },
});

export const computeDeadline = defineHandler<Record<string, unknown> & { deliveredOn?: string | null }>({
  type: JOB.completionComputeDeadline,
  variables: S.obj({}, { ...targetVars, deliveredOn: S.optDate }),
  async handle(job, { dataSource, clock, settings }) {
    const now = clock.now();
    const t = targetOf(job);
    const result = await once(dataSource, job.type, `job:${job.key}`, now, async (em) => {
      const s = await computeCompletionDeadline(em, t, settings.completionReminderWorkingDays, writeContext(job, now, SYSTEM_ACTOR));
      return { completionDeadline: s.completionDeadline, completionReminderAt: s.completionReminderAt, deadlineProvisional: s.deadlineProvisional };
    });
    return complete(result);
  },
});

export const sendReminder = defineHandler<Record<string, unknown>>({
  type: JOB.completionSendReminder,
  variables: S.obj({}, { ...targetVars, completionDeadline: S.optStr, customerManager: S.optStr }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const t = targetOf(job);
    const result = await once(dataSource, job.type, `${keyOf(t)}:${String(job.variables.completionDeadline ?? '')}`, now, async (em) => {
      await sendCompletionReminder(em, t, writeContext(job, now, SYSTEM_ACTOR));
      return { completionReminderSent: true };
    });
    return complete(result);
  },
});

export const escalateOverdue = defineHandler<Record<string, unknown>>({
  type: JOB.completionEscalateOverdue,
  variables: S.obj({}, { ...targetVars, completionDeadline: S.optStr }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const t = targetOf(job);
    const result = await once(dataSource, job.type, `${keyOf(t)}:${String(job.variables.completionDeadline ?? '')}`, now, async (em) => {
      await escalateCompletionOverdue(em, t, writeContext(job, now, SYSTEM_ACTOR));
      return { completionOverdue: true };
    });
    return complete(result);
  },
});

const communicationVars = { networkQuality: S.optStr, serviceAttitude: S.optStr, customerFeedback: S.optStr, followUp: S.optStr, completedBy: S.optStr };

export const recordCompletion = defineHandler<Record<string, unknown> & { networkQuality?: string | null; serviceAttitude?: string | null; customerFeedback?: string | null; followUp?: string | null }>({
  type: JOB.completionRecordCompletion,
  variables: S.obj({}, { ...targetVars, ...communicationVars }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const t = targetOf(job);
    const key = keyOf(t);
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const { order, record } = await completeOrder(em, t, job.variables, writeContext(job, now, actor));
      if (!record) throw new PermanentError(`${orderNumberOf(order)} is already completed`, 'it was completed outside this process instance: check the instance in Operate and cancel it if it is redundant');
      return { communicationRecordId: record.id, communicationRecordNo: record.recordNo };
    });
    return complete(result);
  },
});

export const DELIVERY_HANDLERS = [recordDelivery];
export const COMPLETION_HANDLERS = [computeDeadline, sendReminder, escalateOverdue, recordCompletion];
