/**
 * Complaint / fault / consultation 投诉、故障、咨询 (§7.1). Logged with its `service-request-logged`
 * start message in one transaction; handled (service-request.record-handling); closed with the
 * customer communication record (service-request.close).
 */
import { notifyServiceRequestLogged } from './notifications/events';
import {
  BusinessOrderEntity,
  CustomerEntity,
  RevenueContractEntity,
  ServiceRequestEntity,
  type CommunicationOccasion,
  type CustomerCommunicationRecord,
  type ProcessCommand,
  type ServiceRequest,
  type ServiceRequestStatus,
} from '../db/entities/index';
import { inTransaction, insertRows, type Db } from '../db/transaction';
import { findRow, updateRows } from '../db/rows';
import { audit, ctxAt, requireActor, type WriteContext } from './audit';
import { fileCommunicationRecordIn, type CommunicationContent, type FormCommunicationContent } from './communication-records';
import { IllegalTransitionError, NotFoundError, StateConflictError, ValidationError } from './errors';
import { nextNumber } from './numbering';
import { enqueueCommand } from './outbox';
import { normalizePage, type Page, type PageOf } from './paging';
import { findForUpdate } from './records';
import { shanghaiYear } from './time';
import { MESSAGE, SERVICE_REQUEST_TYPE, type ServiceRequestType } from './vocabulary';
import { newId } from './ids';

export interface LogServiceRequestInput {
  customerId: string;
  orderId?: string | null;
  revenueContractId?: string | null;
  requestType: ServiceRequestType;
  description: string;
  /** default: the order's or the customer's manager */
  customerManager?: string | null;
}

export interface ServiceRequestStartVariables {
  serviceRequestId: string;
  requestNo: string;
  requestType: ServiceRequestType;
  customerManager: string;
}

export async function logServiceRequest(
  db: Db,
  input: LogServiceRequestInput,
  ctx: WriteContext,
): Promise<{ serviceRequest: ServiceRequest; command: ProcessCommand }> {
  requireActor(ctx);
  if (!SERVICE_REQUEST_TYPE.includes(input.requestType))
    throw new ValidationError(`requestType: one of ${SERVICE_REQUEST_TYPE.join(', ')}`);
  if (typeof input.description !== 'string' || !input.description.trim()) throw new ValidationError('description: required');
  const at = ctxAt(ctx);
  return inTransaction(db, async (em) => {
    const customer = await findRow(em, CustomerEntity, { id: input.customerId });
    if (!customer) throw new NotFoundError('customer', input.customerId);
    const order = input.orderId ? await findRow(em, BusinessOrderEntity, { id: input.orderId }) : null;
    if (input.orderId && !order) throw new NotFoundError('business-order', input.orderId);
    if (order && order.customerId !== customer.id) throw new ValidationError('the order belongs to another customer');
    const contract = input.revenueContractId ? await findRow(em, RevenueContractEntity, { id: input.revenueContractId }) : null;
    if (input.revenueContractId && !contract) throw new NotFoundError('revenue-contract', input.revenueContractId);
    const customerManager = input.customerManager ?? order?.customerManager ?? customer.customerManager;
    if (!customerManager) throw new ValidationError('customerManager: the customer has no customer manager; name one');
    const sr: ServiceRequest = {
      id: newId(),
      requestNo: await nextNumber(em, 'service-request', shanghaiYear(at)),
      customerId: customer.id,
      orderId: order?.id ?? null,
      revenueContractId: contract?.id ?? null,
      requestType: input.requestType,
      status: 'LOGGED',
      description: input.description,
      customerManager,
      reportedBy: ctx.actor,
      resolution: null,
      handledBy: null,
      handledAt: null,
      communicationRecordId: null,
      processInstanceKey: null,
      closedAt: null,
      createdAt: at,
      updatedAt: at,
    };
    await insertRows(em, ServiceRequestEntity, [sr]);
    await audit(em, ctx, 'service-request.log', 'service-request', sr.id, { requestNo: sr.requestNo, requestType: sr.requestType });
    await notifyServiceRequestLogged(em, sr, at);
    const variables: ServiceRequestStartVariables = {
      serviceRequestId: sr.id,
      requestNo: sr.requestNo,
      requestType: input.requestType,
      customerManager,
    };
    const { command } = await enqueueCommand(
      em,
      { kind: 'publish-message', name: MESSAGE.serviceRequestLogged, correlationKey: sr.requestNo, variables: { ...variables } },
      at,
    );
    return { serviceRequest: sr, command };
  });
}

/**
 * service-request.record-handling: LOGGED → HANDLED with the resolution, the handler (ctx.actor) and the
 * time (default now). A repeat with the same resolution is a no-op; a closed request cannot be handled.
 */
export async function recordServiceRequestHandling(
  db: Db,
  id: string,
  handling: { resolution: string | null; handledAt?: string | null },
  ctx: WriteContext,
): Promise<ServiceRequest> {
  requireActor(ctx);
  if (typeof handling.resolution !== 'string' || !handling.resolution.trim()) throw new ValidationError('resolution: required');
  return inTransaction(db, async (em) => {
    const sr = await findForUpdate(em, ServiceRequestEntity, { id });
    if (!sr) throw new NotFoundError('service-request', id);
    if (sr.status === 'HANDLED' && sr.resolution === handling.resolution) return sr;
    if (sr.status === 'CLOSED') throw new IllegalTransitionError(`service-request ${sr.requestNo}`, sr.status, 'HANDLED');
    if (sr.status !== 'LOGGED') throw new StateConflictError(`service request ${sr.requestNo} is ${sr.status}, not LOGGED`);
    const at = ctxAt(ctx);
    const patch = {
      status: 'HANDLED' as const,
      resolution: handling.resolution,
      handledAt: handling.handledAt ?? at.toISOString(),
      handledBy: ctx.actor,
      updatedAt: at,
    };
    await updateRows(em, ServiceRequestEntity, { id, status: 'LOGGED' }, patch);
    await audit(em, { ...ctx, reason: ctx.reason ?? handling.resolution }, 'service-request.handle', 'service-request', id, {
      requestNo: sr.requestNo,
      handledAt: patch.handledAt,
    });
    return { ...sr, ...patch };
  });
}

/**
 * service-request.close: files the customer communication record (occasion = the request type; the
 * content of the form plus the request number, type and resolution) and closes the request, in one
 * transaction. A repeat for a closed request returns record null.
 */
export async function closeServiceRequest(
  db: Db,
  id: string,
  content: CommunicationContent | FormCommunicationContent,
  ctx: WriteContext,
): Promise<{ serviceRequest: ServiceRequest; record: CustomerCommunicationRecord | null }> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const sr = await findForUpdate(em, ServiceRequestEntity, { id });
    if (!sr) throw new NotFoundError('service-request', id);
    if (sr.status === 'CLOSED') return { serviceRequest: sr, record: null };
    if (sr.status !== 'HANDLED') throw new StateConflictError(`service request ${sr.requestNo} is ${sr.status}, not HANDLED`);
    const fileCtx = { ...ctx, reason: ctx.reason ?? `${sr.requestType.toLowerCase()} ${sr.requestNo}` };
    const { record } = await fileCommunicationRecordIn(
      em,
      {
        customerId: sr.customerId,
        orderId: sr.orderId,
        serviceRequestId: sr.id,
        occasion: sr.requestType as CommunicationOccasion,
        content: content as FormCommunicationContent,
        fromForm: true,
        refs: { requestNo: sr.requestNo, requestType: sr.requestType, resolution: sr.resolution },
      },
      fileCtx,
    );
    const at = ctxAt(ctx);
    const patch = { status: 'CLOSED' as const, communicationRecordId: record.id, closedAt: at, updatedAt: at };
    await updateRows(em, ServiceRequestEntity, { id, status: 'HANDLED' }, patch);
    await audit(em, ctx, 'service-request.close', 'service-request', id, {
      requestNo: sr.requestNo,
      communicationRecordNo: record.recordNo,
    });
    return { serviceRequest: { ...sr, ...patch }, record };
  });
}

export async function getServiceRequest(db: Db, id: string): Promise<ServiceRequest | null> {
  return findRow(db, ServiceRequestEntity, { id });
}

export async function listServiceRequests(
  db: Db,
  filter: {
    requestType?: ServiceRequestType;
    status?: ServiceRequestStatus;
    orderId?: string;
    customerId?: string;
    customerManager?: string;
  } = {},
  page: Partial<Page> = {},
): Promise<PageOf<ServiceRequest>> {
  const p = normalizePage(page);
  const where: Record<string, unknown> = {};
  for (const k of ['requestType', 'status', 'orderId', 'customerId', 'customerManager'] as const) if (filter[k]) where[k] = filter[k];
  const [items, total] = await db
    .getRepository(ServiceRequestEntity)
    .findAndCount({ where, order: { createdAt: 'DESC', requestNo: 'DESC' }, take: p.limit, skip: p.offset });
  return { items, total, ...p };
}
