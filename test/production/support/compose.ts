/**
 * Reading docker-compose.yml and .env without Docker: YAML with merge keys (`<<: *anchor`), and Compose's
 * variable interpolation (${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$).
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface Healthcheck {
  test?: string[] | string;
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  disable?: boolean;
}
export interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number>;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition?: string }> | string[];
  restart?: string;
  user?: string;
}
export interface ComposeFile {
  name?: string;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

export function readComposeText(file = path.join(ROOT, 'docker-compose.yml')): string {
  return fs.readFileSync(file, 'utf8');
}

export function parseCompose(text: string): ComposeFile {
  return YAML.parse(text, { merge: true, maxAliasCount: 1000 }) as ComposeFile;
}

/** KEY=VALUE lines of an env file (comments and blank lines skipped; no quotes used in ours). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`not a KEY=VALUE line: ${raw}`);
    out[m[1]] = m[2];
  }
  return out;
}

const VAR = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Names of every variable the text interpolates (not counting `$$` escapes). */
export function variablesUsed(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(VAR)) {
    if (m[0] === '$$') continue;
    names.add(m[1] ?? m[4]);
  }
  return names;
}

/** Compose interpolation of one string; throws like `docker compose` on ${VAR:?msg} when unset/empty. */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    VAR,
    (whole, name: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
      if (whole === '$$') return '$';
      const key = (name ?? bare) as string;
      const v = env[key];
      const unsetOrEmpty = v === undefined || v === '';
      switch (op) {
        case ':-':
          return unsetOrEmpty ? interpolate(arg ?? '', env) : (v as string);
        case '-':
          return v === undefined ? interpolate(arg ?? '', env) : v;
        case ':?':
          if (unsetOrEmpty) throw new Error(`required variable ${key} is missing a value: ${arg ?? ''}`);
          return v as string;
        case '?':
          if (v === undefined) throw new Error(`required variable ${key} is missing a value: ${arg ?? ''}`);
          return v;
        default:
          return v ?? '';
      }
    },
  );
}

/** Deep interpolation of a parsed compose structure (strings only). */
export function interpolateDeep<T>(node: T, env: Record<string, string | undefined>): T {
  if (typeof node === 'string') return interpolate(node, env) as unknown as T;
  if (Array.isArray(node)) return node.map((n) => interpolateDeep(n, env)) as unknown as T;
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolateDeep(v, env);
    return out as T;
  }
  return node;
}

/** The service's environment as a map of strings. */
export function environmentOf(s: Service): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(s.environment)) {
    for (const e of s.environment) {
      const i = e.indexOf('=');
      env[i < 0 ? e : e.slice(0, i)] = i < 0 ? '' : e.slice(i + 1);
    }
  } else if (s.environment) {
    for (const [k, v] of Object.entries(s.environment)) env[k] = v === null ? '' : String(v);
  }
  return env;
}

export function dependsOn(s: Service): Record<string, { condition?: string }> {
  if (!s.depends_on) return {};
  if (Array.isArray(s.depends_on)) return Object.fromEntries(s.depends_on.map((n) => [n, {}]));
  return s.depends_on;
}

/** A job runs once and exits (restart "no"); everything else is a server that must stay up. */
export const isJob = (s: Service): boolean => s.restart === 'no';
