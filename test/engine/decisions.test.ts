// DMN decisions: deployment over REST (multipart, as Modeler) and gRPC, evaluation through both clients
// (hit policies, COLLECT aggregation, literal expressions with required decisions), business rule tasks
// with zeebe:calledDecision, and an evaluation failure as an incident.
import { expect } from 'chai';
import { Ctx, http, incidents, readFixture, setup, variables, waitFor, waitState } from './helpers';
import { RestClient, sdkRest } from './rest/clients';

describe('engine conformance: DMN decisions and business rule tasks', function () {
  let ctx: Ctx;
  let rest: RestClient;
  let deployment: any;
  before(async () => {
    ctx = await setup();
    rest = sdkRest(ctx);
    deployment = await rest.deployResources([
      { name: 'pricing.dmn', content: readFixture('pricing.dmn') },
      { name: 'business-rule.bpmn', content: readFixture('business-rule.bpmn') },
    ]);
  });
  after(async () => ctx?.stop());

  const evalRest = async (decisionDefinitionId: string, vars: Record<string, unknown>) => {
    const r = await http(ctx, 'POST', '/v2/decision-definitions/evaluation', { decisionDefinitionId, variables: vars });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body;
  };

  it('deploys a DMN resource over REST: one decision definition per decision and the requirements graph', async () => {
    const decisions = deployment.deployments.filter((d: any) => d.decisionDefinition).map((d: any) => d.decisionDefinition);
    expect(decisions.map((d: any) => d.decisionDefinitionId).sort()).to.deep.equal([
      'conf-any',
      'conf-checks',
      'conf-discount',
      'conf-fees',
      'conf-first',
      'conf-price',
      'conf-tier',
    ]);
    expect(decisions[0]).to.include({ version: 1, decisionRequirementsId: 'conf-pricing', tenantId: '<default>' });
    const drg = deployment.deployments.find((d: any) => d.decisionRequirements).decisionRequirements;
    expect(drg).to.include({
      decisionRequirementsId: 'conf-pricing',
      decisionRequirementsName: 'Pricing',
      version: 1,
      resourceName: 'pricing.dmn',
    });
    const found = await http(ctx, 'POST', '/v2/decision-definitions/search', { filter: { decisionDefinitionId: 'conf-price' } });
    expect(found.body.items).to.have.length(1);
    const xml = await http(ctx, 'GET', `/v2/decision-definitions/${found.body.items[0].decisionDefinitionKey}/xml`);
    expect(xml.body).to.contain('literalExpression');
  });

  it('evaluates UNIQUE, FIRST, ANY, PRIORITY, RULE ORDER and COLLECT SUM tables as Camunda does', async () => {
    expect(JSON.parse((await evalRest('conf-discount', { customerType: 'gold', orderTotal: 1200 })).output)).to.equal(0.15);
    expect(JSON.parse((await evalRest('conf-discount', { customerType: 'silver', orderTotal: 5 })).output)).to.equal(0);
    expect(JSON.parse((await evalRest('conf-first', { x: 9 })).output)).to.equal('big');
    expect(JSON.parse((await evalRest('conf-first', { x: -1 })).output)).to.equal(null);
    expect(JSON.parse((await evalRest('conf-any', { z: 9 })).output)).to.equal('yes');
    expect(JSON.parse((await evalRest('conf-tier', { points: 700 })).output)).to.equal('gold');
    expect(JSON.parse((await evalRest('conf-tier', { points: 150 })).output)).to.equal('silver');
    expect(JSON.parse((await evalRest('conf-checks', { amount: 500 })).output)).to.deep.equal([
      { check: 'manager', level: 1 },
      { check: 'clerk', level: 0 },
    ]);
    const fees = await evalRest('conf-fees', { services: ['shipping', 'wrapping'] });
    expect(JSON.parse(fees.output)).to.equal(16);
    expect(fees.evaluatedDecisions[0].matchedRules.map((m: any) => m.ruleId)).to.deep.equal(['r-ship', 'r-wrap', 'r-base']);
  });

  it('a literal expression with a required decision: both evaluated, required first; gRPC EvaluateDecision agrees', async () => {
    const r = await evalRest('conf-price', { customerType: 'gold', orderTotal: 200 });
    expect(JSON.parse(r.output)).to.equal(180);
    expect(r.evaluatedDecisions.map((d: any) => [d.decisionDefinitionId, d.decisionDefinitionType])).to.deep.equal([
      ['conf-discount', 'DECISION_TABLE'],
      ['conf-price', 'LITERAL_EXPRESSION'],
    ]);
    expect(r.evaluatedDecisions[0].evaluatedInputs.map((i: any) => JSON.parse(i.inputValue))).to.deep.equal(['gold', 200]);
    const g = await ctx.zbc.evaluateDecision({ decisionId: 'conf-price', variables: { customerType: 'gold', orderTotal: 200 } } as never);
    expect(JSON.parse(g.decisionOutput)).to.equal(180);
    expect(g.evaluatedDecisions.map((d) => d.decisionId)).to.deep.equal(['conf-discount', 'conf-price']);
  });

  it('an evaluation failure is answered with failedDecisionDefinitionId and failureMessage; bad requests are 400/404', async () => {
    const r = await evalRest('conf-any', { z: 200 });
    expect(r.failedDecisionDefinitionId).to.equal('conf-any');
    expect(r.failureMessage).to.contain('ANY');
    expect((await http(ctx, 'POST', '/v2/decision-definitions/evaluation', { variables: {} })).status).to.equal(400);
    expect(
      (await http(ctx, 'POST', '/v2/decision-definitions/evaluation', { decisionDefinitionId: 'conf-price', variables: [] })).body.detail,
    ).to.contain('variables');
    expect(
      (await http(ctx, 'POST', '/v2/decision-definitions/evaluation', { decisionDefinitionId: 'nope', variables: {} })).status,
    ).to.equal(404);
  });

  it('a business rule task evaluates the decision and sets the result variable; a failure is an incident a resolution retries', async () => {
    const pi = await ctx.zbc.createProcessInstance({
      bpmnProcessId: 'conf-business-rule',
      variables: { rule: 'conf-price', customerType: 'gold', orderTotal: 2000 },
    });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await variables(ctx, pi.processInstanceKey)).finalPrice).to.equal(1700);
    // the decision id is a FEEL expression; ANY with differing outputs fails the evaluation
    const bad = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-business-rule', variables: { rule: 'conf-any', z: 200 } });
    const [inc] = await waitFor(async () => {
      const l = await incidents(ctx, bad.processInstanceKey);
      return l.length ? l : undefined;
    }, 'incident');
    expect(inc.errorType).to.equal('DECISION_EVALUATION_ERROR');
    expect(inc.elementId).to.equal('price');
    await ctx.zbc.setVariables({ elementInstanceKey: bad.processInstanceKey, variables: { z: 3 }, local: false });
    await ctx.zbc.resolveIncident({ incidentKey: inc.incidentKey });
    await waitState(ctx, bad.processInstanceKey, 'COMPLETED');
    expect((await variables(ctx, bad.processInstanceKey)).finalPrice).to.equal('yes');
    const missing = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-business-rule', variables: { rule: 'conf-nothing' } });
    const [inc2] = await waitFor(async () => {
      const l = await incidents(ctx, missing.processInstanceKey);
      return l.length ? l : undefined;
    }, 'incident');
    expect(inc2.errorType).to.equal('CALLED_DECISION_ERROR');
  });

  it('decision instances: each decision an evaluation ran is searchable (REST, business rule task) and answers its inputs and rules', async () => {
    const r = await evalRest('conf-price', { customerType: 'gold', orderTotal: 100 });
    const search = async (filter: Record<string, unknown>) => {
      const res = await http(ctx, 'POST', '/v2/decision-instances/search', { filter, sort: [{ field: 'decisionEvaluationInstanceKey' }] });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body.items as any[];
    };
    const mine = await search({ decisionEvaluationKey: r.decisionEvaluationKey });
    expect(mine.map((d) => [d.decisionDefinitionId, d.decisionDefinitionType, d.state])).to.deep.equal([
      ['conf-discount', 'DECISION_TABLE', 'EVALUATED'],
      ['conf-price', 'LITERAL_EXPRESSION', 'EVALUATED'],
    ]);
    expect(mine[1]).to.include({
      result: '90',
      rootDecisionDefinitionKey: r.decisionDefinitionKey,
      decisionEvaluationInstanceKey: `${r.decisionEvaluationKey}-2`,
    });
    expect(mine[0]).to.not.have.property('matchedRules');
    const one = await http(ctx, 'GET', `/v2/decision-instances/${mine[0].decisionEvaluationInstanceKey}`);
    expect(one.status).to.equal(200);
    expect(one.body.evaluatedInputs.map((i: any) => JSON.parse(i.inputValue))).to.deep.equal(['gold', 100]);
    expect(one.body.matchedRules).to.have.length.greaterThan(0);
    expect((await http(ctx, 'GET', '/v2/decision-instances/1-1')).status).to.equal(404);

    // a failed evaluation leaves a FAILED instance with the message
    const failed = await evalRest('conf-any', { z: 200 });
    const [f] = await search({ decisionEvaluationKey: failed.decisionEvaluationKey, state: 'FAILED' });
    expect(f.evaluationFailure).to.contain('ANY');
    // a business rule task's evaluation names its process instance and element instance
    const pi = await ctx.zbc.createProcessInstance({
      bpmnProcessId: 'conf-business-rule',
      variables: { rule: 'conf-price', customerType: 'gold', orderTotal: 10 },
    });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    const ofPi = await search({ processInstanceKey: pi.processInstanceKey });
    expect(ofPi.map((d) => d.decisionDefinitionId)).to.deep.equal(['conf-discount', 'conf-price']);
    expect(ofPi[1].elementInstanceKey).to.be.a('string');
  });

  it('deploys a DMN resource over gRPC DeployResource; an invalid DMN is rejected naming the decision', async () => {
    const xml = readFixture('pricing.dmn')
      .replace(/conf-pricing/g, 'conf-pricing-2')
      .replace(/id="conf-tier"/, 'id="conf-tier-2"');
    const res = (await ctx.zbc.deployResource({ decision: Buffer.from(xml), name: 'pricing-2.dmn' } as never)) as any;
    const decs = res.deployments.filter((d: any) => d.decision).map((d: any) => d.decision);
    expect(decs.find((d: any) => d.dmnDecisionId === 'conf-price')).to.include({ version: 2, dmnDecisionRequirementsId: 'conf-pricing-2' });
    const broken = readFixture('pricing.dmn').replace('hitPolicy="FIRST"', 'hitPolicy="SOMETIMES"');
    const err = await ctx.zbc.deployResource({ decision: Buffer.from(broken), name: 'broken.dmn' } as never).then(
      () => null,
      (e: any) => e,
    );
    if (!ctx.external) {
      expect(err).to.not.equal(null);
      expect(String(err.details ?? err.message))
        .to.contain('broken.dmn')
        .and.contain('conf-first');
    }
    // deleting the second graph makes version 1 the latest again
    const drgKey = res.deployments.find((d: any) => d.decisionRequirements).decisionRequirements.decisionRequirementsKey;
    await ctx.zbc.deleteResource({ resourceKey: drgKey } as never);
    const g = await ctx.zbc.evaluateDecision({ decisionId: 'conf-price', variables: { customerType: 'x', orderTotal: 10 } } as never);
    expect(g.decisionVersion).to.equal(1);
  });
});
