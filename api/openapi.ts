/**
 * The OpenAPI 3.1 document, built from the route table: the same schema objects the validator
 * compiles. Named schemas (schema.ts `named`) go to components.schemas and are referenced by $ref.
 */
import { ROLES } from '../domain/vocabulary';
import { IDEMPOTENCY_PARAMETER } from './idempotency';
import { PROBLEM_CONTENT_TYPE } from './problem';
import type { RouteSpec } from './route';
import { schemaName, type JsonSchema } from './schema';
import { Health, Problem } from './schemas';

type Doc = Record<string, unknown>;

function refs(schema: unknown, components: Record<string, unknown>, top = false): unknown {
  if (Array.isArray(schema)) return schema.map((s) => refs(s, components));
  if (schema === null || typeof schema !== 'object') return schema;
  const name = schemaName(schema);
  if (name && !top) {
    if (!(name in components)) {
      components[name] = {}; // reserve (recursion guard)
      components[name] = refs(schema, components, true);
    }
    return { $ref: `#/components/schemas/${name}` };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    // keys under `properties` are field names, not keywords: copy the map, convert the values
    if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, refs(s, components)]));
    } else out[k] = refs(v, components);
  }
  return out;
}

const openApiPath = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(where: 'path' | 'query', schema: JsonSchema | undefined, components: Record<string, unknown>) {
  if (!schema) return [];
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(s.description ? { description: s.description } : {}),
    schema: refs(s, components),
  }));
}

const problemResponse = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function buildOpenApi(routes: RouteSpec[], opts: { version?: string; serverUrl?: string } = {}): Doc {
  const components: Record<string, unknown> = {};
  refs(Problem, components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const p = '/api' + openApiPath(r.path);
    const roles = r.roles === 'public' ? 'public' : r.roles.map((x) => `${x} (${ROLES[x]})`).join(', ');
    const responses: Record<string, unknown> = {
      [String(r.response.status)]: {
        description: r.response.description ?? r.summary.en,
        ...(r.response.schema
          ? { content: { [r.response.contentType ?? 'application/json']: { schema: refs(r.response.schema, components) } } }
          : {}),
      },
      '400': problemResponse('Invalid request: every offending field is named by JSON pointer in `errors`'),
    };
    if (r.body) {
      responses['413'] = problemResponse('Body larger than the limit');
      responses['415'] = problemResponse('Body is not JSON');
    }
    if (r.roles !== 'public') {
      responses['401'] = problemResponse('Missing, invalid or expired bearer token');
      responses['403'] = problemResponse('The caller has none of the roles of this route');
    }
    if (r.params) responses['404'] = problemResponse('Unknown id (or a record of another AP partner)');
    if (r.method !== 'get') responses['409'] = problemResponse('Illegal status transition or conflicting state');
    if (r.idempotent) {
      responses['409'] = problemResponse(
        'Illegal status transition or conflicting state; or a request with the same Idempotency-Key is still in progress',
      );
      responses['422'] = problemResponse('The Idempotency-Key was already used for a different request');
    }
    for (const [status, when] of Object.entries(r.problems ?? {})) responses[status] = problemResponse(when);
    const op: Record<string, unknown> = {
      operationId: r.id,
      tags: [r.tag],
      summary: r.summary.en,
      description: `${r.summary.zh}\n\nRoles: ${roles}.`,
      'x-summary-zh': r.summary.zh,
      'x-roles': r.roles === 'public' ? [] : [...r.roles],
      security: r.roles === 'public' ? [] : [{ bearer: [] }],
      parameters: [
        ...parameters('path', r.params, components),
        ...parameters('query', r.query, components),
        ...(r.idempotent ? [IDEMPOTENCY_PARAMETER] : []),
      ],
      responses,
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: refs(r.body, components) } } };
    (paths[p] ??= {})[r.method] = op;
  }
  const health = {
    responses: {
      '200': { description: 'ok', content: { 'application/json': { schema: refs(Health, components) } } },
      '503': { description: 'unavailable', content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } } },
    },
  };
  paths['/health/live'] = {
    get: { operationId: 'healthLive', tags: ['health'], summary: 'Liveness', description: '存活检查', security: [], ...health },
  };
  paths['/health/ready'] = {
    get: {
      operationId: 'healthReady',
      tags: ['health'],
      summary: 'Readiness: database reachable, migrations applied',
      description: '就绪检查：数据库可达、迁移已执行',
      security: [],
      ...health,
    },
  };
  paths['/api/openapi.json'] = {
    get: {
      operationId: 'openapi',
      tags: ['meta'],
      summary: 'This document',
      description: '接口文档 (OpenAPI 3.1)',
      security: [],
      responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Online Training workflow API 在线培训业务流程接口',
      version: opts.version ?? '0.1.0',
      description:
        'REST API of the Online Training (在线培训) workflow. Errors are application/problem+json (RFC 9457) with an `errors` array of {in, pointer, detail}. Each operation lists its roles in `x-roles`.',
    },
    servers: [{ url: opts.serverUrl ?? '/' }],
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.tag)), 'health', 'meta'].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
