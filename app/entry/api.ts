/**
 * `npm run api`: configuration (platform/config), database (initDatabase: connect + migrate), auth per
 * AUTH_MODE, user tasks through ZEEBE_REST_ADDRESS, then the app on PORT (default 3000). The whole
 * system (engine, workers, outbox dispatcher and this API) starts from app/ instead.
 */
import { loadConfig, type Config } from '../../platform/config/index';
import { initDatabase } from '../../db/index';
import { createApp } from '../../api/app';
import { assertAuthModeAllowed, createLocalAuth, createOidcAuth, type Authenticator } from '../../api/auth';
import { demoUserLookup, demoUsers } from '../../api/demo-users';
import { createHealth } from '../../api/health';
import { createRestUserTasks } from '../../api/tasks';
import { serveUi } from '../../api/workbench/index';
import { buildApiServices } from '../api-services';
import { recordDemoUsers, recordOidcUser } from '../../api/notifications/directory-sync';
import { systemClock } from '../../domain/clock';
import type { DataSource } from 'typeorm';
import { apiProcessObservability, observeApi, type ApiObservability } from '../observability/api';

/** The authenticator of AUTH_MODE (the data source gives local mode its AP users). */
export async function buildAuth(config: Config, ds?: DataSource): Promise<Authenticator> {
  assertAuthModeAllowed(config.AUTH_MODE, config.NODE_ENV);
  if (config.AUTH_MODE === 'oidc') {
    return createOidcAuth({
      issuer: config.OIDC_ISSUER!,
      audience: config.OIDC_AUDIENCE!,
      jwksUri: config.OIDC_JWKS_URL!,
      rolesClaim: config.OIDC_ROLES_CLAIM,
      apPartnerClaim: config.OIDC_AP_PARTNER_CLAIM,
      browser: {
        clientId: config.OIDC_UI_CLIENT_ID,
        scope: config.OIDC_UI_SCOPE,
        ...(config.OIDC_UI_RESOURCE ? { resource: config.OIDC_UI_RESOURCE } : {}),
      },
      ...(ds ? { onFirstSight: recordOidcUser(ds) } : {}),
    });
  }
  if (!ds) throw new Error('local auth needs the database (AP users)');
  // the directory knows every demo user from the start (notifications reach them before they sign in);
  // a partner added later is recorded at its first sign-in
  const known = await demoUsers(ds);
  await recordDemoUsers(ds, known);
  const recorded = new Set(known.map((u) => u.username));
  return createLocalAuth({
    secret: config.JWT_SECRET!,
    users: demoUserLookup(ds),
    onSignIn: async (u) => (recorded.has(u.username) ? undefined : recordDemoUsers(ds, [u])),
  });
}

/** obs: logs, metrics (GET /metrics) and the Zeebe readiness check (app/observability/api.ts); omitted: none */
export async function startApi(config: Config = loadConfig(), obs: ApiObservability = {}) {
  assertAuthModeAllowed(config.AUTH_MODE, config.NODE_ENV);
  const ds = await initDatabase(config.DATABASE_URL);
  const auth = await buildAuth(config, ds);
  const o = observeApi(ds, createHealth(ds), obs);
  const services = buildApiServices(ds, {
    config,
    auth,
    health: o.health,
    tasks: createRestUserTasks(config.ZEEBE_REST_ADDRESS),
    logError: o.logError,
    restAddress: config.ZEEBE_REST_ADDRESS,
    clock: systemClock,
  });
  const app = createApp(services, { ...o.appOptions, ui: serveUi({ signIn: auth.browser }) });
  const server = app.listen(config.PORT);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return { server, ds, app };
}

if (require.main === module) {
  let obs: ReturnType<typeof apiProcessObservability>;
  Promise.resolve()
    .then(() => {
      const config = loadConfig();
      obs = apiProcessObservability(config);
      return startApi(config, obs);
    })
    .then(({ server, ds }) => {
      const addr = server.address();
      obs.logger.info(
        { port: typeof addr === 'object' && addr ? addr.port : addr },
        'api listening (/api, /health/live, /health/ready, /metrics)',
      );
      const stop = () => {
        server.close();
        server.closeIdleConnections();
        void Promise.allSettled([ds.destroy(), obs.close()]).finally(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    })
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
