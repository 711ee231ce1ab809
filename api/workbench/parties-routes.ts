/**
 * Customers 客户 and AP partners AP供应商 as records with their own pages: staff read them, the admin adds
 * and edits them. The AP's HMAC secret is written, never read back.
 */
import type { Role } from '../../domain/vocabulary';
import { notFound } from '../problem';
import { Reply, route, type RouteSpec } from '../route';
import { enumOf, id, int, named, nullable, num, obj, text } from './schema-extra';
import { workbenchOf } from './services';
import { actorOf } from '../services';

const STAFF: Role[] = ['customer-manager', 'dept-manager', 'center-reviewer', 'tech-dept', 'contract-admin', 'ops', 'admin', 'auditor'];
const ADMIN: Role[] = ['admin'];
const paging = { limit: int(1, 500, { default: 200 }), offset: int(0, 1_000_000, { default: 0 }) };
/** who writes, at the business clock's now (tests pin it) */
const ctxOf = (services: Parameters<typeof workbenchOf>[0], p: Parameters<typeof actorOf>[0]) => ({
  actor: p.username,
  at: workbenchOf(services).now(),
});

const customerFields = {
  name: text(200),
  code: nullable(text(40)),
  contactName: nullable(text(100)),
  contactPhone: nullable(text(40)),
  customerManager: nullable(text(128)),
};
const CustomerBody = named('CustomerRequest', obj(customerFields, ['name']));
const CustomerPatch = named('CustomerPatch', obj(customerFields, [], { minProperties: 1 }));
const terms = obj({ pricePerAccountMonth: num(0, 1e6), slaDuration: text(20, { pattern: '^P' }), paymentDays: int(0, 365) }, []);
const partnerFields = {
  name: text(200),
  code: text(40, { pattern: '^[a-z0-9-]+$' }),
  endpointUrl: text(500, { format: 'uri' }),
  hmacSecret: text(200, { minLength: 16 }),
  status: enumOf(['ACTIVE', 'SUSPENDED']),
  terms: nullable(terms),
};
const PartnerBody = named('ApPartnerRequest', obj(partnerFields, ['name', 'code', 'endpointUrl', 'hmacSecret']));
const { code: _code, ...partnerPatchFields } = partnerFields;
const PartnerPatch = named('ApPartnerPatch', obj(partnerPatchFields, [], { minProperties: 1 }));
const Any = { type: 'object' };
const IdParams = obj({ id: id() }, ['id']);

export const PARTY_ROUTES: RouteSpec[] = [
  route<{}, { limit: number; offset: number }>({
    id: 'listCustomers',
    method: 'get',
    path: '/customers',
    roles: STAFF,
    tag: 'parties',
    summary: { en: 'Customers', zh: '客户列表' },
    query: obj(paging, []),
    response: { status: 200, schema: Any },
    handler: async ({ services, query }) => workbenchOf(services).parties.listCustomers(query),
  }),
  route<{ id: string }>({
    id: 'getCustomer',
    method: 'get',
    path: '/customers/:id',
    roles: STAFF,
    tag: 'parties',
    summary: { en: 'A customer', zh: '查看客户' },
    params: IdParams,
    response: { status: 200, schema: Any },
    handler: async ({ services, params }) =>
      (await workbenchOf(services).parties.getCustomer(params.id)) ?? Promise.reject(notFound('customer', params.id)),
  }),
  route({
    id: 'createCustomer',
    method: 'post',
    path: '/customers',
    roles: ADMIN,
    tag: 'parties',
    summary: { en: 'Add a customer', zh: '新增客户' },
    body: CustomerBody,
    response: { status: 201, schema: Any },
    handler: async ({ services, principal, body }) => {
      const c = await workbenchOf(services).parties.createCustomer(ctxOf(services, principal), body);
      return new Reply(201, c, undefined, { location: `/api/customers/${c.id}` });
    },
  }),
  route<{ id: string }>({
    id: 'updateCustomer',
    method: 'patch',
    path: '/customers/:id',
    roles: ADMIN,
    tag: 'parties',
    summary: { en: 'Edit a customer', zh: '修改客户' },
    params: IdParams,
    body: CustomerPatch,
    response: { status: 200, schema: Any },
    handler: async ({ services, principal, params, body }) =>
      workbenchOf(services).parties.updateCustomer(ctxOf(services, principal), params.id, body),
  }),
  route<{}, { limit: number; offset: number }>({
    id: 'listApPartners',
    method: 'get',
    path: '/ap-partners',
    roles: STAFF,
    tag: 'parties',
    summary: { en: 'AP partners', zh: 'AP 供应商列表' },
    query: obj(paging, []),
    response: { status: 200, schema: Any },
    handler: async ({ services, query }) => workbenchOf(services).parties.listApPartners(query),
  }),
  route<{ id: string }>({
    id: 'getApPartner',
    method: 'get',
    path: '/ap-partners/:id',
    roles: STAFF,
    tag: 'parties',
    summary: { en: 'An AP partner', zh: '查看 AP 供应商' },
    params: IdParams,
    response: { status: 200, schema: Any },
    handler: async ({ services, params }) =>
      (await workbenchOf(services).parties.getApPartner(params.id)) ?? Promise.reject(notFound('ap-partner', params.id)),
  }),
  route({
    id: 'createApPartner',
    method: 'post',
    path: '/ap-partners',
    roles: ADMIN,
    tag: 'parties',
    summary: { en: 'Add an AP partner', zh: '新增 AP 供应商' },
    body: PartnerBody,
    response: { status: 201, schema: Any },
    handler: async ({ services, principal, body }) => {
      const p = await workbenchOf(services).parties.createApPartner(ctxOf(services, principal), body);
      return new Reply(201, p, undefined, { location: `/api/ap-partners/${p.id}` });
    },
  }),
  route<{ id: string }>({
    id: 'updateApPartner',
    method: 'patch',
    path: '/ap-partners/:id',
    roles: ADMIN,
    tag: 'parties',
    summary: { en: 'Edit an AP partner (status, terms, endpoint, secret)', zh: '修改 AP 供应商' },
    params: IdParams,
    body: PartnerPatch,
    response: { status: 200, schema: Any },
    handler: async ({ services, principal, params, body }) =>
      workbenchOf(services).parties.updateApPartner(ctxOf(services, principal), params.id, body),
  }),
];
