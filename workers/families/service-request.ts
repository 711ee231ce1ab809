/**
 * service-request.* — complaint / fault / consultation 投诉、故障、咨询 (§7.1). The rules live in
 * domain/service-requests.ts; these handlers resolve the actor and run the domain service once per key.
 *
 *  record-handling  resolution, handled by (actor of the handling task), handled at; → HANDLED (key job)
 *  close            customer communication record (GT-<year>-<seq>) + request CLOSED in one transaction
 *                   (key request)
 */
import { closeServiceRequest, getServiceRequest, recordServiceRequestHandling } from '../../domain/service-requests';
import { NotFoundError } from '../../domain/errors';
import { JOB, SERVICE_REQUEST_TYPE, type ServiceRequestType } from '../../domain/vocabulary';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { NonRetryable, recordOnce } from '../common';

/** the handling user task per request type (process-contract.md, customer-service-request) */
const HANDLING_TASK: Record<ServiceRequestType, string> = {
  FAULT: 'handle-fault',
  COMPLAINT: 'handle-complaint',
  CONSULTATION: 'handle-consultation',
};

export const recordHandling = defineHandler({
  type: JOB.serviceRequestRecordHandling,
  variables: S.obj(
    { serviceRequestId: S.str, resolution: S.optStr },
    { handledAt: S.optStr, requestType: S.enumOf(SERVICE_REQUEST_TYPE), completedBy: S.optStr },
  ),
  handle(job, services) {
    const v = job.variables;
    // the actor is whoever completed the handling task of the request's type
    const userTaskElementId = async () => {
      const req = await getServiceRequest(services.dataSource, v.serviceRequestId);
      if (!req) throw new NotFoundError('service-request', v.serviceRequestId);
      return HANDLING_TASK[req.requestType as ServiceRequestType] ?? null;
    };
    return recordOnce(
      job,
      services,
      `job:${job.key}`,
      async (em, ctx) => {
        const handled = await recordServiceRequestHandling(
          em,
          v.serviceRequestId,
          { resolution: v.resolution, handledAt: v.handledAt },
          ctx,
        );
        return { serviceRequestStatus: handled.status };
      },
      { userTaskElementId },
    );
  },
});

export const close = defineHandler({
  type: JOB.serviceRequestClose,
  variables: S.obj(
    { serviceRequestId: S.str },
    { networkQuality: S.optStr, serviceAttitude: S.optStr, customerFeedback: S.optStr, followUp: S.optStr, completedBy: S.optStr },
  ),
  handle(job, services) {
    const v = job.variables;
    return recordOnce(job, services, `request:${v.serviceRequestId}`, async (em, ctx) => {
      const { serviceRequest, record } = await closeServiceRequest(em, v.serviceRequestId, v, ctx);
      if (!record)
        throw new NonRetryable(
          `service request ${serviceRequest.requestNo} is already closed`,
          'it was closed outside this process instance: check the instance in Operate and cancel it if it is redundant',
        );
      return { communicationRecordId: record.id, communicationRecordNo: record.recordNo };
    });
  },
});

export const SERVICE_REQUEST_HANDLERS = [recordHandling, close];
