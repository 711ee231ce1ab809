/**
 * OIDC sign-in in a real browser against a real OpenID provider (npm oidc-provider, in this process on
 * loopback, support/oidc-provider.ts): the API runs AUTH_MODE=oidc, configured from the environment as
 * in production; the workbench learns the issuer and its client from /api/auth/config, sends the person
 * to the provider's login page (authorization code + PKCE), where they type their credentials, and shows
 * 待办 with their task when they come back. Then: the tokens live in sessionStorage only; a refused access
 * token is renewed with the refresh token without a new login; 退出 ends the session at the provider.
 */
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createHealth } from '../../api/health';
import type { ApiServices } from '../../api/services';
import { createStore } from '../../api/store';
import { createWorkbench, serveUi } from '../../api/workbench/index';
import { buildAuth } from '../../app/entry/api';
import { loadConfig } from '../../platform/config/index';
import * as d from '../process/support/driver';
import { startE2E, type E2E } from '../process/support/system';
import { buildUi, launch, type Browser } from './support/browser';
import { startOidcProvider, type TestProvider } from './support/oidc-provider';
import { findTask, WAIT } from './support/workbench';

describe('ui: OIDC sign-in at a real provider (authorization code + PKCE)', function () {
  this.timeout(180_000);
  let e: E2E;
  let idp: TestProvider;
  let browser: Browser;
  let server: http.Server;
  let base: string;
  const PASSWORD = 'Kou-ling-2026!';

  before(async () => {
    buildUi();
    e = await startE2E();
    // the API's address first: it is the redirect URI registered at the provider
    let handler: http.RequestListener = (_req, res) => void res.writeHead(503).end();
    server = http.createServer((req, res) => handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    idp = await startOidcProvider({
      redirectUri: `${base}/`,
      audience: 'online-training-api',
      users: [{ username: 'customer-manager', password: PASSWORD, name: '王敏', roles: ['customer-manager', 'offline_access'] }],
    });
    const config = loadConfig({
      NODE_ENV: 'production',
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: idp.issuer,
      OIDC_AUDIENCE: idp.audience,
      OIDC_JWKS_URL: idp.jwksUrl,
      OIDC_ROLES_CLAIM: 'roles',
      OIDC_UI_CLIENT_ID: idp.clientId,
      OIDC_UI_SCOPE: idp.scope,
    });
    const services = {
      auth: await buildAuth(config, e.ds),
      store: createStore(e.ds, e.sys.clock),
      health: createHealth(e.ds),
      tasks: e.sys.tasks,
      workbench: createWorkbench(e.ds, e.sys.restAddress, { now: () => e.sys.clock.now() }),
    } as ApiServices;
    handler = createApp(services, { ui: serveUi({ signIn: services.auth.browser }) });
    browser = await launch();
  });
  after(async () => {
    server?.close();
    server?.closeAllConnections();
    await browser?.close();
    await idp?.close();
    await e?.stop();
  });

  it('signs in at the provider, comes back to 待办 with the task; renews a refused token; 退出 ends the provider session', async () => {
    const o = await d.createOrder(e);
    const cfg = await (await fetch(`${base}/api/auth/config`)).json();
    expect(cfg).to.deep.equal({ mode: 'oidc', issuer: idp.issuer, clientId: idp.clientId, scope: idp.scope });
    // no password login in OIDC mode
    expect(
      (
        await fetch(`${base}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'customer-manager', password: 'demo' }),
        })
      ).status,
    ).to.equal(401);

    const page = await browser.page();
    const refused: string[] = [];
    page.on('response', (r) => void (r.status() === 401 && refused.push(r.url())));
    const grants: string[] = [];
    page.on(
      'request',
      (r) =>
        void (
          r.method() === 'POST' &&
          r.url() === `${idp.issuer}/token` &&
          grants.push(new URLSearchParams(r.postData() ?? '').get('grant_type') ?? '')
        ),
    );
    await page.goto(`${base}/#/inbox`);
    await page.getByRole('button', { name: '通过统一身份认证登录' }).click();
    // the provider's own page, at its own address, with PKCE in the request
    await page.getByLabel('账号').waitFor({ timeout: WAIT });
    expect(page.url().startsWith(idp.issuer)).to.equal(true);
    await page.getByLabel('账号').fill('customer-manager');
    await page.getByLabel('口令').fill('demo');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('alert').filter({ hasText: '账号或口令不正确' }).waitFor({ timeout: WAIT });
    expect(idp.logins()).to.equal(0);
    await page.getByLabel('账号').fill('customer-manager');
    await page.getByLabel('口令').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();

    // back at the workbench, signed in with the provider's roles, on the page asked for
    await page.getByTestId('user').filter({ hasText: 'customer-manager（客户经理）' }).waitFor({ timeout: WAIT });
    await page.getByRole('heading', { name: '待办' }).waitFor({ timeout: WAIT });
    expect(new URL(page.url()).search).to.equal('');
    expect(idp.logins()).to.equal(1);
    expect(grants).to.deep.equal(['authorization_code']);
    const row = await findTask(page, 'confirm-order-with-customer', o.orderNo);
    expect(await row.textContent()).to.include(o.orderNo);

    // the tokens are this tab's only: sessionStorage, nothing in localStorage
    const stored = await page.evaluate(() => {
      const w = globalThis as any;
      return { local: w.localStorage.length as number, token: w.sessionStorage.getItem('ot.token') as string | null };
    });
    expect(stored.local).to.equal(0);
    expect(stored.token?.split('.')).to.have.length(3);
    const payload = JSON.parse(Buffer.from(stored.token!.split('.')[1], 'base64url').toString());
    expect(payload.iss).to.equal(idp.issuer);
    expect(payload.aud).to.equal(idp.audience);

    // a token the API refuses (401): renewed with the refresh token, the page shown, no new login
    await page.evaluate((key) => {
      const store = (globalThis as any).sessionStorage;
      const user = JSON.parse(store.getItem(key));
      user.access_token = 'not-a-valid-token';
      store.setItem(key, JSON.stringify(user));
      store.setItem('ot.token', 'not-a-valid-token');
    }, `oidc.user:${idp.issuer}:${idp.clientId}`);
    await page.goto(`${base}/?again=1#/orders`);
    await page.getByRole('heading', { name: '订单' }).waitFor({ timeout: WAIT });
    const renewed = await page.evaluate(() => (globalThis as any).sessionStorage.getItem('ot.token') as string);
    expect(renewed).to.not.equal('not-a-valid-token');
    expect(renewed).to.not.equal(stored.token);
    expect(
      refused.some((u) => u.endsWith('/api/auth/me')),
      'the API refused the bad token first',
    ).to.equal(true);
    expect(grants).to.deep.equal(['authorization_code', 'refresh_token']);
    expect(idp.logins()).to.equal(1);

    // 退出: the provider asks to confirm, ends its session and sends the browser back to the workbench
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click({ timeout: WAIT });
    await page.getByRole('button', { name: '通过统一身份认证登录' }).waitFor({ timeout: WAIT });
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('ot.token'))).to.equal(null);
    // signing in again asks for the credentials again
    await page.getByRole('button', { name: '通过统一身份认证登录' }).click();
    await page.getByLabel('口令').waitFor({ timeout: WAIT });
  });
});
