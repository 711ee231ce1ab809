// Decision instances (Camunda 8.9's POST /v2/decision-instances/search, GET /v2/decision-instances/{key}):
// one per decision evaluated in an evaluation (the requested decision and the decisions it required), from
// the REST / gRPC evaluation and from business rule tasks. Kept in memory, the most recent
// MAX_DECISION_INSTANCES: Camunda serves them from secondary storage, this engine is for development.
import type { Engine } from './core';
import type { DecisionResult } from './decisions';
import type { DecisionInstance, EI } from './entities';

/** enough for the evaluations of a development session; older ones are dropped, oldest first */
export const MAX_DECISION_INSTANCES = 5_000;

export function recordDecisionInstances(eng: Engine, r: DecisionResult, ei?: EI): void {
  const byId = (id: string) => [...eng.decisions.values()].find((d) => d.drgKey === r.def.drgKey && d.decisionId === id) ?? r.def;
  const base = {
    evaluationDate: new Date(eng.now()).toISOString(), tenantId: '<default>', decisionEvaluationKey: r.key, rootDecisionDefinitionKey: r.def.key,
    processDefinitionKey: ei?.defKey ?? null, processInstanceKey: ei?.piKey ?? null, elementInstanceKey: ei?.key ?? null,
  };
  const evaluated = r.evaluated.length || !r.failure ? r.evaluated : [{ decisionId: r.failure.decisionId, decisionName: r.def.name, decisionType: 'DECISION_TABLE' as const, output: null, evaluatedInputs: [], matchedRules: [] }];
  evaluated.forEach((e, i) => {
    const d = byId(e.decisionId);
    const failed = !!r.failure && r.failure.decisionId === e.decisionId;
    const di: DecisionInstance = {
      decisionEvaluationInstanceKey: `${r.key}-${i + 1}`, state: failed ? 'FAILED' : 'EVALUATED', evaluationFailure: failed ? r.failure!.message : null, ...base,
      decisionDefinitionId: e.decisionId, decisionDefinitionName: e.decisionName, decisionDefinitionVersion: d.version, decisionDefinitionType: e.decisionType,
      result: JSON.stringify(failed ? null : (e.output ?? null)), decisionDefinitionKey: d.key,
      evaluatedInputs: e.evaluatedInputs.map((x) => ({ inputId: x.inputId, inputName: x.inputName, inputValue: JSON.stringify(x.inputValue ?? null) })),
      matchedRules: e.matchedRules.map((m) => ({ ruleId: m.ruleId, ruleIndex: m.ruleIndex, evaluatedOutputs: m.evaluatedOutputs.map((o) => ({ outputId: o.outputId, outputName: o.outputName, outputValue: JSON.stringify(o.outputValue ?? null) })) })),
    };
    eng.decisionInstances.set(di.decisionEvaluationInstanceKey, di);
  });
  while (eng.decisionInstances.size > MAX_DECISION_INSTANCES) eng.decisionInstances.delete(eng.decisionInstances.keys().next().value!);
}

/** the search result shape: everything but the inputs and rules, which only GET answers */
export function decisionInstanceSummary(di: DecisionInstance): Record<string, unknown> {
  const { evaluatedInputs: _i, matchedRules: _r, ...rest } = di;
  return rest;
}
