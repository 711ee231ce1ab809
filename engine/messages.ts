// Messages: publication (TTL buffering, message id de-duplication, once per process), correlation, message start events with correlation-key locks.
import type { Engine } from './core';
import { El } from './model';
import { EI, EngineError, Message, MsgSub, ProcDef, Vars } from './entities';
import { modelOf } from './deployment';
import { deleteSub, indexMsg, ownedSubs, triggerEvent } from './events';
import { runAgenda } from './flow';
import { startInstance } from './instances';

export function publishMessage(eng: Engine, name: string, correlationKey: string, ttlMs: number, messageId: string, variables: Vars): string {
  if (!name) throw new EngineError('INVALID_ARGUMENT', "Expected message name to be non-empty");
  const idx = `${name}\u0000${correlationKey}`;
  if (messageId) {
    const dup = eng.msgIdIndex.get(`${idx}\u0000${messageId}`);
    if (dup && eng.messages.has(dup)) throw new EngineError('ALREADY_EXISTS', `Command 'PUBLISH' rejected with code 'ALREADY_EXISTS': Expected to publish a new message with id '${messageId}', but a message with that id was already published`);
  }
  const msg: Message = { kind: 'msg', key: eng.newKey(), name, correlationKey, messageId, variables, deadline: eng.now() + Math.max(0, ttlMs), correlated: [] };
  // start events (latest versions)
  const latestByProcess = new Map<string, ProcDef>();
  for (const d of eng.defs.values()) { if (d.deleted) continue; const c = latestByProcess.get(d.bpmnProcessId); if (!c || c.version < d.version) latestByProcess.set(d.bpmnProcessId, d); }
  for (const def of latestByProcess.values()) {
    for (const ms of modelOf(eng, def.key).messageStarts) {
      if (ms.message!.name !== name || msg.correlated.includes(def.bpmnProcessId)) continue;
      startByMessage(eng, def, ms, msg);
    }
  }
  // intermediate / boundary / gateway subscriptions
  const subs = eng.subIndex.get(idx);
  if (subs) {
    for (const sk of [...subs]) {
      const s = eng.subs.get(sk);
      if (!s || msg.correlated.includes(s.bpmnProcessId)) continue;
      correlateSub(eng, s, msg);
    }
  }
  if (ttlMs > 0) {
    eng.messages.set(msg.key, msg);
    indexMsg(eng, msg);
    eng.touch(msg);
    eng.heap.push({ due: msg.deadline, kind: 'msg', key: msg.key });
  }
  runAgenda(eng);
  return msg.key;
}

export function correlateMessage(eng: Engine, name: string, correlationKey: string, variables: Vars): { messageKey: string; processInstanceKey: string } {
  const reached: string[] = [];
  eng.correlatedTo = reached;
  let messageKey: string;
  try { messageKey = publishMessage(eng, name, correlationKey, 0, '', variables); } finally { eng.correlatedTo = null; }
  if (!reached.length) throw new EngineError('NOT_FOUND', `Command 'CORRELATE' rejected with code 'NOT_FOUND': Expected to find subscription for message with name '${name}' and correlation key '${correlationKey}', but none was found.`);
  return { messageKey, processInstanceKey: reached[0] };
}

export function startByMessage(eng: Engine, def: ProcDef, ms: El, msg: Message): boolean {
  let lock: string | undefined;
  if (msg.correlationKey) {
    lock = `${def.bpmnProcessId}\u0000${msg.correlationKey}`;
    if (eng.msgLocks.has(lock)) return false;
  }
  msg.correlated.push(def.bpmnProcessId);
  if (eng.messages.has(msg.key)) eng.touch(msg);
  const pi = startInstance(eng, def, {}, [ms.id], null, msg.variables, lock);
  eng.correlatedTo?.push(pi.key);
  eng.record(pi.key, 'MESSAGE', 'CORRELATED', msg.key, { messageName: msg.name, correlationKey: msg.correlationKey, elementId: ms.id });
  return true;
}

export function correlateSub(eng: Engine, s: MsgSub, msg: Message): void {
  const owner = eng.eis.get(s.ownerKey);
  if (!owner || owner.state !== 'ACTIVE') return;
  msg.correlated.push(s.bpmnProcessId);
  eng.correlatedTo?.push(s.piKey);
  if (eng.messages.has(msg.key)) eng.touch(msg);
  eng.record(s.piKey, 'PROCESS_MESSAGE_SUBSCRIPTION', 'CORRELATED', s.key, { elementId: s.elementId, messageName: msg.name, correlationKey: msg.correlationKey, messageKey: msg.key });
  if (s.role !== 'boundary' || s.interrupting) deleteSub(eng, s);
  triggerEvent(eng, owner, s.elementId, s.role, s.interrupting, msg.variables);
}

export function correlateBufferedFor(eng: Engine, owner: EI): void {
  for (const s of ownedSubs(eng, owner.key)) {
    const set = eng.msgIndex.get(`${s.name}\u0000${s.correlationKey}`);
    if (!set) continue;
    const now = eng.now();
    for (const mk of set) {
      const msg = eng.messages.get(mk);
      if (!msg || msg.deadline <= now || msg.correlated.includes(s.bpmnProcessId)) continue;
      correlateSub(eng, s, msg);
      return;
    }
  }
}

export function correlateBufferedToStart(eng: Engine, def: ProcDef, ms: El, onlyKey?: string): void {
  const now = eng.now();
  for (const msg of eng.messages.values()) {
    if (msg.name !== ms.message!.name || msg.deadline <= now || msg.correlated.includes(def.bpmnProcessId)) continue;
    if (onlyKey !== undefined && msg.correlationKey !== onlyKey) continue;
    if (startByMessage(eng, def, ms, msg) && onlyKey !== undefined) return;
  }
}
