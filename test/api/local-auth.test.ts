/** Local auth mode: demo users, password `demo`, HS256 tokens from the configured secret; refused in production. */
import { expect } from 'chai';
import { SignJWT } from 'jose';
import { loadConfig } from '../../platform/config/index';
import { buildAuth } from '../../app/entry/api';
import { assertAuthModeAllowed } from '../../api/auth';
import { startApi, TEST_SECRET, type ApiHarness } from './harness';
import { AP_ALPHA, AP_BETA } from './fixtures';

describe('api: local auth mode', function () {
  let api: ApiHarness;
  before(async () => {
    api = await startApi();
  });
  after(async () => api?.close());

  it('every role has a demo user named after it; AP users are bound to their partner', async () => {
    for (const role of ['customer-manager', 'dept-manager', 'center-reviewer', 'tech-dept', 'contract-admin', 'ops', 'admin', 'auditor']) {
      const me = await api.request('GET', '/api/auth/me', { token: await api.token(role) });
      expect(me.json).to.deep.equal({ username: role, roles: [role], apPartnerId: null });
    }
    expect((await api.request('GET', '/api/auth/me', { token: await api.token('ap-alpha') })).json).to.deep.equal({
      username: 'ap-alpha',
      roles: ['ap-partner'],
      apPartnerId: AP_ALPHA,
    });
    expect((await api.request('GET', '/api/auth/me', { token: await api.token('ap-beta') })).json.apPartnerId).to.equal(AP_BETA);
  });

  it('wrong password, unknown user → 401 problem; a token signed with another secret or expired → 401', async () => {
    const wrong = await api.request('POST', '/api/auth/login', { body: { username: 'admin', password: 'Demo' } });
    expect(wrong.status).to.equal(401);
    expect(wrong.headers['content-type']).to.match(/^application\/problem\+json/);
    expect((await api.request('POST', '/api/auth/login', { body: { username: 'root', password: 'demo' } })).status).to.equal(401);
    const forged = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin')
      .setIssuer('online-training-local')
      .setAudience('online-training-api')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('another-secret-0123456789'));
    expect((await api.request('GET', '/api/auth/me', { token: forged })).status).to.equal(401);
    const expired = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin')
      .setIssuer('online-training-local')
      .setAudience('online-training-api')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(TEST_SECRET));
    expect((await api.request('GET', '/api/auth/me', { token: expired })).status).to.equal(401);
    const good = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin')
      .setIssuer('online-training-local')
      .setAudience('online-training-api')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(TEST_SECRET));
    expect((await api.request('GET', '/api/auth/me', { token: good })).status).to.equal(200);
  });

  it('roles come from the user directory, not from what a token claims', async () => {
    const t = await new SignJWT({ roles: ['ops', 'admin', 'superuser'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ops')
      .setIssuer('online-training-local')
      .setAudience('online-training-api')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(TEST_SECRET));
    expect((await api.request('GET', '/api/auth/me', { token: t })).json.roles).to.deep.equal(['ops']);
  });

  it('local mode refuses to start when NODE_ENV=production', async () => {
    expect(() => assertAuthModeAllowed('local', 'production')).to.throw(/refused/);
    expect(() => assertAuthModeAllowed('local', 'development')).not.to.throw();
    expect(() => assertAuthModeAllowed('oidc', 'production')).not.to.throw();
    // main.ts goes through the same check even with a config object that slipped past loadConfig
    const cfg = { ...loadConfig({ NODE_ENV: 'development' }), NODE_ENV: 'production' as const };
    let err: unknown;
    try {
      await buildAuth(cfg, api.ds);
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/AUTH_MODE=local is refused/);
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'local' })).to.throw(/AUTH_MODE/);
  });
});
