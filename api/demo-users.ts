/**
 * Local-mode users: one demo user per staff role, named after the role, and one per AP partner in the
 * database, named `ap-<code>` (e.g. ap-alpha, ap-beta) and bound to that partner. Password `demo`.
 */
import type { DataSource } from 'typeorm';
import { ApPartnerEntity } from '../db/entities/index';
import { DEMO_STAFF_USERS, type LocalUser, type LocalUserLookup } from './auth';

export async function demoUsers(ds: DataSource): Promise<LocalUser[]> {
  const partners = await ds.getRepository(ApPartnerEntity).find({ order: { code: 'ASC' } });
  return [...DEMO_STAFF_USERS, ...partners.map((p) => ({ username: `ap-${p.code}`, roles: ['ap-partner' as const], apPartnerId: p.id }))];
}

const AP_USER = /^ap-([a-z0-9-]+)$/;

/** the same users, looked up at each sign-in: an AP partner added by the admin signs in as ap-<code> at once */
export function demoUserLookup(ds: DataSource): LocalUserLookup {
  const staff = new Map(DEMO_STAFF_USERS.map((u) => [u.username, u]));
  return async (username) => {
    const s = staff.get(username);
    if (s) return s;
    const code = AP_USER.exec(username)?.[1];
    if (!code) return undefined;
    const p = await ds.getRepository(ApPartnerEntity).findOneBy({ code });
    return p ? { username, roles: ['ap-partner'], apPartnerId: p.id } : undefined;
  };
}
