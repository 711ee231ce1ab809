// Jobs: creation, activation (polls, long polls, streams), completion, failure with retries and back-off, BPMN errors, retries and timeout updates.
import type { Engine } from './core';
import { El } from './model';
import { ActivatedJob, EI, EngineError, Job, JobConsumer, ListenerResult, Vars } from './entities';
import { completeListenerJob } from './task-listeners';
import { throwErrorFrom } from './events';
import { completeElement, runAgenda } from './flow';
import { raiseIncident } from './incidents';
import { scheduleWake } from './scheduler';
import { setVar, visibleVars } from './variables';

export function createJob(eng: Engine, ei: EI, el: El, type: string, retries: number): void {
  const job: Job = {
    kind: 'job', key: eng.newKey(), type, piKey: ei.piKey, eiKey: ei.key, elementId: ei.elementId, bpmnProcessId: ei.bpmnProcessId, defKey: ei.defKey, version: ei.version,
    retries, state: 'ACTIVATABLE', worker: '', deadline: -1, backoffUntil: 0, customHeaders: el.headers ?? {}, errorMessage: '', created: eng.now(),
  };
  eng.jobs.set(job.key, job);
  ei.jobKey = job.key;
  eng.touch(ei);
  eng.touch(job);
  eng.record(ei.piKey, 'JOB', 'CREATED', job.key, { elementId: ei.elementId, elementInstanceKey: ei.key, type, retries });
  addActivatable(eng, job);
}

export function addActivatable(eng: Engine, job: Job): void {
  let set = eng.activatable.get(job.type);
  if (!set) { set = new Set(); eng.activatable.set(job.type, set); }
  set.add(job.key);
  scheduleDispatch(eng);
}

export function deleteJob(eng: Engine, job: Job, intent: string): void {
  eng.jobs.delete(job.key);
  eng.activatable.get(job.type)?.delete(job.key);
  eng.remove(job);
  eng.record(job.piKey, 'JOB', intent, job.key, { elementId: job.elementId, elementInstanceKey: job.eiKey, type: job.type });
}

export function getJob(eng: Engine, key: string, cmd: string): Job {
  const job = eng.jobs.get(key);
  if (!job) throw new EngineError('NOT_FOUND', `Command '${cmd}' rejected with code 'NOT_FOUND': Expected to ${cmd.toLowerCase().replace('_', ' ')} job with key '${key}', but no such job was found`);
  return job;
}

export function requireActive(eng: Engine, job: Job, cmd: string): void {
  if (job.state !== 'ACTIVATABLE' && job.state !== 'ACTIVATED') {
    throw new EngineError('FAILED_PRECONDITION', `Command '${cmd}' rejected with code 'INVALID_STATE': Expected to ${cmd.toLowerCase().replace('_', ' ')} job with key '${job.key}', but it is in state '${job.state === 'FAILED' ? 'FAILED' : 'ERROR_THROWN'}'`);
  }
}

export function completeJob(eng: Engine, key: string, vars: Vars, result?: ListenerResult): void {
  const job = getJob(eng, key, 'COMPLETE');
  requireActive(eng, job, 'COMPLETE');
  if (job.listener) { completeListenerJob(eng, job, vars, result); return; }
  deleteJob(eng, job, 'COMPLETED');
  const ei = eng.eis.get(job.eiKey)!;
  ei.jobKey = undefined;
  completeElement(eng, ei, vars);
  runAgenda(eng);
}

export function failJob(eng: Engine, key: string, retries: number, errorMessage: string, backoffMs: number, vars: Vars): void {
  const job = getJob(eng, key, 'FAIL');
  requireActive(eng, job, 'FAIL');
  const ei = eng.eis.get(job.eiKey)!;
  if (Object.keys(vars).length) for (const [n, v] of Object.entries(vars)) setVar(eng, ei.key, ei.piKey, n, v);
  job.retries = retries;
  job.errorMessage = errorMessage;
  job.worker = '';
  job.deadline = -1;
  eng.activatable.get(job.type)?.delete(job.key);
  eng.record(job.piKey, 'JOB', 'FAILED', job.key, { elementId: job.elementId, elementInstanceKey: job.eiKey, retries, errorMessage });
  if (retries > 0) {
    if (backoffMs > 0) {
      job.state = 'FAILED';
      job.backoffUntil = eng.now() + backoffMs;
      eng.heap.push({ due: job.backoffUntil, kind: 'job', key: job.key });
      scheduleWake(eng);
    } else {
      job.state = 'ACTIVATABLE';
      addActivatable(eng, job);
    }
  } else {
    job.state = 'FAILED';
    job.backoffUntil = 0;
    raiseIncident(eng, ei, job.listener ? 'TASK_LISTENER_NO_RETRIES' : 'JOB_NO_RETRIES', errorMessage || 'No more retries left.', 'activate', job.key);
    job.incidentKey = ei.incidentKey;
  }
  eng.touch(job);
  runAgenda(eng);
}

export function throwError(eng: Engine, key: string, code: string, message: string, vars: Vars): void {
  const job = getJob(eng, key, 'THROW_ERROR');
  requireActive(eng, job, 'THROW_ERROR');
  const ei = eng.eis.get(job.eiKey)!;
  eng.record(job.piKey, 'JOB', 'ERROR_THROWN', job.key, { elementId: job.elementId, errorCode: code, errorMessage: message });
  eng.activatable.get(job.type)?.delete(job.key);
  job.state = 'ERROR_THROWN';
  job.errorMessage = message;
  eng.touch(job);
  const caught = throwErrorFrom(eng, ei, code, message, vars, 'activate', job.key);
  if (!caught) job.incidentKey = ei.incidentKey;
  runAgenda(eng);
}

export function updateJobRetries(eng: Engine, key: string, retries: number): void {
  const job = getJob(eng, key, 'UPDATE_RETRIES');
  if (retries < 1) throw new EngineError('INVALID_ARGUMENT', `Command 'UPDATE_RETRIES' rejected with code 'INVALID_ARGUMENT': Expected job's retries to be greater than zero, but it was '${retries}'`);
  job.retries = retries;
  eng.touch(job);
  eng.record(job.piKey, 'JOB', 'RETRIES_UPDATED', job.key, { retries });
}

export function updateJobTimeout(eng: Engine, key: string, timeoutMs: number): void {
  const job = getJob(eng, key, 'UPDATE_TIMEOUT');
  if (job.state !== 'ACTIVATED') throw new EngineError('FAILED_PRECONDITION', `Command 'UPDATE_TIMEOUT' rejected with code 'INVALID_STATE': Expected to update the timeout of job with key '${key}', but it is not active`);
  job.deadline = eng.now() + timeoutMs;
  eng.touch(job);
  eng.heap.push({ due: job.deadline, kind: 'job', key: job.key });
  eng.record(job.piKey, 'JOB', 'TIMEOUT_UPDATED', job.key, { deadline: new Date(job.deadline).toISOString() });
  scheduleWake(eng);
}

export function activateJobs(eng: Engine, type: string, worker: string, timeout: number, max: number, fetchVariable: string[]): ActivatedJob[] {
  const set = eng.activatable.get(type);
  const out: ActivatedJob[] = [];
  if (!set || !set.size) return out;
  for (const key of set) {
    if (out.length >= max) break;
    const job = eng.jobs.get(key);
    set.delete(key);
    if (!job || job.state !== 'ACTIVATABLE') continue;
    out.push(activateJob(eng, job, worker, timeout, fetchVariable));
  }
  return out;
}

export function activateJob(eng: Engine, job: Job, worker: string, timeout: number, fetchVariable: string[]): ActivatedJob {
  job.state = 'ACTIVATED';
  job.worker = worker;
  job.deadline = eng.now() + timeout;
  eng.touch(job);
  eng.heap.push({ due: job.deadline, kind: 'job', key: job.key });
  scheduleWake(eng);
  eng.record(job.piKey, 'JOB', 'ACTIVATED', job.key, { elementId: job.elementId, worker });
  let vars = visibleVars(eng, job.eiKey);
  // a completing listener sees the completion's variables over the scope's (Zeebe 8.8: camunda/camunda#23703, #24101);
  // a creating listener the scope's, as any job of the element
  const completing = job.listener?.eventType === 'COMPLETING' ? eng.userTasks.get(job.listener.utKey)?.completing : undefined;
  if (completing) vars = { ...vars, ...completing.vars };
  if (fetchVariable.length) vars = Object.fromEntries(fetchVariable.filter((n) => n in vars).map((n) => [n, vars[n]]));
  return {
    key: job.key, type: job.type, processInstanceKey: job.piKey, bpmnProcessId: job.bpmnProcessId, processDefinitionVersion: job.version, processDefinitionKey: job.defKey,
    elementId: job.elementId, elementInstanceKey: job.eiKey, customHeaders: JSON.stringify(job.customHeaders), worker, retries: job.retries,
    deadline: String(job.deadline), variables: JSON.stringify(vars), tenantId: '<default>',
    kind: job.listener ? 'TASK_LISTENER' : 'BPMN_ELEMENT', listenerEventType: job.listener ? job.listener.eventType : 'UNSPECIFIED',
  };
}

export function yieldJob(eng: Engine, key: string): void {
  const job = eng.jobs.get(key);
  if (!job || job.state !== 'ACTIVATED') return;
  job.state = 'ACTIVATABLE'; job.worker = ''; job.deadline = -1;
  eng.touch(job);
  eng.record(job.piKey, 'JOB', 'YIELDED', job.key, {});
  addActivatable(eng, job);
}

export function addConsumer(eng: Engine, c: JobConsumer): () => void {
  let list = eng.consumers.get(c.type);
  if (!list) { list = []; eng.consumers.set(c.type, list); }
  list.push(c);
  scheduleDispatch(eng);
  return () => {
    const l = eng.consumers.get(c.type);
    if (l) { const i = l.indexOf(c); if (i >= 0) l.splice(i, 1); }
  };
}

export function scheduleDispatch(eng: Engine): void {
  if (eng.dispatchScheduled || eng.stopped) return;
  eng.dispatchScheduled = true;
  setImmediate(() => {
    eng.dispatchScheduled = false;
    try { dispatch(eng); } catch (e) { console.error('engine: job dispatch failed:', e); }
  });
}

export function dispatch(eng: Engine): void {
  for (const [type, list] of eng.consumers) {
    const set = eng.activatable.get(type);
    if (!set || !set.size || !list.length) continue;
    const streams = list.filter((c) => c.stream);
    const polls = list.filter((c) => !c.stream);
    if (streams.length) {
      let i = 0;
      for (const key of [...set]) {
        const c = streams[i++ % streams.length];
        const job = eng.jobs.get(key);
        set.delete(key);
        if (!job || job.state !== 'ACTIVATABLE') continue;
        const aj = activateJob(eng, job, c.worker, c.timeout, c.fetchVariable);
        eng.commit().then(() => { if (!c.deliver([aj])) yieldJob(eng, aj.key); });
      }
    }
    for (const c of polls) {
      if (!set.size) break;
      const jobs = activateJobs(eng, type, c.worker, c.timeout, c.max, c.fetchVariable);
      if (jobs.length) {
        const i = list.indexOf(c); if (i >= 0) list.splice(i, 1);
        eng.commit().then(() => { if (!c.deliver(jobs)) for (const j of jobs) yieldJob(eng, j.key); });
      }
    }
  }
}
