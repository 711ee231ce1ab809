/** The routes of 协作任务单 collaboration task orders, with the roles that may call each. */
import type { Role } from '../../domain/vocabulary';
import { route, found, type RouteSpec } from '../route';
import * as S from './schemas';

const TASK_ORDER_READERS: Role[] = ['customer-manager', 'dept-manager', 'tech-dept', 'contract-admin', 'admin', 'auditor'];

export const COLLABORATION_TASK_ORDERS_ROUTES: RouteSpec[] = [
  // ---------------------------------------------------------------- collaboration task orders 协作任务单
  route({
    id: 'listTaskOrders',
    method: 'get',
    path: '/collaboration-task-orders',
    roles: TASK_ORDER_READERS,
    tag: 'collaboration-task-orders',
    summary: { en: 'List collaboration task orders', zh: '查询协作任务单' },
    query: S.TaskOrderQuery,
    response: { status: 200, schema: S.TaskOrderPage },
    handler: async ({ services, query }) => {
      const { limit, offset, ...filter } = query;
      return services.store.listTaskOrders(filter, { limit, offset });
    },
  }),
  route<{ id: string }>({
    id: 'getTaskOrder',
    method: 'get',
    path: '/collaboration-task-orders/:id',
    roles: TASK_ORDER_READERS,
    tag: 'collaboration-task-orders',
    summary: { en: 'Read a collaboration task order and its reply', zh: '查看协作任务单及回复' },
    params: S.IdParams,
    response: { status: 200, schema: S.TaskOrder },
    handler: async ({ services, params }) => found(await services.store.getTaskOrder(params.id), 'collaboration task order', params.id),
  }),
];
