import { expect } from 'chai';
import { Ctx, deploy, elements, http, oneJob, setup, uid, variables, waitFor, waitState } from './helpers';

describe('engine conformance: sub-processes, io mappings, variable scopes, call activities', function () {
  let ctx: Ctx;
  before(async () => {
    ctx = await setup();
    await deploy(ctx, 'subprocess-io.bpmn', 'variable-scopes.bpmn', 'call-child.bpmn', 'call-parent.bpmn');
  });
  after(async () => ctx?.stop());

  it('input mappings create local variables; with output mappings only the mapped variables leave the task', async () => {
    const orderNo = `YW-${uid()}`;
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-subprocess-io', variables: { orderNo } });
    const work = await oneJob(ctx, 'conf.sub.work', pi.processInstanceKey);
    expect(work.variables).to.include({ no: orderNo, kind: 'fixed', attempts: 0, orderNo });
    await ctx.zbc.completeJob({ jobKey: work.key, variables: { result: 5, scratch: 'not propagated' } });
    const plain = await oneJob(ctx, 'conf.sub.plain', pi.processInstanceKey);
    expect(plain.variables).to.include({ doubled: 10 });
    expect(plain.variables).to.not.have.property('scratch');
    expect(plain.variables).to.not.have.property('no');
    // no output mapping: job variables go to the nearest scope that has them (attempts lives in the sub-process)
    await ctx.zbc.completeJob({ jobKey: plain.key, variables: { attempts: 3, fresh: true } });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect(await variables(ctx, pi.processInstanceKey)).to.deep.equal({ orderNo, doubled: 10, fresh: true, totalAttempts: 3 });
  });

  it('job variables update an existing variable in the sub-process scope instead of creating one at the root', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-variable-scopes', variables: {} });
    const j = await oneJob(ctx, 'conf.scope.work', pi.processInstanceKey);
    expect(j.variables.status).to.equal('initial');
    const sub = (
      await http(ctx, 'POST', '/v2/element-instances/search', { filter: { processInstanceKey: pi.processInstanceKey, elementId: 'sub' } })
    ).body.items[0];
    await ctx.zbc.completeJob({ jobKey: j.key, variables: { status: 'done', other: 1 } });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect(await variables(ctx, pi.processInstanceKey)).to.deep.equal({ other: 1 });
    expect(await variables(ctx, pi.processInstanceKey, sub.elementInstanceKey)).to.deep.equal({ status: 'done' });
  });

  it('SetVariables (local and propagated) changes what the next job sees', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-variable-scopes', variables: {} });
    const j = await oneJob(ctx, 'conf.scope.work', pi.processInstanceKey);
    const sub = (
      await http(ctx, 'POST', '/v2/element-instances/search', { filter: { processInstanceKey: pi.processInstanceKey, elementId: 'sub' } })
    ).body.items[0];
    await ctx.zbc.setVariables({ elementInstanceKey: sub.elementInstanceKey, variables: { status: 'patched', extra: 'x' }, local: false });
    await ctx.zbc.setVariables({ elementInstanceKey: j.elementInstanceKey, variables: { onlyHere: 1 }, local: true });
    expect(await variables(ctx, pi.processInstanceKey)).to.deep.equal({ extra: 'x' });
    expect(await variables(ctx, pi.processInstanceKey, sub.elementInstanceKey)).to.deep.equal({ status: 'patched' });
    expect(await variables(ctx, pi.processInstanceKey, j.elementInstanceKey)).to.deep.equal({ onlyHere: 1 });
  });

  it('call activity: mappings in and out, propagateAllChildVariables=false keeps child variables out; =true merges them', async () => {
    const pi = await ctx.zbc.createProcessInstance({
      bpmnProcessId: 'conf-call-parent',
      variables: { revenueContractId: 'R-1', orderNo: 'YW-1' },
    });
    const children = async () =>
      (
        await http(ctx, 'POST', '/v2/process-instances/search', {
          filter: { parentProcessInstanceKey: pi.processInstanceKey },
          sort: [{ field: 'processInstanceKey', order: 'ASC' }],
        })
      ).body.items;
    const [child1] = await waitFor(async () => {
      const l = await children();
      return l.length ? l : undefined;
    }, 'child');
    expect(child1.processDefinitionId).to.equal('conf-call-child');
    expect(child1.parentProcessInstanceKey).to.equal(pi.processInstanceKey);
    const j1 = await oneJob(ctx, 'conf.child.work', child1.processInstanceKey);
    expect(j1.variables).to.include({ contractId: 'R-1', contractType: 'REVENUE', revenueContractId: 'R-1', orderNo: 'YW-1' });
    await ctx.zbc.completeJob({ jobKey: j1.key, variables: { countersignResult: 'APPROVED', secret: 's' } });
    const l2 = await waitFor(async () => {
      const l = await children();
      return l.length === 2 ? l : undefined;
    }, 'second child');
    expect(await variables(ctx, pi.processInstanceKey)).to.deep.equal({
      revenueContractId: 'R-1',
      orderNo: 'YW-1',
      revenueCountersignResult: 'APPROVED',
    });
    const j2 = await oneJob(ctx, 'conf.child.work', l2[1].processInstanceKey);
    await ctx.zbc.completeJob({ jobKey: j2.key, variables: { fromChild: 7 } });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    const vars = await variables(ctx, pi.processInstanceKey);
    expect(vars.fromChild).to.equal(7);
    expect(vars).to.not.have.property('secret');
    expect(vars).to.not.have.property('countersignResult');
    expect((await elements(ctx, pi.processInstanceKey)).callAll).to.deep.equal(['COMPLETED']);
  });

  it('cancelling the parent cancels the called child; the child cannot be cancelled on its own', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-call-parent', variables: { revenueContractId: 'R-2' } });
    const child = await waitFor(
      async () =>
        (await http(ctx, 'POST', '/v2/process-instances/search', { filter: { parentProcessInstanceKey: pi.processInstanceKey } })).body
          .items[0],
      'child',
    );
    const err = await ctx.zbc.cancelProcessInstance(child.processInstanceKey).then(
      () => null,
      (e) => e,
    );
    expect(err && Number(err.code)).to.equal(9);
    await ctx.zbc.cancelProcessInstance(pi.processInstanceKey);
    await waitState(ctx, child.processInstanceKey, 'TERMINATED');
    await waitState(ctx, pi.processInstanceKey, 'TERMINATED');
  });
});
