/**
 * Who may see what, shared by the slices: the role groups most routes use and an AP partner's scope.
 * Part of the api/ kernel.
 */
import type { Role } from '../domain/vocabulary';
import type { Principal } from './auth';

export const STAFF: Role[] = [
  'customer-manager',
  'dept-manager',
  'center-reviewer',
  'tech-dept',
  'contract-admin',
  'ops',
  'admin',
  'auditor',
];
export const ALL: Role[] = [...STAFF, 'ap-partner'];

/** An AP partner user (and nothing else) sees only its own expense contracts and payment bases. */
export const apScope = (p: Principal): string | null =>
  p.roles.length > 0 && p.roles.every((r) => r === 'ap-partner') ? (p.apPartnerId ?? '\u0000none') : null;

/**
 * What an audience may see of a record: exactly the fields listed, nothing else (an allow-list, so a field
 * added to a record stays hidden from that audience until someone lists it). Each slice an AP partner may
 * read declares its list in its ap-view.ts; test/api/ap-view.test.ts calls every route an AP partner may.
 */
export function allowOnly<F extends string>(fields: readonly F[]) {
  return <T extends object>(rec: T): Pick<T, F & keyof T> => {
    const out = {} as Pick<T, F & keyof T>;
    for (const f of fields) if (f in rec) out[f as F & keyof T] = rec[f as F & keyof T];
    return out;
  };
}
