import { expect } from 'chai';
import { activate, Ctx, deploy, oneJob, setup, uid, variables, waitState } from './helpers';

describe('engine conformance: service task', function () {
  let ctx: Ctx;
  before(async () => {
    ctx = await setup();
    await deploy(ctx, 'service-task.bpmn', 'send-and-rule-tasks.bpmn');
  });
  after(async () => ctx?.stop());

  it('creates a job with type, headers, retries and the instance variables, and completing it merges variables and ends the instance', async () => {
    const id = uid();
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-service-task', variables: { orderId: id } });
    expect(pi.processInstanceKey).to.match(/^\d+$/);
    const jobs = await activate(ctx, 'conf.service', 100);
    const job = jobs.find((j) => j.processInstanceKey === pi.processInstanceKey)!;
    expect(job, 'job activated').to.exist;
    expect(job.customHeaders).to.deep.equal({ mode: 'fast' });
    expect(job.retries).to.equal(3);
    expect(job.variables.orderId).to.equal(id);
    expect(job.elementId).to.equal('task');
    await ctx.zbc.completeJob({ jobKey: job.key, variables: { result: 42 } });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect(await variables(ctx, pi.processInstanceKey)).to.deep.equal({ orderId: id, result: 42 });
  });

  it('a worker (createWorker, long polling) completes jobs', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-service-task', variables: { n: 1 } });
    const w = ctx.zbc.createWorker({
      taskType: 'conf.service',
      taskHandler: (job: any) => job.complete({ done: true }),
      pollInterval: 100,
    } as never);
    try {
      await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
      expect((await variables(ctx, pi.processInstanceKey)).done).to.equal(true);
    } finally {
      await w.close();
    }
  });

  it('a streaming worker (StreamActivatedJobs) completes jobs', async () => {
    const w = await ctx.zbc.streamJobs({
      type: 'conf.service',
      worker: 'streamer',
      timeout: 30000,
      taskHandler: (job: any) => job.complete({ streamed: true }),
    } as never);
    try {
      await new Promise((r) => setTimeout(r, 200));
      const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-service-task', variables: {} });
      await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
      expect((await variables(ctx, pi.processInstanceKey)).streamed).to.equal(true);
    } finally {
      w.close();
    }
  });

  it('createProcessInstanceWithResult returns the final variables', async () => {
    const w = ctx.zbc.createWorker({
      taskType: 'conf.service',
      taskHandler: (job: any) => job.complete({ sum: (job.variables as { a: number }).a + 1 }),
      pollInterval: 100,
    } as never);
    try {
      const res = await ctx.zbc.createProcessInstanceWithResult({ bpmnProcessId: 'conf-service-task', variables: { a: 1 } } as never);
      expect((res.variables as { sum: number }).sum).to.equal(2);
    } finally {
      await w.close();
    }
  });

  it('send and business-rule tasks are jobs too; job type and retries may be FEEL expressions', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-send-rule', variables: { channel: 'sms', maxRetries: 5 } });
    const send = await oneJob(ctx, 'conf.send.sms', pi.processInstanceKey);
    expect(send.retries).to.equal(5);
    expect(send.customHeaders).to.deep.equal({ template: 'reminder' });
    expect(send.elementId).to.equal('notify');
    await ctx.zbc.completeJob({ jobKey: send.key, variables: {} });
    const rule = await oneJob(ctx, 'conf.rule', pi.processInstanceKey);
    expect(rule.retries, 'default retries').to.equal(3);
    await ctx.zbc.completeJob({ jobKey: rule.key, variables: { decision: 'OK' } });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
  });
});
