/**
 * service-request.* — complaint / fault / consultation 投诉、故障、咨询 (§7.1). The rules live in
 * domain/service-requests.ts; these handlers resolve the actor and run the domain service once per key.
 *
 *  record-handling  resolution, handled by (actor of the handling task), handled at; → HANDLED (key job)
 *  close            customer communication record (GT-<year>-<seq>) + request CLOSED in one transaction
 *                   (key request)
 */
import { closeServiceRequest, getServiceRequest, recordServiceRequestHandling } from '../../domain/service-requests.js';
import { NotFoundError } from '../../domain/errors.js';
import { JOB, SERVICE_REQUEST_TYPE, type ServiceRequestType } from '../../domain/vocabulary';
import { complete } from '../runtime/outcome';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { checked, once, storedResult } from '../runtime/once';
import { actorOf, PermanentError, writeContext } from '../common';

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
    const req = await getServiceRequest(dataSource, v.serviceRequestId);
    if (!req) throw new NotFoundError('service-request', v.serviceRequestId);
    const actor = await actorOf(job, services, HANDLING_TASK[req.requestType as ServiceRequestType] ?? null);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const handled = await recordServiceRequestHandling(em, v.serviceRequestId, { resolution: v.resolution, handledAt: v.handledAt }, writeContext(job, now, actor));
      return { serviceRequestStatus: handled.status };
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
      const { serviceRequest, record } = await closeServiceRequest(em, v.serviceRequestId, v, writeContext(job, now, actor));
      if (!record) throw new PermanentError(`service request ${serviceRequest.requestNo} is already closed`, 'it was closed outside this process instance: check the instance in Operate and cancel it if it is redundant');
      return { communicationRecordId: record.id, communicationRecordNo: record.recordNo };
    });
    return complete(result);
  },
});

export const SERVICE_REQUEST_HANDLERS = [recordHandling, close];
