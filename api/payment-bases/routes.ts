/** The routes of 支付依据 payment bases, with the roles that may call each. */
import type { Role } from '../../domain/vocabulary';
import { notFound } from '../problem';
import { Reply, route, found, type RouteSpec } from '../route';
import { actorOf } from '../services';
import { apScope } from '../access';
import { apPaymentBasis } from './ap-view';
import * as S from './schemas';

const PAYMENT_BASIS_READERS: Role[] = [
  'customer-manager',
  'dept-manager',
  'center-reviewer',
  'contract-admin',
  'admin',
  'auditor',
  'ap-partner',
];

export const PAYMENT_BASES_ROUTES: RouteSpec[] = [
  // ---------------------------------------------------------------- payment bases 支付依据
  route({
    id: 'submitPaymentBasis',
    method: 'post',
    idempotent: true,
    path: '/payment-bases',
    roles: ['ap-partner'],
    tag: 'payment-bases',
    summary: {
      en: 'AP partner submits the payment basis of its expense contract (implementation completed)',
      zh: 'AP 提交支付依据（实施完成）',
    },
    body: S.SubmitPaymentBasisBody,
    response: { status: 201, schema: S.PaymentBasis, description: '201 when recorded, 200 when this submissionId was already recorded' },
    handler: async ({ services, principal, body }) => {
      const ap = apScope(principal);
      if (ap === null) throw notFound('expense contract', body.expenseContractId, '/expenseContractId', 'body');
      const res = await services.store.submitPaymentBasis(actorOf(principal), ap, body);
      if (!res) throw notFound('expense contract', body.expenseContractId, '/expenseContractId', 'body');
      return new Reply(res.created ? 201 : 200, apPaymentBasis(res.record), undefined, { location: `/api/payment-bases/${res.record.id}` });
    },
  }),
  route({
    id: 'listPaymentBases',
    method: 'get',
    path: '/payment-bases',
    roles: PAYMENT_BASIS_READERS,
    tag: 'payment-bases',
    summary: { en: 'List payment bases (AP partners: their own)', zh: '查询支付依据（AP 仅见本方）' },
    query: S.PaymentBasisQuery,
    response: { status: 200, schema: S.PaymentBasisPage },
    handler: async ({ services, principal, query }) => {
      const { limit, offset, ...filter } = query;
      const ap = apScope(principal);
      const res = await services.store.listPaymentBases(ap === null ? filter : { ...filter, apPartnerId: ap }, { limit, offset });
      return ap === null ? res : { ...res, items: res.items.map(apPaymentBasis) };
    },
  }),
  route<{ id: string }>({
    id: 'getPaymentBasis',
    method: 'get',
    path: '/payment-bases/:id',
    roles: PAYMENT_BASIS_READERS,
    tag: 'payment-bases',
    summary: { en: 'Read a payment basis', zh: '查看支付依据' },
    params: S.IdParams,
    response: { status: 200, schema: S.PaymentBasis },
    handler: async ({ services, principal, params }) => {
      const rec = found(await services.store.getPaymentBasis(params.id), 'payment basis', params.id);
      const ap = apScope(principal);
      if (ap === null) return rec;
      if (rec.apPartnerId !== ap) throw notFound('payment basis', params.id);
      return apPaymentBasis(rec);
    },
  }),
];
