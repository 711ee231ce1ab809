/**
 * Environment configuration, validated ONCE at start-up (architecture.md "Conventions").
 * `configSchema` is the JSON Schema of the environment (all values are strings in the environment;
 * numbers are coerced). The deployment can check docker-compose's `environment:` against it.
 * To add a variable: add it to `configSchema.properties` (with a default when it has one) and to `Config`.
 */
import { createAjv, type ErrorObject, type ValidateFunction } from '../validation';

const ISO_DURATION = '^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?$';

export const configSchema = {
  $id: 'online-training-config',
  title: 'Environment variables of the online-training workflow system',
  type: 'object',
  properties: {
    DATABASE_URL: {
      type: 'string',
      minLength: 1,
      pattern: '^(mysql://|mariadb://|sqlite:|file:|[^:]+$|:memory:$)',
      default: 'sqlite:./data/online-training.sqlite',
      description: 'mysql://user:pass@host:3306/db or sqlite:<file> (a bare file path also means SQLite)',
    },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000, description: 'API port (0 = any free port)' },
    NODE_ENV: { type: 'string', enum: ['development', 'test', 'production'], default: 'development' },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    AUTH_MODE: {
      type: 'string',
      enum: ['local', 'oidc'],
      default: 'local',
      description: 'local: tokens signed with JWT_SECRET (refused in production); oidc: tokens of OIDC_ISSUER',
    },
    OIDC_ISSUER: { type: 'string', format: 'uri' },
    OIDC_AUDIENCE: { type: 'string', minLength: 1 },
    OIDC_JWKS_URL: { type: 'string', format: 'uri' },
    OIDC_ROLES_CLAIM: { type: 'string', minLength: 1, default: 'roles', description: 'claim (dot path) holding the role ids' },
    OIDC_AP_PARTNER_CLAIM: {
      type: 'string',
      minLength: 1,
      default: 'ap_partner_id',
      description: 'claim (dot path) holding the AP partner id of AP users',
    },
    OIDC_UI_CLIENT_ID: {
      type: 'string',
      minLength: 1,
      default: 'online-training-workbench',
      description:
        'client id of the web workbench at the provider (public client, authorization code + PKCE, redirect URI = the API address + /)',
    },
    OIDC_UI_SCOPE: { type: 'string', minLength: 1, default: 'openid profile', description: 'scopes the web workbench asks for' },
    OIDC_UI_RESOURCE: {
      type: 'string',
      format: 'uri',
      description: 'resource indicator (RFC 8707) the workbench asks its access token for, where the provider needs one',
    },
    JWT_SECRET: { type: 'string', minLength: 16, description: 'HMAC secret for local-mode tokens' },
    ZEEBE_GRPC_ADDRESS: { type: 'string', pattern: '^(grpcs?://)?[^\\s:/]+(:\\d+)?$', default: 'grpc://localhost:26500' },
    ZEEBE_REST_ADDRESS: { type: 'string', format: 'uri', default: 'http://localhost:8080' },
    CAMUNDA_AUTH_STRATEGY: { type: 'string', enum: ['NONE', 'OAUTH', 'BASIC', 'BEARER', 'COOKIE'], default: 'NONE' },
    AP_SLA_DURATION: { type: 'string', pattern: ISO_DURATION, default: 'P10D', description: 'ISO-8601 duration of the AP SLA reminder' },
    COMPLETION_REMINDER_WORKING_DAYS: {
      type: 'integer',
      minimum: 0,
      maximum: 59,
      default: 5,
      description: 'remind this many working days before the completion deadline',
    },
    ENGINE_DATA_DIR: { type: 'string', minLength: 1, default: './data/engine', description: 'state directory of the local engine' },
    SMTP_URL: {
      type: 'string',
      pattern: '^smtps?://[^\\s/]+(:\\d+)?/?(\\?\\S*)?$',
      description: 'SMTP server for e-mail notifications, e.g. smtp://127.0.0.1:2525 or smtps://user:pass@host:465; unset: in-app only',
    },
    MAIL_FROM: {
      type: 'string',
      minLength: 3,
      maxLength: 254,
      pattern: '^([^<>]*<[^\\s@<>]+@[^\\s@<>]+>|[^\\s@<>]+@[^\\s@<>]+)$',
      default: '在线培训业务流程系统 <no-reply@example.test>',
      description: 'sender of the notification e-mails: address, or name <address>',
    },
    PUBLIC_BASE_URL: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      default: 'http://localhost:3000',
      description: 'where people open the web UI: the links in notifications',
    },
    NOTIFY_TASK_POLL_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 600000,
      default: 2000,
      description: 'how often the new-work announcer looks for new user tasks (ms)',
    },
  },
  allOf: [
    {
      if: { properties: { NODE_ENV: { const: 'production' } }, required: ['NODE_ENV'] },
      then: { properties: { AUTH_MODE: { not: { const: 'local' } } } },
    },
    {
      if: { properties: { AUTH_MODE: { const: 'oidc' } }, required: ['AUTH_MODE'] },
      then: { required: ['OIDC_ISSUER', 'OIDC_AUDIENCE', 'OIDC_JWKS_URL'] },
    },
  ],
} as const;

export interface Config {
  readonly DATABASE_URL: string;
  readonly PORT: number;
  readonly NODE_ENV: 'development' | 'test' | 'production';
  readonly LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly AUTH_MODE: 'local' | 'oidc';
  readonly OIDC_ISSUER?: string;
  readonly OIDC_AUDIENCE?: string;
  readonly OIDC_JWKS_URL?: string;
  readonly OIDC_ROLES_CLAIM: string;
  readonly OIDC_AP_PARTNER_CLAIM: string;
  readonly OIDC_UI_CLIENT_ID: string;
  readonly OIDC_UI_SCOPE: string;
  readonly OIDC_UI_RESOURCE?: string;
  /** always set in local mode (a development default when unset) */
  readonly JWT_SECRET?: string;
  readonly ZEEBE_GRPC_ADDRESS: string;
  readonly ZEEBE_REST_ADDRESS: string;
  readonly CAMUNDA_AUTH_STRATEGY: 'NONE' | 'OAUTH' | 'BASIC' | 'BEARER' | 'COOKIE';
  readonly AP_SLA_DURATION: string;
  readonly COMPLETION_REMINDER_WORKING_DAYS: number;
  readonly ENGINE_DATA_DIR: string;
  /** unset: notifications in-app only */
  readonly SMTP_URL?: string;
  readonly MAIL_FROM: string;
  readonly PUBLIC_BASE_URL: string;
  readonly NOTIFY_TASK_POLL_MS: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** local-mode signing key used when JWT_SECRET is unset outside production */
export const DEV_JWT_SECRET = 'local-development-secret-not-for-production';

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  // every value in the environment is a string: coerce to the declared types, fill in the defaults
  validator ??= createAjv({ coerceTypes: true, useDefaults: true }).compile(configSchema);
  return validator;
}

function problemOf(e: ErrorObject): { variable: string; message: string } | undefined {
  if (e.keyword === 'if' || e.keyword === 'allOf') return undefined;
  if (e.keyword === 'required') {
    return {
      variable: String(e.params.missingProperty),
      message: 'is required' + (e.schemaPath.includes('allOf/1') ? ' when AUTH_MODE=oidc' : ''),
    };
  }
  const variable = e.instancePath.replace(/^\//, '') || '(environment)';
  if (e.keyword === 'not' && variable === 'AUTH_MODE') return { variable, message: 'must not be "local" when NODE_ENV=production' };
  return { variable, message: e.message ?? 'is invalid' };
}

/** Reads, validates and freezes the configuration; throws one ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env): Config {
  const input: Record<string, unknown> = {};
  for (const name of Object.keys(configSchema.properties)) {
    const v = env[name];
    if (v !== undefined && v !== '') input[name] = v;
  }
  const ok = validate()(input);
  const problems = ok ? [] : (validate().errors ?? []).map(problemOf).filter((p): p is { variable: string; message: string } => !!p);
  // defaults are filled in by then: re-check the cross-variable rules on the final values
  if (input.NODE_ENV === 'production' && input.AUTH_MODE === 'local') {
    problems.push({ variable: 'AUTH_MODE', message: 'must not be "local" when NODE_ENV=production' });
  }
  if (!ok || problems.length) {
    const seen = new Set<string>();
    const unique = problems.filter((p) => (seen.has(p.variable + p.message) ? false : (seen.add(p.variable + p.message), true)));
    throw new ConfigError(unique.length ? unique : [{ variable: '(environment)', message: 'is invalid' }]);
  }
  if (input.AUTH_MODE === 'local' && input.JWT_SECRET === undefined) input.JWT_SECRET = DEV_JWT_SECRET;
  return Object.freeze(input) as unknown as Config;
}
