/**
 * The AP partner portal's routes (issue #19), registered in api/routes.ts. An AP partner reads its own
 * portal (bound to the principal's apPartnerId); the staff who check payment bases may read a
 * partner's portal with ?apPartnerId=, to see what the partner sees. Submitting and resubmitting stay
 * the existing POST /api/payment-bases, so the portal allows exactly what the API allows.
 */
import type { Role } from '../../domain/vocabulary';
import type { Principal } from '../auth';
import { badRequest, notFound, ProblemError } from '../problem';
import { route, type RouteSpec } from '../route';
import type { ApiServices } from '../services';
import type { PortalPort } from './port';
import { PortalOverview, PortalQuery, PortalRequest, PortalRequestParams } from './schemas';

const READERS: Role[] = ['ap-partner', 'contract-admin', 'admin', 'auditor'];

export type ServicesWithPortal = ApiServices & { portal?: PortalPort };

function portalOf(services: ApiServices): PortalPort {
  const p = (services as ServicesWithPortal).portal;
  if (!p) throw new ProblemError(503, 'portal-unavailable', 'Service unavailable', 'the portal services are not configured');
  return p;
}

/** the partner whose portal this is: an AP user's own (never a query's), a staff user's ?apPartnerId= */
function partnerOf(principal: Principal, query: { apPartnerId?: string }): string {
  const apOnly = principal.roles.length > 0 && principal.roles.every((r) => r === 'ap-partner');
  if (apOnly) {
    if (!principal.apPartnerId) throw notFound('ap-partner', '(none bound to this user)', '/apPartnerId', 'query');
    if (query.apPartnerId && query.apPartnerId !== principal.apPartnerId)
      throw notFound('ap-partner', query.apPartnerId, '/apPartnerId', 'query');
    return principal.apPartnerId;
  }
  if (!query.apPartnerId)
    throw badRequest('staff read a partner portal by naming the partner', [
      { in: 'query', pointer: '/apPartnerId', detail: 'required for staff' },
    ]);
  return query.apPartnerId;
}

export const PORTAL_ROUTES: RouteSpec[] = [
  route<{}, { apPartnerId?: string }>({
    id: 'portalOverview',
    method: 'get',
    path: '/portal/overview',
    roles: READERS,
    tag: 'portal',
    summary: {
      en: "AP portal: the partner's implementation requests, expense contracts, due dates and payment bases",
      zh: 'AP 门户：本方实施请求、支出合同、期限与支付依据',
    },
    query: PortalQuery,
    response: { status: 200, schema: PortalOverview },
    handler: async ({ services, principal, query }) => {
      const ap = partnerOf(principal, query);
      const res = await portalOf(services).overview(ap);
      if (!res) throw notFound('ap-partner', ap, '/apPartnerId', 'query');
      return res;
    },
  }),
  route<{ id: string }, { apPartnerId?: string }>({
    id: 'portalRequest',
    method: 'get',
    path: '/portal/requests/:id',
    roles: READERS,
    tag: 'portal',
    summary: {
      en: 'AP portal: one implementation request (expense contract id) with its payment basis and send-backs',
      zh: 'AP 门户：单个实施请求及其支付依据与退回原因',
    },
    params: PortalRequestParams,
    query: PortalQuery,
    response: { status: 200, schema: PortalRequest },
    handler: async ({ services, principal, params, query }) => {
      const ap = partnerOf(principal, query);
      const res = await portalOf(services).request(ap, params.id);
      if (!res) throw notFound('implementation request', params.id);
      return res;
    },
  }),
];
