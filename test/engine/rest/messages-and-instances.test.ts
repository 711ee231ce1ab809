// Messages (POST /v2/messages/publication, /correlation), process-instance creation with awaitCompletion,
// element-instance variables (PUT /v2/element-instances/{key}/variables) and user-task variables
// (POST /v2/user-tasks/{key}/variables/search), driven by the SDK's CamundaRestClient.
import { expect } from 'chai';
import { Ctx, readFixture, setup, uid, userTasks, variables, waitElement, waitFor, waitState } from '../helpers';
import { RestClient, sdkRest, statusOf } from './clients';

describe('engine REST: messages, instances and variables with CamundaRestClient', function () {
  let ctx: Ctx;
  let rest: RestClient;
  before(async () => {
    ctx = await setup();
    rest = sdkRest(ctx);
    await rest.deployResources(
      ['message-catch.bpmn', 'message-start.bpmn', 'user-task.bpmn', 'user-task-form.form', 'service-task.bpmn'].map((f) => ({
        name: f,
        content: readFixture(f),
      })),
    );
  });
  after(async () => ctx?.stop());

  it('publication buffers the message for its TTL: an instance that subscribes later still gets it', async () => {
    const no = uid();
    const pub = await rest.publishMessage({
      name: 'conf-ap-done',
      correlationKey: no,
      variables: { apResult: 'ok' },
      timeToLive: 60000,
    } as never);
    expect(pub.messageKey).to.match(/^\d+$/);
    expect(pub.tenantId).to.equal('<default>');
    const pi = await rest.createProcessInstance({ processDefinitionId: 'conf-message-catch', variables: { contractNo: no } } as never);
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await variables(ctx, pi.processInstanceKey)).apResult).to.equal('ok');
  });

  it('correlation answers the first process instance it reached, and 404 when nothing waits for it (nothing is buffered)', async () => {
    const no = uid();
    const pi = await rest.createProcessInstance({ processDefinitionId: 'conf-message-catch', variables: { contractNo: no } } as never);
    await waitElement(ctx, pi.processInstanceKey, 'wait');
    const res = await rest.correlateMessage({ name: 'conf-ap-done', correlationKey: no, variables: { via: 'correlation' } });
    expect(res.processInstanceKey).to.equal(pi.processInstanceKey);
    expect(res.messageKey).to.match(/^\d+$/);
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    const none = await statusOf(rest.correlateMessage({ name: 'conf-ap-done', correlationKey: `nobody-${no}`, variables: {} }));
    expect(none.status).to.equal(404);
    // not buffered: an instance subscribing now does not get it
    const later = await rest.createProcessInstance({
      processDefinitionId: 'conf-message-catch',
      variables: { contractNo: `nobody-${no}` },
    } as never);
    await waitElement(ctx, later.processInstanceKey, 'wait');
    await new Promise((r) => setTimeout(r, 200));
    expect(((await (await fetch(`${ctx.rest}/v2/process-instances/${later.processInstanceKey}`)).json()) as any).state).to.equal('ACTIVE');
  });

  it('correlation to a message start event answers the instance it started', async () => {
    const orderNo = uid();
    const res = await rest.correlateMessage({ name: 'conf-order-submitted', correlationKey: orderNo, variables: { orderNo } });
    const pi = await waitFor(async () => {
      const r = await fetch(`${ctx.rest}/v2/process-instances/${res.processInstanceKey}`);
      return r.status === 200 ? (r.json() as any) : undefined;
    }, 'the started instance');
    expect(pi.processDefinitionId).to.equal('conf-message-start');
  });

  it('bad message requests are 400 naming the field', async () => {
    for (const [p, body, word] of [
      ['/v2/messages/publication', { correlationKey: 'x' }, 'name'],
      ['/v2/messages/publication', { name: 'm', timeToLive: -1 }, 'timeToLive'],
      ['/v2/messages/publication', { name: 'm', variables: 'x' }, 'variables'],
      ['/v2/messages/correlation', { name: '' }, 'name'],
    ] as [string, unknown, string][]) {
      const r = await fetch(ctx.rest + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status, JSON.stringify(body)).to.equal(400);
      expect(((await r.json()) as any).detail).to.contain(word);
    }
  });

  it('awaitCompletion waits for the end and returns the root variables (fetchVariables picks some); 504 after requestTimeout', async () => {
    const w = rest.createJobWorker({
      type: 'conf.service',
      worker: 'await',
      maxJobsToActivate: 4,
      timeout: 30000,
      pollIntervalMs: 50,
      jobHandler: (job: any) => job.complete({ total: Number(job.variables.a) * 2, extra: true }),
    } as never);
    try {
      const res = (await rest.createProcessInstanceWithResult({
        processDefinitionId: 'conf-service-task',
        variables: { a: 21 },
        fetchVariables: ['total'],
        requestTimeout: 10000,
      } as never)) as any;
      expect(res.variables).to.deep.equal({ total: 42 });
    } finally {
      w.stop();
    }
    // a user task nobody completes: the request times out
    const t0 = Date.now();
    const r = await fetch(`${ctx.rest}/v2/process-instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ processDefinitionId: 'conf-user-task', awaitCompletion: true, requestTimeout: 500 }),
    });
    expect(r.status).to.equal(504);
    expect(Date.now() - t0).to.be.within(450, 5000);
    expect(((await r.json()) as any).title).to.equal('DEADLINE_EXCEEDED');
  });

  it('without awaitCompletion creation answers at once with empty variables; bad creations are 400/404 naming what is wrong', async () => {
    const pi = (await rest.createProcessInstance({ processDefinitionId: 'conf-user-task', variables: { x: 1 } } as never)) as any;
    expect(pi.variables).to.deep.equal({});
    expect(pi.processDefinitionVersion).to.be.a('number');
    const post = (body: unknown) =>
      fetch(`${ctx.rest}/v2/process-instances`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const r1 = await post({ variables: {} });
    expect(r1.status).to.equal(400);
    expect(((await r1.json()) as any).detail).to.contain('processDefinitionId');
    const r2 = await post({ processDefinitionId: 'conf-user-task', variables: [1] });
    expect(r2.status).to.equal(400);
    expect(((await r2.json()) as any).detail).to.contain('variables');
    const r3 = await post({ processDefinitionId: `missing-${uid()}` });
    expect(r3.status).to.equal(404);
  });

  it('PUT /v2/element-instances/{key}/variables sets variables (propagated, or local), and the task sees them in its variables search', async () => {
    const pi = await rest.createProcessInstance({
      processDefinitionId: 'conf-user-task',
      variables: { orderNo: 'A-1', amount: 1 },
    } as never);
    const pk = pi.processInstanceKey as string;
    const [task] = await waitFor(async () => {
      const t = await userTasks(ctx, pk);
      return t.length ? t : undefined;
    }, 'the user task');
    await rest.updateElementInstanceVariables({ elementInstanceKey: pk, variables: { amount: 2, note: 'root' } } as never);
    await rest.updateElementInstanceVariables({
      elementInstanceKey: task.elementInstanceKey,
      variables: { note: 'local' },
      local: true,
    } as never);
    expect(await variables(ctx, pk)).to.deep.include({ orderNo: 'A-1', amount: 2, note: 'root' });
    const seen = (await rest.searchUserTaskVariables({ userTaskKey: task.userTaskKey } as never)) as any;
    const byName = Object.fromEntries(seen.items.map((v: any) => [v.name, JSON.parse(v.value)]));
    // nearest scope wins: the task's local `note` hides the root one
    expect(byName).to.deep.include({ orderNo: 'A-1', amount: 2, note: 'local' });
    const one = (await rest.searchUserTaskVariables({ userTaskKey: task.userTaskKey, filter: { name: 'amount' } } as never)) as any;
    expect(one.items.map((v: any) => v.name)).to.deep.equal(['amount']);
    expect(
      (await statusOf(rest.updateElementInstanceVariables({ elementInstanceKey: '1', variables: { a: 1 } } as never))).status,
    ).to.equal(404);
    const bad = await fetch(`${ctx.rest}/v2/element-instances/${pk}/variables`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ variables: 5 }),
    });
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as any).detail).to.contain('variables');
  });
});
