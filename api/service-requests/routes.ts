/** The routes of 投诉、故障、咨询 service requests, with the roles that may call each. */
import { notFound } from '../problem';
import { Reply, route, found, type RouteSpec } from '../route';
import { actorOf } from '../services';
import { STAFF } from '../access';
import * as S from './schemas';

export const SERVICE_REQUESTS_ROUTES: RouteSpec[] = [
  // ---------------------------------------------------------------- service requests 投诉、故障、咨询
  route({
    id: 'createServiceRequest',
    method: 'post',
    idempotent: true,
    path: '/service-requests',
    roles: ['customer-manager', 'ops', 'dept-manager'],
    tag: 'service-requests',
    summary: { en: 'Log a complaint, fault or consultation and start its handling process', zh: '登记投诉、故障或咨询并启动处理流程' },
    body: S.CreateServiceRequestBody,
    response: { status: 201, schema: S.ServiceRequest },
    handler: async ({ services, principal, body }) => {
      const rec = await services.store.createServiceRequest(actorOf(principal), body);
      if (!rec) throw notFound('order', body.orderId, '/orderId', 'body');
      return new Reply(201, rec, undefined, { location: `/api/service-requests/${rec.id}` });
    },
  }),
  route({
    id: 'listServiceRequests',
    method: 'get',
    path: '/service-requests',
    roles: STAFF,
    tag: 'service-requests',
    summary: { en: 'List service requests', zh: '查询投诉、故障、咨询' },
    query: S.ServiceRequestQuery,
    response: { status: 200, schema: S.ServiceRequestPage },
    handler: async ({ services, query }) => {
      const { limit, offset, ...filter } = query;
      return services.store.listServiceRequests(filter, { limit, offset });
    },
  }),
  route<{ id: string }>({
    id: 'getServiceRequest',
    method: 'get',
    path: '/service-requests/:id',
    roles: STAFF,
    tag: 'service-requests',
    summary: { en: 'Read a service request', zh: '查看投诉、故障、咨询' },
    params: S.IdParams,
    response: { status: 200, schema: S.ServiceRequest },
    handler: async ({ services, params }) => found(await services.store.getServiceRequest(params.id), 'service request', params.id),
  }),
];
