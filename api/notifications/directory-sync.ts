/**
 * Who is in the user directory (app_user), as the authenticator learns it: every demo user at start-up in
 * local mode (`<username>@example.test`, e-mail on), an OIDC user the first time their token is seen
 * (name and e-mail from its claims; e-mail off until the user turns it on, PUT /api/notifications/settings).
 */
import type { DataSource } from 'typeorm';
import { ROLES, type Role } from '../../domain/vocabulary';
import { demoEmail, upsertUsers } from '../../domain/notifications/directory';
import type { LocalUser, Principal } from '../auth';

export async function recordDemoUsers(ds: DataSource, users: LocalUser[]): Promise<void> {
  await upsertUsers(
    ds,
    users.map((u) => ({
      username: u.username,
      displayName: u.roles[0] === 'ap-partner' ? `AP 用户 ${u.username}` : `${ROLES[u.roles[0] as Role] ?? u.username}（演示）`,
      email: demoEmail(u.username),
      roles: u.roles,
      apPartnerId: u.apPartnerId ?? null,
      emailOptIn: true,
    })),
    new Date(),
  );
}

export function recordOidcUser(ds: DataSource) {
  return (p: Principal, claims: { email: string | null; name: string | null }) =>
    upsertUsers(
      ds,
      [
        {
          username: p.username,
          displayName: claims.name,
          email: claims.email,
          roles: p.roles,
          apPartnerId: p.apPartnerId,
          emailOptIn: false,
        },
      ],
      new Date(),
    );
}
