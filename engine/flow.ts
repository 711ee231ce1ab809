// Token flow: completing an element (output mappings, taken flows), the agenda of taken sequence flows, joins (parallel and inclusive), scope completion and termination.
import type { Engine } from './core';
import { broadcastPending } from './signals';
import { EI, Vars } from './entities';
import { activateElement } from './activation';
import { elementOf, modelOf } from './deployment';
import { closeSubscriptions } from './events';
import { evalOrIncident, resolveIncidentRecord } from './incidents';
import { processEnded } from './instances';
import { deleteJob, scheduleDispatch } from './jobs';
import { scheduleWake } from './scheduler';
import { applyMappings, mergeDocument, setVar } from './variables';
import { abandonCompletion } from './task-listeners';
import { bodyOutput, innerCompleted, MI_BODY } from './multi-instance';

export function completeElement(eng: Engine, ei: EI, eventVars: Vars | null): void {
  const el = ei.type === 'PROCESS' ? null : elementOf(eng, ei);
  if (ei.type === MI_BODY) bodyOutput(eng, ei);
  else if (el) {
    if (el.outputs) {
      if (eventVars) for (const [n, v] of Object.entries(eventVars)) setVar(eng, ei.key, ei.piKey, n, v);
      const r = evalOrIncident(eng, ei, 'complete', 'Failed to evaluate output mappings', () => applyMappings(eng, el.outputs!, ei.key), null);
      if (!r.ok) return;
      mergeDocument(eng, ei.flowScopeKey!, ei.piKey, r.v);
    } else if (eventVars && Object.keys(eventVars).length) {
      mergeDocument(eng, ei.key, ei.piKey, eventVars);
    }
  }
  eng.recordEl(ei, 'ELEMENT_COMPLETING');
  closeSubscriptions(eng, ei.key);
  ei.state = 'COMPLETED';
  ei.endDate = eng.now();
  removeChild(eng, ei);
  eng.touch(ei);
  eng.recordEl(ei, 'ELEMENT_COMPLETED');
  if (!el) { processEnded(eng, ei); return; }
  const scope = eng.eis.get(ei.flowScopeKey!)!;
  if (scope.type === MI_BODY && scope.elementId === ei.elementId) { innerCompleted(eng, scope, ei); return; }
  if (el.type === 'END_EVENT' && el.eventKind === 'terminate') {
    for (const c of childrenOf(eng, scope)) if (c.key !== ei.key) terminateElement(eng, c);
    scope.active = 0; scope.pendingJoin = 0; scope.joins = {}; scope.gen++;
    eng.touch(scope);
    completeScope(eng, scope);
    return;
  }
  const flows = el.type === 'EXCLUSIVE_GATEWAY' || el.type === 'INCLUSIVE_GATEWAY' ? ei.chosenFlows ?? [] : el.outgoing;
  for (const fid of flows) {
    scope.active++;
    eng.agenda.push({ scopeKey: scope.key, gen: scope.gen, flowId: fid });
  }
  scope.active--;
  eng.touch(scope);
  maybeCompleteScope(eng, scope);
}

export function childrenOf(eng: Engine, scope: EI): EI[] {
  const out: EI[] = [];
  for (const k of eng.activeChildren.get(scope.key) ?? []) {
    const e = eng.eis.get(k);
    if (e && (e.state === 'ACTIVE' || e.state === 'ACTIVATING')) out.push(e);
  }
  return out;
}

export function addChild(eng: Engine, ei: EI): void {
  if (!ei.flowScopeKey) return;
  let set = eng.activeChildren.get(ei.flowScopeKey);
  if (!set) { set = new Set(); eng.activeChildren.set(ei.flowScopeKey, set); }
  set.add(ei.key);
}

export function removeChild(eng: Engine, ei: EI): void {
  eng.activeChildren.delete(ei.key);
  if (!ei.flowScopeKey) return;
  const set = eng.activeChildren.get(ei.flowScopeKey);
  if (set) { set.delete(ei.key); if (!set.size) eng.activeChildren.delete(ei.flowScopeKey); }
}

export function ownKey(eng: Engine, ownerKey: string | null, id: string): void {
  if (!ownerKey) return;
  let set = eng.owned.get(ownerKey);
  if (!set) { set = new Set(); eng.owned.set(ownerKey, set); }
  set.add(id);
}

export function disownKey(eng: Engine, ownerKey: string | null, id: string): void {
  if (!ownerKey) return;
  const set = eng.owned.get(ownerKey);
  if (set) { set.delete(id); if (!set.size) eng.owned.delete(ownerKey); }
}

export function checkInclusiveJoins(eng: Engine, scope: EI): void {
  if (!scope.joins || scope.state !== 'ACTIVE' || !scope.pendingJoin) return;
  const m = modelOf(eng, scope.defKey);
  for (const [gwId, j] of Object.entries(scope.joins)) {
    const gw = m.elements.get(gwId)!;
    if (gw.type !== 'INCLUSIVE_GATEWAY' || !Object.values(j).some((n) => n > 0)) continue;
    // a token already on its way to eng gateway arrives first
    if (eng.agenda.some((t) => t.scopeKey === scope.key && t.gen === scope.gen && m.flows.get(t.flowId)!.target === gwId)) continue;
    // what is active in the scope: element instances, queued flows (their targets), tokens waiting at joins
    const active = new Set<string>();
    for (const c of childrenOf(eng, scope)) active.add(c.elementId);
    for (const t of eng.agenda) if (t.scopeKey === scope.key && t.gen === scope.gen) active.add(m.flows.get(t.flowId)!.target);
    for (const [otherId, oj] of Object.entries(scope.joins)) if (otherId !== gwId && Object.values(oj).some((n) => n > 0)) active.add(otherId);
    const blocked = gw.incoming.some((f) => !(j[f] > 0) && gw.reach![f].some((id) => active.has(id)));
    if (blocked) continue;
    for (const f of gw.incoming) if (j[f] > 0) { j[f]--; scope.pendingJoin--; }
    eng.touch(scope);
    activateElement(eng, scope, gwId, false);
    return checkInclusiveJoins(eng, scope);
  }
}

export function maybeCompleteScope(eng: Engine, scope: EI): void {
  if (scope.state === 'ACTIVE' && scope.pendingJoin > 0 && scope.joins) checkInclusiveJoins(eng, scope);
  if (scope.state !== 'ACTIVE' || scope.active > 0 || scope.pendingJoin > 0) return;
  completeScope(eng, scope);
}

export function completeScope(eng: Engine, scope: EI): void {
  if (scope.type === 'PROCESS') completeElement(eng, scope, null);
  else completeElement(eng, scope, null); // sub-process: output mappings of the sub-process apply
}

export function terminateElement(eng: Engine, ei: EI): void {
  if (ei.state === 'COMPLETED' || ei.state === 'TERMINATED') return;
  eng.recordEl(ei, 'ELEMENT_TERMINATING');
  for (const c of childrenOf(eng, ei)) terminateElement(eng, c);
  ei.gen++; ei.active = 0; ei.pendingJoin = 0; ei.joins = {};
  closeSubscriptions(eng, ei.key);
  if (ei.jobKey) {
    const job = eng.jobs.get(ei.jobKey);
    if (job) deleteJob(eng, job, 'CANCELED');
    ei.jobKey = undefined;
  }
  if (ei.userTaskKey) {
    const ut = eng.userTasks.get(ei.userTaskKey);
    // a task still CREATING: its listener's job was canceled above with the element's job
    if (ut && (ut.state === 'CREATING' || ut.state === 'CREATED' || ut.state === 'COMPLETING')) { ut.creating = undefined; if (ut.state === 'COMPLETING') { ut.completing = undefined; abandonCompletion(eng, ut.key); } ut.state = 'CANCELED'; ut.completionDate = eng.now(); eng.openUserTasks.delete(ut.key); eng.touch(ut); eng.record(ei.piKey, 'USER_TASK', 'CANCELED', ut.key, { elementId: ei.elementId }); }
  }
  if (ei.childPiKey) {
    const child = eng.eis.get(ei.childPiKey);
    if (child) terminateElement(eng, child);
  }
  if (ei.incidentKey) resolveIncidentRecord(eng, ei.incidentKey);
  ei.state = 'TERMINATED';
  ei.endDate = eng.now();
  removeChild(eng, ei);
  eng.touch(ei);
  eng.recordEl(ei, 'ELEMENT_TERMINATED');
  if (ei.type === 'PROCESS') {
    processEnded(eng, ei);
  }
}

export function detachFromScope(eng: Engine, ei: EI): void {
  const scope = ei.flowScopeKey ? eng.eis.get(ei.flowScopeKey) : undefined;
  if (scope) { scope.active--; eng.touch(scope); }
}

export function runAgenda(eng: Engine): void {
  if (eng.running) return;
  eng.running = true;
  try {
    while (eng.agenda.length) {
      const t = eng.agenda.shift()!;
      const scope = eng.eis.get(t.scopeKey);
      if (!scope || scope.state !== 'ACTIVE' || scope.gen !== t.gen) continue;
      scope.active--;
      const m = modelOf(eng, scope.defKey);
      const flow = m.flows.get(t.flowId)!;
      const target = m.elements.get(flow.target)!;
      if (target.type === 'INCLUSIVE_GATEWAY' && target.incoming.length > 1) {
        const joins = (scope.joins ??= {});
        const j = (joins[target.id] ??= {});
        j[flow.id] = (j[flow.id] ?? 0) + 1;
        scope.pendingJoin++;
        eng.touch(scope);
        checkInclusiveJoins(eng, scope);
      } else if (target.type === 'PARALLEL_GATEWAY' && target.incoming.length > 1) {
        const joins = (scope.joins ??= {});
        const j = (joins[target.id] ??= {});
        j[flow.id] = (j[flow.id] ?? 0) + 1;
        scope.pendingJoin++;
        if (target.incoming.every((f) => (j[f] ?? 0) > 0)) {
          for (const f of target.incoming) { j[f]--; scope.pendingJoin--; }
          activateElement(eng, scope, target.id, false);
        }
        eng.touch(scope);
      } else {
        activateElement(eng, scope, target.id, false);
      }
      maybeCompleteScope(eng, scope);
    }
  } finally {
    eng.running = false;
  }
  if (eng.pendingSignals.length) broadcastPending(eng);
  scheduleDispatch(eng);
  scheduleWake(eng);
}
