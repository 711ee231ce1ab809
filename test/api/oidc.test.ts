/**
 * OIDC mode: a local JWKS server on loopback, tokens signed with a generated key; the API must accept
 * only tokens of the right issuer and audience, unexpired, signed by a key of the JWKS.
 */
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { buildAuth } from '../../app/entry/api';
import { loadConfig } from '../../platform/config/index';
import { startApi, type ApiHarness } from './harness';

describe('api: OIDC bearer tokens (JWKS on loopback)', function () {
  let jwksServer: http.Server;
  let jwksUrl: string;
  let key: CryptoKey;
  let otherKey: CryptoKey;
  let api: ApiHarness;
  let jwksHits = 0;
  const issuer = 'https://idp.example.test/realms/edu';
  const audience = 'online-training-api';

  before(async function () {
    const kp = await generateKeyPair('RS256', { extractable: true });
    key = kp.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk: JWK = { ...(await exportJWK(kp.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    // a second published key, unrelated to otherKey
    const jwk2: JWK = {
      ...(await exportJWK((await generateKeyPair('RS256', { extractable: true })).publicKey)),
      kid: 'k2',
      alg: 'RS256',
      use: 'sig',
    };
    jwksServer = http.createServer((req, res) => {
      jwksHits++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk, jwk2] }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/certs`;
    // configured exactly as in production: environment → loadConfig → buildAuth
    const config = loadConfig({
      NODE_ENV: 'production',
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: issuer,
      OIDC_AUDIENCE: audience,
      OIDC_JWKS_URL: jwksUrl,
      OIDC_ROLES_CLAIM: 'realm_access.roles',
    });
    api = await startApi({ auth: await buildAuth(config) });
  });
  after(async () => {
    await api?.close();
    await new Promise((r) => jwksServer?.close(r));
  });

  const sign = (
    claims: Record<string, unknown>,
    o: { iss?: string; aud?: string; exp?: number | string; signer?: CryptoKey; kid?: string } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'k1' })
      .setSubject('u-123')
      .setIssuer(o.iss ?? issuer)
      .setAudience(o.aud ?? audience)
      .setIssuedAt()
      .setExpirationTime(o.exp ?? '5m')
      .sign(o.signer ?? key);

  const me = (token: string) => api.request('GET', '/api/auth/me', { token });

  it('accepts a valid token and maps realm_access.roles to vocabulary roles (unknown roles dropped)', async () => {
    const token = await sign({
      preferred_username: 'zhang.san',
      realm_access: { roles: ['dept-manager', 'offline_access', 'uma_authorization'] },
    });
    const res = await me(token);
    expect(res.status).to.equal(200);
    expect(res.json).to.deep.equal({ username: 'zhang.san', roles: ['dept-manager'], apPartnerId: null });
    expect(jwksHits).to.be.greaterThan(0);
  });

  it('uses the mapped roles for access: dept-manager may not create orders (403), may list them (200)', async () => {
    const token = await sign({ preferred_username: 'li.si', realm_access: { roles: ['dept-manager'] } });
    expect((await api.request('POST', '/api/orders', { token, body: {} })).status).to.equal(403);
    expect((await api.request('GET', '/api/orders', { token })).status).to.equal(200);
  });

  it('binds an AP user to the partner claim', async () => {
    const token = await sign({ preferred_username: 'ap-user', realm_access: { roles: ['ap-partner'] }, ap_partner_id: 'p-1' });
    const res = await me(token);
    expect(res.status).to.equal(200);
    expect(res.json.apPartnerId).to.equal('p-1');
  });

  const rejects: Array<[string, () => Promise<string>]> = [
    ['wrong issuer', () => sign({ realm_access: { roles: ['admin'] } }, { iss: 'https://evil.example.test/realms/edu' })],
    ['wrong audience', () => sign({ realm_access: { roles: ['admin'] } }, { aud: 'another-api' })],
    ['expired', () => sign({ realm_access: { roles: ['admin'] } }, { exp: Math.floor(Date.now() / 1000) - 60 })],
    ['signed by a key not in the JWKS (kid k1)', () => sign({ realm_access: { roles: ['admin'] } }, { signer: otherKey })],
    ['signed by a key not in the JWKS (kid k2)', () => sign({ realm_access: { roles: ['admin'] } }, { signer: otherKey, kid: 'k2' })],
    ['an unknown kid', () => sign({ realm_access: { roles: ['admin'] } }, { kid: 'nope' })],
    [
      'alg none',
      async () => {
        const h = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        const p = Buffer.from(
          JSON.stringify({
            iss: issuer,
            aud: audience,
            sub: 'x',
            exp: Math.floor(Date.now() / 1000) + 300,
            realm_access: { roles: ['admin'] },
          }),
        ).toString('base64url');
        return `${h}.${p}.`;
      },
    ],
    ['an AP role without the partner claim', () => sign({ realm_access: { roles: ['ap-partner'] } })],
  ];
  for (const [name, make] of rejects) {
    it(`rejects ${name} with 401 problem+json`, async () => {
      const res = await me(await make());
      expect(res.status).to.equal(401);
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(res.json).to.include({ status: 401, title: 'Unauthorized' });
    });
  }

  it('rejects a request without a token (401) and the local login route in OIDC mode (401)', async () => {
    expect((await api.request('GET', '/api/auth/me')).status).to.equal(401);
    const res = await api.request('POST', '/api/auth/login', { body: { username: 'admin', password: 'demo' } });
    expect(res.status).to.equal(401);
  });
});
