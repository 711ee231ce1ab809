// Catch events: boundary, intermediate and event-based-gateway subscriptions (timers and messages), triggering them, and BPMN errors thrown up through scopes and call activities.
import type { Engine } from './core';
import { signalSubscriptionName } from './signals';
import { El } from './model';
import { feelType, isExpression } from './feel';
import { addDuration, nextCycleDue, parseDate, parseDuration, parseTimeCycle } from './time';
import { EI, Message, MsgSub, ProcDef, Timer, Vars } from './entities';
import { activateElement } from './activation';
import { elementOf, modelOf } from './deployment';
import { completeElement, detachFromScope, disownKey, ownKey, removeChild, terminateElement } from './flow';
import { evalOrIncident, raiseIncident } from './incidents';
import { scheduleWake } from './scheduler';
import { feelValue } from './variables';
import { isMiInner } from './multi-instance';

export function openBoundaries(eng: Engine, ei: EI, el: El): boolean {
  if (isMiInner(eng, ei)) return true; // the multi-instance body holds the boundary events
  const m = modelOf(eng, ei.defKey);
  for (const bid of el.boundaries) {
    const b = m.elements.get(bid)!;
    if (b.eventKind === 'error') continue;
    if (!openEventSubscription(eng, ei, b, ei, 'boundary', b.interrupting!)) { closeSubscriptions(eng, ei.key); return false; }
  }
  return true;
}

export function openEventSubscription(eng: Engine, owner: EI, event: El, scopeEi: EI, role: 'catch' | 'boundary' | 'gateway', interrupting: boolean): boolean {
  if (event.eventKind === 'timer') {
    const r = evalOrIncident(eng, owner, 'activate', `Failed to evaluate the timer of '${event.id}'`, () => timerDue(eng, event, scopeEi.key, true));
    if (!r.ok) return false;
    const t: Timer = { kind: 'timer', key: eng.newKey(), defKey: owner.defKey, piKey: owner.piKey, ownerKey: owner.key, elementId: event.id, due: r.v.due, repetitions: r.v.repetitions, cycle: r.v.cycle, role };
    addTimer(eng, t);
    return true;
  }
  if (event.eventKind === 'message') {
    const r = evalOrIncident(eng, owner, 'activate', `Failed to extract the message subscription of '${event.id}'`, () => {
      const name = feelValue(eng, event.message!.name, scopeEi.key);
      if (typeof name !== 'string') throw new Error(`Expected the message name to be a 'STRING', but was '${feelType(name)}'`);
      const ck = feelValue(eng, event.message!.correlationKey!, scopeEi.key);
      if (typeof ck !== 'string' && typeof ck !== 'number') throw new Error(`Failed to extract the correlation key for '${event.message!.correlationKey}': The value must be either a string or a number, but was '${feelType(ck)}'.`);
      return { name, ck: String(ck) };
    });
    if (!r.ok) return false;
    const s: MsgSub = { kind: 'sub', key: eng.newKey(), piKey: owner.piKey, ownerKey: owner.key, elementId: event.id, bpmnProcessId: owner.bpmnProcessId, name: r.v.name, correlationKey: r.v.ck, role, interrupting };
    eng.subs.set(s.key, s);
    indexSub(eng, s);
    eng.touch(s);
    eng.record(owner.piKey, 'PROCESS_MESSAGE_SUBSCRIPTION', 'CREATED', s.key, { elementId: event.id, messageName: s.name, correlationKey: s.correlationKey });
    return true;
  }
  if (event.eventKind === 'signal') {
    const s: MsgSub = { kind: 'sub', key: eng.newKey(), piKey: owner.piKey, ownerKey: owner.key, elementId: event.id, bpmnProcessId: owner.bpmnProcessId, name: signalSubscriptionName(event.signal!.name), correlationKey: '', role, interrupting };
    eng.subs.set(s.key, s);
    indexSub(eng, s);
    eng.touch(s);
    eng.record(owner.piKey, 'SIGNAL_SUBSCRIPTION', 'CREATED', s.key, { elementId: event.id, signalName: event.signal!.name });
    return true;
  }
  return true;
}

export function timerDue(eng: Engine, event: El, scopeKey: string, first: boolean): { due: number; repetitions: number; cycle?: string } {
  const t = event.timer!;
  const now = eng.now();
  let v = isExpression(t.value) ? feelValue(eng, t.value, scopeKey) : t.value;
  if (typeof v !== 'string') throw new Error(`Expected result of the expression '${t.value}' to be a STRING, DATE TIME or DURATION, but was '${feelType(v)}'`);
  v = v.trim();
  if (t.kind === 'duration') {
    const d = parseDuration(v as string);
    if (!d) throw new Error(`Invalid duration '${v}'`);
    return { due: addDuration(now, d), repetitions: 1 };
  }
  if (t.kind === 'date') {
    const d = parseDate(v as string);
    if (d === null) throw new Error(`Invalid date-time format '${v}': expected an ISO-8601 date-time with offset or Z`);
    return { due: d, repetitions: 1 };
  }
  const c = parseTimeCycle(v as string);
  if (!c) throw new Error(`Invalid time cycle '${v}'`);
  return { due: nextCycleDue(c, now, first, eng.timeZone), repetitions: c.repetitions, cycle: v as string };
}

export function addTimer(eng: Engine, t: Timer): void {
  eng.timers.set(t.key, t);
  ownKey(eng, t.ownerKey, 't' + t.key);
  eng.touch(t);
  if (t.piKey) eng.record(t.piKey, 'TIMER', 'CREATED', t.key, { elementId: t.elementId, dueDate: new Date(t.due).toISOString() });
  eng.heap.push({ due: t.due, kind: 'timer', key: t.key });
  scheduleWake(eng);
}

export function deleteTimer(eng: Engine, t: Timer): void {
  eng.timers.delete(t.key);
  disownKey(eng, t.ownerKey, 't' + t.key);
  eng.remove(t);
}

export function openStartTimer(eng: Engine, def: ProcDef, ts: El): void {
  const r = (() => { try { return timerDue(eng, ts, '', true); } catch { return null; } })();
  if (!r) return;
  addTimer(eng, { kind: 'timer', key: eng.newKey(), defKey: def.key, piKey: null, ownerKey: null, elementId: ts.id, due: r.due, repetitions: r.repetitions, cycle: r.cycle, role: 'start' });
}

export function ownedSubs(eng: Engine, ownerKey: string): MsgSub[] {
  return [...(eng.owned.get(ownerKey) ?? [])].filter((id) => id.startsWith('s')).map((id) => eng.subs.get(id.slice(1))!).filter(Boolean);
}

export function closeSubscriptions(eng: Engine, ownerKey: string): void {
  const set = eng.owned.get(ownerKey);
  if (!set) return;
  for (const id of [...set]) {
    if (id.startsWith('t')) { const t = eng.timers.get(id.slice(1)); if (t) deleteTimer(eng, t); }
    else { const s = eng.subs.get(id.slice(1)); if (s) deleteSub(eng, s); }
  }
  eng.owned.delete(ownerKey);
}

/** close one timer or subscription (migration: a catch event that is not mapped) */
export function closeSubscriptionOf(eng: Engine, e: Timer | MsgSub): void {
  if (e.kind === 'timer') deleteTimer(eng, e);
  else deleteSub(eng, e);
}

export function deleteSub(eng: Engine, s: MsgSub): void {
  eng.subs.delete(s.key);
  disownKey(eng, s.ownerKey, 's' + s.key);
  eng.subIndex.get(`${s.name}\u0000${s.correlationKey}`)?.delete(s.key);
  eng.remove(s);
}

export function indexSub(eng: Engine, s: MsgSub): void {
  ownKey(eng, s.ownerKey, 's' + s.key);
  const k = `${s.name}\u0000${s.correlationKey}`;
  let set = eng.subIndex.get(k);
  if (!set) { set = new Set(); eng.subIndex.set(k, set); }
  set.add(s.key);
}

export function indexMsg(eng: Engine, m: Message): void {
  const k = `${m.name}\u0000${m.correlationKey}`;
  let set = eng.msgIndex.get(k);
  if (!set) { set = new Set(); eng.msgIndex.set(k, set); }
  set.add(m.key);
  if (m.messageId) eng.msgIdIndex.set(`${k}\u0000${m.messageId}`, m.key);
}

export function triggerEvent(eng: Engine, owner: EI, eventId: string, role: 'catch' | 'boundary' | 'gateway', interrupting: boolean, vars: Vars | null): void {
  if (owner.state !== 'ACTIVE') return;
  if (role === 'catch') {
    closeSubscriptions(eng, owner.key);
    completeElement(eng, owner, vars);
    return;
  }
  if (role === 'gateway') {
    closeSubscriptions(eng, owner.key);
    const m = modelOf(eng, owner.defKey);
    const el = elementOf(eng, owner);
    owner.chosenFlows = el.outgoing.filter((f) => m.flows.get(f)!.target === eventId);
    // complete the gateway, then activate the chosen event directly with the event variables
    eng.recordEl(owner, 'ELEMENT_COMPLETING');
    owner.state = 'COMPLETED'; owner.endDate = eng.now(); removeChild(eng, owner); eng.touch(owner);
    eng.recordEl(owner, 'ELEMENT_COMPLETED');
    const scope = eng.eis.get(owner.flowScopeKey!)!;
    scope.active--;
    activateElement(eng, scope, eventId, false, vars ?? {});
    return;
  }
  // boundary
  const scope = eng.eis.get(owner.flowScopeKey!)!;
  if (interrupting) {
    terminateElement(eng, owner);
    detachFromScope(eng, owner);
  }
  activateElement(eng, scope, eventId, false, vars ?? {});
}

export function throwErrorFrom(eng: Engine, ei: EI, code: string, message: string, vars: Vars | null, phase: 'activate' | 'complete', jobKey?: string): boolean {
  // search the element itself (boundary), then its scopes upwards, crossing call activities
  let cur: EI | undefined = ei;
  while (cur) {
    if (cur.type !== 'PROCESS' && isMiInner(eng, cur)) {
      cur = eng.eis.get(cur.flowScopeKey!); // the body holds the boundary events
    } else if (cur.type !== 'PROCESS') {
      const el = elementOf(eng, cur);
      const m = modelOf(eng, cur.defKey);
      const catchers = el.boundaries.map((b) => m.elements.get(b)!).filter((b) => b.eventKind === 'error');
      const match = catchers.find((b) => b.errorCode === code) ?? catchers.find((b) => b.errorCode === undefined || b.errorCode === '');
      if (match) {
        const owner = cur;
        const scope = eng.eis.get(owner.flowScopeKey!)!;
        terminateElement(eng, owner);
        detachFromScope(eng, owner);
        activateElement(eng, scope, match.id, false, vars ?? {});
        return true;
      }
      cur = cur.flowScopeKey ? eng.eis.get(cur.flowScopeKey) : undefined;
    } else {
      cur = cur.parentEiKey ? eng.eis.get(cur.parentEiKey) : undefined;
    }
  }
  raiseIncident(eng, ei, 'UNHANDLED_ERROR_EVENT', `Expected to throw an error event with the code '${code}'${message ? ` with message '${message}'` : ''}, but it was not caught. No error events are available in the scope.`, phase, jobKey);
  return false;
}
