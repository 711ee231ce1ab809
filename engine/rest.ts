// REST: the Orchestration Cluster API v2 subset (user tasks, process instances, element instances,
// variables, incidents, topology) plus the engine's own endpoints under /engine (events, clock).
//
// Served by node:http with find-my-way routing, not Express: the engine answers ~34 REST calls per
// provisioning order (task polls, completions, variable searches), and Express's middleware chain and
// body-parser cost ~8x what routing and JSON parsing here do (bench:e2e profile of the engine process).
import Router from 'find-my-way';
import * as http from 'node:http';
import { EngineError, EI, Incident, ProcDef, UserTask, UserTaskChangeset, VarScope } from './entities';
import type { EngineApi } from './query';
import { GATEWAY_VERSION } from './grpc';
import { parseDate } from './time';
import { Handler, HttpError, problem, Raw, readJson, Req, Route, Routes, send } from './rest-http';
import { registerCommands } from './rest-commands';
import { registerDecisions } from './rest-decisions';

const TENANT = '<default>';
const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
type Obj = Record<string, unknown>;

const STATUS: Record<string, number> = { NOT_FOUND: 404, INVALID_ARGUMENT: 400, FAILED_PRECONDITION: 409, ALREADY_EXISTS: 409, RESOURCE_EXHAUSTED: 429, DEADLINE_EXCEEDED: 504, UNIMPLEMENTED: 501, INTERNAL: 500 };

export function userTaskJson(engine: EngineApi, u: UserTask): Obj {
  return strip({
    userTaskKey: u.key, name: u.name, state: u.state, assignee: u.assignee, elementId: u.elementId, candidateGroups: u.candidateGroups, candidateUsers: u.candidateUsers,
    processDefinitionId: u.bpmnProcessId, creationDate: iso(u.creationDate), completionDate: iso(u.completionDate), followUpDate: u.followUpDate, dueDate: u.dueDate,
    tenantId: TENANT, externalFormReference: u.externalFormReference, processDefinitionVersion: u.version, customHeaders: u.customHeaders, priority: u.priority,
    elementInstanceKey: u.eiKey, processName: u.processName, processDefinitionKey: u.defKey, processInstanceKey: u.piKey, formKey: u.formKey,
  });
}

function incidentInstances(engine: EngineApi): Set<string> {
  const out = new Set<string>();
  for (const i of engine.incidents.values()) if (i.state === 'ACTIVE') out.add(i.piKey);
  return out;
}

function processInstanceJson(engine: EngineApi, ei: EI, withIncident: Set<string> = incidentInstances(engine)): Obj {
  return strip({
    processDefinitionId: ei.bpmnProcessId, processDefinitionName: ei.name, processDefinitionVersion: ei.version, startDate: iso(ei.startDate), endDate: iso(ei.endDate),
    state: ei.state === 'COMPLETED' ? 'COMPLETED' : ei.state === 'TERMINATED' ? 'TERMINATED' : 'ACTIVE', hasIncident: withIncident.has(ei.key), tenantId: TENANT,
    processInstanceKey: ei.key, processDefinitionKey: ei.defKey, parentProcessInstanceKey: ei.parentPiKey, parentElementInstanceKey: ei.parentEiKey,
  });
}

function elementInstanceJson(engine: EngineApi, ei: EI): Obj {
  return strip({
    processDefinitionId: ei.bpmnProcessId, startDate: iso(ei.startDate), endDate: iso(ei.endDate), elementId: ei.elementId, elementName: ei.name || ei.elementId, type: ei.type,
    state: ei.state === 'COMPLETED' ? 'COMPLETED' : ei.state === 'TERMINATED' ? 'TERMINATED' : 'ACTIVE', hasIncident: !!ei.incidentKey, tenantId: TENANT,
    elementInstanceKey: ei.key, processInstanceKey: ei.piKey, processDefinitionKey: ei.defKey, incidentKey: ei.incidentKey,
  });
}

function incidentJson(i: Incident): Obj {
  return strip({
    processDefinitionId: i.bpmnProcessId, errorType: i.errorType, errorMessage: i.errorMessage, elementId: i.elementId, creationTime: iso(i.creationTime), state: i.state,
    tenantId: TENANT, incidentKey: i.key, processDefinitionKey: i.defKey, processInstanceKey: i.piKey, elementInstanceKey: i.eiKey, jobKey: i.jobKey,
  });
}

function strip(o: Obj): Obj {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

// ------------------------------------------------------------------ search: filters, sort, page
// A filter is compiled once per request (operators checked, $in lists turned into sets, $like into a
// regular expression) and then tested against candidates. Helpers live at module level: functions created
// per item or per request would cost a closure (and, under tsx, a __name call) each time.

interface Op { op: string; v: unknown; set?: Set<string>; re?: RegExp }
/** a compiled condition: plain equality (`eq`) or a list of operators */
interface Cond { plain: boolean; eq: string; ops: Op[] }

const OPERATORS = new Set(['$eq', '$neq', '$exists', '$in', '$notIn', '$like', '$gt', '$gte', '$lt', '$lte']);

function compileCond(cond: unknown): Cond {
  if (cond !== null && typeof cond === 'object' && !Array.isArray(cond)) {
    const ops: Op[] = [];
    for (const op of Object.keys(cond)) {
      const v = (cond as Obj)[op];
      if (!OPERATORS.has(op)) throw new EngineError('INVALID_ARGUMENT', `Unsupported filter operator '${op}'`);
      const o: Op = { op, v };
      if (op === '$in' || op === '$notIn') {
        if (!Array.isArray(v)) throw new EngineError('INVALID_ARGUMENT', `Filter operator '${op}' expects an array`);
        o.set = new Set(v.map(String));
      } else if (op === '$like') {
        o.re = new RegExp('^' + String(v).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
      }
      ops.push(o);
    }
    return { plain: false, eq: '', ops };
  }
  return { plain: true, eq: String(cond), ops: [] };
}

/** the operand of an ordering operator, as the actual value's type */
function cmpVal(actual: unknown, x: unknown): number | string {
  return typeof actual === 'number' ? Number(x) : String(x);
}

function test(actual: unknown, c: Cond): boolean {
  const a = actual === undefined || actual === null ? undefined : actual;
  if (c.plain) return a !== undefined && String(a) === c.eq;
  for (const o of c.ops) {
    switch (o.op) {
      case '$eq': if (a === undefined || String(a) !== String(o.v)) return false; break;
      case '$neq': if (a !== undefined && String(a) === String(o.v)) return false; break;
      case '$exists': if ((a !== undefined) !== !!o.v) return false; break;
      case '$in': if (a === undefined || !o.set!.has(String(a))) return false; break;
      case '$notIn': if (a !== undefined && o.set!.has(String(a))) return false; break;
      case '$like': if (a === undefined || !o.re!.test(String(a))) return false; break;
      case '$gt': if (a === undefined || !(cmpVal(a, a) > cmpVal(a, o.v))) return false; break;
      case '$gte': if (a === undefined || !(cmpVal(a, a) >= cmpVal(a, o.v))) return false; break;
      case '$lt': if (a === undefined || !(cmpVal(a, a) < cmpVal(a, o.v))) return false; break;
      case '$lte': if (a === undefined || !(cmpVal(a, a) <= cmpVal(a, o.v))) return false; break;
    }
  }
  return true;
}

/** true when any element of a list matches (candidateGroup / candidateUser filters) */
function testAny(list: unknown, c: Cond): boolean {
  if (!Array.isArray(list)) return false;
  for (const x of list) if (test(x, c)) return true;
  return false;
}

interface Filter { fields: string[]; conds: Cond[] }

function compileFilter(body: Obj): Filter {
  const filter = body.filter ?? {};
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw new EngineError('INVALID_ARGUMENT', 'filter must be an object');
  const fields = Object.keys(filter);
  return { fields, conds: fields.map((k) => compileCond((filter as Obj)[k])) };
}

/** Items (already shaped) matching every condition on their fields. */
function filterItems(items: Iterable<Obj>, f: Filter): Obj[] {
  const out: Obj[] = [];
  outer: for (const it of items) {
    for (let i = 0; i < f.fields.length; i++) if (!test(it[f.fields[i]], f.conds[i])) continue outer;
    out.push(it);
  }
  return out;
}

const DIGITS = /^\d+$/;
/** order of two different field values: missing last, keys (digit strings) numerically, else as strings */
function compareField(a: unknown, b: unknown): number {
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const x = String(a), y = String(b);
  if (DIGITS.test(x) && DIGITS.test(y)) return BigInt(x) < BigInt(y) ? -1 : 1;
  return x < y ? -1 : 1;
}

function cursor(i: number): string { return Buffer.from(String(i)).toString('base64url'); }

const fieldOfItem = (x: Obj, field: string): unknown => x[field];
const asItem = (x: Obj): Obj => x;

/** Sort (stable, by the requested fields) and page the matching items: `page.from`/`after`, `page.limit` (default 100, at most 10,000). */
function sortAndPage(matched: Obj[], body: Obj): Obj {
  return sortAndPageBy(matched, body, fieldOfItem, asItem);
}

/**
 * sortAndPage over any matches: `get` reads a sort field of a match, `shape` builds the JSON of the
 * matches on the page only (the user-task search matches thousands of open tasks and shows 100).
 */
function sortAndPageBy<T>(matched: T[], body: Obj, get: (x: T, field: string) => unknown, shape: (x: T) => Obj): Obj {
  let out = matched;
  const sort = (body.sort ?? []) as { field: string; order?: string }[];
  if (Array.isArray(sort) && sort.length) {
    const desc = sort.map((s) => (s.order ?? 'ASC').toUpperCase() === 'DESC');
    // each match's sort values read once, not once per comparison
    const keyed = out.map((x, i) => ({ x, i, k: sort.map((s) => get(x, s.field)) }));
    keyed.sort((x, y) => {
      for (let i = 0; i < sort.length; i++) {
        const a = x.k[i]; const b = y.k[i];
        if (a === b) continue;
        const d = compareField(a, b);
        return desc[i] ? -d : d;
      }
      return x.i - y.i;
    });
    out = keyed.map((e) => e.x);
  }
  const page = (body.page ?? {}) as Obj;
  const limit = Math.min(Number(page.limit ?? 100), 10000);
  let from = Number(page.from ?? 0);
  if (typeof page.after === 'string') from = Number(Buffer.from(page.after, 'base64url').toString()) + 1;
  if (!Number.isFinite(limit) || limit < 0 || !Number.isFinite(from) || from < 0) throw new EngineError('INVALID_ARGUMENT', 'Invalid page');
  const slice = out.slice(from, from + limit);
  return {
    items: slice.map(shape),
    page: strip({ totalItems: out.length, hasMoreTotalItems: false, startCursor: slice.length ? cursor(from) : undefined, endCursor: slice.length ? cursor(from + slice.length - 1) : undefined }),
  };
}

export function search(items: Iterable<Obj>, body: Obj): Obj {
  return sortAndPage(filterItems(items, compileFilter(body)), body);
}

/** A key given by a filter as plain equality (`"123"`, `123`, `{"$eq": "123"}`), else undefined. */
function eqKey(body: Obj, field: string): string | undefined {
  const f = body.filter;
  if (!f || typeof f !== 'object' || Array.isArray(f)) return undefined;
  const v = (f as Obj)[field];
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const e = (v as Obj).$eq;
    if (typeof e === 'string' || typeof e === 'number') return String(e);
  }
  return undefined;
}

/** Keys a filter restricts a field to (plain equality, `$eq` or `$in`), else undefined. */
function keyList(body: Obj, field: string): string[] | undefined {
  const k = eqKey(body, field);
  if (k !== undefined) return [k];
  const v = ((body.filter ?? {}) as Obj)[field];
  if (v && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as Obj).$in)) return ((v as Obj).$in as unknown[]).map(String);
  return undefined;
}

// ------------------------------------------------------------------ user-task search
// The field values of userTaskJson, read from the task without building the JSON: the filter runs on the
// candidates first, JSON is built for the matches only.
type UtField = (u: UserTask) => unknown;
const UT_FIELDS: Record<string, UtField> = {
  userTaskKey: (u) => u.key, name: (u) => u.name, state: (u) => u.state, assignee: (u) => u.assignee, elementId: (u) => u.elementId,
  candidateGroups: (u) => u.candidateGroups, candidateUsers: (u) => u.candidateUsers, processDefinitionId: (u) => u.bpmnProcessId,
  creationDate: (u) => iso(u.creationDate), completionDate: (u) => iso(u.completionDate), followUpDate: (u) => u.followUpDate, dueDate: (u) => u.dueDate,
  tenantId: () => TENANT, externalFormReference: (u) => u.externalFormReference, processDefinitionVersion: (u) => u.version, customHeaders: (u) => u.customHeaders,
  priority: (u) => u.priority, elementInstanceKey: (u) => u.eiKey, processName: (u) => u.processName, processDefinitionKey: (u) => u.defKey,
  processInstanceKey: (u) => u.piKey, formKey: (u) => u.formKey,
};

function userTaskMatches(u: UserTask, f: Filter): boolean {
  for (let i = 0; i < f.fields.length; i++) {
    const k = f.fields[i];
    const c = f.conds[i];
    if (k === 'candidateGroup') { if (!testAny(u.candidateGroups, c)) return false; continue; }
    if (k === 'candidateUser') { if (!testAny(u.candidateUsers, c)) return false; continue; }
    const get = Object.prototype.hasOwnProperty.call(UT_FIELDS, k) ? UT_FIELDS[k] : undefined;
    if (!test(get ? get(u) : undefined, c)) return false;
  }
  return true;
}

function* tasksByKeys(engine: EngineApi, keys: Iterable<string>): Generator<UserTask> {
  for (const k of keys) { const u = engine.userTasks.get(k); if (u) yield u; }
}

/**
 * The smallest set of user tasks that can hold every match, in the order of engine.userTasks: one task by
 * key, the tasks of one instance, the open tasks, else all.
 */
function userTaskCandidates(engine: EngineApi, body: Obj): Iterable<UserTask> {
  const key = eqKey(body, 'userTaskKey');
  if (key !== undefined) return tasksByKeys(engine, [key]);
  const pk = eqKey(body, 'processInstanceKey');
  if (pk !== undefined) return tasksByKeys(engine, engine.userTaskKeysOf(pk));
  if (eqKey(body, 'state') === 'CREATED') return engine.openUserTasks.values();
  return engine.userTasks.values();
}

export function searchUserTasks(engine: EngineApi, body: Obj): Obj {
  const f = compileFilter(body);
  const matched: UserTask[] = [];
  for (const u of userTaskCandidates(engine, body)) if (userTaskMatches(u, f)) matched.push(u);
  return sortAndPageBy(matched, body, userTaskField, (u) => userTaskJson(engine, u));
}

/** a field of a user task as userTaskJson gives it (undefined for a field the JSON lacks) */
function userTaskField(u: UserTask, field: string): unknown {
  return Object.prototype.hasOwnProperty.call(UT_FIELDS, field) ? UT_FIELDS[field](u) : undefined;
}

// ------------------------------------------------------------------ other searches: candidates by instance
function* elementInstancesOf(engine: EngineApi, pk: string | undefined): Generator<Obj> {
  if (pk === undefined) {
    for (const e of engine.eis.values()) if (e.type !== 'PROCESS') yield elementInstanceJson(engine, e);
    return;
  }
  for (const k of engine.elementInstanceKeysOf(pk)) {
    const e = engine.eis.get(k);
    if (e && e.type !== 'PROCESS') yield elementInstanceJson(engine, e);
  }
}

function* incidentsOf(engine: EngineApi, pk: string | undefined): Generator<Obj> {
  if (pk === undefined) { for (const i of engine.incidents.values()) yield incidentJson(i); return; }
  for (const k of engine.incidentKeysOf(pk)) { const i = engine.incidents.get(k); if (i) yield incidentJson(i); }
}

function variableJson(s: VarScope, name: string, v: { key: string; value: unknown }): Obj {
  return { name, value: JSON.stringify(v.value), tenantId: TENANT, variableKey: v.key, scopeKey: s.key, processInstanceKey: s.piKey, isTruncated: false };
}

/** Variable scopes a search can match, in creation order: one scope, the scopes of the given instances, else all. */
function variableScopes(engine: EngineApi, pks: string[] | undefined, scope: string | undefined, byValue?: { name: string; value: string }): Iterable<VarScope> {
  if (scope !== undefined) { const s = engine.varScopes.get(scope); return s ? [s] : []; }
  if (pks === undefined) return (byValue && engine.scopesWithValue(byValue.name, byValue.value)) ?? engine.varScopes.values();
  const out: VarScope[] = [];
  for (const pk of new Set(pks)) for (const k of engine.elementInstanceKeysOf(pk)) { const s = engine.varScopes.get(k); if (s && s.piKey === pk) out.push(s); }
  if (out.length > 1) out.sort((a, b) => engine.scopeOrder(a) - engine.scopeOrder(b));
  return out;
}

/** Variables as search items; with a plain `name` filter only that variable of each scope is shaped. */
function variableItems(engine: EngineApi, body: Obj): Obj[] {
  const pks = keyList(body, 'processInstanceKey');
  const name = eqKey(body, 'name');
  // one exact value of one variable (the filter compares the value's JSON): the engine's value index
  const value = name === undefined ? undefined : eqKey(body, 'value');
  const out: Obj[] = [];
  for (const s of variableScopes(engine, pks, eqKey(body, 'scopeKey'), value === undefined ? undefined : { name: name!, value })) {
    if (pks !== undefined && !pks.includes(s.piKey)) continue;
    if (name !== undefined) {
      const v = s.vars[name];
      if (v) out.push(variableJson(s, name, v));
      continue;
    }
    for (const n of Object.keys(s.vars)) out.push(variableJson(s, n, s.vars[n]));
  }
  return out;
}

export async function startRest(engine: EngineApi, port: number, host = '0.0.0.0', grpcPort = 26500): Promise<{ server: http.Server; port: number }> {
  // each route's handler is find-my-way's `store`; the request is dispatched in `serve` below
  const router = Router({ ignoreTrailingSlash: true });
  const on = (m: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', p: string, fn: Handler, raw = false) => router.on(m, p, () => undefined, { fn, raw } satisfies Route);
  const app: Routes = {
    get: (p, fn) => on('GET', p, fn), post: (p, fn) => on('POST', p, fn), put: (p, fn) => on('PUT', p, fn),
    patch: (p, fn) => on('PATCH', p, fn), delete: (p, fn) => on('DELETE', p, fn), postRaw: (p, fn) => on('POST', p, fn, true),
  };
  const body = (req: Req): Obj => {
    const b = req.body ?? {};
    if (typeof b !== 'object' || Array.isArray(b)) throw new EngineError('INVALID_ARGUMENT', 'Expected a JSON object as request body');
    return b as Obj;
  };
  const vars = (v: unknown): Obj => {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw new EngineError('INVALID_ARGUMENT', 'The variables must be a JSON object');
    return v as Obj;
  };

  // user tasks: filtered on the task fields before any JSON is built (open tasks, the tasks of an instance
  // and a task by key are indexed), so a poll costs what it returns, not the whole history
  app.post('/v2/user-tasks/search', (req) => searchUserTasks(engine, body(req)));
  app.get('/v2/user-tasks/:key', (req) => userTaskJson(engine, engine.getUserTask(String(req.params.key))));
  app.get('/v2/user-tasks/:key/form', (req) => {
    const ut = engine.getUserTask(String(req.params.key));
    if (!ut.formKey) return undefined; // 204: the task has no form
    const f = engine.forms.get(ut.formKey)!;
    return { formKey: f.key, tenantId: TENANT, formId: f.formId, schema: JSON.parse(f.schema), version: f.version };
  });
  app.post('/v2/user-tasks/:key/assignment', (req) => {
    const b = body(req);
    if (typeof b.assignee !== 'string' || !b.assignee) throw new EngineError('INVALID_ARGUMENT', 'No assignee provided');
    engine.assignUserTask(String(req.params.key), b.assignee, b.allowOverride !== false);
    return undefined;
  });
  app.delete('/v2/user-tasks/:key/assignee', (req) => { engine.unassignUserTask(String(req.params.key)); return undefined; });
  // Update user task; the SDK's CamundaRestClient (8.8) sends the changeset alone to the older `/update` path
  const update = (changeset: unknown, key: string) => {
    if (changeset !== undefined && changeset !== null && (typeof changeset !== 'object' || Array.isArray(changeset))) throw new EngineError('INVALID_ARGUMENT', 'changeset must be an object');
    engine.updateUserTask(key, (changeset ?? {}) as UserTaskChangeset);
    return undefined;
  };
  app.patch('/v2/user-tasks/:key', (req) => update(body(req).changeset, String(req.params.key)));
  app.patch('/v2/user-tasks/:key/update', (req) => update(body(req), String(req.params.key)));
  // the variables the task sees: those of its element instance and of every scope above it, nearest wins
  app.post('/v2/user-tasks/:key/variables/search', (req) => {
    const ut = engine.getUserTask(String(req.params.key));
    const seen = new Set<string>();
    const items: Obj[] = [];
    for (let k: string | null = ut.eiKey; k; k = engine.eis.get(k)?.flowScopeKey ?? null) {
      const s = engine.varScopes.get(k);
      if (s) for (const n of Object.keys(s.vars)) if (!seen.has(n)) { seen.add(n); items.push(variableJson(s, n, s.vars[n])); }
    }
    return search(items, body(req));
  });
  app.post('/v2/user-tasks/:key/completion', async (req) => { await engine.completeUserTask(String(req.params.key), vars(body(req).variables)); return undefined; });

  // process definitions
  const defJson = (d: ProcDef) => ({ name: d.name, resourceName: d.resourceName, version: d.version, processDefinitionId: d.bpmnProcessId, tenantId: TENANT, processDefinitionKey: d.key, hasStartForm: false });
  app.post('/v2/process-definitions/search', (req) => search([...engine.defs.values()].filter((d) => !d.deleted).map(defJson), body(req)));
  app.get('/v2/process-definitions/:key', (req) => {
    const d = engine.defs.get(String(req.params.key));
    if (!d || d.deleted) throw new EngineError('NOT_FOUND', `Process definition with key '${req.params.key}' not found`);
    return defJson(d);
  });
  app.get('/v2/process-definitions/:key/xml', (req) => {
    const d = engine.defs.get(String(req.params.key));
    if (!d || d.deleted) throw new EngineError('NOT_FOUND', `Process definition with key '${req.params.key}' not found`);
    return new Raw('text/xml; charset=utf-8', d.xml);
  });

  // process instances (running and the retained finished ones)
  const pis = (pk?: string) => {
    const inc = incidentInstances(engine);
    const out: Obj[] = [];
    if (pk !== undefined) { const e = engine.processInstances.get(pk); if (e) out.push(processInstanceJson(engine, e, inc)); }
    else for (const e of engine.processInstances.values()) out.push(processInstanceJson(engine, e, inc));
    return out;
  };
  app.post('/v2/process-instances/search', (req) => { const b = body(req); return search(pis(eqKey(b, 'processInstanceKey')), b); });
  app.get('/v2/process-instances/:key', (req) => {
    const ei = engine.processInstances.get(String(req.params.key));
    if (!ei) throw new EngineError('NOT_FOUND', `Process instance with key '${req.params.key}' not found`);
    return processInstanceJson(engine, ei);
  });
  app.post('/v2/process-instances/:key/cancellation', (req) => { engine.cancelInstance(String(req.params.key)); return undefined; });

  // element instances (of running instances and of the finished ones still kept in detail)
  app.post('/v2/element-instances/search', (req) => { const b = body(req); return search(elementInstancesOf(engine, eqKey(b, 'processInstanceKey')), b); });
  app.get('/v2/element-instances/:key', (req) => {
    const ei = engine.eis.get(String(req.params.key));
    if (!ei || ei.type === 'PROCESS') throw new EngineError('NOT_FOUND', `Element instance with key '${req.params.key}' not found`);
    return elementInstanceJson(engine, ei);
  });

  // variables
  app.post('/v2/variables/search', (req) => { const b = body(req); return search(variableItems(engine, b), b); });
  app.get('/v2/variables/:key', (req) => {
    const key = String(req.params.key);
    for (const s of engine.varScopes.values()) for (const n of Object.keys(s.vars)) {
      if (s.vars[n].key !== key) continue;
      const v = variableJson(s, n, s.vars[n]);
      delete v.isTruncated;
      return v;
    }
    throw new EngineError('NOT_FOUND', `Variable with key '${key}' not found`);
  });

  // incidents
  app.post('/v2/incidents/search', (req) => { const b = body(req); return search(incidentsOf(engine, eqKey(b, 'processInstanceKey')), b); });
  app.get('/v2/incidents/:key', (req) => {
    const i = engine.incidents.get(String(req.params.key));
    if (!i) throw new EngineError('NOT_FOUND', `Incident with key '${req.params.key}' not found`);
    return incidentJson(i);
  });
  app.post('/v2/incidents/:key/resolution', (req) => { engine.resolveIncident(String(req.params.key)); return undefined; });

  app.get('/v2/topology', () => ({
    brokers: [{ nodeId: 0, host: '127.0.0.1', port: grpcPort, partitions: [{ partitionId: 1, role: 'leader', health: 'healthy' }], version: GATEWAY_VERSION }],
    clusterSize: 1, partitionsCount: 1, replicationFactor: 1, gatewayVersion: GATEWAY_VERSION, lastCompletedChangeId: '-1',
  }));

  // engine extensions
  app.get('/engine/process-instances/:key/events', (req) => {
    const key = String(req.params.key);
    const pi = engine.processInstances.get(key);
    if (!pi) throw new EngineError('NOT_FOUND', `Process instance with key '${key}' not found`);
    // a finished instance beyond the detailed history keeps no event record
    if (pi.compacted) return { items: [], historyTrimmed: true };
    return { items: engine.events.get(key) ?? [] };
  });
  // commands of Camunda's REST clients: deployments, resources, jobs, messages, instance creation, variables
  registerCommands(app, engine);
  registerDecisions(app, engine);

  if (engine.testMode) {
    // clock control (Camunda: only with clock control enabled; here: test mode)
    app.put('/v2/clock', (req) => {
      const b = body(req);
      if (typeof b.timestamp !== 'number') throw new EngineError('INVALID_ARGUMENT', "Expected {\"timestamp\": <epoch milliseconds>}: 'timestamp' is missing or not a number");
      engine.clockPin(b.timestamp);
      return undefined;
    });
    app.post('/v2/clock/reset', () => { engine.clockReset(); return undefined; });
    // Camunda 8.11's GET /v2/clock, so tests and the app can read the engine's "now"
    app.get('/v2/clock', () => ({ timestamp: new Date(engine.now()).toISOString() }));
    // the engine's own shorthand, kept for scripts: {"add": "<ISO-8601 duration>"} or {"set": "<ISO-8601 date-time>"} (a pin)
    app.get('/engine/clock', () => ({ now: new Date(engine.now()).toISOString(), pinned: engine.clockPinned }));
    app.post('/engine/clock', (req) => {
      const b = body(req);
      let now: number;
      if (typeof b.add === 'string') now = engine.clockAdd(b.add);
      else if (typeof b.set === 'string') {
        const t = parseDate(b.set);
        if (t === null) throw new EngineError('INVALID_ARGUMENT', `Invalid date-time '${b.set}': expected ISO-8601 with Z or an offset`);
        now = engine.clockPin(t);
      } else throw new EngineError('INVALID_ARGUMENT', "Expected {\"add\": \"<ISO-8601 duration>\"} or {\"set\": \"<ISO-8601 date-time>\"}");
      return { now: new Date(now).toISOString(), pinned: engine.clockPinned };
    });
  }

  router.compile();

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    try {
      const route = router.find(req.method as 'GET', pathname);
      if (!route) {
        req.resume();
        return problem(res, 404, 'NOT_FOUND', `No endpoint ${req.method} ${pathname}`, pathname);
      }
      const r = route.store as Route;
      let closed = false;
      const closers: (() => void)[] = [];
      res.on('close', () => { if (!res.writableFinished) { closed = true; for (const f of closers) f(); } });
      const out = await r.fn({
        params: route.params, body: r.raw ? undefined : await readJson(req), raw: r.raw ? req : undefined,
        closed: () => closed, onClose: (f) => closers.push(f),
      });
      await engine.commit();
      if (out === undefined) { res.writeHead(204); res.end(); }
      else if (out instanceof Raw) send(res, 200, out.contentType, out.text);
      else send(res, 200, 'application/json; charset=utf-8', JSON.stringify(out));
    } catch (err) {
      if (err instanceof EngineError) return problem(res, STATUS[err.code] ?? 500, err.code, err.message, pathname);
      if (err instanceof HttpError) return problem(res, err.status, err.title, err.message, pathname);
      return problem(res, 500, 'INTERNAL', String((err as Error)?.message ?? err), pathname);
    }
  };

  const server = http.createServer((req, res) => void serve(req, res));
  await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(port, host, () => res()); });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}
