// Process instances: creation (by key, by id and version, with start instructions), cancellation, their end (message-start locks, result waiters, history, the calling activity) and results.
import type { Engine } from './core';
import { EI, EngineError, ProcDef, Vars } from './entities';
import { activateElement } from './activation';
import { elementOf, latestDef, modelOf } from './deployment';
import { completeElement, runAgenda, terminateElement } from './flow';
import { indexEi } from './history';
import { correlateBufferedToStart } from './messages';
import { setVar } from './variables';

export function createInstance(eng: Engine, opts: { bpmnProcessId?: string; processDefinitionKey?: string; version?: number; variables: Vars; startInstructions?: string[] }): EI {
  let def: ProcDef | undefined;
  if (opts.processDefinitionKey && opts.processDefinitionKey !== '0') {
    def = eng.defs.get(opts.processDefinitionKey);
    if (!def || def.deleted) throw new EngineError('NOT_FOUND', `Command 'CREATE' rejected with code 'NOT_FOUND': Expected to find process definition with key '${opts.processDefinitionKey}', but none found`);
  } else if (opts.bpmnProcessId) {
    if (opts.version && opts.version > 0) {
      def = [...eng.defs.values()].find((d) => !d.deleted && d.bpmnProcessId === opts.bpmnProcessId && d.version === opts.version);
      if (!def) throw new EngineError('NOT_FOUND', `Command 'CREATE' rejected with code 'NOT_FOUND': Expected to find process definition with process ID '${opts.bpmnProcessId}' and version '${opts.version}', but none found`);
    } else {
      def = latestDef(eng, opts.bpmnProcessId);
      if (!def) throw new EngineError('NOT_FOUND', `Command 'CREATE' rejected with code 'NOT_FOUND': Expected to find process definition with process ID '${opts.bpmnProcessId}', but none found`);
    }
  } else throw new EngineError('INVALID_ARGUMENT', 'Expected either a bpmnProcessId or a processDefinitionKey, but none given');
  const m = modelOf(eng, def.key);
  let startIds: string[];
  if (opts.startInstructions?.length) {
    startIds = opts.startInstructions;
    for (const s of startIds) {
      const el = m.elements.get(s);
      if (!el) throw new EngineError('INVALID_ARGUMENT', `Command 'CREATE' rejected with code 'INVALID_ARGUMENT': Expected to create instance of process with start instructions but no element found with id '${s}'.`);
      if (el.scopeId !== m.processId) throw new EngineError('INVALID_ARGUMENT', `Start instructions for elements inside sub-processes are not supported by eng engine ('${s}')`);
    }
  } else {
    if (!m.noneStart) throw new EngineError('FAILED_PRECONDITION', `Command 'CREATE' rejected with code 'INVALID_STATE': Expected to create instance of process with none start event, but there is no such event`);
    startIds = [m.noneStart];
  }
  const pi = startInstance(eng, def, opts.variables, startIds, null);
  runAgenda(eng);
  return pi;
}

export function startInstance(eng: Engine, def: ProcDef, variables: Vars, startIds: string[], parent: EI | null, startVars?: Vars | null, msgLock?: string): EI {
  const key = eng.newKey();
  const pi: EI = {
    kind: 'ei', key, piKey: key, defKey: def.key, bpmnProcessId: def.bpmnProcessId, version: def.version, elementId: def.bpmnProcessId, type: 'PROCESS', name: def.name,
    flowScopeKey: null, state: 'ACTIVE', startDate: eng.now(), active: 0, pendingJoin: 0, gen: 0,
    parentPiKey: parent?.piKey, parentEiKey: parent?.key, msgLock,
  };
  eng.eis.set(key, pi);
  indexEi(eng, pi);
  eng.touch(pi);
  if (msgLock) eng.msgLocks.set(msgLock, key);
  eng.recordEl(pi, 'ELEMENT_ACTIVATING');
  for (const [k, v] of Object.entries(variables)) setVar(eng, key, key, k, v);
  eng.recordEl(pi, 'ELEMENT_ACTIVATED');
  for (const s of startIds) {
    const child = activateElement(eng, pi, s, false);
    if (child && child.type === 'START_EVENT' && child.state === 'ACTIVE') completeElement(eng, child, startVars ?? null);
  }
  return pi;
}

export function cancelInstance(eng: Engine, piKey: string): void {
  const pi = eng.eis.get(piKey);
  if (!pi || pi.type !== 'PROCESS' || pi.state !== 'ACTIVE') throw new EngineError('NOT_FOUND', `Command 'CANCEL' rejected with code 'NOT_FOUND': Expected to cancel a process instance with key '${piKey}', but no such process was found`);
  if (pi.parentPiKey) throw new EngineError('FAILED_PRECONDITION', `Command 'CANCEL' rejected with code 'INVALID_STATE': Expected to cancel a process instance with key '${piKey}', but it is created by a parent process instance. Cancel the root process instance '${rootOf(eng, pi)}' instead.`);
  terminateElement(eng, pi);
  runAgenda(eng);
}

export function rootOf(eng: Engine, pi: EI): string {
  let p = pi;
  while (p.parentPiKey) p = eng.eis.get(p.parentPiKey)!;
  return p.key;
}

export function processEnded(eng: Engine, pi: EI): void {
  if (pi.msgLock) {
    eng.msgLocks.delete(pi.msgLock);
    const def = eng.defs.get(pi.defKey)!;
    const latest = latestDef(eng, def.bpmnProcessId);
    if (latest) for (const ms of modelOf(eng, latest.key).messageStarts) correlateBufferedToStart(eng, latest, ms, pi.msgLock.split('\u0000')[1]);
  }
  const waiters = eng.resultWaiters.get(pi.key);
  if (waiters) { eng.resultWaiters.delete(pi.key); const r = { pi, vars: rootVars(eng, pi.key) }; for (const w of waiters) w(r); }
  // a finished root (with everything it called) enters the bounded history; trimmed at the next group commit
  if (!pi.parentPiKey) { eng.detailed.set(pi.key, true); eng.scheduleFlush(); }
  if (pi.parentEiKey && pi.state === 'COMPLETED') {
    const ca = eng.eis.get(pi.parentEiKey);
    if (ca && ca.state === 'ACTIVE') {
      const cel = elementOf(eng, ca);
      const childVars = Object.fromEntries(Object.entries(eng.varScopes.get(pi.key)?.vars ?? {}).map(([n, v]) => [n, v.value]));
      const vars = cel.outputs || cel.calledElement!.propagateAllChildVariables ? childVars : null;
      ca.childPiKey = undefined;
      completeElement(eng, ca, vars);
    }
  }
}

export function awaitCompletion(eng: Engine, piKey: string): Promise<{ pi: EI; vars: Vars }> {
  const pi = eng.processInstances.get(piKey);
  if (!pi) return Promise.reject(new EngineError('NOT_FOUND', `Process instance with key '${piKey}' not found`));
  if (pi.state === 'COMPLETED' || pi.state === 'TERMINATED') return Promise.resolve({ pi, vars: rootVars(eng, piKey) });
  return new Promise((res) => {
    const l = eng.resultWaiters.get(piKey) ?? [];
    l.push(res);
    eng.resultWaiters.set(piKey, l);
  });
}

export function cancelAwait(eng: Engine, piKey: string): void { eng.resultWaiters.delete(piKey); }

export function rootVars(eng: Engine, piKey: string): Vars {
  return Object.fromEntries(Object.entries(eng.varScopes.get(piKey)?.vars ?? {}).map(([n, v]) => [n, v.value]));
}
