/**
 * createApp(services): pure wiring of the route table into Express. No environment reads, no
 * connections opened here: everything arrives in `services`.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Principal } from './auth';
import { buildOpenApi } from './openapi';
import { serveApiDocs } from './docs/static';
import {
  badRequest,
  forbidden,
  fromDomainError,
  internalError,
  malformedJson,
  methodNotAllowed,
  payloadTooLarge,
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  routeNotFound,
  unauthorized,
  unsupportedMediaType,
} from './problem';
import { Reply, type RouteSpec } from './route';
import { ROUTES } from './routes';
import { check, compile, type JsonSchema } from './schema';
import type { ApiServices } from './services';
import { illFormedText } from './well-formed';
import { idempotencyKeyOf, idempotent } from './idempotency';

export interface AppOptions {
  /** default 256kb */
  bodyLimit?: string;
  /** check every response against its declared schema (tests): a mismatch is a 500 */
  validateResponses?: boolean;
  routes?: RouteSpec[];
  /**
   * metrics (platform/observability/metrics.ts): the latency histogram on every request, labelled by route
   * pattern, and GET /metrics at the root (never under /api: reached on the internal network only)
   */
  metrics?: { httpMiddleware(): RequestHandler; metricsHandler(): RequestHandler };
  /** request logging (platform/observability/http.ts requestLogging): request id, one log line per request */
  requestLogging?: RequestHandler;
  /** the web UI at `/` (api/workbench/static.ts); /api and the health routes come first */
  ui?: RequestHandler;
}

const EMPTY_OBJECT: JsonSchema = { type: 'object', additionalProperties: false, properties: {} };

function sendProblem(res: Response, req: Request, err: ProblemError) {
  if (res.headersSent) return;
  res
    .status(err.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(err.toJSON(req.originalUrl)));
}

export function createApp(services: ApiServices, opts: AppOptions = {}) {
  const routes = opts.routes ?? ROUTES;
  const bodyLimit = opts.bodyLimit ?? '256kb';
  const logError = services.logError ?? ((err: unknown, ctx: Record<string, unknown>) => console.error('api error', ctx, err));
  const openapi = JSON.stringify(buildOpenApi(routes));

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  // ---------------------------------------------------------------- observability (injected)
  if (opts.metrics) app.use(opts.metrics.httpMiddleware());
  if (opts.requestLogging) app.use(opts.requestLogging);
  if (opts.metrics) app.get('/metrics', opts.metrics.metricsHandler());

  // ---------------------------------------------------------------- health (root, not under /api)
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req, res) => {
    try {
      const r = await services.health.ready();
      res.status(r.ok ? 200 : 503).json({ status: r.ok ? 'ok' : 'unavailable', checks: r.checks });
    } catch (e) {
      res.status(503).json({ status: 'unavailable', checks: { ready: { ok: false, detail: (e as Error).message } } });
    }
  });

  const api = express.Router({ caseSensitive: true, strict: false });
  api.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openapi);
  });
  api.use('/docs', serveApiDocs());

  const json = express.json({ limit: bodyLimit, strict: true, type: ['application/json', 'application/*+json'] });

  const byPath = new Map<string, string[]>();
  for (const r of routes) {
    byPath.set(r.path, [...(byPath.get(r.path) ?? []), r.method.toUpperCase()]);
    const v = {
      params: compile(r.params ?? EMPTY_OBJECT, 'path'),
      query: compile(r.query ?? EMPTY_OBJECT, 'query'),
      body: r.body ? compile(r.body, 'body') : undefined,
      response: opts.validateResponses && r.response.schema && !r.response.contentType ? compile(r.response.schema, 'body') : undefined,
    };
    const allowed = r.roles === 'public' ? null : new Set<string>(r.roles);
    const handlers = [
      async (req: Request, res: Response, next: NextFunction) => {
        try {
          // 1. who (401) and may they (403): before looking at the input
          let principal: Principal = { username: 'anonymous', roles: [], apPartnerId: null };
          if (allowed) {
            const h = req.headers.authorization ?? '';
            const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(h);
            if (!m) throw unauthorized('a bearer token is required');
            principal = await services.auth.verify(m[1]);
            if (!principal.roles.some((role) => allowed.has(role)))
              throw forbidden(
                `${r.method.toUpperCase()} /api${r.path} is not allowed for roles: ${principal.roles.join(', ') || '(none)'}`,
              );
          }
          res.locals.principal = principal;
          next();
        } catch (e) {
          next(e);
        }
      },
      ...(r.body ? [jsonOnly, json] : []),
      async (req: Request, res: Response, next: NextFunction) => {
        try {
          // 2. the input (400): well-formed text, then path, query and body each against its schema
          const illFormed = [
            ...illFormedText(req.query).map((pointer) => ({ in: 'query' as const, pointer })),
            ...(r.body ? illFormedText(req.body).map((pointer) => ({ in: 'body' as const, pointer })) : []),
          ];
          if (illFormed.length)
            throw badRequest(
              `text must be well-formed Unicode: a lone surrogate at ${illFormed.map((e) => `${e.in} ${e.pointer || '(root)'}`).join(', ')}`,
              illFormed.map((e) => ({ ...e, detail: 'contains a lone surrogate (not well-formed Unicode)' })),
            );
          const params = { ...req.params };
          check(v.params, params, 'path');
          const query = { ...(req.query as Record<string, unknown>) };
          check(v.query, query, 'query');
          let body: unknown;
          if (v.body) {
            body = req.body;
            check(v.body, body, 'body');
          }
          // 3. the work (once per Idempotency-Key on the creating routes)
          const principal = res.locals.principal as Principal;
          const work = async () => {
            const out = await r.handler({ principal, params, query, body, services });
            return out instanceof Reply ? out : new Reply(r.response.status, out);
          };
          const key = r.idempotent ? idempotencyKeyOf(req) : undefined;
          const reply = key
            ? await idempotent(services.store, { actor: principal.username, key, operation: r.id }, req, body, work)
            : await work();
          if (v.response && reply.status < 300 && !v.response(reply.body)) {
            logError(new Error('response does not match its schema'), { route: r.id, errors: v.response.errors });
            throw internalError();
          }
          res.status(reply.status);
          for (const [k, val] of Object.entries(reply.headers)) res.setHeader(k, val);
          res.setHeader('content-type', reply.contentType);
          if (typeof reply.body === 'string') res.send(reply.body);
          else res.send(JSON.stringify(reply.body));
        } catch (e) {
          next(e);
        }
      },
    ];
    api[r.method](r.path, ...handlers);
  }

  // 405 for a known path with another method, 404 for the rest
  api.use((req, _res, next) => {
    const match = routes.find((r) => pathMatches(r.path, req.path));
    if (match) return next(methodNotAllowed(req.method, req.originalUrl, byPath.get(match.path) ?? []));
    next(routeNotFound(req.originalUrl));
  });

  app.use('/api', api);
  if (opts.ui) app.use(opts.ui);
  app.use((req, _res, next) => next(routeNotFound(req.originalUrl)));

  // problem+json for everything that goes wrong
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let problem: ProblemError;
    const fromDomain = fromDomainError(err);
    if (err instanceof ProblemError) problem = err;
    else if (fromDomain) problem = fromDomain;
    else if (isClientError(err)) {
      // body-parser and router errors (http-errors with a 4xx status)
      if (err.type === 'entity.too.large') problem = payloadTooLarge(bodyLimit);
      else if (err.type === 'entity.parse.failed') problem = malformedJson(`the body is not valid JSON: ${err.message}`);
      else if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') problem = unsupportedMediaType(err.message);
      else if (err instanceof URIError)
        problem = new ProblemError(400, 'bad-request', 'Bad request', err.message, [
          { in: 'path', pointer: '', detail: 'not valid percent-encoding' },
        ]);
      else
        problem = new ProblemError(err.status, 'bad-request', 'Bad request', err.message, [
          { in: 'body', pointer: '', detail: err.message },
        ]);
    } else {
      logError(err, { method: req.method, url: req.originalUrl, ...(res.locals.requestId ? { requestId: res.locals.requestId } : {}) });
      problem = internalError();
    }
    if (problem.status === 405) res.setHeader('allow', ((problem.extensions.allowed as string[]) ?? []).join(', '));
    if (problem.status === 401) res.setHeader('www-authenticate', 'Bearer');
    sendProblem(res, req, problem);
  });

  return app;
}

/** A body route needs a body (400) and accepts JSON only (415). */
function jsonOnly(req: Request, _res: Response, next: NextFunction) {
  const len = Number(req.headers['content-length'] ?? 0);
  const hasBody = len > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return next(badRequest('a JSON body is required', [{ in: 'body', pointer: '', detail: 'is required' }]));
  if (!req.is(['application/json', 'application/*+json'])) {
    return next(unsupportedMediaType(`content-type must be application/json, not ${req.headers['content-type'] ?? '(none)'}`));
  }
  next();
}

function isClientError(e: unknown): e is Error & { type?: string; status: number } {
  const status = (e as { status?: unknown })?.status;
  return e instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
}

function pathMatches(pattern: string, path: string): boolean {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  return a.length === b.length && a.every((seg, i) => seg.startsWith(':') || seg === b[i]);
}
