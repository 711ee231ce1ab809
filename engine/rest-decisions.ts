// REST: DMN decisions (Camunda 8.9): evaluation, the decision definition search, one definition and its XML,
// the decision instance search and one decision instance.
import { decisionDefinitionJson, decisionInstanceJson } from './decisions';
import { EngineError } from './entities';
import type { EngineApi } from './query';
import { search } from './rest';
import { Raw, Routes } from './rest-http';

type Obj = Record<string, unknown>;

function objectBody(b: unknown): Obj {
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new EngineError('INVALID_ARGUMENT', 'Expected a JSON object as request body');
  return b as Obj;
}

export function registerDecisions(app: Routes, engine: EngineApi): void {
  app.post('/v2/decision-definitions/evaluation', (req) => {
    const b = objectBody(req.body);
    const id = b.decisionDefinitionId, key = b.decisionDefinitionKey;
    if ((id === undefined) === (key === undefined)) throw new EngineError('INVALID_ARGUMENT', "Expected exactly one of 'decisionDefinitionId' and 'decisionDefinitionKey'");
    if (id !== undefined && (typeof id !== 'string' || !id)) throw new EngineError('INVALID_ARGUMENT', "The field 'decisionDefinitionId' must be a non-empty string");
    if (key !== undefined && !/^\d+$/.test(String(key))) throw new EngineError('INVALID_ARGUMENT', "The field 'decisionDefinitionKey' must be a key (digits)");
    const v = b.variables ?? {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new EngineError('INVALID_ARGUMENT', "The field 'variables' must be a JSON object");
    return engine.evaluateDecision({ decisionDefinitionId: id as string | undefined, decisionDefinitionKey: key === undefined ? undefined : String(key) }, v as Obj);
  });
  const live = () => [...engine.decisions.values()].filter((d) => !d.deleted);
  app.post('/v2/decision-definitions/search', (req) => search(live().map(decisionDefinitionJson), objectBody(req.body ?? {})));
  const one = (key: string) => {
    const d = engine.decisions.get(key);
    if (!d || d.deleted) throw new EngineError('NOT_FOUND', `Decision definition with key '${key}' not found`);
    return d;
  };
  app.get('/v2/decision-definitions/:key', (req) => decisionDefinitionJson(one(String(req.params.key))));
  // decision instances: every decision an evaluation ran (REST, gRPC, business rule tasks), most recent kept
  app.post('/v2/decision-instances/search', (req) => search([...engine.decisionInstances.values()].map((d) => decisionInstanceJson(d, false)), objectBody(req.body ?? {})));
  app.get('/v2/decision-instances/:key', (req) => {
    const d = engine.decisionInstances.get(String(req.params.key));
    if (!d) throw new EngineError('NOT_FOUND', `Decision instance with key '${req.params.key}' not found`);
    return decisionInstanceJson(d, true);
  });
  app.get('/v2/decision-definitions/:key/xml', (req) => new Raw('text/xml; charset=utf-8', one(String(req.params.key)).xml));
}
