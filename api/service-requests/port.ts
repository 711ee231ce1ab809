/**
 * What the routes of 投诉、故障、咨询 service requests ask of the store: this slice's part of ApiStore
 * (services.ts) and the JSON it answers, typed by the slice's schemas.
 */
import type { Page, PageOf } from '../../domain/paging';
import type { Actor } from '../auth';
import type { Static } from '../schema';
import type { CreateServiceRequestBody, ServiceRequest } from './schemas';

/** what POST /service-requests accepts, as its schema says */
export type CreateServiceRequestInput = Static<typeof CreateServiceRequestBody>;
/** a service request, as the ServiceRequest schema has it */
export type ServiceRequestDto = Static<typeof ServiceRequest>;

export interface ServiceRequestsStore {
  /** null: no such order */
  createServiceRequest(actor: Actor, input: CreateServiceRequestInput): Promise<ServiceRequestDto | null>;
  getServiceRequest(id: string): Promise<ServiceRequestDto | null>;
  listServiceRequests(filter: { type?: string; status?: string; orderId?: string }, page: Page): Promise<PageOf<ServiceRequestDto>>;
}
