// Decision instances (Camunda 8.9 REST): POST /v2/decision-instances/search and GET /v2/decision-instances/{key},
// fed by the REST evaluation and by business rule tasks (pricing.dmn, business-rule.bpmn).
import { expect } from 'chai';
import { Ctx, http, readFixture, setup, waitFor, waitState } from '../helpers';
import { sdkRest } from './clients';

describe('engine: decision instances (REST search and get)', function () {
  let ctx: Ctx;
  before(async () => {
    ctx = await setup();
    await sdkRest(ctx).deployResources([
      { name: 'pricing.dmn', content: readFixture('pricing.dmn') },
      { name: 'business-rule.bpmn', content: readFixture('business-rule.bpmn') },
    ]);
  });
  after(async () => ctx?.stop());
  const searchDi = async (filter: Record<string, unknown>) => {
    const r = await http(ctx, 'POST', '/v2/decision-instances/search', { filter });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body.items as any[];
  };

  it('a REST evaluation is one decision instance per evaluated decision; GET adds its inputs and matched rules', async () => {
    const ev = (
      await http(ctx, 'POST', '/v2/decision-definitions/evaluation', {
        decisionDefinitionId: 'conf-discount',
        variables: { customerType: 'gold', orderTotal: 1200 },
      })
    ).body;
    const items = await searchDi({ decisionEvaluationKey: ev.decisionEvaluationKey });
    expect(items).to.have.length(1);
    expect(items[0]).to.include({
      state: 'EVALUATED',
      decisionDefinitionId: 'conf-discount',
      decisionDefinitionKey: ev.decisionDefinitionKey,
      decisionDefinitionVersion: 1,
      decisionDefinitionType: 'DECISION_TABLE',
      result: '0.15',
      processInstanceKey: null,
      evaluationFailure: null,
      tenantId: '<default>',
    });
    expect(items[0].decisionEvaluationInstanceKey).to.equal(ev.evaluatedDecisions[0].decisionEvaluationInstanceKey);
    expect(items[0]).to.not.have.property('matchedRules');
    const one = await http(ctx, 'GET', `/v2/decision-instances/${items[0].decisionEvaluationInstanceKey}`);
    expect(one.status).to.equal(200);
    expect(one.body.evaluatedInputs.map((i: any) => i.inputValue)).to.include.members(['"gold"', '1200']);
    expect(one.body.matchedRules).to.have.length(1);
    expect((await http(ctx, 'GET', '/v2/decision-instances/2251799813999995-1')).status).to.equal(404);
  });

  it('business rule tasks: the instances name the process instance and element; a failed evaluation is FAILED with its message', async () => {
    const ok = (
      await http(ctx, 'POST', '/v2/process-instances', {
        processDefinitionId: 'conf-business-rule',
        variables: { rule: 'conf-price', customerType: 'gold', orderTotal: 2000 },
      })
    ).body;
    await waitState(ctx, ok.processInstanceKey, 'COMPLETED');
    const items = await searchDi({ processInstanceKey: ok.processInstanceKey });
    expect(items.length).to.be.greaterThan(1); // conf-price and the decisions it requires
    expect(new Set(items.map((i) => i.state))).to.deep.equal(new Set(['EVALUATED']));
    expect(new Set(items.map((i) => i.rootDecisionDefinitionKey)).size).to.equal(1);
    const price = items.find((i) => i.decisionDefinitionId === 'conf-price');
    expect(price.result).to.equal('1700');
    expect(price.elementInstanceKey).to.be.a('string');
    expect(price.processDefinitionKey).to.equal(ok.processDefinitionKey);
    const bad = (
      await http(ctx, 'POST', '/v2/process-instances', {
        processDefinitionId: 'conf-business-rule',
        variables: { rule: 'conf-any', z: 200 },
      })
    ).body;
    const failed = await waitFor(
      async () => (await searchDi({ processInstanceKey: bad.processInstanceKey, state: 'FAILED' }))[0],
      'the failed decision instance',
    );
    expect(failed.decisionDefinitionId).to.equal('conf-any');
    expect(failed.evaluationFailure).to.be.a('string').and.not.equal('');
  });
});
