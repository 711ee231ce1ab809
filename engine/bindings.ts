// Versioned bindings (Camunda 8.6+) of call activities, user task forms and business rule tasks:
// `latest` (the newest version), `deployment` (the version deployed together with the calling process)
// and `versionTag` (the newest version carrying that zeebe:versionTag).
import type { Engine } from './core';
import { DecisionDef, EI, FormDef, ProcDef } from './entities';

export type BindingType = 'latest' | 'deployment' | 'versionTag';
export interface Binding { type: BindingType; versionTag?: string }
export const BINDING_TYPES: ReadonlySet<string> = new Set(['latest', 'deployment', 'versionTag']);

type Versioned = { version: number; deploymentKey: string; versionTag?: string; deleted?: boolean };

function pick<T extends Versioned>(all: Iterable<T>, same: (x: T) => boolean, b: Binding | undefined, deploymentKey: string): T | undefined {
  let best: T | undefined;
  for (const x of all) {
    if (x.deleted || !same(x)) continue;
    if (b?.type === 'deployment' && x.deploymentKey !== deploymentKey) continue;
    if (b?.type === 'versionTag' && x.versionTag !== b.versionTag) continue;
    if (!best || x.version > best.version) best = x;
  }
  return best;
}

const callerDeployment = (eng: Engine, ei: EI) => eng.defs.get(ei.defKey)?.deploymentKey ?? '';

export const boundProcess = (eng: Engine, ei: EI, id: string, b?: Binding): ProcDef | undefined => pick(eng.defs.values(), (d) => d.bpmnProcessId === id, b, callerDeployment(eng, ei));
export const boundForm = (eng: Engine, ei: EI, id: string, b?: Binding): FormDef | undefined => pick(eng.forms.values(), (f) => f.formId === id, b, callerDeployment(eng, ei));
export const boundDecision = (eng: Engine, ei: EI, id: string, b?: Binding): DecisionDef | undefined => pick(eng.decisions.values(), (d) => d.decisionId === id, b, callerDeployment(eng, ei));

/** how a failed lookup reads in an incident: " with binding type 'deployment'" */
export function bindingText(b?: Binding): string {
  if (!b || b.type === 'latest') return '';
  return b.type === 'versionTag' ? ` with version tag '${b.versionTag}'` : ' in the same deployment';
}

/** read `bindingType` / `versionTag` of a zeebe extension element; problems go to `bad` */
export function readBinding(ext: { bindingType?: string; versionTag?: string }, bad: (m: string) => void): Binding | undefined {
  if (!ext.bindingType || ext.bindingType === 'latest') return undefined;
  if (!BINDING_TYPES.has(ext.bindingType)) { bad(`Binding type '${ext.bindingType}' is not one of latest, deployment, versionTag`); return undefined; }
  if (ext.bindingType === 'versionTag' && !ext.versionTag) { bad("Binding type 'versionTag' needs a versionTag"); return undefined; }
  return { type: ext.bindingType as BindingType, versionTag: ext.versionTag };
}
