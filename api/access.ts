/**
 * Who may see what, shared by the slices: the role groups most routes use and an AP partner's scope.
 * Part of the api/ kernel.
 */
import type { Role } from '../domain/vocabulary';
import type { Principal } from './auth';
import type { Row } from './services';

export const STAFF: Role[] = ['customer-manager', 'dept-manager', 'center-reviewer', 'tech-dept', 'contract-admin', 'ops', 'admin', 'auditor'];
export const ALL: Role[] = [...STAFF, 'ap-partner'];

/** An AP partner user (and nothing else) sees only its own expense contracts and payment bases. */
export const apScope = (p: Principal): string | null => (p.roles.length > 0 && p.roles.every((r) => r === 'ap-partner') ? (p.apPartnerId ?? '\u0000none') : null);

/** Fields an AP partner never sees on anything it can read. */
const REVENUE_FIELDS = ['revenueAmount', 'orderAmount', 'revenueContractId', 'revenueContractNo'];
export function forAp(rec: Row): Row {
  const out: Row = { ...rec };
  for (const f of REVENUE_FIELDS) delete out[f];
  if (out.type === 'REVENUE') delete out.amount;
  return out;
}
