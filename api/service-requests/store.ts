/** The store of 投诉、故障、咨询 service requests: the domain services behind its routes and the JSON of its schemas. */
import { RevenueContractEntity, type ServiceRequestStatus } from '../../db/entities/index';
import type { ServiceRequestType } from '../../domain/vocabulary';
import type { ApiStore, Row } from '../services';
import { iso, type StoreDeps } from '../store-kernel';
import * as orders from '../../domain/orders';
import * as serviceRequests from '../../domain/service-requests';
import type { Static } from '../schema';
import type { CreateServiceRequestBody } from './schemas';

/** what POST /service-requests accepts, as its schema says */
export type CreateServiceRequestInput = Static<typeof CreateServiceRequestBody>;

export type ServiceRequestsStore = Pick<ApiStore, 'createServiceRequest' | 'getServiceRequest' | 'listServiceRequests'>;

export function serviceRequestsStore({ ds, m, ctxOf }: StoreDeps): ServiceRequestsStore {
  const serviceRequestDto = (s: import('../../db/entities/index').ServiceRequest): Row => ({
    id: s.id,
    requestNo: s.requestNo,
    type: s.requestType,
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
    async createServiceRequest(actor, input: CreateServiceRequestInput) {
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
