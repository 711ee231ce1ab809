/**
 * A real OpenID provider for the sign-in test (npm oidc-provider), on loopback: the workbench as a
 * public client (authorization code + PKCE required, refresh tokens), JWT access tokens for the API's
 * resource with the roles claim, test users with passwords, and the provider's own login page (an
 * interaction form served here) where the person types them. Consent is granted by the provider for
 * this first-party client, as an organisation's provider does for its own applications.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface TestUser {
  username: string;
  password: string;
  name: string;
  roles: string[];
}
export interface TestProvider {
  issuer: string;
  jwksUrl: string;
  clientId: string;
  audience: string;
  scope: string;
  /** how often the login form was submitted with right credentials */
  logins(): number;
  close(): Promise<void>;
}

const RESOURCE = 'urn:online-training:api';
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginForm(uid: string, error?: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>统一身份认证</title></head><body>
<h1>统一身份认证</h1>${error ? `<p role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}">
<label>账号 <input name="username" autocomplete="username" required></label>
<label>口令 <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">登录</button></form></body></html>`;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      s += c;
      if (s.length > 10_000) req.destroy();
    });
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

export async function startOidcProvider(opts: { redirectUri: string; users: TestUser[]; audience: string }): Promise<TestProvider> {
  const users = new Map(opts.users.map((u) => [u.username, u]));
  const clientId = 'online-training-workbench';
  const scope = 'openid profile api';
  const kp = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(kp.privateKey)), kid: 'test-signing-key', use: 'sig', alg: 'RS256' };
  let logins = 0;
  let provider: Provider | undefined;
  const server = http.createServer((req, res) => {
    if (!provider) return void res.writeHead(503).end();
    if (req.url?.startsWith('/interaction/')) {
      interaction(provider, req, res).catch((e: Error) => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(e.message);
      });
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function interaction(p: Provider, req: http.IncomingMessage, res: http.ServerResponse) {
    const details = await p.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      if (req.method !== 'POST') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginForm(details.uid));
      const form = new URLSearchParams(await readBody(req));
      const u = users.get(form.get('username') ?? '');
      if (!u || u.password !== form.get('password'))
        return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginForm(details.uid, '账号或口令不正确'));
      logins++;
      return void (await p.interactionFinished(req, res, { login: { accountId: u.username } }, { mergeWithLastSubmission: false }));
    }
    // consent for the organisation's own client: grant what it asked for
    const accountId = details.session!.accountId;
    const grant = details.grantId
      ? (await p.Grant.find(details.grantId))!
      : new p.Grant({ accountId, clientId: String(details.params.client_id) });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await p.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        token_endpoint_auth_method: 'none',
        redirect_uris: [opts.redirectUri],
        post_logout_redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['oidc-test-cookie-key-0123456789abcdef'] },
    scopes: ['openid', 'profile', 'api'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    async findAccount(_ctx, sub) {
      const u = users.get(sub);
      if (!u) return undefined;
      return { accountId: sub, claims: async () => ({ sub, name: u.name, preferred_username: u.username }) };
    },
    interactions: { url: async (_ctx, i) => `/interaction/${i.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: 'api',
          audience: opts.audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 600,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    // the API reads the username and the roles from the access token
    async extraTokenClaims(_ctx, token) {
      const u = users.get(String((token as { accountId?: string }).accountId ?? ''));
      return u ? { preferred_username: u.username, roles: u.roles } : undefined;
    },
    async issueRefreshToken(_ctx, client) {
      return client.grantTypeAllowed('refresh_token');
    },
  });
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    clientId,
    audience: opts.audience,
    scope,
    logins: () => logins,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
