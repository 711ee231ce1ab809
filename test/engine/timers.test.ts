import { expect } from 'chai';
import {
  activate,
  clockAdd,
  pinClock,
  jobsNow,
  Ctx,
  deploy,
  elements,
  engineNow,
  http,
  isoPlus,
  jobsOf,
  setup,
  skipUnlessClock,
  userTasks,
  waitElement,
  waitFor,
  waitState,
} from './helpers';

async function instancesOf(ctx: Ctx, bpmnProcessId: string): Promise<number> {
  const r = await http(ctx, 'POST', '/v2/process-instances/search', { filter: { processDefinitionId: bpmnProcessId } });
  return r.body.page.totalItems;
}

describe('engine conformance: timers and the engine clock', function () {
  let ctx: Ctx;
  before(async () => {
    ctx = await setup();
    await deploy(ctx, 'timer-catch.bpmn', 'timer-boundary.bpmn', 'event-gateway.bpmn');
  });
  after(async () => ctx?.stop());

  it('intermediate timer catch events wait for a duration and for a date (FEEL expressions)', async function () {
    skipUnlessClock(ctx, this);
    const now = await engineNow(ctx);
    const pi = await ctx.zbc.createProcessInstance({
      bpmnProcessId: 'conf-timer-catch',
      variables: { waitFor: 'PT1H', deadline: isoPlus(now, 3 * 3600000) },
    });
    await waitElement(ctx, pi.processInstanceKey, 'wait');
    await clockAdd(ctx, 'PT59M');
    await new Promise((r) => setTimeout(r, 50));
    expect((await elements(ctx, pi.processInstanceKey)).wait).to.deep.equal(['ACTIVE']);
    await clockAdd(ctx, 'PT2M');
    await waitElement(ctx, pi.processInstanceKey, 'until');
    await clockAdd(ctx, 'PT2H');
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
  });

  it('a 60-working-day timer (P61D) fires after the clock moves', async function () {
    skipUnlessClock(ctx, this);
    const pi = await ctx.zbc.createProcessInstance({
      bpmnProcessId: 'conf-timer-catch',
      variables: { waitFor: 'P61D', deadline: '2000-01-01T00:00:00+08:00' },
    });
    await waitElement(ctx, pi.processInstanceKey, 'wait');
    await clockAdd(ctx, 'P61D');
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
  });

  it('a timer date without offset raises an incident', async function () {
    skipUnlessClock(ctx, this);
    const pi = await ctx.zbc.createProcessInstance({
      bpmnProcessId: 'conf-timer-catch',
      variables: { waitFor: 'PT1S', deadline: '2030-01-01T00:00:00' },
    });
    await clockAdd(ctx, 'PT2S');
    const r = await waitFor(async () => {
      const x = await http(ctx, 'POST', '/v2/incidents/search', { filter: { processInstanceKey: pi.processInstanceKey } });
      return x.body.items.length ? x.body.items : undefined;
    }, 'incident');
    expect(r[0].elementId).to.equal('until');
    expect(r[0].errorType).to.equal('EXTRACT_VALUE_ERROR');
  });

  it('non-interrupting cycle boundary fires its repetitions; the interrupting date boundary cancels the user task', async function () {
    skipUnlessClock(ctx, this);
    const now = await engineNow(ctx);
    const pi = await ctx.zbc.createProcessInstance({
      bpmnProcessId: 'conf-timer-boundary',
      variables: { deadline: isoPlus(now, 3600000) },
    });
    await waitFor(async () => (await userTasks(ctx, pi.processInstanceKey)).length === 1, 'user task');
    await clockAdd(ctx, 'PT10M');
    await waitFor(async () => (await elements(ctx, pi.processInstanceKey)).remind?.length === 1, 'first reminder');
    await clockAdd(ctx, 'PT10M');
    await waitFor(async () => (await elements(ctx, pi.processInstanceKey)).remind?.length === 2, 'second reminder');
    await clockAdd(ctx, 'PT10M');
    await new Promise((r) => setTimeout(r, 50));
    expect((await elements(ctx, pi.processInstanceKey)).remind, 'R2: only two repetitions').to.have.length(2);
    expect((await elements(ctx, pi.processInstanceKey)).work).to.deep.equal(['ACTIVE']);
    await clockAdd(ctx, 'PT1H');
    await waitFor(async () => (await elements(ctx, pi.processInstanceKey)).overdue?.[0] === 'COMPLETED', 'overdue boundary');
    expect((await elements(ctx, pi.processInstanceKey)).work).to.deep.equal(['TERMINATED']);
    expect(await userTasks(ctx, pi.processInstanceKey, 'CANCELED')).to.have.length(1);
    for (const type of ['conf.tb.remind', 'conf.tb.escalate'])
      for (const j of await jobsOf(ctx, type, pi.processInstanceKey)) await ctx.zbc.completeJob({ jobKey: j.key, variables: {} });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
  });

  it('event-based gateway: the timer wins when no message arrives', async function () {
    skipUnlessClock(ctx, this);
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-event-gateway', variables: { orderId: 'timer-wins' } });
    await waitElement(ctx, pi.processInstanceKey, 'gw');
    await clockAdd(ctx, 'PT1H');
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    const els = await elements(ctx, pi.processInstanceKey);
    expect(els.endTimeout).to.deep.equal(['COMPLETED']);
    expect(els.paid).to.equal(undefined);
  });

  it('job timeout: an activated job that is not completed in time can be activated again', async () => {
    await deploy(ctx, 'service-task.bpmn');
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-service-task', variables: {} });
    const [j1] = await waitFor(async () => {
      const l = await jobsOf(ctx, 'conf.service', pi.processInstanceKey, 3000);
      return l.length ? l : undefined;
    }, 'job');
    expect(await jobsNow(ctx, 'conf.service', pi.processInstanceKey)).to.have.length(0);
    if (ctx.external) await new Promise((r) => setTimeout(r, 3500));
    else await clockAdd(ctx, 'PT4S');
    const [j2] = await waitFor(async () => {
      const l = await jobsOf(ctx, 'conf.service', pi.processInstanceKey);
      return l.length ? l : undefined;
    }, 'job again');
    expect(j2.key).to.equal(j1.key);
    expect(j2.retries).to.equal(j1.retries);
    await ctx.zbc.completeJob({ jobKey: j2.key, variables: {} });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
  });

  it('UpdateJobTimeout extends the deadline of an activated job', async function () {
    skipUnlessClock(ctx, this);
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-service-task', variables: {} });
    const [j] = await waitFor(async () => {
      const l = await jobsOf(ctx, 'conf.service', pi.processInstanceKey, 1000);
      return l.length ? l : undefined;
    }, 'job');
    await ctx.zbc.updateJobTimeout({ jobKey: j.key, timeout: 60000 } as never);
    await clockAdd(ctx, 'PT2S');
    expect(await jobsNow(ctx, 'conf.service', pi.processInstanceKey)).to.have.length(0);
    await clockAdd(ctx, 'PT1M');
    expect(await jobsOf(ctx, 'conf.service', pi.processInstanceKey)).to.have.length(1);
  });
});

describe('engine conformance: timer start events', function () {
  let ctx: Ctx;
  beforeEach(async () => {
    ctx = await setup();
  });
  afterEach(async () => ctx?.stop());

  it('an ISO cycle R2/P1D starts exactly two instances, one per day', async function () {
    skipUnlessClock(ctx, this);
    await deploy(ctx, 'timer-start-cycle.bpmn');
    expect(await instancesOf(ctx, 'conf-timer-start-cycle')).to.equal(0);
    await clockAdd(ctx, 'P1D');
    await waitFor(async () => (await instancesOf(ctx, 'conf-timer-start-cycle')) === 1, 'first instance');
    await clockAdd(ctx, 'P1D');
    await waitFor(async () => (await instancesOf(ctx, 'conf-timer-start-cycle')) === 2, 'second instance');
    await clockAdd(ctx, 'P3D');
    await new Promise((r) => setTimeout(r, 50));
    expect(await instancesOf(ctx, 'conf-timer-start-cycle')).to.equal(2);
    expect(await activate(ctx, 'conf.cycle.tick')).to.have.length(2);
  });

  it('a 6-field cron (0 0 1 1 * *) starts an instance at 01:00 on the 1st of each month, in the engine time zone', async function () {
    skipUnlessClock(ctx, this);
    // pinned before the deployment, from which the first due date counts; the engine of setup() runs in UTC
    await pinClock(ctx, '2026-12-01T00:59:00Z');
    await deploy(ctx, 'timer-start-cron.bpmn');
    await new Promise((r) => setTimeout(r, 50));
    expect(await instancesOf(ctx, 'conf-timer-start-cron')).to.equal(0);
    await clockAdd(ctx, 'PT2M');
    await waitFor(async () => (await instancesOf(ctx, 'conf-timer-start-cron')) === 1, 'instance on the 1st');
    await clockAdd(ctx, 'P20D');
    await new Promise((r) => setTimeout(r, 50));
    expect(await instancesOf(ctx, 'conf-timer-start-cron')).to.equal(1);
  });

  it('a timeDate start event starts one instance at that date', async function () {
    skipUnlessClock(ctx, this);
    const due = Date.parse('2027-03-01T09:00:00+08:00');
    await pinClock(ctx, new Date(due - 1000).toISOString());
    await deploy(ctx, 'timer-start-date.bpmn');
    await new Promise((r) => setTimeout(r, 50));
    expect(await instancesOf(ctx, 'conf-timer-start-date')).to.equal(0);
    await clockAdd(ctx, 'PT2S');
    await waitFor(async () => (await instancesOf(ctx, 'conf-timer-start-date')) === 1, 'instance at the date');
    await clockAdd(ctx, 'P400D');
    await new Promise((r) => setTimeout(r, 50));
    expect(await instancesOf(ctx, 'conf-timer-start-date')).to.equal(1);
  });

  it('the clock control call does not exist outside test mode', async function () {
    if (ctx.external) this.skip();
    const { startEngine } = require('../../engine') as typeof import('../../engine');
    const e = await startEngine({ grpcPort: 0, restPort: 0, host: '127.0.0.1' });
    try {
      const r = await fetch(`${e.restAddress}/engine/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ add: 'P1D' }),
      });
      expect(r.status).to.equal(404);
    } finally {
      await e.stop();
    }
  });
});
