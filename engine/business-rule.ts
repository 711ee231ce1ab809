// Business rule tasks with zeebe:calledDecision: the decision (by its binding: latest, deployment, versionTag) is evaluated with the task's
// variables when the task activates, its output set as the result variable, and the task completes at once
// (as Zeebe does); a missing decision or a failed evaluation raises an incident that a resolution retries.
import type { Engine } from './core';
import type { El } from './model';
import { EI } from './entities';
import { evaluateDeployed } from './decisions';
import { bindingText, boundDecision } from './bindings';
import { openBoundaries } from './events';
import { feelType } from './feel';
import { completeElement } from './flow';
import { evalOrIncident, raiseIncident } from './incidents';
import { feelValue, visibleVars } from './variables';

export function activateDecisionTask(eng: Engine, ei: EI, el: El): void {
  const cd = el.calledDecision!;
  const id = evalOrIncident(eng, ei, 'activate', 'Failed to evaluate the decision id', () => {
    const v = feelValue(eng, cd.decisionId, ei.key);
    if (typeof v !== 'string' || !v) throw new Error(`Expected result of the expression '${cd.decisionId}' to be 'STRING', but was '${feelType(v)}'`);
    return v;
  });
  if (!id.ok) return;
  const def = boundDecision(eng, ei, id.v, cd.binding);
  if (!def) { raiseIncident(eng, ei, 'CALLED_DECISION_ERROR', `Expected to evaluate decision '${id.v}'${bindingText(cd.binding)}, but no decision found for id '${id.v}'`, 'activate'); return; }
  const r = evaluateDeployed(eng, def, visibleVars(eng, ei.key), ei);
  if (r.failure) { raiseIncident(eng, ei, 'DECISION_EVALUATION_ERROR', r.failure.message, 'activate'); return; }
  if (!openBoundaries(eng, ei, el)) return;
  ei.state = 'ACTIVE';
  eng.recordEl(ei, 'ELEMENT_ACTIVATED');
  eng.record(ei.piKey, 'DECISION_EVALUATION', 'EVALUATED', r.key, { elementId: ei.elementId, decisionId: def.decisionId, decisionKey: def.key, decisionOutput: JSON.stringify(r.output ?? null) });
  completeElement(eng, ei, { [cd.resultVariable]: r.output ?? null });
}
