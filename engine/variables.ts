// Variables as Zeebe keeps them: scopes, merging into the nearest scope that has the variable, the value index of searches, FEEL evaluation in a scope and io mappings.
import type { Engine } from './core';
import { evalFeel, isExpression, valueOf } from './feel';
import { EngineError, VALUE_INDEX_MAX_JSON, VarScope, Vars } from './entities';
import { runAgenda } from './flow';
import { newScope, scopeOrder } from './history';

export function setVar(eng: Engine, scopeKey: string, piKey: string, name: string, value: unknown): void {
  let s = eng.varScopes.get(scopeKey);
  if (!s) s = newScope(eng, scopeKey, piKey);
  const cur = s.vars[name];
  const v = value === undefined ? null : value;
  if (cur) {
    if (JSON.stringify(cur.value) === JSON.stringify(v)) return;
    indexValue(eng, name, cur.value, scopeKey, false);
    indexValue(eng, name, v, scopeKey, true);
    cur.value = v;
    eng.record(piKey, 'VARIABLE', 'UPDATED', cur.key, { name, value: JSON.stringify(v), scopeKey });
  } else {
    const key = eng.newKey();
    s.vars[name] = { key, value: v };
    indexValue(eng, name, v, scopeKey, true);
    eng.record(piKey, 'VARIABLE', 'CREATED', key, { name, value: JSON.stringify(v), scopeKey });
  }
  eng.touch(s);
}

export function indexValue(eng: Engine, name: string, value: unknown, scopeKey: string, add: boolean): void {
  if (!eng.valueIndexedNames.has(name)) return;
  if (value !== null && typeof value === 'object') return; // objects and lists: never looked up by value
  const json = JSON.stringify(value);
  if (json === undefined || json.length > VALUE_INDEX_MAX_JSON) return;
  let byJson = eng.byValue.get(name);
  if (add) {
    if (!byJson) eng.byValue.set(name, (byJson = new Map()));
    let scopes = byJson.get(json);
    if (!scopes) byJson.set(json, (scopes = new Set()));
    scopes.add(scopeKey);
  } else {
    const scopes = byJson?.get(json);
    scopes?.delete(scopeKey);
    if (scopes && !scopes.size) byJson!.delete(json);
    if (byJson && !byJson.size) eng.byValue.delete(name);
  }
}

export function scopesWithValue(eng: Engine, name: string, json: string): VarScope[] | undefined {
  if (json.length > VALUE_INDEX_MAX_JSON) return undefined;
  if (!eng.valueIndexedNames.has(name)) {
    eng.valueIndexedNames.add(name);
    for (const sc of eng.varScopes.values()) { const v = sc.vars[name]; if (v) indexValue(eng, name, v.value, sc.key, true); }
  }
  const out: VarScope[] = [];
  for (const k of eng.byValue.get(name)?.get(json) ?? []) {
    const s = eng.varScopes.get(k);
    if (s) out.push(s);
  }
  if (out.length > 1) out.sort((a, b) => scopeOrder(eng, a) - scopeOrder(eng, b));
  return out;
}

export function visibleVars(eng: Engine, scopeKey: string): Vars {
  const chain: string[] = [];
  let k: string | null = scopeKey;
  while (k) { chain.push(k); k = eng.eis.get(k)?.flowScopeKey ?? null; }
  const out: Vars = {};
  for (let i = chain.length - 1; i >= 0; i--) {
    const s = eng.varScopes.get(chain[i]);
    if (s) for (const [n, v] of Object.entries(s.vars)) out[n] = v.value;
  }
  return out;
}

export function mergeDocument(eng: Engine, scopeKey: string, piKey: string, doc: Vars): void {
  for (const [name, value] of Object.entries(doc)) {
    let k: string | null = scopeKey;
    let target = piKey;
    while (k) {
      if (eng.varScopes.get(k)?.vars[name]) { target = k; break; }
      k = eng.eis.get(k)?.flowScopeKey ?? null;
    }
    setVar(eng, target, piKey, name, value);
  }
}

export function setVariables(eng: Engine, eiKey: string, doc: Vars, local: boolean): string {
  const ei = eng.eis.get(eiKey);
  if (!ei || ei.state === 'COMPLETED' || ei.state === 'TERMINATED') throw new EngineError('NOT_FOUND', `Command 'UPDATE' rejected with code 'NOT_FOUND': Expected to update variables for element with key '${eiKey}', but no such element was found`);
  if (ei.type === 'USER_TASK' && ei.userTaskKey) {
    // a Camunda user task's own scope: Zeebe triggers the task's update transition, only possible while CREATED
    // (a task gone from Zeebe's state, completed with its element still active, is NOT_FOUND there)
    const ut = eng.userTasks.get(ei.userTaskKey);
    const state = !ut || ut.state === 'COMPLETED' || ut.state === 'CANCELED' ? 'NOT_FOUND' : ut.state;
    if (state !== 'CREATED') throw new EngineError('FAILED_PRECONDITION', `Command 'UPDATE' rejected with code 'INVALID_STATE': Expected to trigger update transition for user task with key '${ei.userTaskKey}', but it is in state '${state}'`);
  }
  if (local) for (const [n, v] of Object.entries(doc)) setVar(eng, eiKey, ei.piKey, n, v);
  else mergeDocument(eng, eiKey, ei.piKey, doc);
  const key = eng.newKey();
  runAgenda(eng);
  return key;
}

export function feelValue(eng: Engine, expr: string, scopeKey: string): unknown {
  if (!isExpression(expr)) return expr;
  return valueOf(expr, visibleVars(eng, scopeKey), eng.now(), eng.timeZone);
}

export function applyMappings(eng: Engine, mappings: { source: string; target: string }[], scopeKey: string, extra?: Vars): Vars {
  const ctx = { ...visibleVars(eng, scopeKey), ...(extra ?? {}) };
  const out: Vars = {};
  for (const mp of mappings) {
    let v: unknown;
    try {
      v = isExpression(mp.source) ? evalFeel(mp.source, { ...ctx, ...out }, eng.now(), false, eng.timeZone) : mp.source;
    } catch (e) {
      throw Object.assign(new Error((e as Error).message), { incidentType: 'IO_MAPPING_ERROR' });
    }
    const parts = mp.target.split('.');
    if (parts.length === 1) out[mp.target] = v;
    else {
      const rootName = parts[0];
      const base = (out[rootName] ?? ctx[rootName]);
      const root: Vars = base && typeof base === 'object' && !Array.isArray(base) ? structuredClone(base as Vars) : {};
      let cur = root;
      for (let i = 1; i < parts.length - 1; i++) {
        const n = cur[parts[i]];
        cur = cur[parts[i]] = n && typeof n === 'object' && !Array.isArray(n) ? n as Vars : {};
      }
      cur[parts[parts.length - 1]] = v;
      out[rootName] = root;
    }
  }
  return out;
}
