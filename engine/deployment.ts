// Deployments (BPMN and forms, versions, duplicate detection), resource deletion, and the parsed models by definition key.
import type { Engine } from './core';
import { El, Model, parseBpmn, ValidationError } from './model';
import { createHash } from 'node:crypto';
import { DecisionDef, Deployed, EI, EngineError, FormDef, ProcDef } from './entities';
import { parseDmn, Drg } from './dmn';
import { addDecisions, decisionsDuplicate } from './decisions';
import { deleteTimer, openStartTimer } from './events';
import { runAgenda } from './flow';
import { correlateBufferedToStart } from './messages';

export async function deploy(eng: Engine, resources: { name: string; content: Buffer }[]): Promise<Deployed> {
  if (!resources.length) throw new EngineError('INVALID_ARGUMENT', 'Expected to deploy at least one resource, but none given');
  const errors: string[] = [];
  const bpmn: { name: string; xml: string; models: Model[] }[] = [];
  const forms: { name: string; id: string; schema: string; versionTag?: string }[] = [];
  const dmn: { name: string; xml: string; drg: Drg }[] = [];
  for (const r of resources) {
    const text = r.content.toString('utf8');
    if (/\.(bpmn|xml)$/i.test(r.name)) {
      try {
        bpmn.push({ name: r.name, xml: text, models: await parseBpmn(text) });
      } catch (e) {
        errors.push(`'${r.name}': ${e instanceof ValidationError ? e.message : (e as Error).message}`);
      }
    } else if (/\.form$/i.test(r.name)) {
      try {
        const j = JSON.parse(text);
        if (!j || typeof j !== 'object' || typeof j.id !== 'string' || !j.id) throw new Error("Expected the form to have a string property 'id'");
        forms.push({ name: r.name, id: j.id, schema: text, versionTag: typeof j.versionTag === 'string' && j.versionTag ? j.versionTag : undefined });
      } catch (e) {
        errors.push(`'${r.name}': Failed to parse the form: ${(e as Error).message}`);
      }
    } else if (/\.dmn$/i.test(r.name)) {
      try {
        dmn.push({ name: r.name, xml: text, drg: await parseDmn(text) });
      } catch (e) {
        errors.push(`'${r.name}': ${(e as Error).message}`);
      }
    } else {
      errors.push(`'${r.name}': Expected the resource to be a BPMN (.bpmn), DMN (.dmn) or form (.form) file`);
    }
  }
  const ids = new Set<string>();
  for (const b of bpmn) for (const m of b.models) {
    if (ids.has(m.processId)) errors.push(`Duplicated process id in resources '${m.processId}'`);
    ids.add(m.processId);
  }
  const decisionIds = new Set<string>();
  for (const d of dmn) for (const id of d.drg.decisions.keys()) {
    if (decisionIds.has(id)) errors.push(`Duplicated decision id in resources '${id}'`);
    decisionIds.add(id);
  }
  if (errors.length) throw new EngineError('INVALID_ARGUMENT', `Command 'CREATE' rejected with code 'INVALID_ARGUMENT': Expected to deploy new resources, but encountered the following errors:\n${errors.join('\n')}`);
  // As Zeebe: a resource is a duplicate when its latest version has the same resource name and content;
  // when any resource of a deployment is new or changed, every resource of it gets a new version (8.6+).
  const sum = (t: string) => createHash('sha256').update(t).digest('hex');
  const allDuplicates =
    forms.every((f) => { const l = latestForm(eng, f.id); return !!l && l.checksum === sum(f.schema) && l.resourceName === f.name; }) &&
    bpmn.every((b) => b.models.every((m) => { const l = latestDef(eng, m.processId); return !!l && l.checksum === sum(b.xml) && l.resourceName === b.name; })) &&
    dmn.every((d) => decisionsDuplicate(eng, d.name, sum(d.xml), d.drg));
  const deploymentKey = eng.newKey();
  const outP: ProcDef[] = [];
  const outF: FormDef[] = [];
  for (const f of forms) {
    const checksum = sum(f.schema);
    const latest = latestForm(eng, f.id);
    if (allDuplicates && latest) { outF.push(latest); continue; }
    const fd: FormDef = { kind: 'form', key: eng.newKey(), formId: f.id, version: maxVersion(eng, eng.forms, (x) => x.formId === f.id) + 1, resourceName: f.name, checksum, schema: f.schema, deploymentKey, versionTag: f.versionTag };
    eng.forms.set(fd.key, fd);
    eng.touch(fd);
    outF.push(fd);
  }
  for (const b of bpmn) {
    const checksum = sum(b.xml);
    for (const m of b.models) {
      const latest = latestDef(eng, m.processId);
      if (allDuplicates && latest) { outP.push(latest); continue; }
      const pd: ProcDef = { kind: 'def', key: eng.newKey(), bpmnProcessId: m.processId, version: maxVersion(eng, eng.defs, (x) => x.bpmnProcessId === m.processId) + 1, resourceName: b.name, checksum, xml: b.xml, deploymentKey, name: m.name, versionTag: m.versionTag };
      eng.defs.set(pd.key, pd);
      eng.models.set(pd.key, m);
      eng.touch(pd);
      outP.push(pd);
      // timer start events: cancel those of the previous version, open the new ones
      if (latest) for (const t of [...eng.timers.values()]) if (t.role === 'start' && t.defKey === latest.key) deleteTimer(eng, t);
      for (const ts of m.timerStarts) openStartTimer(eng, pd, ts);
      // buffered messages may start the new version
      for (const ms of m.messageStarts) correlateBufferedToStart(eng, pd, ms);
    }
  }
  const outD: DecisionDef[] = [];
  for (const d of dmn) outD.push(...addDecisions(eng, d.name, d.xml, sum(d.xml), d.drg, deploymentKey, allDuplicates));
  runAgenda(eng);
  return { key: deploymentKey, processes: outP, forms: outF, decisions: outD };
}

export function latestDef(eng: Engine, bpmnProcessId: string | undefined): ProcDef | undefined {
  let best: ProcDef | undefined;
  for (const d of eng.defs.values()) if (!d.deleted && d.bpmnProcessId === bpmnProcessId && (!best || d.version > best.version)) best = d;
  return best;
}

export function latestForm(eng: Engine, formId: string | undefined): FormDef | undefined {
  let best: FormDef | undefined;
  for (const d of eng.forms.values()) if (!d.deleted && d.formId === formId && (!best || d.version > best.version)) best = d;
  return best;
}

export function maxVersion<T extends { version: number }>(eng: Engine, m: Map<string, T>, same: (x: T) => boolean): number {
  let v = 0;
  for (const x of m.values()) if (same(x) && x.version > v) v = x.version;
  return v;
}

export function deleteResource(eng: Engine, key: string): void {
  const d = eng.defs.get(key);
  if (d && !d.deleted) {
    const wasLatest = latestDef(eng, d.bpmnProcessId) === d;
    d.deleted = true;
    eng.touch(d);
    for (const t of [...eng.timers.values()]) if (t.role === 'start' && t.defKey === d.key) deleteTimer(eng, t);
    const now = wasLatest ? latestDef(eng, d.bpmnProcessId) : undefined;
    if (now) for (const ts of modelOf(eng, now.key).timerStarts) openStartTimer(eng, now, ts);
    runAgenda(eng);
    return;
  }
  const f = eng.forms.get(key);
  if (f && !f.deleted) { f.deleted = true; eng.touch(f); return; }
  // a decision requirements graph (the DMN resource) deletes its decisions, as Camunda 8.9 does
  const decs = [...eng.decisions.values()].filter((x) => x.drgKey === key && !x.deleted);
  if (decs.length) { for (const x of decs) { x.deleted = true; eng.touch(x); } return; }
  throw new EngineError('NOT_FOUND', `Command 'DELETE' rejected with code 'NOT_FOUND': Expected to delete resource but no resource found with key \`${key}\``);
}

export function modelOf(eng: Engine, defKey: string): Model { return eng.models.get(defKey)!; }

export function elementOf(eng: Engine, ei: EI): El { return modelOf(eng, ei.defKey).elements.get(ei.elementId)!; }
