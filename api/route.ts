/**
 * What one route declares. Every route is declared exactly once in the route table (routes.ts) with its
 * method, path, roles, request schemas, response schema and summary (English + Chinese); app.ts wires
 * the table into Express and openapi.ts publishes it.
 */
import type { Role } from '../domain/vocabulary';
import { badRequest, notFound } from './problem';
import type { Principal } from './auth';
import type { JsonSchema } from './schema';
import type { ApiServices } from './services';

/** `public`: no token needed. Otherwise the roles allowed (any one suffices). */
export type Access = 'public' | readonly Role[];
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Ctx<P = any, Q = any, B = any> {
  principal: Principal;
  params: P;
  query: Q;
  body: B;
  services: ApiServices;
}

/** A non-JSON or non-default reply (CSV, 201 with Location, 204 ...). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly contentType = 'application/json; charset=utf-8',
    readonly headers: Record<string, string> = {},
  ) {}
}

export interface RouteSpec {
  /** operationId */
  id: string;
  method: Method;
  /** Express path under /api, e.g. `/orders/:id` */
  path: string;
  roles: Access;
  tag: string;
  summary: { en: string; zh: string };
  params?: JsonSchema;
  query?: JsonSchema;
  body?: JsonSchema;
  response: { status: number; schema?: JsonSchema; contentType?: string; description?: string };
  /** problem responses of this route beyond the ones every route of its kind has (OpenAPI), status → when */
  problems?: Record<string, string>;
  /** honours the Idempotency-Key header (api/idempotency.ts): the POSTs that create a numbered record */
  idempotent?: boolean;
  handler: (ctx: Ctx) => Promise<unknown>;
}

export function route<P = any, Q = any, B = any>(
  spec: Omit<RouteSpec, 'handler'> & { handler: (ctx: Ctx<P, Q, B>) => Promise<unknown> },
): RouteSpec {
  return spec as RouteSpec;
}

// ------------------------------------------------------------------ helpers of the handlers
export function found<T>(rec: T | null, what: string, id: string, pointer = '/id'): T {
  if (rec === null || rec === undefined) throw notFound(what, id, pointer);
  return rec;
}

export function checkRange(from?: string, to?: string) {
  if (from && to && from > to)
    throw badRequest(`from ${from} is after to ${to}`, [{ in: 'query', pointer: '/to', detail: 'must not be before from' }]);
}

export const page = (q: { limit: number; offset: number }) => ({ limit: q.limit, offset: q.offset });
