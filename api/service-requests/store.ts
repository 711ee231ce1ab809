/** The store of 投诉、故障、咨询 service requests: the domain services behind its routes and the JSON of its schemas. */
import { RevenueContractEntity, type ServiceRequest, type ServiceRequestStatus } from '../../db/entities/index';
import type { ServiceRequestType } from '../../domain/vocabulary';
import { iso, type StoreDeps } from '../store-kernel';
import * as orders from '../../domain/orders';
import * as serviceRequests from '../../domain/service-requests';
import type { ServiceRequestDto, ServiceRequestsStore } from './port';

export function serviceRequestsStore({ ds, m, ctxOf }: StoreDeps): ServiceRequestsStore {
  const serviceRequestDto = (s: ServiceRequest): ServiceRequestDto => ({
    id: s.id,
    requestNo: s.requestNo,
    // the column holds the vocabulary's values (logServiceRequest writes no other)
    type: s.requestType as ServiceRequestType,
    status: s.status,
    customerId: s.customerId,
    orderId: s.orderId,
    revenueContractId: s.revenueContractId,
    description: s.description,
    reportedBy: s.reportedBy,
    customerManager: s.customerManager,
    resolution: s.resolution,
    handledBy: s.handledBy,
    handledAt: s.handledAt,
    communicationRecordId: s.communicationRecordId,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    closedAt: iso(s.closedAt),
    processInstanceKey: s.processInstanceKey,
  });

  return {
    // ---------------------------------------------------------------- service requests
    async createServiceRequest(actor, input) {
      const order = await orders.getOrder(ds, input.orderId);
      if (!order) return null;
      const agreement = await m
        .getRepository(RevenueContractEntity)
        .findOne({ where: { orderId: order.id, kind: 'AGREEMENT' }, order: { createdAt: 'ASC' } });
      const { serviceRequest } = await serviceRequests.logServiceRequest(
        ds,
        {
          customerId: order.customerId,
          orderId: order.id,
          revenueContractId: agreement?.id ?? null,
          requestType: input.type,
          description: input.description,
        },
        ctxOf(actor, 'service request logged'),
      );
      return serviceRequestDto(serviceRequest);
    },
    async getServiceRequest(id) {
      const s = await serviceRequests.getServiceRequest(ds, id);
      return s ? serviceRequestDto(s) : null;
    },
    async listServiceRequests(f, page) {
      const res = await serviceRequests.listServiceRequests(
        ds,
        { requestType: f.type as ServiceRequestType | undefined, status: f.status as ServiceRequestStatus | undefined, orderId: f.orderId },
        page,
      );
      return { ...res, items: res.items.map(serviceRequestDto) };
    },
  };
}
