// The scheduler: one wake-up timer for the earliest due timer, job deadline, back-off or message TTL, and what fires when each becomes due.
import type { Engine } from './core';
import { nextCycleDue, parseTimeCycle } from './time';
import { Timer } from './entities';
import { modelOf } from './deployment';
import { addTimer, deleteTimer, triggerEvent } from './events';
import { runAgenda } from './flow';
import { startInstance } from './instances';
import { addActivatable } from './jobs';

export function scheduleWake(eng: Engine): void {
  if (eng.stopped) return;
  const top = eng.heap.peek();
  if (!top) return;
  // keep the armed timer when it fires no later than needed (tick re-arms after firing)
  if (eng.wake && eng.wakeAt <= top.due) return;
  if (eng.wake) clearTimeout(eng.wake);
  const delay = Math.max(0, Math.min(top.due - eng.now(), 2 ** 31 - 1));
  eng.wakeAt = eng.now() + delay;
  eng.wake = setTimeout(() => { eng.wake = null; eng.wakeAt = Infinity; tick(eng); }, delay);
}

export function tick(eng: Engine): void {
  const now = eng.now();
  let n = 0;
  while (eng.heap.size && eng.heap.peek()!.due <= now && n++ < 10000) {
    const it = eng.heap.pop()!;
    try { fireDue(eng, it); } catch (e) { console.error(`engine: failed to process due ${it.kind} ${it.key}:`, e); }
  }
  scheduleWake(eng);
}

export function fireDue(eng: Engine, it: { due: number; kind: 'timer' | 'job' | 'msg'; key: string }): void {
  {
    if (it.kind === 'timer') {
      const t = eng.timers.get(it.key);
      if (t && t.due === it.due) fireTimer(eng, t);
    } else if (it.kind === 'job') {
      const j = eng.jobs.get(it.key);
      if (!j) return;
      if (j.state === 'ACTIVATED' && j.deadline === it.due) {
        j.state = 'ACTIVATABLE'; j.worker = ''; j.deadline = -1;
        eng.touch(j);
        eng.record(j.piKey, 'JOB', 'TIMED_OUT', j.key, { elementId: j.elementId });
        addActivatable(eng, j);
      } else if (j.state === 'FAILED' && j.retries > 0 && j.backoffUntil === it.due) {
        j.state = 'ACTIVATABLE';
        eng.touch(j);
        eng.record(j.piKey, 'JOB', 'RECURRED_AFTER_BACKOFF', j.key, { elementId: j.elementId });
        addActivatable(eng, j);
      }
    } else {
      const m = eng.messages.get(it.key);
      if (m && m.deadline === it.due) {
        eng.messages.delete(m.key);
        const k = `${m.name}\u0000${m.correlationKey}`;
        eng.msgIndex.get(k)?.delete(m.key);
        if (m.messageId) eng.msgIdIndex.delete(`${k}\u0000${m.messageId}`);
        eng.remove(m);
      }
    }
    runAgenda(eng);
  }
}

export function fireTimer(eng: Engine, t: Timer): void {
  deleteTimer(eng, t);
  if (t.role === 'start') {
    const def = eng.defs.get(t.defKey);
    if (!def) return;
    const el = modelOf(eng, def.key).elements.get(t.elementId)!;
    const pi = startInstance(eng, def, {}, [t.elementId], null);
    eng.record(pi.key, 'TIMER', 'TRIGGERED', t.key, { elementId: t.elementId, dueDate: new Date(t.due).toISOString() });
    if (t.cycle && (t.repetitions < 0 || t.repetitions > 1)) {
      const c = parseTimeCycle(t.cycle)!;
      addTimer(eng, { ...t, key: eng.newKey(), due: nextCycleDue(c, t.due, false, eng.timeZone), repetitions: t.repetitions < 0 ? -1 : t.repetitions - 1 });
    }
    void el;
    return;
  }
  const owner = t.ownerKey ? eng.eis.get(t.ownerKey) : undefined;
  if (!owner || owner.state !== 'ACTIVE') return;
  eng.record(owner.piKey, 'TIMER', 'TRIGGERED', t.key, { elementId: t.elementId, dueDate: new Date(t.due).toISOString() });
  const m = modelOf(eng, owner.defKey);
  const ev = m.elements.get(t.elementId)!;
  const interrupting = t.role !== 'boundary' || ev.interrupting !== false;
  if (!interrupting && t.cycle && (t.repetitions < 0 || t.repetitions > 1)) {
    const c = parseTimeCycle(t.cycle)!;
    addTimer(eng, { ...t, key: eng.newKey(), due: nextCycleDue(c, t.due, false, eng.timeZone), repetitions: t.repetitions < 0 ? -1 : t.repetitions - 1 });
  }
  triggerEvent(eng, owner, t.elementId, t.role as 'catch' | 'boundary' | 'gateway', interrupting, null);
}
