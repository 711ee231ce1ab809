// REST commands of the Orchestration Cluster API (Camunda 8.9) that Camunda's REST-only clients need:
// deployments (multipart, as Desktop Modeler and CamundaRestClient.deployResources send them), resource
// deletion, job activation (long polling) and the job commands, message publication and correlation,
// element-instance variables, process-instance creation (with awaitCompletion). Shapes follow the
// published OpenAPI of 8.9 (the types of @camunda8/orchestration-cluster-api): keys are strings, commands
// without a result answer 204, errors are problem details.
import busboy from 'busboy';
import type * as http from 'node:http';
import { ActivatedJob, Corrections, Deployed, EngineError } from './entities';
import type { EngineApi } from './query';
import { HttpError, MAX_BODY_BYTES, Req, Routes } from './rest-http';

const TENANT = '<default>';
type Obj = Record<string, unknown>;

/**
 * How long a long-polling job activation waits when the request gives no requestTimeout (or 0): Zeebe's
 * gateway default of 10 s. Creation with awaitCompletion and no requestTimeout waits the cluster's generic
 * request timeout, 15 s in Camunda's default configuration.
 */
const DEFAULT_LONG_POLL_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

function objectBody(req: Req): Obj {
  const b = req.body ?? {};
  if (typeof b !== 'object' || Array.isArray(b)) throw new EngineError('INVALID_ARGUMENT', 'Expected a JSON object as request body');
  return b as Obj;
}

/** `result.corrections` of a job completion: null or absent fields keep the task's value (the engine checks the values) */
function correctionsOf(v: unknown): Corrections | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new EngineError('INVALID_ARGUMENT', "The property 'result.corrections' must be an object");
  const out: Record<string, unknown> = {};
  for (const f of ['assignee', 'dueDate', 'followUpDate', 'candidateUsers', 'candidateGroups', 'priority']) {
    const x = (v as Obj)[f];
    if (x !== undefined && x !== null) out[f] = x;
  }
  return out as Corrections;
}

/** `variables` of a request: absent or null is none; anything but a JSON object is a 400 naming the field. */
function variablesOf(v: unknown, field = 'variables'): Obj {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new EngineError('INVALID_ARGUMENT', `The '${field}' must be a JSON object`);
  return v as Obj;
}

/**
 * An optional whole number of the body (a 400 naming it when it is something else). A string of digits
 * counts, as Camunda's JSON binding coerces it: clients send int64 fields (requestTimeout, timeout) as
 * strings so that no precision is lost.
 */
function intOf(b: Obj, field: string): number | undefined {
  let v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) v = Number(v);
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new EngineError('INVALID_ARGUMENT', `The '${field}' must be a whole number, got ${JSON.stringify(v)}`);
  return v;
}

function stringOf(b: Obj, field: string, required: boolean): string | undefined {
  const v = b[field];
  if (v === undefined || v === null || v === '') {
    if (required) throw new EngineError('INVALID_ARGUMENT', `No ${field} provided`);
    return undefined;
  }
  if (typeof v !== 'string') throw new EngineError('INVALID_ARGUMENT', `The '${field}' must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function jobKey(req: Req): string {
  const k = String(req.params.jobKey ?? '');
  if (!/^\d+$/.test(k)) throw new EngineError('INVALID_ARGUMENT', `The jobKey must be a number, got '${k}'`);
  return k;
}

// ------------------------------------------------------------------ multipart deployments
interface Part { name: string; content: Buffer }

/**
 * The `resources` parts of a multipart/form-data body, each with its file name (busboy parses; the 4 MB
 * limit applies to the whole body, as to JSON bodies). Other fields (`tenantId`) are read and ignored: this
 * engine has the default tenant only.
 */
function readResources(req: http.IncomingMessage): Promise<Part[]> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    req.resume();
    return Promise.reject(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `Expected a multipart/form-data body with one 'resources' part per file, got content type '${type || '(none)'}'`));
  }
  return new Promise((resolve, reject) => {
    const parts: Part[] = [];
    let size = 0;
    let tooLarge = false;
    let bb: busboy.Busboy;
    try { bb = busboy({ headers: req.headers }); } catch (e) { req.resume(); reject(new HttpError(400, 'INVALID_ARGUMENT', `Unreadable multipart body: ${(e as Error).message}`)); return; }
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) tooLarge = true; else chunks.push(c);
      });
      stream.on('end', () => { if (field === 'resources') parts.push({ name: info.filename ?? '', content: Buffer.concat(chunks) }); });
    });
    bb.on('field', () => undefined);
    bb.on('error', (e: Error) => reject(new HttpError(400, 'INVALID_ARGUMENT', `Unreadable multipart body: ${e.message}`)));
    bb.on('close', () => {
      if (tooLarge) return reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body larger than ${MAX_BODY_BYTES} bytes`));
      resolve(parts);
    });
    req.pipe(bb);
  });
}

function deploymentJson(res: Deployed): Obj {
  return {
    deploymentKey: res.key, tenantId: TENANT,
    deployments: [
      ...res.processes.map((p) => ({ processDefinition: { processDefinitionId: p.bpmnProcessId, processDefinitionVersion: p.version, resourceName: p.resourceName, tenantId: TENANT, processDefinitionKey: p.key } })),
      ...res.forms.map((f) => ({ form: { formId: f.formId, version: f.version, resourceName: f.resourceName, tenantId: TENANT, formKey: f.key } })),
      ...res.decisions.map((d) => ({ decisionDefinition: { decisionDefinitionId: d.decisionId, version: d.version, name: d.name, tenantId: TENANT, decisionRequirementsId: d.drgId, decisionDefinitionKey: d.key, decisionRequirementsKey: d.drgKey } })),
      ...[...new Map(res.decisions.map((d) => [d.drgKey, d])).values()].map((d) => ({ decisionRequirements: { decisionRequirementsId: d.drgId, decisionRequirementsName: d.drgName, version: d.drgVersion, resourceName: d.resourceName, tenantId: TENANT, decisionRequirementsKey: d.drgKey } })),
    ],
  };
}

// ------------------------------------------------------------------ jobs
/** An activated job as the REST API gives it: variables and headers as objects, the deadline as epoch ms. */
function restJob(j: ActivatedJob): Obj {
  return {
    type: j.type, processDefinitionId: j.bpmnProcessId, processDefinitionVersion: j.processDefinitionVersion, elementId: j.elementId,
    customHeaders: JSON.parse(j.customHeaders), worker: j.worker, retries: j.retries, deadline: Number(j.deadline), variables: JSON.parse(j.variables),
    tenantId: TENANT, jobKey: j.key, processInstanceKey: j.processInstanceKey, processDefinitionKey: j.processDefinitionKey, elementInstanceKey: j.elementInstanceKey,
    kind: j.kind, listenerEventType: j.listenerEventType,
  };
}

/**
 * POST /v2/jobs/activation: jobs at once when there are any; else the request waits (long polling) until
 * jobs come or requestTimeout passes (0: 10 s; negative: answer at once). Jobs activated for a client that
 * went away meanwhile are given back.
 */
function activateJobs(engine: EngineApi, req: Req): Promise<Obj> | Obj {
  const b = objectBody(req);
  const type = stringOf(b, 'type', false);
  if (!type) throw new EngineError('INVALID_ARGUMENT', "Expected to activate jobs, but argument 'type' was empty");
  const max = intOf(b, 'maxJobsToActivate');
  if (max === undefined || max < 1) throw new EngineError('INVALID_ARGUMENT', `Expected to activate jobs with maxJobsToActivate greater than zero, but was '${b.maxJobsToActivate}'`);
  const timeout = intOf(b, 'timeout');
  if (timeout === undefined || timeout < 1) throw new EngineError('INVALID_ARGUMENT', `Expected to activate jobs with timeout greater than zero, but was '${b.timeout}'`);
  const worker = stringOf(b, 'worker', false) ?? '';
  const fetch = b.fetchVariable ?? [];
  if (!Array.isArray(fetch) || !fetch.every((x) => typeof x === 'string')) throw new EngineError('INVALID_ARGUMENT', "The 'fetchVariable' must be a list of variable names");
  const rt = intOf(b, 'requestTimeout') ?? 0;
  const now = engine.activateJobs(type, worker, timeout, max, fetch as string[]);
  if (now.length || rt < 0) return { jobs: now.map(restJob) };
  return new Promise((resolve) => {
    let done = false;
    const finish = () => { if (done) return false; done = true; clearTimeout(timer); remove(); return true; };
    const remove = engine.addConsumer({
      type, worker, timeout, max, fetchVariable: fetch as string[], stream: false,
      deliver: (js) => {
        if (!finish() || req.closed()) return false;
        resolve({ jobs: js.map(restJob) });
        return true;
      },
    });
    const timer = setTimeout(() => { if (finish()) resolve({ jobs: [] }); }, rt === 0 ? DEFAULT_LONG_POLL_MS : rt);
    req.onClose(() => { if (finish()) resolve({ jobs: [] }); });
  });
}

// ------------------------------------------------------------------ process instances
async function createInstance(engine: EngineApi, req: Req): Promise<Obj> {
  const b = objectBody(req);
  const byKey = stringOf(b, 'processDefinitionKey', false);
  const byId = stringOf(b, 'processDefinitionId', false);
  if (!byKey && !byId) throw new EngineError('INVALID_ARGUMENT', 'At least one of [processDefinitionId, processDefinitionKey] is required');
  const si = b.startInstructions ?? [];
  if (!Array.isArray(si) || !si.every((x) => x && typeof x === 'object' && typeof (x as Obj).elementId === 'string')) throw new EngineError('INVALID_ARGUMENT', "The 'startInstructions' must be a list of {elementId}");
  const fetch = b.fetchVariables ?? [];
  if (!Array.isArray(fetch) || !fetch.every((x) => typeof x === 'string')) throw new EngineError('INVALID_ARGUMENT', "The 'fetchVariables' must be a list of variable names");
  const requestTimeout = intOf(b, 'requestTimeout') ?? 0;
  const pi = engine.createInstance({
    bpmnProcessId: byKey ? undefined : byId, processDefinitionKey: byKey, version: intOf(b, 'processDefinitionVersion'),
    variables: variablesOf(b.variables), startInstructions: (si as Obj[]).map((x) => String(x.elementId)),
  });
  const answer = (variables: Obj) => ({ processDefinitionId: pi.bpmnProcessId, processDefinitionVersion: pi.version, tenantId: TENANT, variables, processDefinitionKey: pi.defKey, processInstanceKey: pi.key });
  if (b.awaitCompletion !== true) return answer({});
  // registered in the creating turn, so the result is captured when the instance ends (before history trimming)
  const done = engine.awaitCompletion(pi.key);
  await engine.commit();
  const wait = requestTimeout > 0 ? requestTimeout : DEFAULT_REQUEST_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const res = await Promise.race([done, new Promise<null>((r) => { timer = setTimeout(() => r(null), wait); })]);
  clearTimeout(timer);
  if (!res) { engine.cancelAwait(pi.key); throw new EngineError('DEADLINE_EXCEEDED', `Expected to receive the result of process instance '${pi.key}' within ${wait} ms, but the request timed out`); }
  if (res.pi.state !== 'COMPLETED') throw new EngineError('FAILED_PRECONDITION', `Expected to receive the result of process instance '${pi.key}', but it was terminated`);
  const vars = fetch.length ? Object.fromEntries((fetch as string[]).filter((n) => n in res.vars).map((n) => [n, res.vars[n]])) : res.vars;
  return answer(vars);
}

export function registerCommands(app: Routes, engine: EngineApi): void {
  app.postRaw('/v2/deployments', async (req) => {
    const parts = await readResources(req.raw!);
    if (!parts.length) throw new EngineError('INVALID_ARGUMENT', "Expected to deploy at least one resource: no multipart part named 'resources'");
    return deploymentJson(await engine.deploy(parts));
  });
  app.post('/v2/resources/:resourceKey/deletion', (req) => {
    const key = String(req.params.resourceKey);
    engine.deleteResource(key);
    return { resourceKey: key, batchOperation: null };
  });

  app.post('/v2/jobs/activation', (req) => activateJobs(engine, req));
  app.post('/v2/jobs/:jobKey/completion', (req) => {
    const b = objectBody(req);
    const r = b.result;
    if (r !== undefined && r !== null && (typeof r !== 'object' || Array.isArray(r))) throw new EngineError('INVALID_ARGUMENT', "The property 'result' must be an object");
    const res = r as { denied?: unknown; deniedReason?: unknown; corrections?: unknown } | undefined | null;
    engine.completeJob(jobKey(req), variablesOf(b.variables), res ? { denied: res.denied === true, deniedReason: typeof res.deniedReason === 'string' ? res.deniedReason : undefined, corrections: correctionsOf(res.corrections) } : undefined);
    return undefined;
  });
  app.post('/v2/jobs/:jobKey/failure', (req) => {
    const b = objectBody(req);
    engine.failJob(jobKey(req), intOf(b, 'retries') ?? 0, stringOf(b, 'errorMessage', false) ?? '', intOf(b, 'retryBackOff') ?? 0, variablesOf(b.variables));
    return undefined;
  });
  app.post('/v2/jobs/:jobKey/error', (req) => {
    const b = objectBody(req);
    const code = stringOf(b, 'errorCode', false);
    if (!code) throw new EngineError('INVALID_ARGUMENT', "Expected argument 'errorCode' to be provided, but it was empty");
    engine.throwError(jobKey(req), code, stringOf(b, 'errorMessage', false) ?? '', variablesOf(b.variables));
    return undefined;
  });
  app.patch('/v2/jobs/:jobKey', (req) => {
    const b = objectBody(req);
    const cs = b.changeset;
    if (!cs || typeof cs !== 'object' || Array.isArray(cs)) throw new EngineError('INVALID_ARGUMENT', "No changeset provided: expected {\"changeset\": {\"retries\"?, \"timeout\"?}}");
    const retries = intOf(cs as Obj, 'retries');
    const timeout = intOf(cs as Obj, 'timeout');
    if (retries === undefined && timeout === undefined) throw new EngineError('INVALID_ARGUMENT', 'Empty changeset: give retries or timeout');
    const key = jobKey(req);
    if (retries !== undefined) engine.updateJobRetries(key, retries);
    if (timeout !== undefined) engine.updateJobTimeout(key, timeout);
    return undefined;
  });

  app.post('/v2/messages/publication', (req) => {
    const b = objectBody(req);
    const name = stringOf(b, 'name', true)!;
    const ttl = intOf(b, 'timeToLive') ?? 0;
    if (ttl < 0) throw new EngineError('INVALID_ARGUMENT', `The 'timeToLive' must be >= 0, got ${ttl}`);
    const key = engine.publishMessage(name, stringOf(b, 'correlationKey', false) ?? '', ttl, stringOf(b, 'messageId', false) ?? '', variablesOf(b.variables));
    return { tenantId: TENANT, messageKey: key };
  });
  app.post('/v2/messages/correlation', (req) => {
    const b = objectBody(req);
    const r = engine.correlateMessage(stringOf(b, 'name', true)!, stringOf(b, 'correlationKey', false) ?? '', variablesOf(b.variables));
    return { tenantId: TENANT, messageKey: r.messageKey, processInstanceKey: r.processInstanceKey };
  });

  app.post('/v2/signals/broadcast', (req) => {
    const b = objectBody(req);
    const key = engine.broadcastSignal(stringOf(b, 'signalName', true)!, variablesOf(b.variables));
    return { tenantId: TENANT, signalKey: key };
  });

  app.put('/v2/element-instances/:key/variables', (req) => {
    const b = objectBody(req);
    if (b.variables === undefined || b.variables === null) throw new EngineError('INVALID_ARGUMENT', 'No variables provided');
    engine.setVariables(String(req.params.key), variablesOf(b.variables), b.local === true);
    return undefined;
  });

  app.post('/v2/process-instances', (req) => createInstance(engine, req));
  app.post('/v2/process-instances/:key/modification', (req) => {
    const b = objectBody(req);
    for (const f of ['activateInstructions', 'terminateInstructions']) if (b[f] !== undefined && b[f] !== null && !Array.isArray(b[f])) throw new EngineError('INVALID_ARGUMENT', `The '${f}' must be an array`);
    engine.modifyInstance(String(req.params.key), b as never);
    return undefined;
  });
  app.post('/v2/process-instances/:key/migration', (req) => {
    const b = objectBody(req);
    const target = b.targetProcessDefinitionKey;
    if (typeof target !== 'string' && typeof target !== 'number') throw new EngineError('INVALID_ARGUMENT', "No targetProcessDefinitionKey provided");
    if (!/^\d+$/.test(String(target))) throw new EngineError('INVALID_ARGUMENT', `The provided targetProcessDefinitionKey '${String(target)}' is not a key`);
    if (!Array.isArray(b.mappingInstructions)) throw new EngineError('INVALID_ARGUMENT', 'No mappingInstructions provided');
    engine.migrateInstance(String(req.params.key), { targetProcessDefinitionKey: String(target), mappingInstructions: b.mappingInstructions as never });
    return undefined;
  });
}
