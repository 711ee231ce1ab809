// Process instance modification (REST POST /v2/process-instances/{key}/modification, gRPC
// ModifyProcessInstance), as Zeebe does it: activate elements (with variables, in an existing flow-scope
// instance or the one under a given ancestor) and terminate element instances by key. Every instruction
// is checked before anything changes, so a rejected modification changes nothing. Activations run first,
// then terminations; a flow scope left with nothing active after a termination is terminated too (the
// process instance included), as Zeebe does.
import type { Engine } from './core';
import { EI, EngineError, Vars } from './entities';
import { activateElement } from './activation';
import { modelOf } from './deployment';
import { childrenOf, detachFromScope, runAgenda, terminateElement } from './flow';
import { setVar } from './variables';
import { MI_BODY } from './multi-instance';

export interface ActivateInstruction { elementId: string; ancestorElementInstanceKey?: string; variableInstructions?: { variables: Vars; scopeId?: string }[] }
export interface Modification { activateInstructions?: ActivateInstruction[]; terminateInstructions?: { elementInstanceKey: string }[] }

const REJECT = "Command 'MODIFY' rejected with code 'INVALID_ARGUMENT': Expected to modify instance of process";
/** Zeebe rejects activating these: they are entered through their scope or their event, not by themselves */
const NOT_ACTIVATABLE = new Set(['START_EVENT', 'BOUNDARY_EVENT', 'SEQUENCE_FLOW']);

function isActive(ei: EI | undefined): ei is EI { return !!ei && (ei.state === 'ACTIVE' || ei.state === 'ACTIVATING'); }

/** The element instance and the scopes above it, nearest first. */
function ancestry(eng: Engine, ei: EI): EI[] {
  const out: EI[] = [];
  for (let e: EI | undefined = ei; e; e = e.flowScopeKey ? eng.eis.get(e.flowScopeKey) : undefined) out.push(e);
  return out;
}

/** The flow-scope instance an activated element goes into: the process, or an active instance of its enclosing sub-process. */
function flowScopeFor(eng: Engine, pi: EI, elementId: string, ancestorKey: string | undefined): EI {
  const m = modelOf(eng, pi.defKey);
  const el = m.elements.get(elementId);
  if (!el) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but it contains one or more activate instructions with an element that could not be found: '${elementId}'`);
  if (NOT_ACTIVATABLE.has(el.type)) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but it contains one or more activate instructions for elements that are unsupported: '${elementId}' is a ${el.type}, which cannot be activated on its own`);
  let ancestor: EI | undefined;
  if (ancestorKey !== undefined && ancestorKey !== '' && ancestorKey !== '-1' && ancestorKey !== '0') {
    ancestor = eng.eis.get(ancestorKey);
    if (!isActive(ancestor) || ancestor.piKey !== pi.key) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but the ancestor element instance with key '${ancestorKey}' of element '${elementId}' is not an active element instance of this process instance`);
  }
  if (el.scopeId === pi.bpmnProcessId) {
    if (ancestor && ancestor.key !== pi.key) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but the ancestor element instance with key '${ancestorKey}' is not an ancestor of element '${elementId}'`);
    return pi;
  }
  // an element inside a sub-process: an active instance of that sub-process (not a multi-instance body)
  const candidates = [...eng.elementInstanceKeysOf(pi.key)].map((k) => eng.eis.get(k)).filter((e): e is EI => isActive(e) && e.elementId === el.scopeId && e.type !== MI_BODY);
  const inAncestor = ancestor ? candidates.filter((c) => ancestry(eng, c).some((a) => a.key === ancestor!.key)) : candidates;
  if (inAncestor.length === 1) return inAncestor[0];
  if (!inAncestor.length) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but the flow scope '${el.scopeId}' of element '${elementId}' has no active instance${ancestor ? ` under the ancestor '${ancestor.key}'` : ''}; activate the flow scope itself instead`);
  throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but the flow scope '${el.scopeId}' of element '${elementId}' has ${inAncestor.length} active instances; give ancestorElementInstanceKey to choose one`);
}

export function modifyInstance(eng: Engine, piKey: string, mod: Modification): void {
  const pi = eng.eis.get(piKey);
  if (!pi || pi.type !== 'PROCESS' || !isActive(pi)) throw new EngineError('NOT_FOUND', `Command 'MODIFY' rejected with code 'NOT_FOUND': Expected to modify process instance but no process instance found with key '${piKey}'`);
  // check every instruction first: a rejected modification changes nothing
  const plans = (mod.activateInstructions ?? []).map((a) => {
    if (typeof a?.elementId !== 'string' || !a.elementId) throw new EngineError('INVALID_ARGUMENT', "Each activate instruction needs an 'elementId'");
    const scope = flowScopeFor(eng, pi, a.elementId, a.ancestorElementInstanceKey);
    const vars = (a.variableInstructions ?? []).map((v) => {
      if (!v || typeof v.variables !== 'object' || v.variables === null || Array.isArray(v.variables)) throw new EngineError('INVALID_ARGUMENT', `The 'variables' of a variable instruction of element '${a.elementId}' must be a JSON object`);
      const scopeId = v.scopeId ?? '';
      if (scopeId && scopeId !== a.elementId && !ancestry(eng, scope).some((s) => s.elementId === scopeId)) {
        throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but it contains one or more variable instructions with a scope element id '${scopeId}' that is neither the element '${a.elementId}' nor one of its flow scopes`);
      }
      return { scopeId, variables: v.variables };
    });
    return { elementId: a.elementId, scope, vars };
  });
  const terminate = (mod.terminateInstructions ?? []).map((t) => {
    const k = String(t?.elementInstanceKey ?? '');
    const ei = eng.eis.get(k);
    if (!isActive(ei) || ei.piKey !== pi.key) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but it contains one or more terminate instructions with an element instance that could not be found: '${k}'`);
    if (ei.type === 'PROCESS') throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but the terminate instruction names the process instance itself ('${k}'); cancel it instead`);
    return ei;
  });
  if (!plans.length && !terminate.length) throw new EngineError('INVALID_ARGUMENT', 'Expected at least one activate or terminate instruction');
  eng.record(pi.key, 'PROCESS_INSTANCE_MODIFICATION', 'MODIFIED', pi.key, { activated: plans.map((p) => p.elementId), terminated: terminate.map((t) => t.key) });
  for (const p of plans) {
    const local: Vars = {};
    for (const v of p.vars) {
      if (v.scopeId === p.elementId) { Object.assign(local, v.variables); continue; }
      const target = v.scopeId ? ancestry(eng, p.scope).find((s) => s.elementId === v.scopeId)! : pi;
      for (const [n, val] of Object.entries(v.variables)) setVar(eng, target.key, pi.key, n, val);
    }
    activateElement(eng, p.scope, p.elementId, false, null, Object.keys(local).length ? local : undefined);
  }
  for (const ei of terminate) {
    if (!isActive(ei)) continue; // already gone with a scope terminated before
    terminateElement(eng, ei);
    detachFromScope(eng, ei);
    // a flow scope left with nothing to do is terminated as well, up to the process instance
    for (let s = ei.flowScopeKey ? eng.eis.get(ei.flowScopeKey) : undefined; s && s.state === 'ACTIVE' && s.active <= 0 && !s.pendingJoin && !childrenOf(eng, s).length;) {
      const up = s.flowScopeKey ? eng.eis.get(s.flowScopeKey) : undefined;
      terminateElement(eng, s);
      if (up) detachFromScope(eng, s);
      s = up;
    }
  }
  runAgenda(eng);
}
