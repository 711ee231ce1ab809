// Element activation: input mappings, then the behaviour of each element type (tasks as jobs, user tasks, events, gateways, sub-processes, call activities).
import type { Engine } from './core';
import { thrownSignal } from './signals';
import { El } from './model';
import { evalFeel, feelType } from './feel';
import { EI, Vars } from './entities';
import { elementOf, modelOf } from './deployment';
import { closeSubscriptions, openBoundaries, openEventSubscription, throwErrorFrom } from './events';
import { addChild, completeElement, runAgenda } from './flow';
import { indexEi } from './history';
import { evalOrIncident, raiseIncident } from './incidents';
import { startInstance } from './instances';
import { createJob } from './jobs';
import { correlateBufferedFor } from './messages';
import { createUserTask, recordUserTaskCreated } from './user-tasks';
import { applyMappings, feelValue, setVar, visibleVars } from './variables';
import { activateBody, instanceType, MI_BODY } from './multi-instance';
import { activateDecisionTask } from './business-rule';
import { bindingText, boundProcess } from './bindings';

/** `localVars`: set on the new instance before its input mappings (a multi-instance inner instance's loopCounter and input element) */
/** sub-process instances entered by a modification for an element inside them: their start event does not run */
const WITHOUT_START = new WeakSet<EI>();

export function activateElement(eng: Engine, scope: EI, elementId: string, run = true, eventVars?: Vars | null, localVars?: Vars, opts: { withoutStart?: boolean } = {}): EI | null {
  const m = modelOf(eng, scope.defKey);
  const el = m.elements.get(elementId)!;
  const ei: EI = {
    kind: 'ei', key: eng.newKey(), piKey: scope.piKey, defKey: scope.defKey, bpmnProcessId: scope.bpmnProcessId, version: scope.version,
    elementId, type: instanceType(scope, elementId, el.type, !!el.mi), name: el.name, flowScopeKey: scope.key, state: 'ACTIVATING', startDate: eng.now(), active: 0, pendingJoin: 0, gen: 0,
  };
  eng.eis.set(ei.key, ei);
  indexEi(eng, ei);
  addChild(eng, ei);
  scope.active++;
  eng.touch(scope);
  eng.touch(ei);
  eng.recordEl(ei, 'ELEMENT_ACTIVATING');
  if (localVars) for (const [n, v] of Object.entries(localVars)) setVar(eng, ei.key, ei.piKey, n, v);
  if (opts.withoutStart) WITHOUT_START.add(ei);
  onActivate(eng, ei, eventVars ?? null);
  if (run) runAgenda(eng);
  return ei;
}

export function onActivate(eng: Engine, ei: EI, eventVars: Vars | null): void {
  if (ei.type === MI_BODY) { activateBody(eng, ei); return; }
  const el = elementOf(eng, ei);
  if (el.inputs) {
    const r = evalOrIncident(eng, ei, 'activate', 'Failed to evaluate input mappings', () => applyMappings(eng, el.inputs!, ei.flowScopeKey!));
    if (!r.ok) return;
    for (const [n, v] of Object.entries(r.v)) setVar(eng, ei.key, ei.piKey, n, v);
  }
  // behaviour that may raise an incident before the element is ACTIVATED
  if (el.type === 'USER_TASK') {
    if (!createUserTask(eng, ei, el)) return;
  } else if (el.calledDecision) {
    activateDecisionTask(eng, ei, el);
    return;
  } else if (el.jobType !== undefined) {
    // a job worker element: a task with zeebe:taskDefinition or a message throw / end event (model-job.ts)
    const r = evalOrIncident(eng, ei, 'activate', 'Failed to evaluate the job type or retries', () => {
      const type = feelValue(eng, el.jobType!, ei.key);
      if (typeof type !== 'string' || !type) throw new Error(`Expected result of the expression '${el.jobType}' to be 'STRING', but was '${feelType(type)}'`);
      const retries = Number(feelValue(eng, el.retries!, ei.key));
      if (!Number.isInteger(retries)) throw new Error(`Expected result of the expression '${el.retries}' to be 'NUMBER'`);
      return { type, retries };
    });
    if (!r.ok) return;
    if (!openBoundaries(eng, ei, el)) return;
    ei.state = 'ACTIVE';
    eng.recordEl(ei, 'ELEMENT_ACTIVATED');
    createJob(eng, ei, el, r.v.type, r.v.retries);
    correlateBufferedFor(eng, ei);
    return;
  }
  switch (el.type) {
    case 'START_EVENT':
    case 'INTERMEDIATE_THROW_EVENT':
    case 'MANUAL_TASK':
    case 'TASK':
    case 'END_EVENT': {
      // a signal throw or end event: its name may be FEEL; a failure is an incident before the element is ACTIVATED
      let signal: { name: string; variables: Vars } | undefined;
      if (el.eventKind === 'signal' && el.type !== 'START_EVENT') {
        const r = evalOrIncident(eng, ei, 'activate', 'Failed to evaluate the signal name', () => thrownSignal(eng, ei, el));
        if (!r.ok) return;
        signal = r.v;
      }
      ei.state = 'ACTIVE';
      eng.recordEl(ei, 'ELEMENT_ACTIVATED');
      if (el.type === 'START_EVENT') return; // completed by the caller (with message variables)
      if (signal) eng.pendingSignals.push(signal);
      if (el.type === 'END_EVENT' && el.eventKind === 'error') { throwErrorFrom(eng, ei, el.errorCode!, '', null, 'activate'); return; }
      if (el.type === 'END_EVENT' && el.eventKind === 'terminate') { completeElement(eng, ei, null); return; }
      completeElement(eng, ei, eventVars);
      return;
    }
    case 'USER_TASK':
      if (!openBoundaries(eng, ei, el)) return;
      ei.state = 'ACTIVE';
      eng.recordEl(ei, 'ELEMENT_ACTIVATED');
      recordUserTaskCreated(eng, ei);
      correlateBufferedFor(eng, ei);
      return;
    case 'BOUNDARY_EVENT':
      ei.state = 'ACTIVE';
      eng.recordEl(ei, 'ELEMENT_ACTIVATED');
      completeElement(eng, ei, eventVars);
      return;
    case 'INTERMEDIATE_CATCH_EVENT':
      if (eventVars !== null) { // triggered via an event-based gateway
        ei.state = 'ACTIVE';
        eng.recordEl(ei, 'ELEMENT_ACTIVATED');
        completeElement(eng, ei, eventVars);
        return;
      }
      if (!openEventSubscription(eng, ei, el, ei, 'catch', true)) return;
      ei.state = 'ACTIVE';
      eng.recordEl(ei, 'ELEMENT_ACTIVATED');
      correlateBufferedFor(eng, ei);
      return;
    case 'EXCLUSIVE_GATEWAY':
    case 'INCLUSIVE_GATEWAY': {
      const r = evalOrIncident(eng, ei, 'activate', 'Failed to evaluate a condition', () => chooseFlows(eng, ei, el));
      if (!r.ok) return;
      ei.chosenFlows = r.v;
      ei.state = 'ACTIVE';
      eng.recordEl(ei, 'ELEMENT_ACTIVATED');
      completeElement(eng, ei, null);
      return;
    }
    case 'PARALLEL_GATEWAY':
      ei.state = 'ACTIVE';
      eng.recordEl(ei, 'ELEMENT_ACTIVATED');
      completeElement(eng, ei, null);
      return;
    case 'EVENT_BASED_GATEWAY': {
      const m = modelOf(eng, ei.defKey);
      for (const fid of el.outgoing) {
        const target = m.elements.get(m.flows.get(fid)!.target)!;
        if (!openEventSubscription(eng, ei, target, ei, 'gateway', true)) { closeSubscriptions(eng, ei.key); return; }
      }
      ei.state = 'ACTIVE';
      eng.recordEl(ei, 'ELEMENT_ACTIVATED');
      correlateBufferedFor(eng, ei);
      return;
    }
    case 'SUB_PROCESS':
      if (!openBoundaries(eng, ei, el)) return;
      ei.state = 'ACTIVE';
      eng.recordEl(ei, 'ELEMENT_ACTIVATED');
      if (!WITHOUT_START.has(ei)) {
        const start = activateElement(eng, ei, el.startId!, false);
        if (start && start.state === 'ACTIVE') completeElement(eng, start, null);
        if (ei.state === 'ACTIVE') correlateBufferedFor(eng, ei);
      }
      return;
    case 'CALL_ACTIVITY': {
      const r = evalOrIncident(eng, ei, 'activate', 'Failed to evaluate the called element', () => {
        const pid = feelValue(eng, el.calledElement!.processId, ei.key);
        if (typeof pid !== 'string') throw new Error(`Expected result of the expression '${el.calledElement!.processId}' to be 'STRING', but was '${feelType(pid)}'`);
        return pid;
      });
      if (!r.ok) return;
      const def = boundProcess(eng, ei, r.v, el.calledElement!.binding);
      if (!def) { raiseIncident(eng, ei, 'CALLED_ELEMENT_ERROR', `Expected process with BPMN process id '${r.v}'${bindingText(el.calledElement!.binding)} to be deployed, but not found.`, 'activate'); return; }
      const cm = modelOf(eng, def.key);
      if (!cm.noneStart) { raiseIncident(eng, ei, 'CALLED_ELEMENT_ERROR', `Expected process with BPMN process id '${r.v}' to have a none start event, but not found.`, 'activate'); return; }
      if (!openBoundaries(eng, ei, el)) return;
      ei.state = 'ACTIVE';
      eng.recordEl(ei, 'ELEMENT_ACTIVATED');
      const vars = el.calledElement!.propagateAllParentVariables ? visibleVars(eng, ei.key) : { ...(eng.varScopes.get(ei.key) ? Object.fromEntries(Object.entries(eng.varScopes.get(ei.key)!.vars).map(([n, v]) => [n, v.value])) : {}) };
      const child = startInstance(eng, def, vars, [cm.noneStart], ei);
      ei.childPiKey = child.key;
      eng.touch(ei);
      if (ei.state === 'ACTIVE') correlateBufferedFor(eng, ei);
      return;
    }
    default:
      throw new Error(`unsupported element type ${el.type}`);
  }
}

export function chooseFlows(eng: Engine, ei: EI, el: El): string[] {
  const m = modelOf(eng, ei.defKey);
  if (el.outgoing.length === 1 && !m.flows.get(el.outgoing[0])!.condition) return [el.outgoing[0]];
  const vars = visibleVars(eng, ei.flowScopeKey!);
  const taken: string[] = [];
  for (const fid of el.outgoing) {
    if (fid === el.defaultFlow) continue;
    const f = m.flows.get(fid)!;
    let v: unknown;
    try { v = evalFeel(f.condition!, vars, eng.now(), false, eng.timeZone); } catch (e) { throw Object.assign(new Error((e as Error).message), { incidentType: 'CONDITION_ERROR' }); }
    if (v !== true && v !== false) throw Object.assign(new Error(`Expected result of the expression '${f.condition!.slice(1)}' to be 'BOOLEAN', but was '${feelType(v)}'.`), { incidentType: 'CONDITION_ERROR' });
    if (v === true) { taken.push(fid); if (el.type === 'EXCLUSIVE_GATEWAY') break; }
  }
  if (!taken.length) {
    if (el.defaultFlow) return [el.defaultFlow];
    if (el.outgoing.length === 0) return [];
    throw Object.assign(new Error(`Expected at least one condition to evaluate to true, or to have a default flow`), { incidentType: 'CONDITION_ERROR' });
  }
  return taken;
}
