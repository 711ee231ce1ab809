/** The signed-in user (GET /api/auth/me) and what the roles may open. */
import { get, session } from './api';

export interface Me {
  username: string;
  roles: string[];
  apPartnerId: string | null;
}
let me: Me | null = null;

export async function currentUser(): Promise<Me | null> {
  if (!session.token) return null;
  if (!me) me = await get<Me>('/auth/me').catch(() => null);
  return me;
}
/** forgets the user read from /auth/me (and, unless told otherwise, the token) */
export function forget(token = true) {
  me = null;
  if (token) session.clear();
}

const WORKERS = ['customer-manager', 'dept-manager', 'center-reviewer', 'tech-dept', 'contract-admin', 'ops', 'admin'];
const STAFF = [...WORKERS, 'auditor'];
const has = (u: Me, roles: string[]) => u.roles.some((r) => roles.includes(r));

export const may = {
  work: (u: Me) => has(u, WORKERS),
  read: (u: Me) => has(u, STAFF),
  createOrder: (u: Me) => has(u, ['customer-manager']),
  createServiceRequest: (u: Me) => has(u, ['customer-manager', 'ops', 'dept-manager']),
  editParties: (u: Me) => has(u, ['admin']),
  operate: (u: Me) => has(u, ['admin']),
  onlyAp: (u: Me) => u.roles.length > 0 && u.roles.every((r) => r === 'ap-partner'),
};
