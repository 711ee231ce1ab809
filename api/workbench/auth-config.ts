/**
 * GET /api/auth/config (public): how the web workbench signs people in. Local mode: the password form
 * of the demo users. OIDC mode: the issuer and the workbench's public client id, so the page runs the
 * authorization-code flow with PKCE at the provider (ui/src/oidc.ts); no secret is handed out.
 */
import { route, type RouteSpec } from '../route';
import { enumOf, named, obj, str } from '../schema';

const SignInConfig = named(
  'SignInConfig',
  obj({ mode: enumOf(['local', 'oidc']), issuer: str(), clientId: str(), scope: str(), resource: str() }, ['mode']),
);

export const AUTH_CONFIG_ROUTES: RouteSpec[] = [
  route({
    id: 'signInConfig',
    method: 'get',
    path: '/auth/config',
    roles: 'public',
    tag: 'auth',
    summary: {
      en: 'How the web workbench signs in: local password form, or the OIDC issuer and public client id',
      zh: '工作台登录方式：本地密码，或统一身份认证（OIDC）的签发方与客户端',
    },
    response: { status: 200, schema: SignInConfig },
    handler: async ({ services }) => {
      const a = services.auth;
      if (a.mode !== 'oidc' || !a.browser) return { mode: a.mode };
      return { mode: 'oidc', ...a.browser };
    },
  }),
];
