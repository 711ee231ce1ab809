/**
 * The user directory (table app_user): who a notification reaches. Demo users are written at start-up in
 * local mode (`<username>@example.test`, e-mail opt-in on); in OIDC mode a user is written the first time
 * the API sees their token, from its `email` and `name` claims (api/auth.ts onFirstSight). Roles and the
 * AP partner follow the token each time; the opt-in is the user's own setting and is kept.
 */
import { In } from 'typeorm';
import { ApPartnerEntity, AppUserEntity, type AppUser } from '../../db/entities/index';
import { inTransaction, type Db } from '../../db/transaction';
import { findRow } from '../../db/rows';
import type { Role } from '../vocabulary';

export const DEMO_MAIL_DOMAIN = 'example.test';
export const demoEmail = (username: string) => `${username}@${DEMO_MAIL_DOMAIN}`;

export interface DirectoryEntry {
  username: string;
  displayName?: string | null;
  email?: string | null;
  roles: readonly string[];
  apPartnerId?: string | null;
  /** only applied when the user is new (afterwards it is the user's own choice) */
  emailOptIn?: boolean;
}

/** a plausible mailbox: what a token's `email` claim must look like to be used */
const EMAIL_RE = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
export const isEmail = (s: unknown): s is string => typeof s === 'string' && s.length <= 254 && EMAIL_RE.test(s);

/** Inserts or refreshes users (roles, partner, name, address); the opt-in of a known user is kept. */
export async function upsertUsers(db: Db, entries: readonly DirectoryEntry[], now: Date): Promise<void> {
  if (!entries.length) return;
  await inTransaction(db, async (em) => {
    const repo = em.getRepository(AppUserEntity);
    const partnerIds = [...new Set(entries.map((e) => e.apPartnerId).filter((x): x is string => !!x))];
    const known = new Set(
      partnerIds.length
        ? (await em.getRepository(ApPartnerEntity).find({ where: { id: In(partnerIds) }, select: { id: true } })).map((p) => p.id)
        : [],
    );
    for (const e of entries) {
      const email = isEmail(e.email) ? e.email : null;
      // an unknown partner id (a token naming a partner not registered here) is not linked (foreign key)
      const apPartnerId = e.apPartnerId && known.has(e.apPartnerId) ? e.apPartnerId : null;
      const existing = await repo.findOneBy({ username: e.username });
      const displayName = (e.displayName?.trim() || existing?.displayName || e.username).slice(0, 200);
      if (!existing) {
        const row: AppUser = {
          username: e.username,
          displayName,
          roles: [...e.roles],
          apPartnerId,
          passwordHash: null,
          active: true,
          email,
          emailOptIn: e.emailOptIn ?? false,
          createdAt: now,
          updatedAt: now,
        };
        await repo.insert(row as never);
      } else {
        await repo.update({ username: e.username }, {
          displayName,
          roles: [...e.roles],
          apPartnerId,
          email: email ?? existing.email,
          active: true,
          updatedAt: now,
        } as never);
      }
    }
  });
}

export async function findUser(db: Db, username: string): Promise<AppUser | null> {
  return findRow(db, AppUserEntity, { username });
}

/**
 * The active members of a role; for ap-partner only the users of that partner (never another partner's).
 * The directory is small (staff of one center and its AP partners): read and filtered here, portable.
 */
export async function membersOf(db: Db, role: Role | string, apPartnerId?: string | null): Promise<AppUser[]> {
  const all = await db.getRepository(AppUserEntity).find({ where: { active: true }, order: { username: 'ASC' } });
  return all.filter((u) => u.roles.includes(role) && (role !== 'ap-partner' || (!!apPartnerId && u.apPartnerId === apPartnerId)));
}

/** the user's own e-mail setting (PUT /api/notifications/settings) */
export async function setEmailOptIn(db: Db, username: string, emailOptIn: boolean, now: Date): Promise<AppUser | null> {
  const res = await db.getRepository(AppUserEntity).update({ username }, { emailOptIn, updatedAt: now } as never);
  if (!res.affected) return null;
  return findUser(db, username);
}
