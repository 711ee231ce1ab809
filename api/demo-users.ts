/**
 * Local-mode users: one demo user per staff role, named after the role, and one per AP partner in the
 * database, named `ap-<code>` (e.g. ap-alpha, ap-beta) and bound to that partner. Password `demo`.
 */
import type { DataSource } from 'typeorm';
import { ApPartnerEntity } from '../db/entities/index';
import { DEMO_STAFF_USERS, type LocalUser } from './auth';

export async function demoUsers(ds: DataSource): Promise<LocalUser[]> {
  const partners = await ds.getRepository(ApPartnerEntity).find({ order: { code: 'ASC' } });
  return [...DEMO_STAFF_USERS, ...partners.map((p) => ({ username: `ap-${p.code}`, roles: ['ap-partner' as const], apPartnerId: p.id }))];
}
