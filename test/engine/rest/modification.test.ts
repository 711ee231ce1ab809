// Process instance modification through Camunda's own clients: REST POST /v2/process-instances/{key}/modification
// (the SDK's CamundaRestClient.modifyProcessInstance) and gRPC ModifyProcessInstance (ZeebeGrpcClient).
import { expect } from 'chai';
import { Ctx, elements, grpcError, incidents, oneJob, readFixture, setup, Status, variables, waitFor, waitState } from '../helpers';
import { RestClient, sdkRest, statusOf } from './clients';

describe('engine: process instance modification (REST and gRPC)', function () {
  let ctx: Ctx;
  let rest: RestClient;
  before(async () => {
    ctx = await setup();
    rest = sdkRest(ctx);
    await rest.deployResources([{ name: 'modification.bpmn', content: readFixture('modification.bpmn') }]);
  });
  after(async () => ctx?.stop());
  const start = async () =>
    (await rest.createProcessInstance({ processDefinitionId: 'conf-modification', variables: {} } as never)).processInstanceKey as string;
  const keyOf = async (pi: string, elementId: string) =>
    waitFor(async () => {
      const r = await fetch(`${ctx.rest}/v2/element-instances/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ filter: { processInstanceKey: pi, elementId, state: 'ACTIVE' } }),
      });
      return ((await r.json()) as any).items[0]?.elementInstanceKey as string | undefined;
    }, `${elementId} active`);

  it('REST: an incident element is terminated and another one activated with variables; the incident is resolved', async () => {
    const pi = await start();
    const a = await oneJob(ctx, 'conf.mod.a', pi);
    await ctx.zbc.failJob({ jobKey: a.key, retries: 0, errorMessage: 'broken', retryBackOff: 0 });
    await waitFor(async () => (await incidents(ctx, pi)).length === 1, 'the incident');
    const aKey = await keyOf(pi, 'taskA');
    await rest.modifyProcessInstance({
      processInstanceKey: pi,
      activateInstructions: [
        { elementId: 'taskB', variableInstructions: [{ variables: { fixedBy: 'ops' } }, { variables: { onlyB: 1 }, scopeId: 'taskB' }] },
      ],
      terminateInstructions: [{ elementInstanceKey: aKey }],
    });
    expect(await incidents(ctx, pi)).to.have.length(0);
    const els = await elements(ctx, pi);
    expect(els.taskA).to.deep.equal(['TERMINATED']);
    expect(els.taskB).to.deep.equal(['ACTIVE']);
    expect((await variables(ctx, pi)).fixedBy).to.equal('ops');
    const b = await oneJob(ctx, 'conf.mod.b', pi);
    expect(b.variables).to.include({ fixedBy: 'ops', onlyB: 1 });
    expect((await variables(ctx, pi)).onlyB).to.equal(undefined); // local to taskB
    await ctx.zbc.completeJob({ jobKey: b.key, variables: {} });
    const inner = await oneJob(ctx, 'conf.mod.inner', pi);
    await ctx.zbc.completeJob({ jobKey: inner.key, variables: {} });
    await waitState(ctx, pi, 'COMPLETED');
  });

  it('gRPC: activates an element inside the active sub-process (ancestor given) and terminating the last element ends the instance', async () => {
    const pi = await start();
    await ctx.zbc.completeJob({ jobKey: (await oneJob(ctx, 'conf.mod.a', pi)).key, variables: {} });
    await ctx.zbc.completeJob({ jobKey: (await oneJob(ctx, 'conf.mod.b', pi)).key, variables: {} });
    const subKey = await keyOf(pi, 'sub');
    await ctx.zbc.modifyProcessInstance({
      processInstanceKey: pi,
      activateInstructions: [
        { elementId: 'inner', ancestorElementInstanceKey: subKey, variableInstructions: [{ scopeId: 'sub', variables: { second: true } }] },
      ],
    });
    expect((await elements(ctx, pi)).inner).to.deep.equal(['ACTIVE', 'ACTIVE']);
    expect((await variables(ctx, pi, subKey)).second).to.equal(true);
    const innerKeys = await waitFor(async () => {
      const r = await fetch(`${ctx.rest}/v2/element-instances/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ filter: { processInstanceKey: pi, elementId: 'inner', state: 'ACTIVE' } }),
      });
      const items = ((await r.json()) as any).items as { elementInstanceKey: string }[];
      return items.length === 2 ? items.map((i) => i.elementInstanceKey) : undefined;
    }, 'two inner instances');
    await ctx.zbc.modifyProcessInstance({
      processInstanceKey: pi,
      terminateInstructions: innerKeys.map((k) => ({ elementInstanceKey: k })),
    });
    // nothing left in the sub-process, nothing left in the process: both are terminated, as in Zeebe
    await waitState(ctx, pi, 'TERMINATED');
    expect((await elements(ctx, pi)).sub).to.deep.equal(['TERMINATED']);
  });

  it('activating an element inside a sub-process that has no instance creates it (without its start event), variables on it', async () => {
    const pi = await start();
    await oneJob(ctx, 'conf.mod.a', pi);
    await rest.modifyProcessInstance({
      processInstanceKey: pi,
      activateInstructions: [
        { elementId: 'inner', variableInstructions: [{ scopeId: 'sub', variables: { inSub: 'yes' } }, { variables: { atRoot: 1 } }] },
      ],
    });
    const els = await elements(ctx, pi);
    expect(els.sub).to.deep.equal(['ACTIVE']);
    expect(els.inner).to.deep.equal(['ACTIVE']);
    expect(els.subStart, 'the created scope does not run its start event').to.equal(undefined);
    expect(els.taskA).to.deep.equal(['ACTIVE']);
    const subKey = await keyOf(pi, 'sub');
    expect((await variables(ctx, pi, subKey)).inSub).to.equal('yes');
    expect((await variables(ctx, pi)).atRoot).to.equal(1);
    expect((await variables(ctx, pi)).inSub, 'local to the created sub-process').to.equal(undefined);
    const inner = await oneJob(ctx, 'conf.mod.inner', pi);
    expect(inner.variables).to.include({ inSub: 'yes', atRoot: 1 });
    await ctx.zbc.completeJob({ jobKey: inner.key, variables: {} });
    await waitFor(async () => (await elements(ctx, pi)).sub?.[0] === 'COMPLETED', 'the created sub-process completes');
    expect((await elements(ctx, pi)).taskA).to.deep.equal(['ACTIVE']);
  });

  it('unknown elements, element instances and instances are rejected naming them, and change nothing', async () => {
    const pi = await start();
    await oneJob(ctx, 'conf.mod.a', pi);
    const aKey = await keyOf(pi, 'taskA');
    const bad = await statusOf(
      rest.modifyProcessInstance({
        processInstanceKey: pi,
        activateInstructions: [{ elementId: 'noSuchTask' }],
        terminateInstructions: [{ elementInstanceKey: aKey }],
      }),
    );
    expect(bad.status).to.equal(400);
    expect(bad.detail).to.contain('noSuchTask');
    const badKey = await statusOf(
      rest.modifyProcessInstance({ processInstanceKey: pi, terminateInstructions: [{ elementInstanceKey: '2251799813999999' }] }),
    );
    expect(badKey.status).to.equal(400);
    expect(badKey.detail).to.contain('2251799813999999');
    const notAncestor = await statusOf(
      rest.modifyProcessInstance({
        processInstanceKey: pi,
        activateInstructions: [{ elementId: 'inner', ancestorElementInstanceKey: aKey }],
      }),
    );
    expect(notAncestor.status).to.equal(400);
    expect(notAncestor.detail).to.contain('is not an ancestor');
    const startEv = await statusOf(rest.modifyProcessInstance({ processInstanceKey: pi, activateInstructions: [{ elementId: 'start' }] }));
    expect(startEv.status).to.equal(400);
    const unknownPi = await statusOf(
      rest.modifyProcessInstance({ processInstanceKey: '2251799813999998', activateInstructions: [{ elementId: 'taskB' }] }),
    );
    expect(unknownPi.status).to.equal(404);
    const g = await grpcError(
      ctx.zbc.modifyProcessInstance({
        processInstanceKey: pi,
        activateInstructions: [{ elementId: 'nope', ancestorElementInstanceKey: '-1', variableInstructions: [] }],
      }),
    );
    expect(g.code).to.equal(Status.INVALID_ARGUMENT);
    expect(g.message).to.contain('nope');
    // nothing changed: taskA still active alone
    const els = await elements(ctx, pi);
    expect(els.taskA).to.deep.equal(['ACTIVE']);
    expect(els.taskB).to.equal(undefined);
  });
});
