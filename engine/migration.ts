// Process instance migration (REST POST /v2/process-instances/{key}/migration, gRPC MigrateProcessInstance),
// as Zeebe does it: the instance moves to another process definition (typically the next version) by a
// mapping of element ids. Every active element instance needs a mapping to an element of the same type in
// the corresponding flow scope; everything is checked before anything changes. The element instances,
// jobs, user tasks and incidents keep their keys and state, and take the target's element ids; a job keeps
// its type (Zeebe does not re-create jobs). Variables stay where they are. Boundary events are taken from
// the target: the migrated element's boundary subscriptions are closed and the target element's opened,
// so a boundary timer counts again from the migration (Zeebe keeps a mapped boundary's timer; the local
// engine re-subscribes it). Multi-instance bodies and instances with tokens waiting at a joining gateway
// are rejected, naming the element.
import type { Engine } from './core';
import { EI, EngineError } from './entities';
import { modelOf } from './deployment';
import { closeSubscriptions, openBoundaries } from './events';
import { MI_BODY } from './multi-instance';
import { runAgenda } from './flow';

export interface MigrationPlan { targetProcessDefinitionKey: string; mappingInstructions: { sourceElementId: string; targetElementId: string }[] }

const REJECT = "Command 'MIGRATE' rejected with code 'INVALID_STATE': Expected to migrate process instance";

function isActive(ei: EI | undefined): ei is EI { return !!ei && (ei.state === 'ACTIVE' || ei.state === 'ACTIVATING'); }

export function migrateInstance(eng: Engine, piKey: string, plan: MigrationPlan): void {
  const pi = eng.eis.get(piKey);
  if (!pi || pi.type !== 'PROCESS' || !isActive(pi)) throw new EngineError('NOT_FOUND', `Command 'MIGRATE' rejected with code 'NOT_FOUND': Expected to migrate process instance but no process instance found with key '${piKey}'`);
  const targetKey = String(plan?.targetProcessDefinitionKey ?? '');
  const target = eng.defs.get(targetKey);
  if (!target || target.deleted) throw new EngineError('NOT_FOUND', `Command 'MIGRATE' rejected with code 'NOT_FOUND': Expected to migrate process instance to process definition but no process definition found with key '${targetKey}'`);
  if (!Array.isArray(plan.mappingInstructions)) throw new EngineError('INVALID_ARGUMENT', "The 'mappingInstructions' must be an array");
  const src = modelOf(eng, pi.defKey);
  const tgt = modelOf(eng, target.key);
  const mapping = new Map<string, string>();
  for (const m of plan.mappingInstructions) {
    const s = String(m?.sourceElementId ?? '');
    const t = String(m?.targetElementId ?? '');
    if (mapping.has(s)) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${piKey}' but the mapping instructions contain a duplicate source element id '${s}'`);
    if (!src.elements.has(s)) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${piKey}' but mapping instructions contain a non-existing source element id '${s}'. Elements provided in mapping instructions must exist in the source process definition.`);
    if (!tgt.elements.has(t)) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${piKey}' but mapping instructions contain a non-existing target element id '${t}'. Elements provided in mapping instructions must exist in the target process definition.`);
    mapping.set(s, t);
  }
  // the scope an element sits in, in the other model's terms: the process, or the mapped sub-process
  const scopeInTarget = (scopeId: string) => (scopeId === pi.bpmnProcessId ? target.bpmnProcessId : mapping.get(scopeId));
  const moving = [...eng.elementInstanceKeysOf(pi.key)].map((k) => eng.eis.get(k)).filter((e): e is EI => isActive(e) && e.type !== 'PROCESS');
  if (pi.joins && Object.values(pi.joins).some((j) => Object.keys(j).length)) throw new EngineError('FAILED_PRECONDITION', `${REJECT} '${piKey}' but it has tokens waiting at a joining gateway; migrate it after the gateway joined`);
  const plans = moving.map((ei) => {
    if (ei.type === MI_BODY || ei.mi) throw new EngineError('FAILED_PRECONDITION', `${REJECT} '${piKey}' but active element with id '${ei.elementId}' is a multi-instance body, which the local engine cannot migrate`);
    if (ei.joins && Object.values(ei.joins).some((j) => Object.keys(j).length)) throw new EngineError('FAILED_PRECONDITION', `${REJECT} '${piKey}' but active element with id '${ei.elementId}' has tokens waiting at a joining gateway`);
    const to = mapping.get(ei.elementId);
    if (!to) throw new EngineError('FAILED_PRECONDITION', `${REJECT} '${piKey}' but no mapping instruction defined for active element with id '${ei.elementId}'. Elements cannot be migrated without a mapping.`);
    const from = src.elements.get(ei.elementId)!;
    const el = tgt.elements.get(to)!;
    if (from.type !== el.type) throw new EngineError('FAILED_PRECONDITION', `${REJECT} '${piKey}' but active element with id '${ei.elementId}' and type '${from.type}' is mapped to an element with id '${to}' and different type '${el.type}'. Elements must be mapped to elements of the same type.`);
    if (scopeInTarget(from.scopeId) !== el.scopeId) throw new EngineError('FAILED_PRECONDITION', `${REJECT} '${piKey}' but the flow scope of active element with id '${ei.elementId}' is changed. The flow scope of the active element is expected to be '${scopeInTarget(from.scopeId) ?? from.scopeId}' but was '${el.scopeId}'. The flow scope of an element cannot be changed during migration yet.`);
    // what the element itself waits for (a receive task's message, a catch event's timer, an event-based
    // gateway's events) moves with it, to the mapped ids; its boundary events come from the target instead
    const owned = [...(eng.owned.get(ei.key) ?? [])].map((id) => (id.startsWith('t') ? eng.timers.get(id.slice(1)) : eng.subs.get(id.slice(1)))).filter((x) => !!x);
    const waits = owned.filter((x) => x!.role !== 'boundary').map((x) => {
      const id = x!.elementId === ei.elementId ? el.id : (mapping.get(x!.elementId) ?? (tgt.elements.has(x!.elementId) ? x!.elementId : null));
      if (!id) throw new EngineError('FAILED_PRECONDITION', `${REJECT} '${piKey}' but the event '${x!.elementId}' that active element '${ei.elementId}' waits for has no mapping and no element of that id in the target`);
      return { x: x!, id };
    });
    const boundaries = from.boundaries.length > 0 || el.boundaries.length > 0;
    if (boundaries && waits.length) throw new EngineError('FAILED_PRECONDITION', `${REJECT} '${piKey}' but active element with id '${ei.elementId}' waits for an event and has boundary events, which the local engine cannot migrate`);
    return { ei, el, waits, boundaries };
  });


  eng.record(pi.key, 'PROCESS_INSTANCE_MIGRATION', 'MIGRATED', pi.key, { targetProcessDefinitionKey: target.key, mapped: plans.map((p) => [p.ei.elementId, p.el.id]) });
  const moveTo = (x: { defKey: string; bpmnProcessId: string; version: number }) => { x.defKey = target.key; x.bpmnProcessId = target.bpmnProcessId; x.version = target.version; };
  moveTo(pi);
  pi.elementId = target.bpmnProcessId;
  pi.name = target.name;
  eng.touch(pi);
  for (const { ei, el, waits, boundaries } of plans) {
    ei.elementId = el.id;
    ei.name = el.name;
    moveTo(ei);
    eng.touch(ei);
    const job = ei.jobKey ? eng.jobs.get(ei.jobKey) : undefined;
    if (job) { job.elementId = el.id; moveTo(job); eng.touch(job); }
    const ut = ei.userTaskKey ? eng.userTasks.get(ei.userTaskKey) : undefined;
    if (ut) { ut.elementId = el.id; ut.name = el.name || ut.name; ut.processName = target.name || ut.processName; moveTo(ut); eng.touch(ut); }
    const inc = ei.incidentKey ? eng.incidents.get(ei.incidentKey) : undefined;
    if (inc) { inc.elementId = el.id; inc.defKey = target.key; inc.bpmnProcessId = target.bpmnProcessId; eng.touch(inc); }
    for (const { x, id } of waits) {
      x.elementId = id;
      if (x.kind === 'timer') x.defKey = target.key; else x.bpmnProcessId = target.bpmnProcessId;
      eng.touch(x);
    }
    if (boundaries && ei.state === 'ACTIVE') {
      closeSubscriptions(eng, ei.key);
      openBoundaries(eng, ei, el);
    }
  }
  runAgenda(eng);
}
