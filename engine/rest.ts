// REST: the Orchestration Cluster API v2 subset (user tasks, process instances, element instances,
// variables, incidents, topology) plus the engine's own endpoints under /engine (events, clock).
import express from 'express';
import type { Request, Response, NextFunction } from 'express';
import * as http from 'node:http';
import { Engine, EngineError, EI, Incident, ProcDef, UserTask } from './core';
import { GATEWAY_VERSION } from './grpc';

const TENANT = '<default>';
const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
type Obj = Record<string, unknown>;

const STATUS: Record<string, number> = { NOT_FOUND: 404, INVALID_ARGUMENT: 400, FAILED_PRECONDITION: 409, ALREADY_EXISTS: 409, RESOURCE_EXHAUSTED: 429, DEADLINE_EXCEEDED: 504, UNIMPLEMENTED: 501, INTERNAL: 500 };

function problem(res: Response, status: number, title: string, detail: string, instance: string) {
  res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title, status, detail, instance }));
}

export function userTaskJson(engine: Engine, u: UserTask): Obj {
  return strip({
    userTaskKey: u.key, name: u.name, state: u.state, assignee: u.assignee, elementId: u.elementId, candidateGroups: u.candidateGroups, candidateUsers: u.candidateUsers,
    processDefinitionId: u.bpmnProcessId, creationDate: iso(u.creationDate), completionDate: iso(u.completionDate), followUpDate: u.followUpDate, dueDate: u.dueDate,
    tenantId: TENANT, externalFormReference: u.externalFormReference, processDefinitionVersion: u.version, customHeaders: u.customHeaders, priority: u.priority,
    elementInstanceKey: u.eiKey, processName: u.processName, processDefinitionKey: u.defKey, processInstanceKey: u.piKey, formKey: u.formKey,
  });
}

function incidentInstances(engine: Engine): Set<string> {
  const out = new Set<string>();
  for (const i of engine.incidents.values()) if (i.state === 'ACTIVE') out.add(i.piKey);
  return out;
}

function processInstanceJson(engine: Engine, ei: EI, withIncident: Set<string> = incidentInstances(engine)): Obj {
  return strip({
    processDefinitionId: ei.bpmnProcessId, processDefinitionName: ei.name, processDefinitionVersion: ei.version, startDate: iso(ei.startDate), endDate: iso(ei.endDate),
    state: ei.state === 'COMPLETED' ? 'COMPLETED' : ei.state === 'TERMINATED' ? 'TERMINATED' : 'ACTIVE', hasIncident: withIncident.has(ei.key), tenantId: TENANT,
    processInstanceKey: ei.key, processDefinitionKey: ei.defKey, parentProcessInstanceKey: ei.parentPiKey, parentElementInstanceKey: ei.parentEiKey,
  });
}

function elementInstanceJson(engine: Engine, ei: EI): Obj {
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

function matchValue(actual: unknown, cond: unknown): boolean {
  if (cond !== null && typeof cond === 'object' && !Array.isArray(cond)) {
    const c = cond as Obj;
    const a = actual === undefined || actual === null ? undefined : actual;
    const cmp = (x: unknown) => (typeof a === 'number' ? Number(x) : String(x));
    for (const [op, v] of Object.entries(c)) {
      switch (op) {
        case '$eq': if (a === undefined || String(a) !== String(v)) return false; break;
        case '$neq': if (a !== undefined && String(a) === String(v)) return false; break;
        case '$exists': if ((a !== undefined) !== !!v) return false; break;
        case '$in': if (a === undefined || !(v as unknown[]).map(String).includes(String(a))) return false; break;
        case '$notIn': if (a !== undefined && (v as unknown[]).map(String).includes(String(a))) return false; break;
        case '$like': {
          const re = new RegExp('^' + String(v).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
          if (a === undefined || !re.test(String(a))) return false; break;
        }
        case '$gt': if (a === undefined || !(cmp(a) as never > (cmp(v) as never))) return false; break;
        case '$gte': if (a === undefined || !(cmp(a) as never >= (cmp(v) as never))) return false; break;
        case '$lt': if (a === undefined || !(cmp(a) as never < (cmp(v) as never))) return false; break;
        case '$lte': if (a === undefined || !(cmp(a) as never <= (cmp(v) as never))) return false; break;
        default: throw new EngineError('INVALID_ARGUMENT', `Unsupported filter operator '${op}'`);
      }
    }
    return true;
  }
  if (actual === undefined || actual === null) return false;
  return String(actual) === String(cond);
}

/** Cheap pre-filter on processInstanceKey (plain equality) before items are shaped. */
function piFilter(body: Obj): string | undefined {
  const f = (body?.filter ?? {}) as Obj;
  const v = f.processInstanceKey;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && typeof (v as Obj).$eq === 'string') return String((v as Obj).$eq);
  return undefined;
}

function search(items: Obj[], body: Obj, special: Record<string, (item: Obj, cond: unknown) => boolean> = {}): Obj {
  const filter = (body.filter ?? {}) as Obj;
  if (typeof filter !== 'object' || Array.isArray(filter)) throw new EngineError('INVALID_ARGUMENT', 'filter must be an object');
  let out = items.filter((it) => Object.entries(filter).every(([k, cond]) => (special[k] ? special[k](it, cond) : matchValue(it[k], cond))));
  const sort = (body.sort ?? []) as { field: string; order?: string }[];
  if (Array.isArray(sort) && sort.length) {
    out = out.slice().sort((x, y) => {
      for (const s of sort) {
        const a = x[s.field]; const b = y[s.field];
        if (a === b) continue;
        const d = a === undefined ? 1 : b === undefined ? -1 : /^\d+$/.test(String(a)) && /^\d+$/.test(String(b)) ? (BigInt(String(a)) < BigInt(String(b)) ? -1 : 1) : String(a) < String(b) ? -1 : 1;
        return (s.order ?? 'ASC').toUpperCase() === 'DESC' ? -d : d;
      }
      return 0;
    });
  }
  const page = (body.page ?? {}) as Obj;
  const limit = Math.min(Number(page.limit ?? 100), 10000);
  let from = Number(page.from ?? 0);
  if (typeof page.after === 'string') from = Number(Buffer.from(page.after, 'base64url').toString()) + 1;
  if (!Number.isFinite(limit) || limit < 0 || !Number.isFinite(from) || from < 0) throw new EngineError('INVALID_ARGUMENT', 'Invalid page');
  const slice = out.slice(from, from + limit);
  const cursor = (i: number) => Buffer.from(String(i)).toString('base64url');
  return {
    items: slice,
    page: strip({ totalItems: out.length, hasMoreTotalItems: false, startCursor: slice.length ? cursor(from) : undefined, endCursor: slice.length ? cursor(from + slice.length - 1) : undefined }),
  };
}

export async function startRest(engine: Engine, port: number, host = '0.0.0.0', grpcPort = 26500): Promise<{ server: http.Server; port: number }> {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '4mb', type: () => true }));
  const h = (fn: (req: Request, res: Response) => unknown) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      const out = await fn(req, res);
      if (!res.headersSent) {
        await engine.commit();
        if (out === undefined) res.status(204).end();
        else res.json(out);
      }
    } catch (e) {
      next(e);
    }
  };
  const body = (req: Request): Obj => {
    const b = req.body ?? {};
    if (typeof b !== 'object' || Array.isArray(b)) throw new EngineError('INVALID_ARGUMENT', 'Expected a JSON object as request body');
    return b as Obj;
  };
  const vars = (v: unknown): Obj => {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw new EngineError('INVALID_ARGUMENT', 'The variables must be a JSON object');
    return v as Obj;
  };

  // user tasks
  // a plain `state` filter is applied before mapping: completed tasks stay in memory as history
  app.post('/v2/user-tasks/search', h((req) => {
    const st = (((req.body ?? {}) as Obj).filter as Obj | undefined ?? {}).state;
    const pk = piFilter(body(req));
    return search([...engine.userTasks.values()].filter((u) => (typeof st !== 'string' || u.state === st) && (!pk || u.piKey === pk)).map((u) => userTaskJson(engine, u)), body(req), {
      candidateGroup: (it, c) => (it.candidateGroups as string[] | undefined ?? []).some((g) => matchValue(g, c)),
      candidateUser: (it, c) => (it.candidateUsers as string[] | undefined ?? []).some((g) => matchValue(g, c)),
    });
  }));
  app.get('/v2/user-tasks/:key', h((req) => userTaskJson(engine, engine.getUserTask(String(req.params.key)))));
  app.get('/v2/user-tasks/:key/form', h((req, res) => {
    const ut = engine.getUserTask(String(req.params.key));
    if (!ut.formKey) { res.status(204).end(); return; }
    const f = engine.forms.get(ut.formKey)!;
    return { formKey: f.key, tenantId: TENANT, formId: f.formId, schema: JSON.parse(f.schema), version: f.version };
  }));
  app.post('/v2/user-tasks/:key/assignment', h((req) => {
    const b = body(req);
    if (typeof b.assignee !== 'string' || !b.assignee) throw new EngineError('INVALID_ARGUMENT', 'No assignee provided');
    engine.assignUserTask(String(req.params.key), b.assignee, b.allowOverride !== false);
    return undefined;
  }));
  app.delete('/v2/user-tasks/:key/assignee', h((req) => { engine.unassignUserTask(String(req.params.key)); return undefined; }));
  app.post('/v2/user-tasks/:key/completion', h((req) => { engine.completeUserTask(String(req.params.key), vars(body(req).variables)); return undefined; }));

  // process definitions
  const defJson = (d: ProcDef) => ({ name: d.name, resourceName: d.resourceName, version: d.version, processDefinitionId: d.bpmnProcessId, tenantId: TENANT, processDefinitionKey: d.key, hasStartForm: false });
  app.post('/v2/process-definitions/search', h((req) => search([...engine.defs.values()].map(defJson), body(req))));
  app.get('/v2/process-definitions/:key', h((req) => {
    const d = engine.defs.get(String(req.params.key));
    if (!d) throw new EngineError('NOT_FOUND', `Process definition with key '${req.params.key}' not found`);
    return defJson(d);
  }));
  app.get('/v2/process-definitions/:key/xml', h((req, res) => {
    const d = engine.defs.get(String(req.params.key));
    if (!d) throw new EngineError('NOT_FOUND', `Process definition with key '${req.params.key}' not found`);
    res.type('text/xml').send(d.xml);
  }));

  // process instances
  const pis = (pk?: string) => {
    const inc = incidentInstances(engine);
    const src = pk ? [engine.eis.get(pk)].filter((e): e is EI => !!e) : [...engine.eis.values()];
    return src.filter((e) => e.type === 'PROCESS').map((e) => processInstanceJson(engine, e, inc));
  };
  app.post('/v2/process-instances/search', h((req) => search(pis(piFilter(body(req))), body(req))));
  app.get('/v2/process-instances/:key', h((req) => {
    const ei = engine.eis.get(String(req.params.key));
    if (!ei || ei.type !== 'PROCESS') throw new EngineError('NOT_FOUND', `Process instance with key '${req.params.key}' not found`);
    return processInstanceJson(engine, ei);
  }));
  app.post('/v2/process-instances', h((req) => {
    const b = body(req);
    const pi = engine.createInstance({ bpmnProcessId: b.processDefinitionId as string | undefined, processDefinitionKey: b.processDefinitionKey as string | undefined, version: b.processDefinitionVersion as number | undefined, variables: vars(b.variables) });
    return { processDefinitionId: pi.bpmnProcessId, processDefinitionVersion: pi.version, tenantId: TENANT, variables: {}, processDefinitionKey: pi.defKey, processInstanceKey: pi.key };
  }));
  app.post('/v2/process-instances/:key/cancellation', h((req) => { engine.cancelInstance(String(req.params.key)); return undefined; }));

  // element instances
  const eis = (pk?: string) => [...engine.eis.values()].filter((e) => e.type !== 'PROCESS' && (!pk || e.piKey === pk)).map((e) => elementInstanceJson(engine, e));
  app.post('/v2/element-instances/search', h((req) => search(eis(piFilter(body(req))), body(req))));
  app.get('/v2/element-instances/:key', h((req) => {
    const ei = engine.eis.get(String(req.params.key));
    if (!ei || ei.type === 'PROCESS') throw new EngineError('NOT_FOUND', `Element instance with key '${req.params.key}' not found`);
    return elementInstanceJson(engine, ei);
  }));

  // variables
  const plain = (b: Obj, field: string): string | undefined => {
    const v = ((b?.filter ?? {}) as Obj)[field];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    if (v && typeof v === 'object' && typeof (v as Obj).$eq === 'string') return String((v as Obj).$eq);
    return undefined;
  };
  const allVars = (pk?: string, scope?: string, name?: string) => {
    const out: Obj[] = [];
    const scopes = scope ? [engine.varScopes.get(scope)].filter((x) => !!x) : engine.varScopes.values();
    for (const s of scopes) {
      if (!s || (pk && s.piKey !== pk)) continue;
      if (name !== undefined) {
        const v = s.vars[name];
        if (v) out.push({ name, value: JSON.stringify(v.value), tenantId: TENANT, variableKey: v.key, scopeKey: s.key, processInstanceKey: s.piKey, isTruncated: false });
        continue;
      }
      for (const [n, v] of Object.entries(s.vars)) out.push({ name: n, value: JSON.stringify(v.value), tenantId: TENANT, variableKey: v.key, scopeKey: s.key, processInstanceKey: s.piKey, isTruncated: false });
    }
    return out;
  };
  app.post('/v2/variables/search', h((req) => { const b = body(req); return search(allVars(piFilter(b), plain(b, 'scopeKey'), plain(b, 'name')), b); }));
  app.get('/v2/variables/:key', h((req) => {
    const v = allVars().find((x) => x.variableKey === String(req.params.key));
    if (!v) throw new EngineError('NOT_FOUND', `Variable with key '${req.params.key}' not found`);
    delete v.isTruncated;
    return v;
  }));

  // incidents
  app.post('/v2/incidents/search', h((req) => search([...engine.incidents.values()].filter(((pk) => (i: Incident) => !pk || i.piKey === pk)(piFilter(body(req)))).map(incidentJson), body(req))));
  app.get('/v2/incidents/:key', h((req) => {
    const i = engine.incidents.get(String(req.params.key));
    if (!i) throw new EngineError('NOT_FOUND', `Incident with key '${req.params.key}' not found`);
    return incidentJson(i);
  }));
  app.post('/v2/incidents/:key/resolution', h((req) => { engine.resolveIncident(String(req.params.key)); return undefined; }));

  app.get('/v2/topology', h(() => ({
    brokers: [{ nodeId: 0, host: '127.0.0.1', port: grpcPort, partitions: [{ partitionId: 1, role: 'leader', health: 'healthy' }], version: GATEWAY_VERSION }],
    clusterSize: 1, partitionsCount: 1, replicationFactor: 1, gatewayVersion: GATEWAY_VERSION, lastCompletedChangeId: '-1',
  })));

  // engine extensions
  app.get('/engine/process-instances/:key/events', h((req) => {
    const key = String(req.params.key);
    if (!engine.eis.has(key)) throw new EngineError('NOT_FOUND', `Process instance with key '${key}' not found`);
    return { items: engine.events.get(key) ?? [] };
  }));
  if (engine.testMode) {
    app.get('/engine/clock', h(() => ({ now: new Date(engine.now()).toISOString() })));
    app.post('/engine/clock', h((req) => {
      const b = body(req);
      let now: number;
      if (typeof b.add === 'string') now = engine.clockAdd(b.add);
      else if (typeof b.set === 'string') {
        const t = Date.parse(b.set);
        if (Number.isNaN(t)) throw new EngineError('INVALID_ARGUMENT', `Invalid date-time '${b.set}'`);
        now = engine.clockSet(t);
      } else throw new EngineError('INVALID_ARGUMENT', "Expected {\"add\": \"<ISO-8601 duration>\"} or {\"set\": \"<ISO-8601 date-time>\"}");
      return { now: new Date(now).toISOString() };
    }));
  }

  app.use((req: Request, res: Response) => problem(res, 404, 'NOT_FOUND', `No endpoint ${req.method} ${req.path}`, req.path));
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof EngineError) return problem(res, STATUS[err.code] ?? 500, err.code, err.message, req.path);
    const e = err as { status?: number; type?: string; message?: string };
    if (e && e.status && e.status < 500) return problem(res, e.status, e.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INVALID_ARGUMENT', e.message ?? 'Bad request', req.path);
    return problem(res, 500, 'INTERNAL', String(e?.message ?? err), req.path);
  });

  const server = http.createServer(app);
  await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(port, host, () => res()); });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}
