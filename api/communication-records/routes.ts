/** The routes of 客户沟通记录表 customer communication records, with the roles that may call each. */
import { notFound } from '../problem';
import { Reply, route, found, type RouteSpec } from '../route';
import { actorOf } from '../services';
import { STAFF } from '../access';
import * as S from './schemas';

export const COMMUNICATION_RECORDS_ROUTES: RouteSpec[] = [
  // ---------------------------------------------------------------- customer communication records 客户沟通记录表
  route({
    id: 'createCommunicationRecord',
    method: 'post',
    idempotent: true,
    path: '/customer-communication-records',
    roles: ['customer-manager'],
    tag: 'customer-communication-records',
    summary: { en: 'File a customer communication record', zh: '填写客户沟通记录表' },
    body: S.CreateCommunicationRecordBody,
    response: { status: 201, schema: S.CommunicationRecord },
    handler: async ({ services, principal, body }) => {
      const rec = await services.store.createCommunicationRecord(actorOf(principal), body);
      if (!rec) throw notFound('order or service request', body.orderId, '/orderId', 'body');
      return new Reply(201, rec, undefined, { location: `/api/customer-communication-records/${rec.id}` });
    },
  }),
  route({
    id: 'listCommunicationRecords',
    method: 'get',
    path: '/customer-communication-records',
    roles: STAFF,
    tag: 'customer-communication-records',
    summary: { en: 'List customer communication records', zh: '查询客户沟通记录表' },
    query: S.CommunicationRecordQuery,
    response: { status: 200, schema: S.CommunicationRecordPage },
    handler: async ({ services, query }) => {
      const { limit, offset, ...filter } = query;
      return services.store.listCommunicationRecords(filter, { limit, offset });
    },
  }),
  route<{ id: string }>({
    id: 'getCommunicationRecord',
    method: 'get',
    path: '/customer-communication-records/:id',
    roles: STAFF,
    tag: 'customer-communication-records',
    summary: { en: 'Read a customer communication record', zh: '查看客户沟通记录表' },
    params: S.IdParams,
    response: { status: 200, schema: S.CommunicationRecord },
    handler: async ({ services, params }) =>
      found(await services.store.getCommunicationRecord(params.id), 'customer communication record', params.id),
  }),
];
