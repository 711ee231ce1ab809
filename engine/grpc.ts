// The Zeebe Gateway gRPC service (proto shipped with @camunda8/sdk) on top of the engine core.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { ActivatedJob, Corrections, EngineError, ErrCode, MAX_MESSAGE_SIZE } from './entities';
import type { EngineApi } from './query';

const CODES: Record<ErrCode, grpc.status> = {
  NOT_FOUND: grpc.status.NOT_FOUND,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  ALREADY_EXISTS: grpc.status.ALREADY_EXISTS,
  RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  DEADLINE_EXCEEDED: grpc.status.DEADLINE_EXCEEDED,
  UNIMPLEMENTED: grpc.status.UNIMPLEMENTED,
  INTERNAL: grpc.status.INTERNAL,
};

export const GATEWAY_VERSION = '8.9.0';

function protoPath(): string {
  return path.join(path.dirname(require.resolve('@camunda8/sdk/package.json')), 'dist', 'proto', 'zeebe.proto');
}

type Any = any;

/**
 * The SDK's gateway proto (8.8) plus the 8.9 fields of task listener jobs, under Zeebe's field numbers, so a
 * client built on the 8.9 proto gets `kind`/`listenerEventType` and can send `CompleteJobRequest.result`.
 */
export function gatewayPackageDefinition(): protoLoader.PackageDefinition {
  const opts = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
  const root = new protobuf.Root().loadSync(protoPath(), { keepCase: true });
  const aj = root.lookupType('gateway_protocol.ActivatedJob');
  if (!aj.fields.kind) {
    aj.add(new protobuf.Enum('JobKind', { BPMN_ELEMENT: 0, EXECUTION_LISTENER: 1, TASK_LISTENER: 2, AD_HOC_SUB_PROCESS: 3 }));
    aj.add(new protobuf.Enum('ListenerEventType', { ASSIGNING: 0, CANCELING: 1, COMPLETING: 2, CREATING: 3, END: 4, START: 5, UNSPECIFIED: 6, UPDATING: 7 }));
    aj.add(new protobuf.Field('kind', 16, 'JobKind'));
    aj.add(new protobuf.Field('listenerEventType', 17, 'ListenerEventType'));
    const ns = root.lookup('gateway_protocol') as protobuf.Namespace;
    // proto3 `optional` fields: a synthetic oneof each, so that presence (an absent correction keeps the value) survives decoding
    const optional = (t: protobuf.Type, name: string, id: number, type: string) => { t.add(new protobuf.Field(name, id, type)); t.add(new protobuf.OneOf(`_${name}`, [name])); };
    const list = new protobuf.Type('StringList');
    list.add(new protobuf.Field('values', 1, 'string', 'repeated'));
    const corrections = new protobuf.Type('JobResultCorrections');
    optional(corrections, 'assignee', 1, 'string');
    optional(corrections, 'dueDate', 2, 'string');
    optional(corrections, 'followUpDate', 3, 'string');
    optional(corrections, 'candidateUsers', 4, 'StringList');
    optional(corrections, 'candidateGroups', 5, 'StringList');
    optional(corrections, 'priority', 6, 'int32');
    const result = new protobuf.Type('JobResult');
    result.add(new protobuf.Field('denied', 1, 'bool'));
    result.add(new protobuf.Field('corrections', 2, 'JobResultCorrections'));
    result.add(new protobuf.Field('deniedReason', 3, 'string'));
    result.add(new protobuf.Field('type', 4, 'string'));
    ns.add(list);
    ns.add(corrections);
    ns.add(result);
    root.lookupType('gateway_protocol.CompleteJobRequest').add(new protobuf.Field('result', 3, 'JobResult'));
  }
  return protoLoader.fromJSON(root.toJSON(), opts);
}

export function parseVariables(s: string | undefined, prop = 'variables'): Record<string, unknown> {
  if (s === undefined || s === null || s === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch (e) {
    throw new EngineError('INVALID_ARGUMENT', `Property '${prop}' is invalid: Expected document to be valid JSON, but it was not: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    const kind = v === null ? 'NIL' : Array.isArray(v) ? 'ARRAY' : typeof v === 'string' ? 'STRING' : typeof v === 'number' ? 'NUMBER' : 'BOOLEAN';
    throw new EngineError('INVALID_ARGUMENT', `Property '${prop}' is invalid: Expected document to be a root level object, but was '${kind}'`);
  }
  return v as Record<string, unknown>;
}

/** JobResultCorrections as decoded (only the fields sent are present; lists are StringList messages) */
function grpcCorrections(c: Any): Corrections | undefined {
  if (!c) return undefined;
  const out: Corrections = {};
  for (const f of ['assignee', 'dueDate', 'followUpDate'] as const) if (c[`_${f}`] === f) out[f] = String(c[f]);
  for (const f of ['candidateUsers', 'candidateGroups'] as const) if (c[`_${f}`] === f) out[f] = [...(c[f]?.values ?? [])].map(String);
  if (c._priority === 'priority') out.priority = Number(c.priority);
  return out;
}

function key(v: unknown, what: string): string {
  const s = String(v ?? '0');
  if (!/^-?\d+$/.test(s)) throw new EngineError('INVALID_ARGUMENT', `Expected ${what} to be a number, but was '${s}'`);
  return s;
}

export async function startGrpc(engine: EngineApi, port: number, host = '0.0.0.0'): Promise<{ server: grpc.Server; port: number }> {
  const def = gatewayPackageDefinition();
  const proto = grpc.loadPackageDefinition(def) as Any;
  const service = proto.gateway_protocol.Gateway.service as grpc.ServiceDefinition;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_SIZE, 'grpc.max_send_message_length': MAX_MESSAGE_SIZE * 4 });

  // Advertise identity-only encoding: grpc-js clients (the SDK gzips every request by default) then stop
  // compressing on this channel, which saves CPU on both sides. Compressed requests are still accepted.
  const identityOnly = () => { const md = new grpc.Metadata(); md.set('grpc-accept-encoding', 'identity'); return md; };
  const unary = (fn: (req: Any) => Promise<Any> | Any) => async (call: grpc.ServerUnaryCall<Any, Any>, cb: grpc.sendUnaryData<Any>) => {
    call.sendMetadata(identityOnly());
    try {
      const res = await fn(call.request);
      await engine.commit();
      cb(null, res);
    } catch (e) {
      cb(toGrpcError(e));
    }
  };

  const impl: Record<string, Any> = {};
  for (const name of Object.keys(service)) {
    impl[name] = (call: Any, cb?: grpc.sendUnaryData<Any>) => {
      const err = { code: grpc.status.UNIMPLEMENTED, details: `Method ${name} is not implemented by this engine` };
      if (cb) cb(err); else call.emit('error', err);
    };
  }

  impl.Topology = unary(() => ({
    brokers: [{ nodeId: 0, host: '127.0.0.1', port: boundPort, partitions: [{ partitionId: 1, role: 'LEADER', health: 'HEALTHY' }], version: GATEWAY_VERSION }],
    clusterSize: 1, partitionsCount: 1, replicationFactor: 1, gatewayVersion: GATEWAY_VERSION,
  }));

  impl.DeployResource = unary(async (req) => {
    const res = await engine.deploy((req.resources ?? []).map((r: Any) => ({ name: r.name, content: Buffer.from(r.content ?? []) })));
    return {
      key: res.key, tenantId: '<default>',
      deployments: [
        ...res.processes.map((p) => ({ process: { bpmnProcessId: p.bpmnProcessId, version: p.version, processDefinitionKey: p.key, resourceName: p.resourceName, tenantId: '<default>' } })),
        ...res.forms.map((f) => ({ form: { formId: f.formId, version: f.version, formKey: f.key, resourceName: f.resourceName, tenantId: '<default>' } })),
        ...res.decisions.map((d) => ({ decision: { dmnDecisionId: d.decisionId, dmnDecisionName: d.name, version: d.version, decisionKey: d.key, dmnDecisionRequirementsId: d.drgId, decisionRequirementsKey: d.drgKey, tenantId: '<default>' } })),
        ...[...new Map(res.decisions.map((d) => [d.drgKey, d])).values()].map((d) => ({ decisionRequirements: { dmnDecisionRequirementsId: d.drgId, dmnDecisionRequirementsName: d.drgName, version: d.drgVersion, decisionRequirementsKey: d.drgKey, resourceName: d.resourceName, tenantId: '<default>' } })),
      ],
    };
  });

  const create = (req: Any) => {
    const variables = parseVariables(req.variables);
    const pi = engine.createInstance({
      bpmnProcessId: req.bpmnProcessId || undefined, processDefinitionKey: key(req.processDefinitionKey, 'processDefinitionKey'), version: req.version,
      variables, startInstructions: (req.startInstructions ?? []).map((s: Any) => s.elementId),
    });
    return pi;
  };
  impl.CreateProcessInstance = unary((req) => {
    const pi = create(req);
    return { processDefinitionKey: pi.defKey, bpmnProcessId: pi.bpmnProcessId, version: pi.version, processInstanceKey: pi.key, tenantId: '<default>' };
  });

  impl.CreateProcessInstanceWithResult = async (call: grpc.ServerUnaryCall<Any, Any>, cb: grpc.sendUnaryData<Any>) => {
    call.sendMetadata(identityOnly());
    try {
      const pi = create(call.request.request ?? {});
      // registered in the creating turn: the result (with the root variables) is captured when the instance
      // ends, before any history trimming can drop its variables
      const done = engine.awaitCompletion(pi.key);
      await engine.commit();
      const timeout = Number(call.request.requestTimeout ?? 0);
      let timer: NodeJS.Timeout | undefined;
      const res = await (timeout > 0
        ? Promise.race([done, new Promise<null>((r) => { timer = setTimeout(() => r(null), timeout); })])
        : done);
      if (timer) clearTimeout(timer);
      if (!res) { engine.cancelAwait(pi.key); throw new EngineError('DEADLINE_EXCEEDED', `Time out between gateway and broker: Request timed out after ${timeout} ms`); }
      if (res.pi.state !== 'COMPLETED') throw new EngineError('FAILED_PRECONDITION', `Command 'CREATE_WITH_AWAITING_RESULT' rejected with code 'PROCESS_NOT_FOUND': Expected to receive the result of process instance '${pi.key}', but it was terminated`);
      let vars = res.vars;
      const fetch: string[] = call.request.fetchVariables ?? [];
      if (fetch.length) vars = Object.fromEntries(fetch.filter((n) => n in vars).map((n) => [n, vars[n]]));
      cb(null, { processDefinitionKey: pi.defKey, bpmnProcessId: pi.bpmnProcessId, version: pi.version, processInstanceKey: pi.key, variables: JSON.stringify(vars), tenantId: '<default>' });
    } catch (e) {
      cb(toGrpcError(e));
    }
  };

  impl.CancelProcessInstance = unary((req) => { engine.cancelInstance(key(req.processInstanceKey, 'processInstanceKey')); return {}; });

  impl.CompleteJob = unary((req) => {
    const r = req.result as { denied?: boolean; deniedReason?: string; corrections?: Any } | null | undefined;
    engine.completeJob(key(req.jobKey, 'jobKey'), parseVariables(req.variables), r ? { denied: !!r.denied, deniedReason: r.deniedReason || undefined, corrections: grpcCorrections(r.corrections) } : undefined);
    return {};
  });
  impl.FailJob = unary((req) => {
    engine.failJob(key(req.jobKey, 'jobKey'), Number(req.retries ?? 0), req.errorMessage ?? '', Number(req.retryBackOff ?? 0), parseVariables(req.variables));
    return {};
  });
  impl.ThrowError = unary((req) => {
    if (!req.errorCode) throw new EngineError('INVALID_ARGUMENT', "Expected argument 'errorCode' to be provided, but it was empty");
    engine.throwError(key(req.jobKey, 'jobKey'), req.errorCode, req.errorMessage ?? '', parseVariables(req.variables));
    return {};
  });
  impl.UpdateJobRetries = unary((req) => { engine.updateJobRetries(key(req.jobKey, 'jobKey'), Number(req.retries)); return {}; });
  impl.UpdateJobTimeout = unary((req) => { engine.updateJobTimeout(key(req.jobKey, 'jobKey'), Number(req.timeout)); return {}; });
  impl.PublishMessage = unary((req) => {
    const k = engine.publishMessage(req.name ?? '', req.correlationKey ?? '', Number(req.timeToLive ?? 0), req.messageId ?? '', parseVariables(req.variables));
    return { key: k, tenantId: '<default>' };
  });
  impl.SetVariables = unary((req) => {
    const k = engine.setVariables(key(req.elementInstanceKey, 'elementInstanceKey'), parseVariables(req.variables), !!req.local);
    return { key: k };
  });
  impl.BroadcastSignal = unary((req) => ({ key: engine.broadcastSignal(req.signalName ?? '', parseVariables(req.variables)), tenantId: '<default>' }));
  impl.EvaluateDecision = unary((req) => {
    const r = engine.evaluateDecision({ decisionDefinitionKey: req.decisionKey && req.decisionKey !== '0' ? key(req.decisionKey, 'decisionKey') : undefined, decisionDefinitionId: req.decisionId || undefined }, parseVariables(req.variables));
    const ev = r.evaluatedDecisions as Any[];
    return {
      decisionKey: r.decisionDefinitionKey, decisionId: r.decisionDefinitionId, decisionName: r.decisionDefinitionName, decisionVersion: r.decisionDefinitionVersion,
      decisionRequirementsId: r.decisionRequirementsId, decisionRequirementsKey: r.decisionRequirementsKey, decisionOutput: r.output, failedDecisionId: r.failedDecisionDefinitionId,
      failureMessage: r.failureMessage, tenantId: '<default>', decisionInstanceKey: r.decisionEvaluationKey,
      evaluatedDecisions: ev.map((e) => ({ decisionKey: e.decisionDefinitionKey, decisionId: e.decisionDefinitionId, decisionName: e.decisionDefinitionName, decisionVersion: e.decisionDefinitionVersion, decisionType: e.decisionDefinitionType, decisionOutput: e.output, matchedRules: e.matchedRules, evaluatedInputs: e.evaluatedInputs, tenantId: '<default>' })),
    };
  });
  impl.DeleteResource = unary((req) => { engine.deleteResource(key(req.resourceKey, 'resourceKey')); return {}; });
  impl.ModifyProcessInstance = unary((req) => {
    const activateInstructions = ((req.activateInstructions ?? []) as Any[]).map((a) => ({
      elementId: a.elementId, ancestorElementInstanceKey: a.ancestorElementInstanceKey === undefined ? undefined : String(a.ancestorElementInstanceKey),
      variableInstructions: ((a.variableInstructions ?? []) as Any[]).map((v) => ({ variables: parseVariables(v.variables), scopeId: v.scopeId })),
    }));
    const terminateInstructions = ((req.terminateInstructions ?? []) as Any[]).map((t) => ({ elementInstanceKey: String(t.elementInstanceKey) }));
    engine.modifyInstance(key(req.processInstanceKey, 'processInstanceKey'), { activateInstructions, terminateInstructions });
    return {};
  });
  impl.MigrateProcessInstance = unary((req) => {
    const plan = req.migrationPlan ?? {};
    const mappingInstructions = ((plan.mappingInstructions ?? []) as Any[]).map((m) => ({ sourceElementId: String(m.sourceElementId ?? ''), targetElementId: String(m.targetElementId ?? '') }));
    engine.migrateInstance(key(req.processInstanceKey, 'processInstanceKey'), { targetProcessDefinitionKey: key(plan.targetProcessDefinitionKey, 'targetProcessDefinitionKey'), mappingInstructions });
    return {};
  });
  impl.ResolveIncident = unary((req) => { engine.resolveIncident(key(req.incidentKey, 'incidentKey')); return {}; });

  impl.ActivateJobs = (call: grpc.ServerWritableStream<Any, Any>) => {
    call.sendMetadata(identityOnly());
    const req = call.request;
    try {
      if (!req.type) throw new EngineError('INVALID_ARGUMENT', "Expected to activate jobs, but argument 'type' was empty");
      if (Number(req.maxJobsToActivate) < 1) throw new EngineError('INVALID_ARGUMENT', `Expected to activate jobs with maxJobsToActivate greater than zero, but was '${req.maxJobsToActivate}'`);
      if (Number(req.timeout) < 1) throw new EngineError('INVALID_ARGUMENT', `Expected to activate jobs with timeout greater than zero, but was '${req.timeout}'`);
    } catch (e) {
      call.emit('error', toGrpcError(e));
      return;
    }
    const timeout = Number(req.timeout);
    const max = Number(req.maxJobsToActivate);
    const fetch: string[] = req.fetchVariable ?? [];
    const jobs = engine.activateJobs(req.type, req.worker ?? '', timeout, max, fetch);
    if (jobs.length) {
      void engine.commit().then(() => { if (!call.cancelled) { call.write({ jobs: jobs.map(toProtoJob) }); call.end(); } else for (const j of jobs) engine.yieldJob(j.key); });
      return;
    }
    const rt = Number(req.requestTimeout ?? 0);
    if (rt < 0) { call.end(); return; }
    let finished = false;
    const finish = () => { if (finished) return false; finished = true; clearTimeout(timer); remove(); return true; };
    const remove = engine.addConsumer({
      type: req.type, worker: req.worker ?? '', timeout, max, fetchVariable: fetch, stream: false,
      deliver: (js: ActivatedJob[]) => {
        if (!finish() || call.cancelled) return false;
        call.write({ jobs: js.map(toProtoJob) });
        call.end();
        return true;
      },
    });
    const timer = setTimeout(() => { if (finish()) call.end(); }, rt === 0 ? 10000 : rt);
    call.on('cancelled', () => finish());
  };

  impl.StreamActivatedJobs = (call: grpc.ServerWritableStream<Any, Any>) => {
    call.sendMetadata(identityOnly());
    const req = call.request;
    if (!req.type) { call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: "Expected to stream jobs, but argument 'type' was empty" }); return; }
    let open = true;
    const remove = engine.addConsumer({
      type: req.type, worker: req.worker ?? '', timeout: Number(req.timeout) || 300000, max: 1, fetchVariable: req.fetchVariable ?? [], stream: true,
      deliver: (js: ActivatedJob[]) => {
        if (!open || call.cancelled) { close(); return false; }
        for (const j of js) call.write(toProtoJob(j));
        return true;
      },
    });
    function close() { if (open) { open = false; remove(); } }
    call.on('cancelled', close);
    call.on('close', close);
    call.on('error', close);
  };

  server.addService(service, impl);
  const boundPort = await new Promise<number>((res, rej) => server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? rej(err) : res(p))));
  // grpc-js leaves Nagle's algorithm on for server sockets; small responses then wait for delayed ACKs.
  const servers = (server as unknown as { http2Servers?: Map<{ on(ev: string, fn: (s: { setNoDelay?(b: boolean): void }) => void): void }, unknown> }).http2Servers;
  for (const h of servers?.keys() ?? []) h.on('connection', (sock) => sock.setNoDelay?.(true));
  return { server, port: boundPort };
}

function toProtoJob(j: ActivatedJob): Record<string, unknown> {
  return { ...j };
}

export function toGrpcError(e: unknown): grpc.ServiceError {
  if (e instanceof EngineError) return Object.assign(new Error(e.message), { code: CODES[e.code], details: e.message, metadata: new grpc.Metadata() });
  const msg = (e as Error)?.message ?? String(e);
  return Object.assign(new Error(msg), { code: grpc.status.INTERNAL, details: `Unexpected error: ${msg}`, metadata: new grpc.Metadata() });
}
