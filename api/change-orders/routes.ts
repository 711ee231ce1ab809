/** The routes of 变更单 change orders, with the roles that may call each. */
import { notFound } from '../problem';
import { Reply, route, found, type RouteSpec } from '../route';
import { actorOf } from '../services';
import { STAFF } from '../access';
import * as S from './schemas';

export const CHANGE_ORDERS_ROUTES: RouteSpec[] = [
  // ---------------------------------------------------------------- change orders 变更单
  route({
    id: 'createChangeOrder',
    method: 'post',
    idempotent: true,
    path: '/change-orders',
    roles: ['customer-manager'],
    tag: 'change-orders',
    summary: { en: 'Create a change order and start the change process', zh: '创建变更单并启动变更流程' },
    body: S.CreateChangeOrderBody,
    response: { status: 201, schema: S.ChangeOrder },
    handler: async ({ services, principal, body }) => {
      const rec = await services.store.createChangeOrder(actorOf(principal), body);
      if (!rec) throw notFound('order', body.orderId, '/orderId', 'body');
      return new Reply(201, rec, undefined, { location: `/api/change-orders/${rec.id}` });
    },
  }),
  route({
    id: 'listChangeOrders',
    method: 'get',
    path: '/change-orders',
    roles: STAFF,
    tag: 'change-orders',
    summary: { en: 'List change orders', zh: '查询变更单列表' },
    query: S.ChangeOrderQuery,
    response: { status: 200, schema: S.ChangeOrderPage },
    handler: async ({ services, query }) => {
      const { limit, offset, ...filter } = query;
      return services.store.listChangeOrders(filter, { limit, offset });
    },
  }),
  route<{ id: string }>({
    id: 'getChangeOrder',
    method: 'get',
    path: '/change-orders/:id',
    roles: STAFF,
    tag: 'change-orders',
    summary: { en: 'Read a change order', zh: '查看变更单' },
    params: S.IdParams,
    response: { status: 200, schema: S.ChangeOrder },
    handler: async ({ services, params }) => found(await services.store.getChangeOrder(params.id), 'change order', params.id),
  }),
];
