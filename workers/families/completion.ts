/**
 * delivery.record and completion.* — 交付 and 竣工 (§6.3.4), for business orders and change orders.
 *
 *  delivery.record                 delivered on / note; order → DELIVERED (key order)
 *  completion.compute-deadline     60 working days after delivery (domain working-day calendar), reminder
 *                                  N working days before, ISO-8601 +08:00; provisional when a year has no
 *                                  published schedule — stored on the order where staff see it
 *  completion.send-reminder        notification to the customer manager (once per order and deadline)
 *  completion.escalate-overdue     notification to dept-manager + audit (once per order and deadline)
 *  completion.record-completion    customer communication record 客户沟通记录表 (GT-<year>-<seq>, v1) and
 *                                  the order COMPLETED, in one transaction (key order)
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { BusinessOrderEntity, ChangeOrderEntity, type BusinessOrder, type ChangeOrder } from '../../db/entities/index.js';
import { loadCalendar } from '../../domain/calendar.js';
import { transition } from '../../domain/order-status.js';
import { createVersionedRecord, findForUpdate } from '../../domain/records.js';
import { COMPLETION_WORKING_DAYS, JOB } from '../../domain/vocabulary';
import { complete } from '../runtime/outcome';
import { defineHandler, type JobView } from '../runtime/job';
import { S } from '../runtime/validate';
import { checked, once, storedResult } from '../runtime/once';
import { actorDetails, actorOf, audit, missing, nextNumber, notify, PermanentError, SYSTEM_ACTOR } from '../common';

/** which record: the change order when the instance is a change, else the business order */
interface Target {
  kind: 'order' | 'change';
  id: string;
  entity: typeof BusinessOrderEntity | typeof ChangeOrderEntity;
  recordType: 'business-order' | 'change-order';
}
const targetVars = { orderId: S.optStr, changeOrderId: S.optStr };
function targetOf(job: JobView<Record<string, unknown>>): Target {
  const changeOrderId = job.variables.changeOrderId;
  if (typeof changeOrderId === 'string' && changeOrderId) return { kind: 'change', id: changeOrderId, entity: ChangeOrderEntity, recordType: 'change-order' };
  const orderId = job.variables.orderId;
  if (typeof orderId === 'string' && orderId) return { kind: 'order', id: orderId, entity: BusinessOrderEntity, recordType: 'business-order' };
  throw new PermanentError('neither changeOrderId nor orderId in the job variables', 'the provisioning process carries orderId, the change process changeOrderId: check the model');
}
async function lockTarget(em: EntityManager, t: Target): Promise<BusinessOrder | ChangeOrder> {
  const row = await findForUpdate(em, t.entity as typeof BusinessOrderEntity, { id: t.id });
  if (!row) missing(t.recordType.replace('-', ' '), t.id);
  return row;
}
function numberOf(row: BusinessOrder | ChangeOrder): string {
  return 'changeOrderNo' in row ? (row as ChangeOrder).changeOrderNo : (row as BusinessOrder).orderNo;
}

export const recordDelivery = defineHandler<Record<string, unknown> & { deliveredOn: string; deliveryNote?: string | null }>({
  type: JOB.deliveryRecord,
  variables: S.obj({ deliveredOn: S.date }, { ...targetVars, deliveryNote: S.optStr, completedBy: S.optStr }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const t = targetOf(job);
    const key = `${t.kind}:${t.id}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const row = await lockTarget(em, t);
      transition(row, 'DELIVERED', t.recordType);
      await em.getRepository(t.entity as typeof BusinessOrderEntity).update({ id: t.id }, { status: 'DELIVERED', deliveredOn: job.variables.deliveredOn, deliveryNote: job.variables.deliveryNote ?? null, updatedAt: now });
      await audit(em, now, { actor: actor.actor, action: `${t.recordType}.deliver`, entityType: t.recordType, entityId: t.id, reason: job.variables.deliveryNote ?? null, details: { deliveredOn: job.variables.deliveredOn, jobKey: job.key, ...actorDetails(actor) } });
      return { deliveredOn: job.variables.deliveredOn };
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
    const row0 = await dataSource.getRepository(t.entity as typeof BusinessOrderEntity).findOneBy({ id: t.id });
    if (!row0) missing(t.recordType.replace('-', ' '), t.id);
    const deliveredOn = row0.deliveredOn ?? job.variables.deliveredOn;
    if (!deliveredOn) throw new PermanentError(`${numberOf(row0)} has no delivery date`, 'record the delivery first (delivery.record): check the process');
    const calendar = await loadCalendar(dataSource);
    const s = calendar.completionSchedule(deliveredOn, COMPLETION_WORKING_DAYS, settings.completionReminderWorkingDays);
    // key: the job (a redelivery returns the same figures; a later computation, e.g. after the calendar
    // of a provisional year was published, is a new job and computes afresh)
    const result = await once(dataSource, job.type, `job:${job.key}`, now, async (em) => {
      await em.getRepository(t.entity as typeof BusinessOrderEntity).update(
        { id: t.id },
        { completionDeadline: s.completionDeadline, completionReminderAt: s.completionReminderAt, deadlineProvisional: s.deadlineProvisional, updatedAt: now },
      );
      await audit(em, now, {
        actor: SYSTEM_ACTOR,
        action: `${t.recordType}.completion-deadline`,
        entityType: t.recordType,
        entityId: t.id,
        reason: s.deadlineProvisional ? 'provisional: the deadline falls in a year whose holiday schedule is not published yet' : null,
        details: { deliveredOn, workingDays: COMPLETION_WORKING_DAYS, ...s },
      });
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
    const result = await once(dataSource, job.type, `${t.kind}:${t.id}:${String(job.variables.completionDeadline ?? '')}`, now, async (em) => {
      const row = await em.getRepository(t.entity as typeof BusinessOrderEntity).findOneBy({ id: t.id });
      if (!row) missing(t.recordType.replace('-', ' '), t.id);
      await notify(em, now, {
        dedupeKey: `completion-reminder:${t.id}:${row.completionDeadline ?? ''}`,
        recipientUser: row.customerManager,
        template: 'completion-record-reminder',
        refs: { [t.kind === 'change' ? 'changeOrderNo' : 'orderNo']: numberOf(row), completionDeadline: row.completionDeadline, deadlineProvisional: row.deadlineProvisional },
      });
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
    const result = await once(dataSource, job.type, `${t.kind}:${t.id}:${String(job.variables.completionDeadline ?? '')}`, now, async (em) => {
      const row = await em.getRepository(t.entity as typeof BusinessOrderEntity).findOneBy({ id: t.id });
      if (!row) missing(t.recordType.replace('-', ' '), t.id);
      const refs = { [t.kind === 'change' ? 'changeOrderNo' : 'orderNo']: numberOf(row), completionDeadline: row.completionDeadline, customerManager: row.customerManager };
      await notify(em, now, { dedupeKey: `completion-overdue:${t.id}:${row.completionDeadline ?? ''}`, recipientRole: 'dept-manager', template: 'completion-record-overdue', refs });
      await audit(em, now, { actor: SYSTEM_ACTOR, action: `${t.recordType}.completion-overdue`, entityType: t.recordType, entityId: t.id, reason: `completion record not filed by ${row.completionDeadline}`, details: refs });
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
    const key = `${t.kind}:${t.id}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const v = job.variables;
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const row = await lockTarget(em, t);
      transition(row, 'COMPLETED', t.recordType);
      const orderId = t.kind === 'change' ? (row as ChangeOrder).orderId : row.id;
      const order = t.kind === 'change' ? await em.getRepository(BusinessOrderEntity).findOneBy({ id: orderId }) : (row as BusinessOrder);
      if (!order) missing('business order', orderId);
      const recordNo = await nextNumber(em, 'customer-communication-record', now);
      const id = randomUUID();
      await createVersionedRecord(
        em,
        'customer-communication-record',
        { id, recordNo, customerId: order.customerId, orderId, changeOrderId: t.kind === 'change' ? row.id : null, serviceRequestId: null, occasion: 'COMPLETION', currentVersion: 1, filedBy: actor.actor, filedAt: now, updatedAt: now },
        { actor: actor.actor, at: now, reason: actor.note ?? 'completion (竣工)' },
        { networkQuality: v.networkQuality ?? null, serviceAttitude: v.serviceAttitude ?? null, customerFeedback: v.customerFeedback ?? null, followUp: v.followUp ?? null, [t.kind === 'change' ? 'changeOrderNo' : 'orderNo']: numberOf(row), deliveredOn: row.deliveredOn, completionDeadline: row.completionDeadline },
      );
      await em.getRepository(t.entity as typeof BusinessOrderEntity).update({ id: t.id }, { status: 'COMPLETED', completedAt: now, updatedAt: now });
      await audit(em, now, { actor: actor.actor, action: `${t.recordType}.complete`, entityType: t.recordType, entityId: t.id, details: { communicationRecordNo: recordNo, jobKey: job.key, late: row.completionDeadline ? now.getTime() > new Date(row.completionDeadline).getTime() : false, ...actorDetails(actor) } });
      return { communicationRecordId: id, communicationRecordNo: recordNo };
    });
    return complete(result);
  },
});

export const DELIVERY_HANDLERS = [recordDelivery];
export const COMPLETION_HANDLERS = [computeDeadline, sendReminder, escalateOverdue, recordCompletion];
