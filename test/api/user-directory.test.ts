/**
 * The user directory that notifications address (app_user): OIDC users recorded at first sight from their
 * token's `email` and `name` claims (api/auth.ts onFirstSight → api/notifications/directory-sync.ts), demo
 * users with `<username>@example.test` and e-mail on; a user's own opt-in survives a later sight.
 */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createOidcAuth, DEMO_STAFF_USERS } from '../../api/auth';
import { recordDemoUsers, recordOidcUser } from '../../api/notifications/directory-sync';
import { findUser, membersOf, setEmailOptIn } from '../../domain/notifications/directory';
import { useTestDatabase } from '../support/db';
import { anApPartner } from '../support/fixtures';

describe('api: the user directory of the notifications', () => {
  let ds: DataSource;
  let key: CryptoKey;
  let keySet: ReturnType<typeof createLocalJWKSet>;
  useTestDatabase((d) => (ds = d));
  const issuer = 'https://idp.example.test/realms/edu';

  before(async () => {
    const kp = await generateKeyPair('RS256', { extractable: true });
    key = kp.privateKey;
    keySet = createLocalJWKSet({ keys: [{ ...(await exportJWK(kp.publicKey)), kid: 'k1', alg: 'RS256' }] });
  });

  const token = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('u-1')
      .setIssuer(issuer)
      .setAudience('api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
  const until = async <T>(f: () => Promise<T | null>): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await f();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('not recorded');
  };

  it('records an OIDC user at first sight with the e-mail and name claims; e-mail off until the user turns it on, and kept so', async () => {
    const auth = createOidcAuth({
      issuer,
      audience: 'api',
      jwksUri: 'http://unused.invalid',
      rolesClaim: 'roles',
      keySet,
      onFirstSight: recordOidcUser(ds),
    });
    const p = await auth.verify(
      await token({ preferred_username: 'li.si', name: '李四', email: 'li.si@edu.example.test', roles: ['dept-manager'] }),
    );
    expect(p.username).to.equal('li.si');
    const u = await until(() => findUser(ds, 'li.si'));
    expect(u).to.deep.include({
      displayName: '李四',
      email: 'li.si@edu.example.test',
      roles: ['dept-manager'],
      emailOptIn: false,
      active: true,
    });
    expect((await membersOf(ds, 'dept-manager')).map((m) => m.username)).to.deep.equal(['li.si']);
    await setEmailOptIn(ds, 'li.si', true, new Date());

    // the next process sees the user again (new roles from the token): the opt-in stays the user's
    const again = createOidcAuth({
      issuer,
      audience: 'api',
      jwksUri: 'http://unused.invalid',
      rolesClaim: 'roles',
      keySet,
      onFirstSight: recordOidcUser(ds),
    });
    await again.verify(
      await token({
        preferred_username: 'li.si',
        name: '李四',
        email: 'li.si@edu.example.test',
        roles: ['dept-manager', 'center-reviewer'],
      }),
    );
    const later = await until(async () => {
      const x = await findUser(ds, 'li.si');
      return x && x.roles.length === 2 ? x : null;
    });
    expect(later.emailOptIn).to.equal(true);
  });

  it('a token without a usable e-mail claim gives a user reached in-app only', async () => {
    const auth = createOidcAuth({
      issuer,
      audience: 'api',
      jwksUri: 'http://unused.invalid',
      rolesClaim: 'roles',
      keySet,
      onFirstSight: recordOidcUser(ds),
    });
    await auth.verify(await token({ preferred_username: 'wang.wu', email: 'not an address', roles: ['ops'] }));
    const u = await until(() => findUser(ds, 'wang.wu'));
    expect(u.email).to.equal(null);
    expect(u.displayName).to.equal('wang.wu');
  });

  it('demo users: <username>@example.test, e-mail on, AP users bound to their partner', async () => {
    const ap = await anApPartner(ds, { code: 'alpha' });
    await recordDemoUsers(ds, [...DEMO_STAFF_USERS, { username: 'ap-alpha', roles: ['ap-partner'], apPartnerId: ap.id }]);
    expect(await findUser(ds, 'customer-manager')).to.deep.include({
      email: 'customer-manager@example.test',
      emailOptIn: true,
      displayName: '客户经理（演示）',
    });
    expect((await membersOf(ds, 'ap-partner', ap.id)).map((u) => u.username)).to.deep.equal(['ap-alpha']);
    expect(await membersOf(ds, 'ap-partner', 'another-partner')).to.deep.equal([]);
  });
});
