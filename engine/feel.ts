// FEEL evaluation (feelin) with Zeebe's conventions: an expression starts with '='; anything else is a
// static value. Results are converted to JSON values (temporal values become ISO strings).
import { localDateTime } from './time';
const feelin = require('feelin') as {
  evaluate(expr: string, ctx?: Record<string, unknown>): { value: unknown; warnings: { type: string; message: string }[] };
  dateAndTime(s: string): unknown;
  date(s: string): unknown;
  FeelDateTime: new (...a: unknown[]) => unknown;
  FeelDate: new (...a: unknown[]) => unknown;
  FeelTime: new (...a: unknown[]) => unknown;
  FeelDuration: new (...a: unknown[]) => unknown;
};

export class FeelError extends Error {}

export function isExpression(s: string | undefined | null): boolean {
  return typeof s === 'string' && s.trimStart().startsWith('=');
}

function toJson(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'function') return null;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o instanceof feelin.FeelDateTime || o instanceof feelin.FeelDate || o instanceof feelin.FeelTime || o instanceof feelin.FeelDuration) {
      return String(o);
    }
    if (o.constructor && o.constructor !== Object && typeof (o as { toString?: unknown }).toString === 'function' && 'iso' in o) {
      return String(o);
    }
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(o)) out[k] = toJson(val);
    return out;
  }
  return null;
}

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SIMPLE_STRING = /^"[^"\\]*"$/;
const SIMPLE_NUMBER = /^-?\d+(\.\d+)?$/;
const SIMPLE_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const FEEL_WORDS = new Set(['null', 'true', 'false', 'now', 'today', 'not', 'and', 'or', 'if', 'then', 'else', 'for', 'return', 'some', 'every', 'satisfies', 'in', 'instance', 'of', 'between', 'function', 'external']);

// Camunda's FEEL extension functions that feelin lacks (feelin reads parameter names from the function
// source, hence plain `function` expressions).
const CAMUNDA_EXTENSIONS: Record<string, unknown> = {
  'is defined': function (value: unknown) { return value !== null && value !== undefined; },
  'get or else': function (value: unknown, defaultValue: unknown) { return value === null || value === undefined ? defaultValue : value; },
  'is empty': function (list: unknown) { return Array.isArray(list) ? list.length === 0 : null; },
};

// `name = literal` / `name != literal` (a string, number or boolean literal): the shape of most gateway
// conditions. Parsed once per expression text; evaluated without feelin only when the variable holds a
// value of the literal's type (then FEEL's answer is plain equality); anything else goes to feelin.
const COMPARISON = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=|!=)\s*(?:"([^"\\]*)"|(true|false)|(-?\d+(?:\.\d+)?))$/;
interface Comparison { name: string; negate: boolean; literal: string | number | boolean }
const comparisons = new Map<string, Comparison | null>();

function comparison(simple: string): Comparison | null {
  let c = comparisons.get(simple);
  if (c !== undefined) return c;
  const m = COMPARISON.exec(simple);
  c = m && !FEEL_WORDS.has(m[1])
    ? { name: m[1], negate: m[2] === '!=', literal: m[3] !== undefined ? m[3] : m[4] !== undefined ? m[4] === 'true' : Number(m[5]) }
    : null;
  if (comparisons.size >= 10_000) comparisons.clear(); // expressions come from deployed models; a bound all the same
  comparisons.set(simple, c);
  return c;
}

/**
 * `a.b.c` read through plain JSON objects (what process variables are), as feelin reads it; undefined when
 * the path meets anything else (a list, whose path FEEL maps over its items, a missing name, a FEEL value),
 * and feelin then decides.
 */
function plainPath(path: string, vars: Record<string, unknown>): { v: unknown } | undefined {
  const names = path.split('.');
  if (names.some((n) => FEEL_WORDS.has(n))) return undefined;
  let cur: unknown = vars;
  for (const n of names) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    const proto = Object.getPrototypeOf(cur);
    if ((proto !== Object.prototype && proto !== null) || !Object.prototype.hasOwnProperty.call(cur, n)) return undefined;
    cur = (cur as Record<string, unknown>)[n];
  }
  return { v: cur };
}

/** Evaluate a FEEL expression (with or without the leading '='). Throws FeelError on syntax errors. */
export function evalFeel(expr: string, vars: Record<string, unknown>, nowMs: number, raw = false, timeZone = 'UTC'): unknown {
  const src = expr.trimStart().startsWith('=') ? expr.trimStart().slice(1) : expr;
  // fast path for the most common mappings (a plain variable name, null/true/false, a simple string or
  // number literal): same result as feelin, without building a parser for the context every time
  const simple = src.trim();
  if (SIMPLE_NAME.test(simple) && !FEEL_WORDS.has(simple)) return raw ? (vars[simple] ?? null) : toJson(vars[simple]);
  if (simple === 'null') return null;
  if (simple === 'true' || simple === 'false') return simple === 'true';
  if (SIMPLE_STRING.test(simple)) return simple.slice(1, -1);
  if (SIMPLE_NUMBER.test(simple)) return Number(simple);
  const cmp = comparison(simple);
  if (cmp && Object.prototype.hasOwnProperty.call(vars, cmp.name)) {
    const v = vars[cmp.name];
    if (typeof v === typeof cmp.literal && (typeof v !== 'number' || Number.isFinite(v))) return (v === cmp.literal) !== cmp.negate;
  }
  // a due date or timer read from a context (`=sla.reviewRound.dueAt`): no parser needed either
  if (SIMPLE_PATH.test(simple)) {
    const p = plainPath(simple, vars);
    if (p) return raw ? (p.v ?? null) : toJson(p.v);
  }
  // now() and today() in the engine's time zone, as Zeebe gives them in its JVM's default zone; the wall
  // clock is formatted only when the expression calls them (Intl formatting is costly on every mapping)
  const local = () => (timeZone === 'UTC' ? new Date(nowMs).toISOString().slice(0, 19) : localDateTime(nowMs, timeZone));
  const ctx: Record<string, unknown> = {
    ...CAMUNDA_EXTENSIONS,
    ...vars,
    now: () => feelin.dateAndTime(timeZone === 'UTC' ? `${local()}Z` : `${local()}@${timeZone}`),
    today: () => feelin.date(local().slice(0, 10)),
  };
  let res;
  try {
    res = feelin.evaluate(src, ctx);
  } catch (e) {
    throw new FeelError(`failed to evaluate expression '${src.trim()}': ${(e as Error).message}`);
  }
  return raw ? res.value : toJson(res.value);
}

/** Static value or expression. */
export function valueOf(s: string, vars: Record<string, unknown>, nowMs: number, timeZone = 'UTC'): unknown {
  return isExpression(s) ? evalFeel(s, vars, nowMs, false, timeZone) : s;
}

/** Check that an expression parses (used at deploy time). Variables absent → null, which is fine. */
export function checkSyntax(expr: string): string | null {
  const src = expr.trimStart().startsWith('=') ? expr.trimStart().slice(1) : expr;
  try {
    feelin.evaluate(src, { ...CAMUNDA_EXTENSIONS });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

export function feelType(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return 'BOOLEAN';
  if (typeof v === 'number') return 'NUMBER';
  if (typeof v === 'string') return 'STRING';
  if (Array.isArray(v)) return 'LIST';
  return 'CONTEXT';
}
