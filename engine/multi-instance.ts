// Multi-instance activities as Zeebe runs them: the activity's element instance is a multi-instance body
// (bpmnElementType MULTI_INSTANCE_BODY, same element id) that holds the boundary events and the output
// collection; inside it one inner instance per element of the input collection, all at once (parallel)
// or one after the other (sequential), each with the local variables `loopCounter` (1-based) and the
// input element. The completion condition sees numberOfInstances, numberOfActiveInstances,
// numberOfCompletedInstances and numberOfTerminatedInstances besides the inner instance's variables.
import type { Engine } from './core';
import { EI, Vars } from './entities';
import { activateElement } from './activation';
import { elementOf } from './deployment';
import { evalFeel, feelType } from './feel';
import { openBoundaries } from './events';
import { childrenOf, completeElement, terminateElement } from './flow';
import { evalOrIncident } from './incidents';
import { correlateBufferedFor } from './messages';
import { mergeDocument, setVar, visibleVars } from './variables';

export const MI_BODY = 'MULTI_INSTANCE_BODY';

/** whether the element instance is an inner instance of a multi-instance body (not the body itself) */
export function isMiInner(eng: Engine, ei: EI): boolean {
  if (!ei.flowScopeKey) return false;
  const scope = eng.eis.get(ei.flowScopeKey);
  return !!scope && scope.type === MI_BODY && scope.elementId === ei.elementId;
}

/** the element type of a new element instance of `elementId` in `scope`: the body first, then its inner instances */
export function instanceType(scope: EI, elementId: string, elType: string, hasMi: boolean): string {
  return hasMi && !(scope.type === MI_BODY && scope.elementId === elementId) ? MI_BODY : elType;
}

export function activateBody(eng: Engine, body: EI): void {
  const el = elementOf(eng, body);
  const mi = el.mi!;
  const r = evalOrIncident(eng, body, 'activate', 'Failed to evaluate the input collection', () => {
    const v = evalFeel(mi.inputCollection, visibleVars(eng, body.flowScopeKey!), eng.now(), false, eng.timeZone);
    if (!Array.isArray(v)) throw Object.assign(new Error(`Expected result of the expression '${mi.inputCollection.slice(1)}' to be 'ARRAY', but was '${feelType(v)}'.`), { incidentType: 'EXTRACT_VALUE_ERROR' });
    return v as unknown[];
  });
  if (!r.ok) return;
  if (!openBoundaries(eng, body, el)) return;
  body.mi = { items: r.v, next: 0, completed: 0, terminated: 0 };
  body.state = 'ACTIVE';
  eng.touch(body);
  eng.recordEl(body, 'ELEMENT_ACTIVATED');
  if (mi.outputCollection) setVar(eng, body.key, body.piKey, mi.outputCollection, r.v.map(() => null));
  if (!r.v.length) { completeElement(eng, body, null); return; }
  const first = mi.sequential ? 1 : r.v.length;
  for (let i = 0; i < first && body.state === 'ACTIVE'; i++) startInner(eng, body);
  if (body.state === 'ACTIVE') correlateBufferedFor(eng, body);
}

function startInner(eng: Engine, body: EI): void {
  const el = elementOf(eng, body);
  const i = body.mi!.next++;
  eng.touch(body);
  const local: Vars = { loopCounter: i + 1 };
  if (el.mi!.inputElement) local[el.mi!.inputElement] = body.mi!.items[i];
  activateElement(eng, body, body.elementId, false, null, local);
}

/** an inner instance completed (its output mappings applied): collect its output, then finish or go on */
export function innerCompleted(eng: Engine, body: EI, inner: EI): void {
  const mi = elementOf(eng, body).mi!;
  const st = body.mi!;
  body.active--;
  st.completed++;
  eng.touch(body);
  const innerVars = visibleVars(eng, inner.key);
  if (mi.outputCollection && mi.outputElement) {
    const r = evalOrIncident(eng, body, 'complete', 'Failed to evaluate the output element', () => evalFeel(mi.outputElement!, innerVars, eng.now(), false, eng.timeZone));
    if (!r.ok) return;
    const loopCounter = Number(eng.varScopes.get(inner.key)?.vars.loopCounter?.value ?? st.completed);
    const list = [...((eng.varScopes.get(body.key)?.vars[mi.outputCollection]?.value as unknown[] | undefined) ?? st.items.map(() => null))];
    list[loopCounter - 1] = r.v ?? null;
    setVar(eng, body.key, body.piKey, mi.outputCollection, list);
  }
  if (mi.completionCondition) {
    const active = childrenOf(eng, body).length;
    const ctx = { ...innerVars, numberOfInstances: st.items.length, numberOfActiveInstances: active, numberOfCompletedInstances: st.completed, numberOfTerminatedInstances: st.terminated };
    const r = evalOrIncident(eng, body, 'complete', 'Failed to evaluate the completion condition', () => {
      const v = evalFeel(mi.completionCondition!, ctx, eng.now(), false, eng.timeZone);
      if (v !== true && v !== false) throw Object.assign(new Error(`Expected result of the expression '${mi.completionCondition!.slice(1)}' to be 'BOOLEAN', but was '${feelType(v)}'.`), { incidentType: 'EXTRACT_VALUE_ERROR' });
      return v;
    });
    if (!r.ok) return;
    if (r.v) {
      for (const c of childrenOf(eng, body)) { terminateElement(eng, c); st.terminated++; }
      body.active = 0;
      eng.touch(body);
      completeElement(eng, body, null);
      return;
    }
  }
  if (mi.sequential && st.next < st.items.length) { startInner(eng, body); return; }
  if (body.active <= 0 && body.state === 'ACTIVE') completeElement(eng, body, null);
}

/** the body completes: its output collection goes to the body's flow scope (as Zeebe propagates it) */
export function bodyOutput(eng: Engine, body: EI): void {
  const mi = elementOf(eng, body).mi!;
  if (!mi.outputCollection) return;
  const v = eng.varScopes.get(body.key)?.vars[mi.outputCollection]?.value ?? null;
  mergeDocument(eng, body.flowScopeKey!, body.piKey, { [mi.outputCollection]: v });
}
