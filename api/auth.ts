/**
 * Bearer-token authentication. Two modes, one interface:
 * - `oidc` (production): tokens from the identity provider, verified against its JWKS (signature,
 *   issuer, audience, expiry); roles read from a configurable claim path (e.g. `realm_access.roles`,
 *   `groups`) and kept only where they name a role of domain/vocabulary.ts.
 * - `local` (development, tests): demo users named after their role, password `demo`, tokens signed
 *   HS256 with a configured secret. Refused when NODE_ENV=production (see assertAuthModeAllowed).
 */
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { timingSafeEqual } from 'node:crypto';
import { ROLE_IDS, type Role } from '../domain/vocabulary';
import { unauthorized } from './problem';

export interface Principal {
  username: string;
  roles: Role[];
  /** set for users of role ap-partner: the AP partner they act for */
  apPartnerId: string | null;
}

/** Who acts, and why (every write to a §9 record carries actor, time and reason). */
export interface Actor {
  username: string;
  roles: string[];
}

export interface Authenticator {
  readonly mode: 'local' | 'oidc';
  /** Resolves the bearer token to a principal or throws a 401 problem. */
  verify(token: string): Promise<Principal>;
  /** Local mode only: username + password → token, or null when they do not match. */
  login?(username: string, password: string): Promise<string | null>;
  /** OIDC mode: what the web workbench needs to sign people in at the provider (public, no secret) */
  readonly browser?: BrowserSignIn;
}

export interface BrowserSignIn {
  issuer: string;
  clientId: string;
  scope: string;
  resource?: string;
}

const ROLE_SET = new Set<string>(ROLE_IDS);
const toRoles = (value: unknown): Role[] =>
  (Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [])
    .map((r) => String(r).replace(/^\//, ''))
    .filter((r): r is Role => ROLE_SET.has(r));

/** Reads `a.b.c` from a claims object. */
export function claimAt(payload: JWTPayload, path: string): unknown {
  let cur: unknown = payload;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

// ---------------------------------------------------------------- local mode

export interface LocalUser {
  username: string;
  roles: Role[];
  apPartnerId?: string | null;
}

/** Staff demo users: one per role except ap-partner, named after the role. */
export const DEMO_STAFF_USERS: LocalUser[] = ROLE_IDS.filter((r) => r !== 'ap-partner').map((r) => ({ username: r, roles: [r] }));
export const DEMO_PASSWORD = 'demo';

/** who may sign in locally, asked at each sign-in (so an AP partner the admin adds can sign in at once) */
export type LocalUserLookup = (username: string) => Promise<LocalUser | undefined>;

export interface LocalAuthOptions {
  secret: string;
  /** staff users and AP users (role ap-partner with apPartnerId): a fixed list, or a lookup */
  users: LocalUser[] | LocalUserLookup;
  /** called once per user and process after a successful sign-in (the user directory records them) */
  onSignIn?: (u: LocalUser) => Promise<void>;
  password?: string;
  ttlSeconds?: number;
  issuer?: string;
}

const LOCAL_ISSUER = 'online-training-local';
const LOCAL_AUDIENCE = 'online-training-api';

export function assertAuthModeAllowed(mode: string, nodeEnv: string | undefined): void {
  if (mode === 'local' && nodeEnv === 'production') {
    throw new Error('AUTH_MODE=local is refused when NODE_ENV=production: configure AUTH_MODE=oidc');
  }
}

export function createLocalAuth(opts: LocalAuthOptions): Authenticator {
  if (opts.secret.length < 16) throw new Error('local auth secret must be at least 16 characters');
  const key = new TextEncoder().encode(opts.secret);
  const fixed = Array.isArray(opts.users) ? new Map(opts.users.map((u) => [u.username, u])) : null;
  const lookup: LocalUserLookup = fixed ? async (name) => fixed.get(name) : (opts.users as LocalUserLookup);
  const signedIn = new Set<string>();
  const password = Buffer.from(opts.password ?? DEMO_PASSWORD);
  const issuer = opts.issuer ?? LOCAL_ISSUER;
  const ttl = opts.ttlSeconds ?? 8 * 3600;
  const cache = new Map<string, { p: Principal; exp: number }>();
  return {
    mode: 'local',
    async login(username, pw) {
      const given = Buffer.from(pw);
      const ok = given.length === password.length && timingSafeEqual(given, password);
      const u = ok ? await lookup(username) : undefined;
      if (!u || !ok) return null;
      if (opts.onSignIn && !signedIn.has(u.username)) {
        signedIn.add(u.username);
        await opts.onSignIn(u).catch(() => signedIn.delete(u.username));
      }
      return new SignJWT({ roles: u.roles, ap_partner_id: u.apPartnerId ?? null })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(u.username)
        .setIssuer(issuer)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttl}s`)
        .sign(key);
    },
    async verify(token) {
      const hit = cache.get(token);
      if (hit && hit.exp > Date.now() / 1000) return hit.p;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer, audience: LOCAL_AUDIENCE }));
      } catch (e) {
        throw unauthorized(`invalid token: ${(e as Error).message}`);
      }
      const user = await lookup(String(payload.sub));
      if (!user) throw unauthorized('unknown user');
      // roles and partner come from the user directory, whatever the token claims
      const p: Principal = { username: user.username, roles: [...user.roles], apPartnerId: user.apPartnerId ?? null };
      if (cache.size > 10_000) cache.clear();
      cache.set(token, { p, exp: payload.exp ?? 0 });
      return p;
    },
  };
}

// ---------------------------------------------------------------- OIDC mode

export interface OidcAuthOptions {
  issuer: string;
  audience: string;
  /** defaults to `<issuer>/protocol/openid-connect/certs` is NOT assumed: give it explicitly */
  jwksUri: string;
  /** claim path of the roles, e.g. `realm_access.roles` or `groups` */
  rolesClaim: string;
  /** claim holding the AP partner id of AP users */
  apPartnerClaim?: string;
  /** claim giving the username; default preferred_username then sub */
  usernameClaim?: string;
  clockToleranceSeconds?: number;
  /** for tests: a key set instead of fetching jwksUri */
  keySet?: JWTVerifyGetKey;
  /**
   * called the first time this process sees a user (and again after it failed): the user directory
   * records them with the token's `email` and `name` claims (domain/notifications/directory.ts)
   */
  onFirstSight?: (p: Principal, claims: { email: string | null; name: string | null }) => Promise<void>;
  /** the web workbench's client at the provider (GET /api/auth/config) */
  browser?: Omit<BrowserSignIn, 'issuer'>;
}

export function createOidcAuth(opts: OidcAuthOptions): Authenticator {
  const keys = opts.keySet ?? createRemoteJWKSet(new URL(opts.jwksUri), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
  const seen = new Set<string>();
  return {
    mode: 'oidc',
    ...(opts.browser ? { browser: { issuer: opts.issuer, ...opts.browser } } : {}),
    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: opts.issuer,
          audience: opts.audience,
          algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
          clockTolerance: opts.clockToleranceSeconds ?? 30,
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (e) {
        throw unauthorized(`invalid token: ${(e as Error).message}`);
      }
      const roles = toRoles(claimAt(payload, opts.rolesClaim));
      const username = String(claimAt(payload, opts.usernameClaim ?? 'preferred_username') ?? payload.sub);
      const ap = opts.apPartnerClaim ? claimAt(payload, opts.apPartnerClaim) : undefined;
      const apPartnerId = typeof ap === 'string' && ap ? ap : null;
      if (roles.includes('ap-partner') && !apPartnerId) throw unauthorized('AP user without an AP partner claim');
      const p: Principal = { username, roles, apPartnerId };
      if (opts.onFirstSight && !seen.has(username)) {
        seen.add(username);
        const claim = (k: string) => (typeof payload[k] === 'string' && payload[k] ? (payload[k] as string) : null);
        // the request does not wait for the directory, nor fail with it; a failed write is tried again next time
        opts.onFirstSight(p, { email: claim('email'), name: claim('name') }).catch(() => seen.delete(username));
      }
      return p;
    },
  };
}
