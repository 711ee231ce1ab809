// Deployed DMN decisions: versions per decision id (a DMN resource is one decision requirements graph),
// the latest or a given version, and evaluation (the API's EvaluateDecision and business rule tasks).
import type { Engine } from './core';
import type { Drg } from './dmn';
import { DecisionError, evaluateDecision, EvaluatedDecision } from './dmn-eval';
import { DecisionDef, DecisionInstance, EI, EngineError, Vars } from './entities';

export function latestDecision(eng: Engine, decisionId: string): DecisionDef | undefined {
  let best: DecisionDef | undefined;
  for (const d of eng.decisions.values()) if (!d.deleted && d.decisionId === decisionId && (!best || d.version > best.version)) best = d;
  return best;
}

/** unchanged: every decision of the resource has its latest version from the same resource name and content */
export function decisionsDuplicate(eng: Engine, name: string, checksum: string, drg: Drg): boolean {
  return [...drg.decisions.keys()].every((id) => { const l = latestDecision(eng, id); return !!l && l.checksum === checksum && l.resourceName === name; });
}

export function addDecisions(eng: Engine, name: string, xml: string, checksum: string, drg: Drg, deploymentKey: string, duplicate: boolean): DecisionDef[] {
  if (duplicate) return [...drg.decisions.keys()].map((id) => latestDecision(eng, id)!);
  const drgKey = eng.newKey();
  let drgVersion = 1;
  for (const d of eng.decisions.values()) if (d.drgId === drg.id && d.drgVersion >= drgVersion) drgVersion = d.drgVersion + 1;
  eng.drgs.set(drgKey, drg);
  const out: DecisionDef[] = [];
  for (const dec of drg.decisions.values()) {
    let version = 1;
    for (const d of eng.decisions.values()) if (d.decisionId === dec.id && d.version >= version) version = d.version + 1;
    const dd: DecisionDef = { kind: 'dec', key: eng.newKey(), decisionId: dec.id, name: dec.name, version, versionTag: dec.versionTag, drgId: drg.id, drgName: drg.name, drgKey, drgVersion, resourceName: name, checksum, xml, deploymentKey };
    eng.decisions.set(dd.key, dd);
    eng.touch(dd);
    out.push(dd);
  }
  return out;
}

export interface DecisionResult { def: DecisionDef; output: unknown; evaluated: EvaluatedDecision[]; failure?: { decisionId: string; message: string }; key: string }

/**
 * Evaluate a deployed decision; a failure is part of the result (the API answers it, a business rule task
 * raises an incident). Each decision it evaluated (and the one that failed) is kept as a decision instance.
 */
export function evaluateDeployed(eng: Engine, def: DecisionDef, vars: Vars, from?: EI): DecisionResult {
  const drg = eng.drgs.get(def.drgKey)!;
  const key = eng.newKey();
  let r: DecisionResult;
  try {
    const out = evaluateDecision(drg, def.decisionId, vars, eng.now(), eng.timeZone);
    r = { def, output: out.output, evaluated: out.evaluated, key };
  } catch (e) {
    if (e instanceof DecisionError) r = { def, output: null, evaluated: e.evaluated, failure: { decisionId: e.decisionId, message: e.message }, key };
    else r = { def, output: null, evaluated: [], failure: { decisionId: def.decisionId, message: (e as Error).message }, key };
  }
  keepInstances(eng, r, from);
  return r;
}

/** Camunda keeps decision instances in its secondary storage; the local engine keeps the most recent ones */
export const MAX_DECISION_INSTANCES = 5000;

function keepInstances(eng: Engine, r: DecisionResult, from: EI | undefined): void {
  const at = eng.now();
  const base = (d: DecisionDef | undefined, decisionId: string, name: string, type: string) => ({
    decisionDefinitionId: decisionId, decisionDefinitionKey: d?.key ?? '', decisionDefinitionName: name, decisionDefinitionVersion: d?.version ?? 0,
    decisionDefinitionType: type, decisionRequirementsKey: r.def.drgKey, rootDecisionDefinitionKey: r.def.key, decisionEvaluationKey: r.key,
    evaluationDate: new Date(at).toISOString(), tenantId: '<default>',
    // a direct evaluation (REST, gRPC) belongs to no process: the keys are null, as Camunda answers them
    processInstanceKey: from?.piKey ?? null, processDefinitionKey: from?.defKey ?? null, elementInstanceKey: from?.key ?? null,
    evaluationFailure: null as string | null,
  });
  const byId = (id: string) => [...eng.decisions.values()].find((d) => d.drgKey === r.def.drgKey && d.decisionId === id);
  const rows: Record<string, unknown>[] = r.evaluated.map((e) => ({
    ...base(byId(e.decisionId), e.decisionId, e.decisionName, e.decisionType), state: 'EVALUATED', result: JSON.stringify(e.output ?? null),
    evaluatedInputs: e.evaluatedInputs.map((x) => ({ inputId: x.inputId, inputName: x.inputName, inputValue: JSON.stringify(x.inputValue ?? null) })),
    matchedRules: e.matchedRules.map((m) => ({ ruleId: m.ruleId, ruleIndex: m.ruleIndex, evaluatedOutputs: m.evaluatedOutputs.map((o) => ({ outputId: o.outputId, outputName: o.outputName, outputValue: JSON.stringify(o.outputValue ?? null) })) })),
  }));
  if (r.failure && !r.evaluated.some((e) => e.decisionId === r.failure!.decisionId)) {
    const d = byId(r.failure.decisionId);
    rows.push({ ...base(d, r.failure.decisionId, d?.name ?? r.failure.decisionId, 'UNSPECIFIED'), state: 'FAILED', evaluationFailure: r.failure.message, result: 'null', evaluatedInputs: [], matchedRules: [] });
  }
  rows.forEach((json, i) => {
    const di: DecisionInstance = { kind: 'di', key: `${r.key}-${i + 1}`, evaluationDate: at, piKey: from?.piKey, json: { ...json, decisionEvaluationInstanceKey: `${r.key}-${i + 1}` } };
    eng.decisionInstances.set(di.key, di);
    eng.touch(di);
  });
  for (const old of eng.decisionInstances.values()) {
    if (eng.decisionInstances.size <= MAX_DECISION_INSTANCES) break;
    eng.decisionInstances.delete(old.key);
    eng.remove(old);
  }
}

/** a decision instance as the REST API answers it: searches without, the single GET with inputs and rules */
export function decisionInstanceJson(di: Readonly<DecisionInstance>, detail: boolean): Record<string, unknown> {
  if (detail) return di.json;
  const { evaluatedInputs: _i, matchedRules: _m, ...summary } = di.json;
  return summary;
}

/** the decision named by a client: by key, or by id (latest version) */
export function decisionFor(eng: Engine, ref: { decisionDefinitionKey?: string; decisionDefinitionId?: string }): DecisionDef {
  const def = ref.decisionDefinitionKey ? eng.decisions.get(ref.decisionDefinitionKey) : ref.decisionDefinitionId ? latestDecision(eng, ref.decisionDefinitionId) : undefined;
  if (!def || def.deleted) {
    const what = ref.decisionDefinitionKey ? `key '${ref.decisionDefinitionKey}'` : `id '${ref.decisionDefinitionId}'`;
    throw new EngineError('NOT_FOUND', `Command 'EVALUATE' rejected with code 'NOT_FOUND': Expected to evaluate decision with ${what}, but no decision found`);
  }
  return def;
}

/** the Camunda 8.9 shape of an evaluation (REST EvaluateDecisionResult; gRPC uses the same fields under its own names) */
export function evaluationJson(eng: Engine, r: DecisionResult): Record<string, unknown> {
  const byId = (id: string) => [...eng.decisions.values()].find((d) => d.drgKey === r.def.drgKey && d.decisionId === id)!;
  return {
    decisionDefinitionId: r.def.decisionId, decisionDefinitionName: r.def.name, decisionDefinitionVersion: r.def.version,
    decisionRequirementsId: r.def.drgId, output: JSON.stringify(r.output ?? null),
    failedDecisionDefinitionId: r.failure?.decisionId ?? '', failureMessage: r.failure?.message ?? '', tenantId: '<default>',
    decisionDefinitionKey: r.def.key, decisionRequirementsKey: r.def.drgKey, decisionInstanceKey: r.key, decisionEvaluationKey: r.key,
    evaluatedDecisions: r.evaluated.map((e, i) => {
      const d = byId(e.decisionId);
      return {
        decisionDefinitionId: e.decisionId, decisionDefinitionName: e.decisionName, decisionDefinitionVersion: d.version, decisionDefinitionType: e.decisionType,
        output: JSON.stringify(e.output ?? null), tenantId: '<default>', decisionDefinitionKey: d.key, decisionEvaluationInstanceKey: `${r.key}-${i + 1}`,
        matchedRules: e.matchedRules.map((m) => ({ ruleId: m.ruleId, ruleIndex: m.ruleIndex, evaluatedOutputs: m.evaluatedOutputs.map((o) => ({ outputId: o.outputId, outputName: o.outputName, outputValue: JSON.stringify(o.outputValue ?? null) })) })),
        evaluatedInputs: e.evaluatedInputs.map((x) => ({ inputId: x.inputId, inputName: x.inputName, inputValue: JSON.stringify(x.inputValue ?? null) })),
      };
    }),
  };
}

export function decisionDefinitionJson(d: DecisionDef): Record<string, unknown> {
  return { decisionDefinitionId: d.decisionId, name: d.name, version: d.version, decisionRequirementsId: d.drgId, tenantId: '<default>', decisionDefinitionKey: d.key, decisionRequirementsKey: d.drgKey };
}
