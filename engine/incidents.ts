// Incidents: raising one at the failed step, and resolving it (the step is retried, or the job is activatable again).
import type { Engine } from './core';
import { EI, EngineError, Incident, Vars } from './entities';
import { onActivate } from './activation';
import { elementOf } from './deployment';
import { throwErrorFrom } from './events';
import { completeElement, runAgenda } from './flow';
import { instanceIndex } from './history';
import { addActivatable } from './jobs';
import { resumeListeners } from './task-listeners';

export function raiseIncident(eng: Engine, ei: EI, errorType: string, errorMessage: string, phase: 'activate' | 'complete', jobKey?: string, pendingVars?: Vars | null): void {
  const inc: Incident = { kind: 'inc', key: eng.newKey(), piKey: ei.piKey, eiKey: ei.key, elementId: ei.elementId, defKey: ei.defKey, bpmnProcessId: ei.bpmnProcessId, jobKey, errorType, errorMessage, state: 'ACTIVE', creationTime: eng.now() };
  eng.incidents.set(inc.key, inc);
  instanceIndex(eng, inc.piKey).incs.add(inc.key);
  eng.touch(inc);
  ei.incidentKey = inc.key;
  ei.incidentPhase = phase;
  ei.pendingVars = pendingVars ?? null;
  eng.touch(ei);
  eng.record(ei.piKey, 'INCIDENT', 'CREATED', inc.key, { elementId: ei.elementId, elementInstanceKey: ei.key, errorType, errorMessage, jobKey });
}

export function evalOrIncident<T>(eng: Engine, ei: EI, phase: 'activate' | 'complete', what: string, fn: () => T, pendingVars?: Vars | null): { ok: true; v: T } | { ok: false } {
  try {
    return { ok: true, v: fn() };
  } catch (e) {
    const type = (e as { incidentType?: string }).incidentType ?? 'EXTRACT_VALUE_ERROR';
    raiseIncident(eng, ei, type, `${what}: ${(e as Error).message}`, phase, undefined, pendingVars);
    return { ok: false };
  }
}

export function resolveIncidentRecord(eng: Engine, key: string): Incident | undefined {
  const inc = eng.incidents.get(key);
  if (!inc || inc.state !== 'ACTIVE') return undefined;
  inc.state = 'RESOLVED';
  eng.touch(inc);
  eng.record(inc.piKey, 'INCIDENT', 'RESOLVED', inc.key, { elementId: inc.elementId });
  const ei = eng.eis.get(inc.eiKey);
  if (ei && ei.incidentKey === key) { ei.incidentKey = undefined; eng.touch(ei); }
  return inc;
}

export function resolveIncident(eng: Engine, key: string): void {
  const inc = eng.incidents.get(key);
  if (!inc || inc.state !== 'ACTIVE') throw new EngineError('NOT_FOUND', `Command 'RESOLVE' rejected with code 'NOT_FOUND': Expected to resolve incident with key '${key}', but no such incident was found`);
  const ei = eng.eis.get(inc.eiKey)!;
  if (inc.jobKey) {
    const job = eng.jobs.get(inc.jobKey);
    if (job && job.state === 'FAILED' && job.retries <= 0) {
      throw new EngineError('FAILED_PRECONDITION', `Command 'RESOLVE' rejected with code 'INVALID_STATE': Expected to resolve incident with key '${key}', but job with key '${job.key}' has no retries left. Update the job's retries first.`);
    }
  }
  const phase = ei.incidentPhase;
  const pending = ei.pendingVars ?? null;
  resolveIncidentRecord(eng, key);
  if (inc.jobKey) {
    const job = eng.jobs.get(inc.jobKey);
    if (job) {
      job.incidentKey = undefined;
      if (job.state === 'FAILED' || job.state === 'ERROR_THROWN') {
        job.state = 'ACTIVATABLE';
        job.worker = '';
        addActivatable(eng, job);
        eng.touch(job);
      }
    }
    runAgenda(eng);
    return;
  }
  if (ei.state === 'ACTIVATING' && phase === 'activate') onActivate(eng, ei, pending);
  else if (phase === 'complete' && ei.state === 'ACTIVE') completeElement(eng, ei, pending);
  else if (phase === 'activate' && ei.state === 'ACTIVE' && ei.type === 'END_EVENT') throwErrorFrom(eng, ei, elementOf(eng, ei).errorCode!, '', null, 'activate');
  else if (phase === 'activate' && ei.state === 'ACTIVE' && ei.userTaskKey && !ei.jobKey) {
    // a listener's job type or retries failed to evaluate: evaluated again, the job created
    const ut = eng.userTasks.get(ei.userTaskKey);
    if (ut) resumeListeners(eng, ut);
  }
  runAgenda(eng);
}
