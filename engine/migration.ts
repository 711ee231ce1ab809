// Process instance migration (REST POST /v2/process-instances/{key}/migration, gRPC MigrateProcessInstance),
// as Zeebe 8.9 does it: the instance moves to another process definition, each active element instance to
// the element its mapping instruction names. Nothing is re-created or re-evaluated: jobs keep their key
// and job type, user tasks their key and assignee, variables and incidents stay (an incident resolved
// afterwards retries its step on the new definition). Catch events attached to an active element
// (boundary events, the events after an event-based gateway): a mapped one keeps its subscription (a
// timer its due date), an unmapped source one is closed, an unmapped target one is opened. Every check
// runs before anything changes, so a rejected migration changes nothing. Rejection codes as Zeebe's:
// NOT_FOUND (instance, target definition), INVALID_ARGUMENT (the instructions themselves), and
// FAILED_PRECONDITION (Zeebe's INVALID_STATE, REST 409) for what the instance's state does not allow.
import type { Engine } from './core';
import { EI, EngineError, ErrCode } from './entities';
import type { El, Model } from './model';
import { modelOf } from './deployment';
import { closeSubscriptionOf, openEventSubscription } from './events';
import { childrenOf } from './flow';
import { MI_BODY } from './multi-instance';

export interface MappingInstruction { sourceElementId: string; targetElementId: string }
export interface Migration { targetProcessDefinitionKey: string; mappingInstructions: MappingInstruction[] }

/** element types Zeebe migrates (besides the process and multi-instance bodies) */
const SUPPORTED = new Set(['SERVICE_TASK', 'SEND_TASK', 'SCRIPT_TASK', 'BUSINESS_RULE_TASK', 'USER_TASK', 'SUB_PROCESS', 'CALL_ACTIVITY', 'INTERMEDIATE_CATCH_EVENT', 'EXCLUSIVE_GATEWAY', 'EVENT_BASED_GATEWAY']);

/** event types Zeebe migrates when they are job worker elements (message throw events) */
const JOB_EVENTS = new Set(['INTERMEDIATE_THROW_EVENT', 'END_EVENT']);

function isActive(ei: EI | undefined): ei is EI { return !!ei && (ei.state === 'ACTIVE' || ei.state === 'ACTIVATING'); }

/** the catch events whose subscriptions an active element instance owns: its boundary events, or the events after an event-based gateway */
function catchEventsOf(m: Model, el: El): El[] {
  const ids = el.type === 'EVENT_BASED_GATEWAY' ? el.outgoing.map((f) => m.flows.get(f)!.target) : el.boundaries;
  return ids.map((id) => m.elements.get(id)!).filter((e) => e.eventKind !== 'error');
}

interface Plan { ei: EI; target: El; src: El; keep: Map<string, string>; open: El[] }

export function migrateInstance(eng: Engine, piKey: string, mig: Migration): void {
  const pi = eng.eis.get(piKey);
  if (!isActive(pi) || pi.type !== 'PROCESS') throw new EngineError('NOT_FOUND', `Expected to migrate process instance but no process instance found with key '${piKey}'`);
  const tKey = String(mig?.targetProcessDefinitionKey ?? '');
  const def = eng.defs.get(tKey);
  if (!def || def.deleted) throw new EngineError('NOT_FOUND', `Expected to migrate process instance to process definition but no process definition found with key '${tKey}'`);
  const fail = (code: ErrCode, m: string): never => { throw new EngineError(code, `Expected to migrate process instance '${pi.key}' but ${m}`); };
  const instr = mig.mappingInstructions;
  if (!Array.isArray(instr)) fail('INVALID_ARGUMENT', "the 'mappingInstructions' are not an array");
  const src = modelOf(eng, pi.defKey), tgt = modelOf(eng, def.key);
  const map = new Map<string, string>();
  const dup = new Set<string>();
  for (const i of instr) {
    if (!i || typeof i.sourceElementId !== 'string' || typeof i.targetElementId !== 'string') fail('INVALID_ARGUMENT', "a mapping instruction lacks 'sourceElementId' or 'targetElementId'");
    if (map.has(i.sourceElementId)) dup.add(i.sourceElementId);
    map.set(i.sourceElementId, i.targetElementId);
  }
  if (dup.size) fail('INVALID_ARGUMENT', `the mapping instructions contain duplicate source element ids '[${[...dup].join(', ')}]'.`);
  for (const [s, t] of map) {
    if (!src.elements.has(s)) fail('INVALID_ARGUMENT', `mapping instructions contain a non-existing source element id '${s}'. Elements provided in mapping instructions must exist in the source process definition.`);
    if (!tgt.elements.has(t)) fail('INVALID_ARGUMENT', `mapping instructions contain a non-existing target element id '${t}'. Elements provided in mapping instructions must exist in the target process definition.`);
  }
  // every active element instance, breadth first from the process instance (flow scopes before their children)
  const plans: Plan[] = [];
  const targetOf = new Map<string, string>([[pi.key, tgt.processId]]);
  const queue: EI[] = [pi];
  for (let q = 0; q < queue.length; q++) {
    const scope = queue[q];
    if (scope.joins && Object.values(scope.joins).some((byFlow) => Object.values(byFlow).some((n) => n > 0))) {
      fail('FAILED_PRECONDITION', `the flow scope '${scope.elementId}' has a joining gateway waiting for more incoming sequence flows. Migrating waiting joining gateways is not supported by this engine.`);
    }
    for (const ei of childrenOf(eng, scope)) {
      queue.push(ei);
      const inner = scope.type === MI_BODY && scope.elementId === ei.elementId;
      const type = ei.type === MI_BODY ? src.elements.get(ei.elementId)!.type : ei.type;
      // a message throw event waits for its job (Zeebe migrates these job worker elements); other events never wait
      const jobEvent = JOB_EVENTS.has(type) && src.elements.get(ei.elementId)!.jobType !== undefined;
      if (!SUPPORTED.has(type) && !jobEvent) fail('FAILED_PRECONDITION', `active element with id '${ei.elementId}' has an unsupported type. The migration of a ${ei.type} is not supported.`);
      const tid = inner ? targetOf.get(scope.key)! : map.get(ei.elementId);
      if (tid === undefined) fail('FAILED_PRECONDITION', `no mapping instruction defined for active element with id '${ei.elementId}'. Elements cannot be migrated without a mapping.`);
      const s = src.elements.get(ei.elementId)!, t = tgt.elements.get(tid!)!;
      if (s.type !== t.type || !!s.mi !== !!t.mi) fail('FAILED_PRECONDITION', `active element with id '${ei.elementId}' and type '${ei.type}' is mapped to an element with id '${t.id}' and different type '${t.mi && !inner ? MI_BODY : t.type}'. Elements must be mapped to elements of the same type.`);
      if (jobEvent && t.eventKind !== s.eventKind) fail('FAILED_PRECONDITION', `active element with id '${ei.elementId}' and type '${ei.type}' with a ${s.eventKind} event definition is mapped to an element with id '${t.id}' with a ${t.eventKind} event definition. Elements must be mapped to elements of the same type.`);
      if (s.mi && t.mi && s.mi.sequential !== t.mi.sequential) fail('FAILED_PRECONDITION', `active multi-instance element with id '${ei.elementId}' is mapped to element '${t.id}' with a different loop (sequential / parallel). The loop of a multi-instance element cannot be changed.`);
      const expectedScope = inner ? t.id : targetOf.get(scope.key)!;
      const actualScope = inner ? tid! : t.scopeId;
      if (expectedScope !== actualScope) fail('FAILED_PRECONDITION', `the flow scope of active element with id '${ei.elementId}' is changed. The flow scope of the active element is expected to be '${expectedScope}' but was '${actualScope}'. The flow scope of an element cannot be changed during migration yet.`);
      targetOf.set(ei.key, t.id);
      // the subscriptions of its catch events: mapped ones stay (attached to the mapped element), the rest is closed and opened
      const keep = new Map<string, string>();
      const open: El[] = [];
      if (!inner) {
        const targets = catchEventsOf(tgt, t);
        const used = new Set<string>();
        for (const ce of catchEventsOf(src, s)) {
          const to = map.get(ce.id);
          if (to === undefined) continue;
          const tce = targets.find((x) => x.id === to);
          if (!tce) fail('FAILED_PRECONDITION', `active element with id '${ei.elementId}' is mapped to an element with id '${t.id}' and has a catch event with id '${ce.id}' that is mapped to an element with id '${to}'. These mappings detach the catch event from the element in the target process. Catch events must stay attached to the same element instance.`);
          if (used.has(to)) fail('FAILED_PRECONDITION', `the mapping instructions map more than one catch event of active element '${ei.elementId}' to the catch event '${to}'. Each catch event can only be the target of one mapping instruction.`);
          if (tce!.eventKind !== ce.eventKind) fail('FAILED_PRECONDITION', `the catch event '${ce.id}' of type '${ce.eventKind}' is mapped to the catch event '${to}' of a different type '${tce!.eventKind}'. Catch events must be mapped to catch events of the same type.`);
          used.add(to);
          keep.set(ce.id, to);
        }
        for (const tce of targets) if (!used.has(tce.id)) open.push(tce);
      }
      plans.push({ ei, target: t, src: s, keep, open });
    }
  }
  // apply: the process instance, then each element instance with what belongs to it
  const moveDef = (x: { defKey: string; bpmnProcessId: string; version: number }) => { x.defKey = def.key; x.bpmnProcessId = def.bpmnProcessId; x.version = def.version; };
  moveDef(pi);
  pi.elementId = tgt.processId;
  pi.name = tgt.name;
  eng.touch(pi);
  eng.record(pi.key, 'PROCESS_INSTANCE_MIGRATION', 'MIGRATED', pi.key, { targetProcessDefinitionKey: def.key, mappingInstructions: [...map].map(([s, t]) => ({ sourceElementId: s, targetElementId: t })) });
  for (const p of plans) {
    const ei = p.ei;
    const fromId = ei.elementId;
    moveDef(ei);
    ei.elementId = p.target.id;
    ei.name = p.target.name;
    eng.touch(ei);
    eng.record(ei.piKey, 'PROCESS_INSTANCE', 'ELEMENT_MIGRATED', ei.key, { elementId: ei.elementId, bpmnElementType: ei.type, sourceElementId: fromId });
    if (ei.jobKey) {
      const j = eng.jobs.get(ei.jobKey);
      if (j) { moveDef(j); j.elementId = p.target.id; eng.touch(j); eng.record(ei.piKey, 'JOB', 'MIGRATED', j.key, { elementId: j.elementId, type: j.type }); }
    }
    if (ei.userTaskKey) {
      const u = eng.userTasks.get(ei.userTaskKey);
      if (u) { moveDef(u); u.elementId = p.target.id; u.processName = tgt.name; eng.touch(u); eng.record(ei.piKey, 'USER_TASK', 'MIGRATED', u.key, { elementId: u.elementId }); }
    }
    for (const k of eng.incidentKeysOf(pi.key)) {
      const inc = eng.incidents.get(k);
      if (inc && inc.state === 'ACTIVE' && inc.eiKey === ei.key) { inc.defKey = def.key; inc.bpmnProcessId = def.bpmnProcessId; inc.elementId = p.target.id; eng.touch(inc); }
    }
    migrateSubscriptions(eng, ei, p, fromId);
  }
}

/** the timers and message / signal subscriptions owned by a migrated element instance */
function migrateSubscriptions(eng: Engine, ei: EI, p: Plan, fromId: string): void {
  for (const id of [...(eng.owned.get(ei.key) ?? [])]) {
    const e = id.startsWith('t') ? eng.timers.get(id.slice(1)) : eng.subs.get(id.slice(1));
    if (!e) continue;
    // an intermediate catch event's own subscription follows the element
    const to = e.elementId === fromId ? p.target.id : p.keep.get(e.elementId);
    if (to === undefined) { closeSubscriptionOf(eng, e); continue; }
    e.elementId = to;
    if (e.kind === 'timer') e.defKey = ei.defKey;
    else { e.bpmnProcessId = ei.bpmnProcessId; e.interrupting = p.target.id === to ? e.interrupting : !!eng.models.get(ei.defKey)!.elements.get(to)!.interrupting; }
    eng.touch(e);
  }
  const m = modelOf(eng, ei.defKey);
  for (const ce of p.open) openEventSubscription(eng, ei, ce, ei, p.target.type === 'EVENT_BASED_GATEWAY' ? 'gateway' : 'boundary', p.target.type === 'EVENT_BASED_GATEWAY' ? true : !!m.elements.get(ce.id)!.interrupting);
}
