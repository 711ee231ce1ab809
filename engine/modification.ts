// Process instance modification (REST POST /v2/process-instances/{key}/modification, gRPC
// ModifyProcessInstance), as Zeebe does it: activate elements (with variables, in an existing flow-scope
// instance, the one under a given ancestor, or new instances of missing sub-processes) and terminate element
// instances by key. Every instruction
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

/**
 * Where an activated element goes: an active instance of its flow scope (the process, or the enclosing
 * sub-process), or, when that sub-process has no active instance (under the ancestor, if given), new
 * instances of the missing sub-processes from the nearest active scope down, as Zeebe creates them
 * (entered without their start events). `create` lists those sub-process ids, outermost first.
 */
interface Placement { base: EI; create: string[] }

function placementFor(eng: Engine, pi: EI, elementId: string, ancestorKey: string | undefined): Placement {
  const m = modelOf(eng, pi.defKey);
  const el = m.elements.get(elementId);
  if (!el) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but it contains one or more activate instructions with an element that could not be found: '${elementId}'`);
  if (NOT_ACTIVATABLE.has(el.type)) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but it contains one or more activate instructions for elements that are unsupported: '${elementId}' is a ${el.type}, which cannot be activated on its own`);
  let ancestor: EI | undefined;
  if (ancestorKey !== undefined && ancestorKey !== '' && ancestorKey !== '-1' && ancestorKey !== '0') {
    ancestor = eng.eis.get(ancestorKey);
    if (!isActive(ancestor) || ancestor.piKey !== pi.key) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but the ancestor element instance with key '${ancestorKey}' of element '${elementId}' is not an active element instance of this process instance`);
  }
  // the scopes of the element, nearest first, up to (not including) the process
  const chain: string[] = [];
  for (let id = el.scopeId; id !== pi.bpmnProcessId; id = m.elements.get(id)!.scopeId) chain.push(id);
  if (ancestor && ancestor.key !== pi.key && !chain.includes(ancestor.elementId)) {
    throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but the ancestor element instance with key '${ancestorKey}' is not an ancestor of element '${elementId}'`);
  }
  const within = (c: EI) => !ancestor || ancestry(eng, c).some((a) => a.key === ancestor!.key);
  for (let i = 0; i < chain.length; i++) {
    const id = chain[i]!;
    if (ancestor && ancestor.elementId === id) return { base: ancestor, create: chain.slice(0, i).reverse() };
    const candidates = [...eng.elementInstanceKeysOf(pi.key)].map((k) => eng.eis.get(k)).filter((e): e is EI => isActive(e) && e.elementId === id && e.type !== MI_BODY && within(e));
    if (candidates.length === 1) return { base: candidates[0]!, create: chain.slice(0, i).reverse() };
    if (candidates.length > 1) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but the flow scope '${id}' of element '${elementId}' has ${candidates.length} active instances; give ancestorElementInstanceKey to choose one`);
  }
  return { base: pi, create: chain.slice().reverse() };
}

/** a sub-process the modification has to create must be one Zeebe can enter by itself */
function checkCreatable(eng: Engine, pi: EI, ids: string[], elementId: string): void {
  const m = modelOf(eng, pi.defKey);
  for (const id of ids) {
    const s = m.elements.get(id)!;
    if (s.type !== 'SUB_PROCESS' || s.mi) throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but the flow scope '${id}' of element '${elementId}' has no active instance and is a ${s.mi ? 'multi-instance ' : ''}${s.type}, which a modification cannot create; activate '${id}' itself instead`);
  }
}

export function modifyInstance(eng: Engine, piKey: string, mod: Modification): void {
  const pi = eng.eis.get(piKey);
  if (!pi || pi.type !== 'PROCESS' || !isActive(pi)) throw new EngineError('NOT_FOUND', `Command 'MODIFY' rejected with code 'NOT_FOUND': Expected to modify process instance but no process instance found with key '${piKey}'`);
  // check every instruction first: a rejected modification changes nothing
  const plans = (mod.activateInstructions ?? []).map((a) => {
    if (typeof a?.elementId !== 'string' || !a.elementId) throw new EngineError('INVALID_ARGUMENT', "Each activate instruction needs an 'elementId'");
    const place = placementFor(eng, pi, a.elementId, a.ancestorElementInstanceKey);
    checkCreatable(eng, pi, place.create, a.elementId);
    const scope = place.base;
    const vars = (a.variableInstructions ?? []).map((v) => {
      if (!v || typeof v.variables !== 'object' || v.variables === null || Array.isArray(v.variables)) throw new EngineError('INVALID_ARGUMENT', `The 'variables' of a variable instruction of element '${a.elementId}' must be a JSON object`);
      const scopeId = v.scopeId ?? '';
      if (scopeId && scopeId !== a.elementId && !place.create.includes(scopeId) && !ancestry(eng, scope).some((s) => s.elementId === scopeId)) {
        throw new EngineError('INVALID_ARGUMENT', `${REJECT} '${pi.bpmnProcessId}' but it contains one or more variable instructions with a scope element id '${scopeId}' that is neither the element '${a.elementId}' nor one of its flow scopes`);
      }
      return { scopeId, variables: v.variables };
    });
    return { elementId: a.elementId, scope, create: place.create, vars };
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
  // sub-processes created for the instructions: one instance per missing scope under the same base, shared by them
  const created = new Map<string, EI>();
  for (const p of plans) {
    let scope = p.scope;
    for (const id of p.create) {
      const k = `${scope.key}/${id}`;
      let s = created.get(k);
      if (!s) {
        const local: Vars = {};
        for (const v of p.vars) if (v.scopeId === id) Object.assign(local, v.variables);
        s = activateElement(eng, scope, id, false, null, Object.keys(local).length ? local : undefined, { withoutStart: true })!;
        created.set(k, s);
      }
      scope = s;
    }
    if (!isActive(scope)) continue; // the created scope raised an incident (its input mappings): the element waits with it
    const local: Vars = {};
    for (const v of p.vars) {
      if (v.scopeId === p.elementId) { Object.assign(local, v.variables); continue; }
      if (p.create.includes(v.scopeId)) continue; // set on the created scope above
      const target = v.scopeId ? ancestry(eng, scope).find((s) => s.elementId === v.scopeId)! : pi;
      for (const [n, val] of Object.entries(v.variables)) setVar(eng, target.key, pi.key, n, val);
    }
    activateElement(eng, scope, p.elementId, false, null, Object.keys(local).length ? local : undefined);
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
