/** The routes of 合同会签单 countersign forms, with the roles that may call each. */
import type { Role } from '../../domain/vocabulary';
import { route, found, type RouteSpec } from '../route';
import * as S from './schemas';

const COUNTERSIGN_READERS: Role[] = ['customer-manager', 'dept-manager', 'center-reviewer', 'contract-admin', 'admin', 'auditor'];

export const COUNTERSIGN_ROUTES: RouteSpec[] = [
  // ---------------------------------------------------------------- countersign 合同会签单
  route({
    id: 'listCountersignForms',
    method: 'get',
    path: '/countersign-forms',
    roles: COUNTERSIGN_READERS,
    tag: 'countersign',
    summary: { en: 'List issued countersign forms', zh: '查询合同会签单' },
    query: S.CountersignQuery,
    response: { status: 200, schema: S.CountersignFormPage },
    handler: async ({ services, query }) => {
      const { limit, offset, ...filter } = query;
      return services.store.listCountersignForms(filter, { limit, offset });
    },
  }),
  route<{ id: string }>({
    id: 'getCountersignForm',
    method: 'get',
    path: '/countersign-forms/:id',
    roles: COUNTERSIGN_READERS,
    tag: 'countersign',
    summary: { en: 'Read a countersign form with every decision', zh: '查看合同会签单' },
    params: S.IdParams,
    response: { status: 200, schema: S.CountersignForm },
    handler: async ({ services, params }) => found(await services.store.getCountersignForm(params.id), 'countersign form', params.id),
  }),
  route<{ id: string }>({
    id: 'getCountersignHistory',
    method: 'get',
    path: '/countersign-forms/:id/history',
    roles: COUNTERSIGN_READERS,
    tag: 'countersign',
    summary: { en: 'All review rounds of the contract, rejected ones included', zh: '会签历史（含驳回轮次）' },
    params: S.IdParams,
    response: { status: 200, schema: S.CountersignHistory },
    handler: async ({ services, params }) => found(await services.store.countersignHistory(params.id), 'countersign form', params.id),
  }),
];
