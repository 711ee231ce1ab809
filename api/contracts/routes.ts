/** The routes of 收入合同 / 支出合同 revenue and expense contracts, with the roles that may call each. */
import type { Role } from '../../domain/vocabulary';
import { notFound } from '../problem';
import { route, found, type RouteSpec } from '../route';
import type { ContractDto } from './port';
import { STAFF, apScope } from '../access';
import { apContract, apContractVersionData } from './ap-view';
import * as S from './schemas';

const CONTRACT_READERS: Role[] = [...STAFF, 'ap-partner'];
function apCanSeeContract(rec: ContractDto, ap: string): boolean {
  return rec.type === 'EXPENSE' && rec.apPartnerId === ap;
}

export const CONTRACTS_ROUTES: RouteSpec[] = [
  // ---------------------------------------------------------------- contracts 合同
  route({
    id: 'listContracts',
    method: 'get',
    path: '/contracts',
    roles: CONTRACT_READERS,
    tag: 'contracts',
    summary: {
      en: 'List revenue and expense contracts (AP partners: their own expense contracts)',
      zh: '查询收入/支出合同（AP 仅见本方支出合同）',
    },
    query: S.ContractQuery,
    response: { status: 200, schema: S.ContractPage },
    handler: async ({ services, principal, query }) => {
      const { limit, offset, ...filter } = query;
      const ap = apScope(principal);
      if (ap === null) return services.store.listContracts(filter, { limit, offset });
      if (filter.type === 'REVENUE') return { items: [], total: 0, limit, offset };
      const res = await services.store.listContracts({ ...filter, type: 'EXPENSE', apPartnerId: ap }, { limit, offset });
      return { ...res, items: res.items.map(apContract) };
    },
  }),
  route<{ id: string }>({
    id: 'getContract',
    method: 'get',
    path: '/contracts/:id',
    roles: CONTRACT_READERS,
    tag: 'contracts',
    summary: { en: 'Read a contract', zh: '查看合同' },
    params: S.IdParams,
    response: { status: 200, schema: S.Contract },
    handler: async ({ services, principal, params }) => {
      const rec = found(await services.store.getContract(params.id), 'contract', params.id);
      const ap = apScope(principal);
      if (ap === null) return rec;
      if (!apCanSeeContract(rec, ap)) throw notFound('contract', params.id);
      return apContract(rec);
    },
  }),
  route<{ id: string }>({
    id: 'listContractVersions',
    method: 'get',
    path: '/contracts/:id/versions',
    roles: CONTRACT_READERS,
    tag: 'contracts',
    summary: { en: 'Versions of a contract (actor, time, reason)', zh: '合同版本历史' },
    params: S.IdParams,
    response: { status: 200, schema: S.RecordVersions },
    handler: async ({ services, principal, params }) => {
      const ap = apScope(principal);
      if (ap !== null) {
        const rec = await services.store.getContract(params.id);
        if (!rec || !apCanSeeContract(rec, ap)) throw notFound('contract', params.id);
      }
      const versions = found(await services.store.contractVersions(params.id), 'contract', params.id);
      return ap === null ? versions : versions.map((v) => ({ ...v, data: apContractVersionData(v.data) }));
    },
  }),
];
