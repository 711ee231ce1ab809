// Signals: a broadcast reaches every open signal subscription of that name (catch events, boundary events,
// event-based gateways, in every instance) and starts an instance of the latest version of every process
// with a signal start event of that name; nothing is buffered. Throw and end events broadcast after the
// step that reached them, as Zeebe writes the broadcast as a command of its own.
import type { Engine } from './core';
import { Vars } from './entities';
import { feelValue } from './variables';
import { startInstance } from './instances';
import { triggerEvent, deleteSub } from './events';
import { runAgenda } from './flow';
import { latestDef, modelOf } from './deployment';
import { EI, EngineError } from './entities';
import { El } from './model';
import { feelType } from './feel';

/** Signal subscriptions share the index of message subscriptions under a name no message can have. */
export function signalSubscriptionName(signalName: string): string { return `\u0001signal\u0001${signalName}`; }

export function broadcastSignal(eng: Engine, name: string, variables: Vars): string {
  if (!name) throw new EngineError('INVALID_ARGUMENT', 'Expected signal name to be non-empty');
  const key = eng.newKey();
  const ids = new Set<string>();
  for (const d of eng.defs.values()) if (!d.deleted) ids.add(d.bpmnProcessId);
  for (const id of ids) {
    const def = latestDef(eng, id)!;
    for (const st of modelOf(eng, def.key).signalStarts) {
      if (st.signal!.name !== name) continue;
      const pi = startInstance(eng, def, {}, [st.id], null, variables);
      eng.record(pi.key, 'SIGNAL', 'BROADCASTED', key, { signalName: name, elementId: st.id });
    }
  }
  const subs = eng.subIndex.get(`${signalSubscriptionName(name)}\u0000`);
  for (const sk of [...(subs ?? [])]) {
    const s = eng.subs.get(sk);
    const owner = s && eng.eis.get(s.ownerKey);
    if (!s || !owner || owner.state !== 'ACTIVE') continue;
    eng.record(s.piKey, 'SIGNAL_SUBSCRIPTION', 'TRIGGERED', s.key, { elementId: s.elementId, signalName: name, signalKey: key });
    if (s.role !== 'boundary' || s.interrupting) deleteSub(eng, s);
    triggerEvent(eng, owner, s.elementId, s.role, s.interrupting, { ...variables });
  }
  runAgenda(eng);
  return key;
}

/**
 * What a signal throw or end event broadcasts: its name (may be FEEL, must give a non-empty string) and
 * its local variables (from input mappings), as Zeebe takes them.
 */
export function thrownSignal(eng: Engine, ei: EI, el: El): { name: string; variables: Vars } {
  const name = feelValue(eng, el.signal!.name, ei.key);
  if (typeof name !== 'string' || !name) throw new Error(`Expected the signal name '${el.signal!.name}' to be a non-empty 'STRING', but was '${feelType(name)}'`);
  const local = eng.varScopes.get(ei.key);
  const variables: Vars = {};
  if (local) for (const n of Object.keys(local.vars)) variables[n] = local.vars[n].value;
  return { name, variables };
}

/** Broadcasts queued by throw events, once the step that reached them is done. */
export function broadcastPending(eng: Engine): void {
  while (eng.pendingSignals.length) {
    const s = eng.pendingSignals.shift()!;
    broadcastSignal(eng, s.name, s.variables);
  }
}
