import { expect } from 'chai';
import {
  clockAdd,
  Ctx,
  deploy,
  elements,
  grpcError,
  http,
  incidents,
  jobsNow,
  oneJob,
  setup,
  skipUnlessClock,
  Status,
  variables,
  waitFor,
  waitState,
} from './helpers';

const incidentOf = (ctx: Ctx, pi: string) =>
  waitFor(async () => {
    const l = await incidents(ctx, pi);
    return l.length ? l[0] : undefined;
  }, 'incident');

describe('engine conformance: BPMN errors, job failures, retries and incidents', function () {
  let ctx: Ctx;
  before(async () => {
    ctx = await setup();
    await deploy(ctx, 'error-boundary.bpmn', 'error-end.bpmn', 'service-task.bpmn', 'terminate-end.bpmn');
  });
  after(async () => ctx?.stop());

  it('ThrowError with a matching code is caught by the error boundary on the task; error variables are merged', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-error-boundary', variables: {} });
    const j = await oneJob(ctx, 'conf.err.draft', pi.processInstanceKey);
    await ctx.zbc.throwError({
      jobKey: j.key,
      errorCode: 'AP_PARTNER_UNAVAILABLE',
      errorMessage: 'partner down',
      variables: { reason: 'down' },
    } as never);
    const r = await oneJob(ctx, 'conf.err.resolve', pi.processInstanceKey);
    expect(r.variables.reason).to.equal('down');
    await ctx.zbc.completeJob({ jobKey: r.key, variables: {} });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    const els = await elements(ctx, pi.processInstanceKey);
    expect(els.draft).to.deep.equal(['TERMINATED']);
    expect(els.byCode).to.deep.equal(['COMPLETED']);
    expect(els.done).to.deep.equal(['COMPLETED']);
  });

  it('another code falls through to the catch-all error boundary of the enclosing sub-process', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-error-boundary', variables: {} });
    const j = await oneJob(ctx, 'conf.err.draft', pi.processInstanceKey);
    await ctx.zbc.throwError({ jobKey: j.key, errorCode: 'SOMETHING_ELSE', errorMessage: 'x' } as never);
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    const els = await elements(ctx, pi.processInstanceKey);
    expect(els.sub).to.deep.equal(['TERMINATED']);
    expect(els.endCatchAll).to.deep.equal(['COMPLETED']);
  });

  it('an error end event is caught by the boundary of its sub-process; an uncaught one raises UNHANDLED_ERROR_EVENT', async () => {
    const caught = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-error-end', variables: { mode: 'caught' } });
    await waitState(ctx, caught.processInstanceKey, 'COMPLETED');
    expect((await elements(ctx, caught.processInstanceKey)).endRejected).to.deep.equal(['COMPLETED']);
    const uncaught = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-error-end', variables: { mode: 'other' } });
    const inc = await incidentOf(ctx, uncaught.processInstanceKey);
    expect(inc.errorType).to.equal('UNHANDLED_ERROR_EVENT');
    expect(inc.elementId).to.equal('throwOther');
  });

  it('ThrowError without a catching boundary raises UNHANDLED_ERROR_EVENT on the task', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-service-task', variables: {} });
    const j = await oneJob(ctx, 'conf.service', pi.processInstanceKey);
    await ctx.zbc.throwError({ jobKey: j.key, errorCode: 'NOPE', errorMessage: 'nobody catches' } as never);
    const inc = await incidentOf(ctx, pi.processInstanceKey);
    expect(inc.errorType).to.equal('UNHANDLED_ERROR_EVENT');
    expect(inc.jobKey).to.equal(j.key);
  });

  it('FailJob with retries left makes the job activatable again; at zero retries an incident is raised and resolved after UpdateJobRetries', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-service-task', variables: {} });
    const j = await oneJob(ctx, 'conf.service', pi.processInstanceKey);
    await ctx.zbc.failJob({ jobKey: j.key, retries: 2, errorMessage: 'flaky', retryBackOff: 0 });
    const again = await oneJob(ctx, 'conf.service', pi.processInstanceKey);
    expect(again.key).to.equal(j.key);
    expect(again.retries).to.equal(2);
    await ctx.zbc.failJob({ jobKey: j.key, retries: 0, errorMessage: 'database unreachable', retryBackOff: 0 });
    const inc = await incidentOf(ctx, pi.processInstanceKey);
    expect(inc).to.include({ errorType: 'JOB_NO_RETRIES', errorMessage: 'database unreachable', jobKey: j.key, elementId: 'task' });
    expect(await jobsNow(ctx, 'conf.service', pi.processInstanceKey)).to.have.length(0);
    // resolving while the job still has no retries is rejected (REST: 409)
    expect((await grpcError(ctx.zbc.resolveIncident({ incidentKey: inc.incidentKey }))).code).to.equal(Status.FAILED_PRECONDITION);
    expect((await http(ctx, 'POST', `/v2/incidents/${inc.incidentKey}/resolution`)).status).to.equal(409);
    await ctx.zbc.updateJobRetries({ jobKey: j.key, retries: 1 });
    await ctx.zbc.resolveIncident({ incidentKey: inc.incidentKey });
    const back = await oneJob(ctx, 'conf.service', pi.processInstanceKey);
    expect(back.retries).to.equal(1);
    await ctx.zbc.completeJob({ jobKey: back.key, variables: {} });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
  });

  it('FailJob with a retry back-off keeps the job back until the back-off has passed', async function () {
    skipUnlessClock(ctx, this);
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-service-task', variables: {} });
    const j = await oneJob(ctx, 'conf.service', pi.processInstanceKey);
    await ctx.zbc.failJob({ jobKey: j.key, retries: 4, errorMessage: 'later', retryBackOff: 60000 });
    expect(await jobsNow(ctx, 'conf.service', pi.processInstanceKey)).to.have.length(0);
    await clockAdd(ctx, 'PT61S');
    const back = await oneJob(ctx, 'conf.service', pi.processInstanceKey);
    expect(back.retries).to.equal(4);
  });

  it('completing a job twice or completing an unknown job answers NOT_FOUND; failing a job in an incident answers FAILED_PRECONDITION', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-service-task', variables: {} });
    const j = await oneJob(ctx, 'conf.service', pi.processInstanceKey);
    await ctx.zbc.completeJob({ jobKey: j.key, variables: {} });
    expect((await grpcError(ctx.zbc.completeJob({ jobKey: j.key, variables: {} }))).code).to.equal(Status.NOT_FOUND);
    expect((await grpcError(ctx.zbc.completeJob({ jobKey: '2251799813000001', variables: {} }))).code).to.equal(Status.NOT_FOUND);
    const pi2 = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-service-task', variables: {} });
    const j2 = await oneJob(ctx, 'conf.service', pi2.processInstanceKey);
    await ctx.zbc.failJob({ jobKey: j2.key, retries: 0, errorMessage: 'x', retryBackOff: 0 });
    expect((await grpcError(ctx.zbc.completeJob({ jobKey: j2.key, variables: {} }))).code).to.equal(Status.FAILED_PRECONDITION);
  });

  it('a terminate end event ends the instance and terminates the other branch (its job is cancelled)', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-terminate', variables: {} });
    const slow = await oneJob(ctx, 'conf.term.slow', pi.processInstanceKey);
    const fast = await oneJob(ctx, 'conf.term.fast', pi.processInstanceKey);
    await ctx.zbc.completeJob({ jobKey: fast.key, variables: {} });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await elements(ctx, pi.processInstanceKey)).slow).to.deep.equal(['TERMINATED']);
    expect((await grpcError(ctx.zbc.completeJob({ jobKey: slow.key, variables: {} }))).code).to.equal(Status.NOT_FOUND);
  });

  it('CancelProcessInstance terminates the instance and its job; a second cancel answers NOT_FOUND', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-service-task', variables: { a: 1 } });
    const j = await oneJob(ctx, 'conf.service', pi.processInstanceKey);
    await ctx.zbc.cancelProcessInstance(pi.processInstanceKey);
    await waitState(ctx, pi.processInstanceKey, 'TERMINATED');
    expect((await grpcError(ctx.zbc.completeJob({ jobKey: j.key, variables: {} }))).code).to.equal(Status.NOT_FOUND);
    expect((await grpcError(ctx.zbc.cancelProcessInstance(pi.processInstanceKey))).code).to.equal(Status.NOT_FOUND);
    expect(await variables(ctx, pi.processInstanceKey)).to.deep.equal({ a: 1 });
  });
});
