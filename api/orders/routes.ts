/** The routes of 业务订单 business orders, with the roles that may call each. */
import { Reply, route, found, checkRange, type RouteSpec } from '../route';
import { actorOf } from '../services';
import { STAFF } from '../access';
import * as S from './schemas';

export const ORDERS_ROUTES: RouteSpec[] = [
  // ---------------------------------------------------------------- orders 业务订单
  route({
    id: 'createOrder',
    method: 'post',
    idempotent: true,
    path: '/orders',
    roles: ['customer-manager'],
    tag: 'orders',
    summary: { en: 'Create a business order and start its provisioning process', zh: '创建业务订单并启动开通流程' },
    body: S.CreateOrderBody,
    response: { status: 201, schema: S.Order },
    handler: async ({ services, principal, body }) => {
      const rec = await services.store.createOrder(actorOf(principal), body);
      return new Reply(201, rec, undefined, { location: `/api/orders/${rec.id}` });
    },
  }),
  route<{}, { status?: string; customer?: string; customerManager?: string; from?: string; to?: string; limit: number; offset: number }>({
    id: 'listOrders',
    method: 'get',
    path: '/orders',
    roles: STAFF,
    tag: 'orders',
    summary: { en: 'List business orders (filters, paging)', zh: '查询业务订单列表' },
    query: S.OrderQuery,
    response: { status: 200, schema: S.OrderPage },
    handler: async ({ services, query }) => {
      checkRange(query.from, query.to);
      const { limit, offset, ...filter } = query;
      return services.store.listOrders(filter, { limit, offset });
    },
  }),
  route<{ id: string }>({
    id: 'getOrder',
    method: 'get',
    path: '/orders/:id',
    roles: STAFF,
    tag: 'orders',
    summary: { en: 'Read a business order', zh: '查看业务订单' },
    params: S.IdParams,
    response: { status: 200, schema: S.Order },
    handler: async ({ services, params }) => found(await services.store.getOrder(params.id), 'order', params.id),
  }),
  route<{ id: string }, {}, { reason: string }>({
    id: 'cancelOrder',
    method: 'post',
    path: '/orders/:id/cancel',
    roles: ['customer-manager', 'dept-manager'],
    tag: 'orders',
    summary: { en: 'Cancel a business order', zh: '取消业务订单' },
    params: S.IdParams,
    body: S.CancelBody,
    response: { status: 200, schema: S.Order },
    handler: async ({ services, principal, params, body }) =>
      found(await services.store.cancelOrder(actorOf(principal), params.id, body.reason), 'order', params.id),
  }),
];
