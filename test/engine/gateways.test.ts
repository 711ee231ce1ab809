import { expect } from 'chai';
import { Ctx, deploy, elements, incidents, oneJob, setup, waitFor, waitState } from './helpers';

describe('engine conformance: gateways', function () {
  let ctx: Ctx;
  before(async () => {
    ctx = await setup();
    await deploy(
      ctx,
      'exclusive-gateway.bpmn',
      'exclusive-no-default.bpmn',
      'parallel-gateway.bpmn',
      'inclusive-gateway.bpmn',
      'inclusive-join.bpmn',
    );
  });
  after(async () => ctx?.stop());

  it('exclusive gateway takes the first flow whose condition is true, else the default flow', async () => {
    for (const [amount, end] of [
      [150, 'high'],
      [5, 'low'],
      [50, 'other'],
    ] as const) {
      const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-exclusive', variables: { amount } });
      await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
      const els = await elements(ctx, pi.processInstanceKey);
      expect(els[end], `amount ${amount}`).to.deep.equal(['COMPLETED']);
      expect(Object.keys(els).filter((k) => ['high', 'low', 'other'].includes(k))).to.have.length(1);
    }
  });

  it('exclusive gateway without a true condition and without default raises a CONDITION_ERROR incident, resolved after fixing the variable', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-exclusive-no-default', variables: { x: 3 } });
    const [inc] = await waitFor(async () => {
      const l = await incidents(ctx, pi.processInstanceKey);
      return l.length ? l : undefined;
    }, 'incident');
    expect(inc.errorType).to.equal('CONDITION_ERROR');
    expect(inc.elementId).to.equal('gw');
    expect(inc.incidentKey).to.be.a('string');
    await ctx.zbc.setVariables({ elementInstanceKey: pi.processInstanceKey, variables: { x: 2 }, local: false });
    await ctx.zbc.resolveIncident({ incidentKey: inc.incidentKey });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await elements(ctx, pi.processInstanceKey)).b).to.deep.equal(['COMPLETED']);
  });

  it('parallel gateway forks and joins: the join waits for every incoming flow', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-parallel', variables: {} });
    const a = await oneJob(ctx, 'conf.par.a', pi.processInstanceKey);
    const b = await oneJob(ctx, 'conf.par.b', pi.processInstanceKey);
    await ctx.zbc.completeJob({ jobKey: a.key, variables: { a: 1 } });
    await new Promise((r) => setTimeout(r, 100));
    expect((await elements(ctx, pi.processInstanceKey)).after, 'join must wait').to.equal(undefined);
    await ctx.zbc.completeJob({ jobKey: b.key, variables: { b: 2 } });
    const after = await oneJob(ctx, 'conf.par.after', pi.processInstanceKey);
    expect(after.variables).to.include({ a: 1, b: 2 });
    await ctx.zbc.completeJob({ jobKey: after.key, variables: {} });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await elements(ctx, pi.processInstanceKey)).join).to.deep.equal(['COMPLETED']);
  });

  it('inclusive gateway activates every flow whose condition is true, the default flow only when none is', async () => {
    const both = await ctx.zbc.createProcessInstance({
      bpmnProcessId: 'conf-inclusive',
      variables: { platformChange: true, apScopeChange: true },
    });
    await oneJob(ctx, 'conf.incl.tech', both.processInstanceKey);
    await oneJob(ctx, 'conf.incl.ap', both.processInstanceKey);
    const els = await elements(ctx, both.processInstanceKey);
    expect(els.none).to.equal(undefined);
    const one = await ctx.zbc.createProcessInstance({
      bpmnProcessId: 'conf-inclusive',
      variables: { platformChange: false, apScopeChange: true },
    });
    await oneJob(ctx, 'conf.incl.ap', one.processInstanceKey);
    expect((await elements(ctx, one.processInstanceKey)).tech).to.equal(undefined);
    const none = await ctx.zbc.createProcessInstance({
      bpmnProcessId: 'conf-inclusive',
      variables: { platformChange: false, apScopeChange: false },
    });
    await oneJob(ctx, 'conf.incl.none', none.processInstanceKey);
    const e3 = await elements(ctx, none.processInstanceKey);
    expect(e3.tech).to.equal(undefined);
    expect(e3.ap).to.equal(undefined);
  });

  it('a joining inclusive gateway waits for every branch that was taken, and only for those', async () => {
    const both = await ctx.zbc.createProcessInstance({
      bpmnProcessId: 'conf-inclusive-join',
      variables: { platformChange: true, apScopeChange: true },
    });
    const tech = await oneJob(ctx, 'conf.ij.tech', both.processInstanceKey);
    await ctx.zbc.completeJob({ jobKey: tech.key, variables: {} });
    const ap1 = await oneJob(ctx, 'conf.ij.ap1', both.processInstanceKey);
    await ctx.zbc.completeJob({ jobKey: ap1.key, variables: {} });
    const ap2 = await oneJob(ctx, 'conf.ij.ap2', both.processInstanceKey);
    expect((await elements(ctx, both.processInstanceKey)).join, 'join waits while the AP branch can still arrive').to.equal(undefined);
    await ctx.zbc.completeJob({ jobKey: ap2.key, variables: {} });
    const after = await oneJob(ctx, 'conf.ij.after', both.processInstanceKey);
    await ctx.zbc.completeJob({ jobKey: after.key, variables: {} });
    await waitState(ctx, both.processInstanceKey, 'COMPLETED');
    expect((await elements(ctx, both.processInstanceKey)).join).to.deep.equal(['COMPLETED']);

    const one = await ctx.zbc.createProcessInstance({
      bpmnProcessId: 'conf-inclusive-join',
      variables: { platformChange: true, apScopeChange: false },
    });
    const t1 = await oneJob(ctx, 'conf.ij.tech', one.processInstanceKey);
    await ctx.zbc.completeJob({ jobKey: t1.key, variables: {} });
    const a1 = await oneJob(ctx, 'conf.ij.after', one.processInstanceKey);
    await ctx.zbc.completeJob({ jobKey: a1.key, variables: {} });
    await waitState(ctx, one.processInstanceKey, 'COMPLETED');
    expect((await elements(ctx, one.processInstanceKey)).ap1).to.equal(undefined);
  });
});
