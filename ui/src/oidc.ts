/**
 * Sign-in at the identity provider when the API runs AUTH_MODE=oidc: the authorization-code flow with
 * PKCE (oidc-client-ts) for the public client named by GET /api/auth/config. The provider sends the
 * browser back to / with ?code&state; the tokens stay in this tab's sessionStorage (never localStorage),
 * the access token is the bearer of every API call (api.ts session). A 401 renews with the refresh
 * token when the provider gave one, else signs in again at the provider, coming back to the same page.
 */
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { session, whenUnauthorized } from './api';
import { forget } from './user';

export interface SignInConfig {
  mode: 'local' | 'oidc';
  issuer?: string;
  clientId?: string;
  scope?: string;
  resource?: string;
}

let manager: UserManager | null = null;
/** why the last return from the provider failed, for the sign-in page */
let failure: string | null = null;

export const oidcMode = () => manager !== null;
export const signInFailure = () => failure;

/** Reads the sign-in config; in OIDC mode finishes a return from the provider. Call once before routing. */
export async function startSignIn(): Promise<void> {
  const res = await fetch('/api/auth/config', { headers: { accept: 'application/json' } }).catch(() => null);
  const config = (res?.ok ? await res.json() : { mode: 'local' }) as SignInConfig;
  if (config.mode !== 'oidc' || !config.issuer || !config.clientId) return;
  const home = `${location.origin}/`;
  const m = new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: home,
    post_logout_redirect_uri: home,
    response_type: 'code',
    scope: config.scope ?? 'openid profile',
    ...(config.resource ? { resource: config.resource } : {}),
    userStore: new WebStorageStateStore({ store: sessionStorage }),
    stateStore: new WebStorageStateStore({ store: sessionStorage }),
    automaticSilentRenew: true,
  });
  manager = m;
  m.events.addUserLoaded((u) => session.set(u.access_token));
  whenUnauthorized(renew);
  const q = new URLSearchParams(location.search);
  if (q.has('state') && (q.has('code') || q.has('error'))) {
    try {
      const u = await m.signinRedirectCallback();
      session.set(u.access_token);
      const back = typeof u.state === 'string' && u.state.startsWith('#/') ? u.state : '#/';
      history.replaceState(null, '', `/${back}`);
    } catch (e) {
      failure = (e as Error).message;
      history.replaceState(null, '', '/#/login');
    }
    return;
  }
  const u = await m.getUser();
  if (u && !u.expired) session.set(u.access_token);
}

/** to the provider's sign-in page; back at the page shown now (or 待办) */
export async function signInAtProvider(): Promise<void> {
  const here = location.hash.split('?')[0] === '#/login' ? '#/' : location.hash || '#/';
  await manager!.signinRedirect({ state: here });
}

/** a refused token: a new one with the refresh token, else a new sign-in at the provider */
async function renew(): Promise<boolean> {
  const m = manager!;
  const u = await m.getUser();
  if (u?.refresh_token) {
    try {
      const renewed = await m.signinSilent();
      if (renewed) {
        session.set(renewed.access_token);
        forget(false);
        return true;
      }
    } catch {
      /* refresh refused: sign in again */
    }
  }
  await m.removeUser();
  session.clear();
  await signInAtProvider();
  return false;
}

/** 退出: forgets the user here and, in OIDC mode, ends the session at the provider too */
export async function signOut(): Promise<void> {
  forget();
  if (!manager) {
    location.hash = '#/login';
    return;
  }
  const u = await manager.getUser();
  await manager.removeUser();
  await manager.signoutRedirect(u?.id_token ? { id_token_hint: u.id_token } : {});
}
