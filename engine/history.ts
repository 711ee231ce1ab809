// Per-instance indexes (element instances, user tasks, incidents, called children) and the bounded history of finished instances: summarised, then forgotten.
import type { Engine } from './core';
import { EI, EMPTY_SET, InstanceIndex, UserTask, VarScope } from './entities';
import { closeSubscriptions } from './events';
import { indexValue } from './variables';

export function instanceIndex(eng: Engine, piKey: string): InstanceIndex {
  let idx = eng.byPi.get(piKey);
  if (!idx) { idx = { eis: new Set(), uts: new Set(), incs: new Set(), children: new Set() }; eng.byPi.set(piKey, idx); }
  return idx;
}

export function indexEi(eng: Engine, ei: EI): void {
  if (!ei.compacted) instanceIndex(eng, ei.piKey).eis.add(ei.key);
  if (ei.type === 'PROCESS') {
    eng.processInstances.set(ei.key, ei);
    if (ei.parentPiKey) instanceIndex(eng, ei.parentPiKey).children.add(ei.key);
  }
}

export function indexUserTask(eng: Engine, ut: UserTask): void {
  instanceIndex(eng, ut.piKey).uts.add(ut.key);
  if (ut.state === 'CREATED') eng.openUserTasks.set(ut.key, ut);
}

export function newScope(eng: Engine, scopeKey: string, piKey: string): VarScope {
  const s: VarScope = { kind: 'vars', key: scopeKey, piKey, vars: {} };
  eng.varScopes.set(scopeKey, s);
  eng.scopeSeq.set(s, eng.nextScopeSeq++);
  return s;
}

export function scopeOrder(eng: Engine, s: VarScope): number { return eng.scopeSeq.get(s) ?? 0; }

export function elementInstanceKeysOf(eng: Engine, piKey: string): ReadonlySet<string> { return eng.byPi.get(piKey)?.eis ?? EMPTY_SET; }

export function userTaskKeysOf(eng: Engine, piKey: string): ReadonlySet<string> { return eng.byPi.get(piKey)?.uts ?? EMPTY_SET; }

export function incidentKeysOf(eng: Engine, piKey: string): ReadonlySet<string> { return eng.byPi.get(piKey)?.incs ?? EMPTY_SET; }

export function historySize(eng: Engine): { detailed: number; summarised: number } { return { detailed: eng.detailed.size, summarised: eng.summarised.size }; }

export function treeOf(eng: Engine, root: string): string[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const c of eng.byPi.get(out[i])?.children ?? EMPTY_SET) out.push(c);
  return out;
}

export function trimHistory(eng: Engine): boolean {
  let changed = false;
  while (eng.detailed.size > eng.maxDetailed) {
    const k = eng.detailed.keys().next().value as string;
    eng.detailed.delete(k);
    summarise(eng, k);
    eng.summarised.set(k, true);
    changed = true;
  }
  while (eng.summarised.size && eng.detailed.size + eng.summarised.size > eng.maxFinished) {
    const k = eng.summarised.keys().next().value as string;
    eng.summarised.delete(k);
    forget(eng, k);
    changed = true;
  }
  return changed;
}

export function summarise(eng: Engine, root: string): void {
  for (const pk of treeOf(eng, root)) {
    const idx = eng.byPi.get(pk);
    if (!idx) continue;
    for (const k of idx.eis) {
      const ei = eng.eis.get(k);
      if (ei) { eng.eis.delete(k); if (ei.type !== 'PROCESS') eng.remove(ei); }
      const s = eng.varScopes.get(k);
      if (s) {
        for (const n of Object.keys(s.vars)) indexValue(eng, n, s.vars[n].value, k, false);
        eng.varScopes.delete(k);
        eng.remove(s);
      }
      eng.activeChildren.delete(k);
      closeSubscriptions(eng, k);
    }
    for (const k of idx.incs) { const inc = eng.incidents.get(k); if (inc) { eng.incidents.delete(k); eng.remove(inc); } }
    idx.eis.clear();
    idx.incs.clear();
    eng.events.delete(pk);
    const pi = eng.processInstances.get(pk);
    if (pi) { pi.compacted = true; delete pi.joins; delete pi.pendingVars; delete pi.chosenFlows; eng.touch(pi); }
  }
}

export function forget(eng: Engine, root: string): void {
  for (const pk of treeOf(eng, root)) {
    const idx = eng.byPi.get(pk);
    if (idx) for (const k of idx.uts) { const ut = eng.userTasks.get(k); if (ut) { eng.userTasks.delete(k); eng.openUserTasks.delete(k); eng.remove(ut); } }
    const pi = eng.processInstances.get(pk);
    if (pi) { eng.processInstances.delete(pk); eng.remove(pi); }
    eng.byPi.delete(pk);
  }
}
