/**
 * service-request.* — complaint / fault / consultation 投诉、故障、咨询 (§7.1).
 *
 *  record-handling  resolution, handled by (actor of the handling task), handled at; → HANDLED (key job)
 *  close            customer communication record (GT-<year>-<seq>) + request CLOSED in one transaction
 *                   (key request)
 */
import { randomUUID } from 'node:crypto';
import { ServiceRequestEntity, type CommunicationOccasion } from '../../db/entities/index.js';
import { createVersionedRecord, findForUpdate } from '../../domain/records.js';
import { JOB, SERVICE_REQUEST_TYPE, type ServiceRequestType } from '../../domain/vocabulary';
import { complete } from '../runtime/outcome';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { checked, once, storedResult } from '../runtime/once';
import { actorDetails, actorOf, audit, missing, nextNumber, PermanentError } from '../common';

/** the handling user task per request type (process-contract.md, customer-service-request) */
const HANDLING_TASK: Record<ServiceRequestType, string> = {
  FAULT: 'handle-fault',
  COMPLAINT: 'handle-complaint',
  CONSULTATION: 'handle-consultation',
};

export const recordHandling = defineHandler<{ serviceRequestId: string; resolution: string | null; handledAt?: string | null; requestType?: ServiceRequestType }>({
  type: JOB.serviceRequestRecordHandling,
  variables: S.obj({ serviceRequestId: S.str, resolution: S.optStr }, { handledAt: S.optStr, requestType: S.enumOf(SERVICE_REQUEST_TYPE), completedBy: S.optStr }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const v = job.variables;
    const key = `job:${job.key}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const req0 = await dataSource.getRepository(ServiceRequestEntity).findOneBy({ id: v.serviceRequestId });
    if (!req0) missing('service request', v.serviceRequestId);
    const actor = await actorOf(job, services, HANDLING_TASK[req0.requestType as ServiceRequestType] ?? null);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const req = await findForUpdate(em, ServiceRequestEntity, { id: v.serviceRequestId });
      if (!req) missing('service request', v.serviceRequestId);
      if (req.status === 'CLOSED') throw new PermanentError(`service request ${req.requestNo} is already closed`, 'check the process instance in Operate');
      const handledAt = v.handledAt ?? now.toISOString();
      await em.getRepository(ServiceRequestEntity).update({ id: req.id }, { status: 'HANDLED', resolution: v.resolution ?? null, handledBy: actor.actor, handledAt, updatedAt: now });
      await audit(em, now, { actor: actor.actor, action: 'service-request.handle', entityType: 'service-request', entityId: req.id, reason: v.resolution ?? null, details: { requestNo: req.requestNo, handledAt, jobKey: job.key, ...actorDetails(actor) } });
      return { serviceRequestStatus: 'HANDLED' };
    });
    return complete(result);
  },
});

export const close = defineHandler<{ serviceRequestId: string; networkQuality?: string | null; serviceAttitude?: string | null; customerFeedback?: string | null; followUp?: string | null }>({
  type: JOB.serviceRequestClose,
  variables: S.obj({ serviceRequestId: S.str }, { networkQuality: S.optStr, serviceAttitude: S.optStr, customerFeedback: S.optStr, followUp: S.optStr, completedBy: S.optStr }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const v = job.variables;
    const key = `request:${v.serviceRequestId}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const req = await findForUpdate(em, ServiceRequestEntity, { id: v.serviceRequestId });
      if (!req) missing('service request', v.serviceRequestId);
      if (req.status === 'CLOSED') throw new PermanentError(`service request ${req.requestNo} is already closed`, 'check the process instance in Operate');
      const recordNo = await nextNumber(em, 'customer-communication-record', now);
      const id = randomUUID();
      await createVersionedRecord(
        em,
        'customer-communication-record',
        { id, recordNo, customerId: req.customerId, orderId: req.orderId, changeOrderId: null, serviceRequestId: req.id, occasion: req.requestType as CommunicationOccasion, currentVersion: 1, filedBy: actor.actor, filedAt: now, updatedAt: now },
        { actor: actor.actor, at: now, reason: actor.note ?? `${req.requestType.toLowerCase()} ${req.requestNo}` },
        { networkQuality: v.networkQuality ?? null, serviceAttitude: v.serviceAttitude ?? null, customerFeedback: v.customerFeedback ?? null, followUp: v.followUp ?? null, requestNo: req.requestNo, requestType: req.requestType, resolution: req.resolution },
      );
      await em.getRepository(ServiceRequestEntity).update({ id: req.id }, { status: 'CLOSED', communicationRecordId: id, closedAt: now, updatedAt: now });
      await audit(em, now, { actor: actor.actor, action: 'service-request.close', entityType: 'service-request', entityId: req.id, details: { requestNo: req.requestNo, communicationRecordNo: recordNo, jobKey: job.key, ...actorDetails(actor) } });
      return { communicationRecordId: id, communicationRecordNo: recordNo };
    });
    return complete(result);
  },
});

export const SERVICE_REQUEST_HANDLERS = [recordHandling, close];
