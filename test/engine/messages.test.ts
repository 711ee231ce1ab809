import { expect } from 'chai';
import {
  Ctx,
  deploy,
  elements,
  grpcError,
  http,
  jobsNow,
  oneJob,
  setup,
  Status,
  uid,
  variables,
  waitElement,
  waitFor,
  waitState,
} from './helpers';

async function instancesOf(ctx: Ctx, bpmnProcessId: string, state?: string): Promise<any[]> {
  const r = await http(ctx, 'POST', '/v2/process-instances/search', {
    filter: state ? { processDefinitionId: bpmnProcessId, state } : { processDefinitionId: bpmnProcessId },
    page: { limit: 1000 },
  });
  return r.body.items;
}

describe('engine conformance: messages', function () {
  let ctx: Ctx;
  before(async () => {
    ctx = await setup();
    await deploy(ctx, 'message-catch.bpmn', 'message-start.bpmn', 'message-boundary.bpmn', 'event-gateway.bpmn');
  });
  after(async () => ctx?.stop());

  it('an intermediate message catch event correlates by correlation key and merges the message variables', async () => {
    const no = `HQ-${uid()}`;
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-message-catch', variables: { contractNo: no } });
    await waitElement(ctx, pi.processInstanceKey, 'wait');
    await ctx.zbc.publishMessage({
      name: 'conf-ap-done',
      correlationKey: `other-${no}`,
      variables: { paymentBasisId: 'wrong' },
      timeToLive: 0,
    });
    await new Promise((r) => setTimeout(r, 50));
    expect((await elements(ctx, pi.processInstanceKey)).wait).to.deep.equal(['ACTIVE']);
    const res = await ctx.zbc.publishMessage({
      name: 'conf-ap-done',
      correlationKey: no,
      variables: { paymentBasisId: 'pb-1' },
      timeToLive: 0,
    });
    expect(res.key).to.match(/^\d+$/);
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await variables(ctx, pi.processInstanceKey)).paymentBasisId).to.equal('pb-1');
  });

  it('a message published before the subscription opens is buffered for its TTL (and only then)', async () => {
    const no = `HQ-${uid()}`;
    await ctx.zbc.publishMessage({ name: 'conf-ap-done', correlationKey: no, variables: { early: true }, timeToLive: 60000 });
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-message-catch', variables: { contractNo: no } });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await variables(ctx, pi.processInstanceKey)).early).to.equal(true);
    const no2 = `HQ-${uid()}`;
    await ctx.zbc.publishMessage({ name: 'conf-ap-done', correlationKey: no2, variables: {}, timeToLive: 0 });
    const pi2 = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-message-catch', variables: { contractNo: no2 } });
    await waitElement(ctx, pi2.processInstanceKey, 'wait');
    await new Promise((r) => setTimeout(r, 50));
    expect((await elements(ctx, pi2.processInstanceKey)).wait, 'TTL 0: not buffered').to.deep.equal(['ACTIVE']);
  });

  it('a message id de-duplicates while the message is buffered (ALREADY_EXISTS)', async () => {
    const no = `HQ-${uid()}`;
    const messageId = `msg-${uid()}`;
    await ctx.zbc.publishMessage({ name: 'conf-ap-done', correlationKey: no, messageId, variables: {}, timeToLive: 60000 });
    const err = await grpcError(
      ctx.zbc.publishMessage({ name: 'conf-ap-done', correlationKey: no, messageId, variables: {}, timeToLive: 60000 }),
    );
    expect(err.code).to.equal(Status.ALREADY_EXISTS);
    // only one instance gets the message
    const a = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-message-catch', variables: { contractNo: no } });
    await waitState(ctx, a.processInstanceKey, 'COMPLETED');
    const b = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-message-catch', variables: { contractNo: no } });
    await waitElement(ctx, b.processInstanceKey, 'wait');
    await new Promise((r) => setTimeout(r, 50));
    expect((await elements(ctx, b.processInstanceKey)).wait).to.deep.equal(['ACTIVE']);
  });

  it('a message correlates at most once per process: of two waiting instances with the same key, one receives it', async () => {
    const no = `HQ-${uid()}`;
    const a = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-message-catch', variables: { contractNo: no } });
    const b = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-message-catch', variables: { contractNo: no } });
    await waitElement(ctx, a.processInstanceKey, 'wait');
    await waitElement(ctx, b.processInstanceKey, 'wait');
    await ctx.zbc.publishMessage({ name: 'conf-ap-done', correlationKey: no, variables: {}, timeToLive: 0 });
    await waitFor(
      async () =>
        (await instancesOf(ctx, 'conf-message-catch', 'COMPLETED')).some((p) =>
          [a.processInstanceKey, b.processInstanceKey].includes(p.processInstanceKey),
        ),
      'one completed',
    );
    await new Promise((r) => setTimeout(r, 50));
    const states = await Promise.all(
      [a, b].map(async (p) => (await http(ctx, 'GET', `/v2/process-instances/${p.processInstanceKey}`)).body.state),
    );
    expect(states.sort()).to.deep.equal(['ACTIVE', 'COMPLETED']);
  });

  it('a process with only a message start event cannot be created directly (FAILED_PRECONDITION)', async () => {
    const err = await grpcError(ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-message-start', variables: {} }));
    expect(err.code).to.equal(Status.FAILED_PRECONDITION);
    expect(err.message).to.contain('none start event');
  });

  it('a message start event starts an instance with the message variables, at most one active instance per correlation key', async () => {
    const orderNo = `YW-${uid()}`;
    await ctx.zbc.publishMessage({
      name: 'conf-order-submitted',
      correlationKey: orderNo,
      variables: { orderNo, round: 1 },
      timeToLive: 60000,
    });
    const first = await waitFor(async () => {
      const l = (await instancesOf(ctx, 'conf-message-start')).filter((p) => p.state === 'ACTIVE');
      return l.length ? l : undefined;
    }, 'instance');
    expect(first).to.have.length(1);
    const job1 = await oneJob(ctx, 'conf.msgstart.work', first[0].processInstanceKey);
    expect(job1.variables).to.include({ orderNo, round: 1 });
    // same correlation key while the first is active: buffered, no second instance
    await ctx.zbc.publishMessage({
      name: 'conf-order-submitted',
      correlationKey: orderNo,
      variables: { orderNo, round: 2 },
      timeToLive: 60000,
    });
    await new Promise((r) => setTimeout(r, 100));
    const mine = async () => {
      const all = await instancesOf(ctx, 'conf-message-start');
      const out = [];
      for (const p of all) {
        const v = await variables(ctx, p.processInstanceKey);
        if (v.orderNo === orderNo) out.push({ ...p, round: v.round });
      }
      return out;
    };
    expect(await mine()).to.have.length(1);
    // once the first completes, the buffered message starts the next one
    await ctx.zbc.completeJob({ jobKey: job1.key, variables: {} });
    const two = await waitFor(async () => {
      const l = await mine();
      return l.length === 2 ? l : undefined;
    }, 'second instance');
    expect(two.map((p) => p.round).sort()).to.deep.equal([1, 2]);
    // another key starts its own instance at once
    const other = `YW-${uid()}`;
    await ctx.zbc.publishMessage({ name: 'conf-order-submitted', correlationKey: other, variables: { orderNo: other }, timeToLive: 0 });
    await waitFor(async () => {
      for (const p of await instancesOf(ctx, 'conf-message-start', 'ACTIVE'))
        if ((await variables(ctx, p.processInstanceKey)).orderNo === other) return true;
      return false;
    }, 'instance for other key');
  });

  it('interrupting message boundary cancels the task (its job is gone); non-interrupting boundary fires once per message', async () => {
    const key = uid();
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-message-boundary', variables: { key } });
    const work = await oneJob(ctx, 'conf.mb.work', pi.processInstanceKey);
    await ctx.zbc.publishMessage({ name: 'conf-note', correlationKey: key, variables: { note: 'a' }, timeToLive: 0 });
    await ctx.zbc.publishMessage({ name: 'conf-note', correlationKey: key, variables: { note: 'b' }, timeToLive: 0 });
    await waitFor(async () => (await elements(ctx, pi.processInstanceKey)).noted?.length === 2, 'two notes');
    expect((await elements(ctx, pi.processInstanceKey)).work).to.deep.equal(['ACTIVE']);
    for (const j of await waitFor(async () => {
      const l = await jobsNow(ctx, 'conf.mb.note', pi.processInstanceKey);
      return l.length === 2 ? l : undefined;
    }, 'note jobs'))
      await ctx.zbc.completeJob({ jobKey: j.key, variables: {} });
    await ctx.zbc.publishMessage({ name: 'conf-cancel-request', correlationKey: key, variables: { cancelled: true }, timeToLive: 0 });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    const els = await elements(ctx, pi.processInstanceKey);
    expect(els.work).to.deep.equal(['TERMINATED']);
    expect(els.endCancelled).to.deep.equal(['COMPLETED']);
    expect((await grpcError(ctx.zbc.completeJob({ jobKey: work.key, variables: {} }))).code).to.equal(Status.NOT_FOUND);
    expect((await variables(ctx, pi.processInstanceKey)).cancelled).to.equal(true);
  });

  it('a buffered message correlates to a boundary event as soon as its activity is entered', async () => {
    const key = uid();
    await ctx.zbc.publishMessage({ name: 'conf-cancel-request', correlationKey: key, variables: { early: true }, timeToLive: 60000 });
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-message-boundary', variables: { key } });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    const els = await elements(ctx, pi.processInstanceKey);
    expect(els.work).to.deep.equal(['TERMINATED']);
    expect(els.endCancelled).to.deep.equal(['COMPLETED']);
  });

  it('event-based gateway: the message wins and the timer is cancelled', async () => {
    const orderId = uid();
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-event-gateway', variables: { orderId } });
    await waitElement(ctx, pi.processInstanceKey, 'gw');
    await ctx.zbc.publishMessage({ name: 'conf-payment-received', correlationKey: orderId, variables: { paid: 100 }, timeToLive: 0 });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    const els = await elements(ctx, pi.processInstanceKey);
    expect(els.paid).to.deep.equal(['COMPLETED']);
    expect(els.timeout).to.equal(undefined);
    expect((await variables(ctx, pi.processInstanceKey)).paid).to.equal(100);
  });
});
