/**
 * The HTTP side of observability:
 *
 *  requestLogging(logger)  Express middleware of the API: a request id per request (the caller's
 *                          X-Request-Id when it is a sane token, else a new UUID; echoed in the response),
 *                          a child logger on res.locals.log carrying it, and one JSON line per finished
 *                          request (status, route pattern, duration, username). Probe paths (/health/*,
 *                          /metrics) are logged at debug (warn when not ready), so scrapes and
 *                          healthchecks do not flood the log; 5xx elsewhere at error.
 *  opsApp({...})           the workers' small HTTP surface on PORT: GET /health/live, GET /health/ready
 *                          (database + Zeebe gateway, readiness.ts), GET /metrics. docker-compose.yml's
 *                          healthcheck of the `workers` service calls /health/ready.
 *  listen(app, port, host) binds (port 0: a free port) and resolves with the port and a close function.
 *
 * /metrics is served at the root, never under /api: in production it is reached on the compose network
 * only (Prometheus in the same network); the reverse proxy in front of the API forwards /api (docs/admins.md).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { requestLogger, type AppLogger } from './logger';
import { routeLabel, trackRouteMount, type AppMetrics } from './metrics';
import type { ReadinessChecker } from './readiness';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** an incoming request id is taken over only when it is a short token (it ends up in every log line) */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** paths of probes and scrapes: logged at debug */
const PROBE_PATH = /^\/(health\/(live|ready)|metrics)\/?$/;

export interface RequestLoggingOptions {
  /** new ids; default randomUUID */
  newId?: () => string;
  /** monotonic ms clock, for tests */
  now?: () => number;
}

export function requestLogging(logger: AppLogger, opts: RequestLoggingOptions = {}): RequestHandler {
  const newId = opts.newId ?? randomUUID;
  const now = opts.now ?? (() => performance.now());
  return (req: Request, res: Response, next: NextFunction) => {
    const t0 = now();
    trackRouteMount(req);
    const incoming = req.get(REQUEST_ID_HEADER);
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : newId();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const path = req.path;
    const log = requestLogger(logger, { requestId, method: req.method, path });
    res.locals.requestId = requestId;
    res.locals.log = log;
    let done = false;
    const finished = (aborted: boolean) => {
      if (done) return;
      done = true;
      const principal = res.locals.principal as { username?: string } | undefined;
      const status = aborted ? 499 : res.statusCode;
      const line: Record<string, unknown> = { status, route: routeLabel(req), durationMs: Math.round((now() - t0) * 10) / 10 };
      if (principal?.username && principal.username !== 'anonymous') line.username = principal.username;
      const msg = aborted ? 'request aborted by the client' : 'request';
      if (PROBE_PATH.test(path)) {
        // a 503 of /health/ready is a dependency down, which the readiness report names
        if (status < 500) log.debug(line, msg);
        else log.warn(line, msg);
      } else if (status >= 500) log.error(line, msg);
      else log.info(line, msg);
    };
    res.once('finish', () => finished(false));
    res.once('close', () => finished(!res.writableFinished));
    next();
  };
}

export interface OpsAppOptions {
  readiness: ReadinessChecker;
  metrics: Pick<AppMetrics, 'metricsHandler'>;
}

/** GET /health/live, GET /health/ready, GET /metrics; anything else 404. */
export function opsApp(opts: OpsAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // alive: the event loop answers; a dependency being down makes the process not ready, not dead
  app.get('/health/live', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  app.get('/health/ready', opts.readiness.handler());
  app.get('/metrics', opts.metrics.metricsHandler());
  app.use((req, res) => {
    res
      .status(404)
      .json({ status: 404, detail: `no endpoint ${req.method} ${req.path} (this port serves /health/live, /health/ready, /metrics)` });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (!res.headersSent) res.status(500).json({ status: 500, detail: (err as Error)?.message ?? String(err) });
  });
  return app;
}

export interface Listening {
  readonly server: http.Server;
  readonly port: number;
  close(): Promise<void>;
}

export async function listen(app: Express, port: number, host = '0.0.0.0'): Promise<Listening> {
  const server = http.createServer(app);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}
