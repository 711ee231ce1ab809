import { expect } from 'chai';
import { Ctx, deploy, grpcError, http, incidents, rawGateway, setup, uid, userTasks, waitFor, waitState } from './helpers';

// User task listeners, 'completing' event: the completion waits for the listener jobs, one at a time in
// model order; gRPC through the SDK's client (its 8.8 proto has no JobResult: it can only approve), REST
// with `result` for the denial.
describe('engine conformance: user task listeners (completing)', function () {
  let ctx: Ctx;
  before(async () => {
    ctx = await setup();
    await deploy(ctx, 'task-listeners.bpmn');
  });
  after(async () => ctx?.stop());

  const start = async () => {
    const a = `tl-a-${uid()}`,
      b = `tl-b-${uid()}`;
    const pi = await ctx.zbc.createProcessInstance({
      bpmnProcessId: 'conf-task-listeners',
      variables: { owner: 'alice', listenerA: a, listenerB: b },
    });
    const [task] = await waitFor(async () => {
      const l = await userTasks(ctx, pi.processInstanceKey);
      return l.length ? l : undefined;
    }, 'user task');
    return { pi, task, a, b };
  };
  const activate = (type: string) =>
    waitFor(async () => {
      const r = await http(ctx, 'POST', '/v2/jobs/activation', { type, maxJobsToActivate: 1, timeout: 30000, requestTimeout: -1 });
      return r.body.jobs?.length ? r.body.jobs[0] : undefined;
    }, `job ${type}`);

  it('runs the listeners in order before the completion (gRPC), with the task in their headers, then completes the task', async () => {
    const { pi, task, a, b } = await start();
    const completion = http(ctx, 'POST', `/v2/user-tasks/${task.userTaskKey}/completion`, { variables: { approved: true } });
    const jobs = await waitFor(async () => {
      const r = await ctx.zbc.activateJobs({ type: a, worker: 'w', timeout: 30000, maxJobsToActivate: 1, requestTimeout: -1 } as never);
      return r.length ? r : undefined;
    }, 'listener A');
    const ja = jobs[0];
    expect(ja.customHeaders).to.include({
      purpose: 'audit',
      'io.camunda.zeebe:userTaskKey': task.userTaskKey,
      'io.camunda.zeebe:assignee': 'alice',
      'io.camunda.zeebe:action': 'complete',
    });
    expect(JSON.parse(String((ja.customHeaders as Record<string, string>)['io.camunda.zeebe:candidateGroups']))).to.deep.equal([
      'reviewers',
    ]);
    expect(ja.elementId).to.equal('review');
    // the second listener's job does not exist before the first one completed
    const none = await http(ctx, 'POST', '/v2/jobs/activation', { type: b, maxJobsToActivate: 1, timeout: 30000, requestTimeout: -1 });
    expect(none.body.jobs).to.have.length(0);
    expect((await http(ctx, 'GET', `/v2/user-tasks/${task.userTaskKey}`)).body.state).to.equal('COMPLETING');
    await ctx.zbc.completeJob({ jobKey: ja.key, variables: {} });
    const jb = await activate(b);
    expect(jb).to.include({ kind: 'TASK_LISTENER', listenerEventType: 'COMPLETING', elementId: 'review' });
    const done = await http(ctx, 'POST', `/v2/jobs/${jb.jobKey}/completion`, {});
    expect(done.status).to.equal(204);
    expect((await completion).status).to.equal(204);
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await http(ctx, 'GET', `/v2/user-tasks/${task.userTaskKey}`)).body.state).to.equal('COMPLETED');
  });

  it('a denying listener (REST result) rejects the completion with 409 and keeps the task open; a later completion goes through', async () => {
    const { pi, task, a, b } = await start();
    const completion = http(ctx, 'POST', `/v2/user-tasks/${task.userTaskKey}/completion`, {});
    const ja = await activate(a);
    const denied = await http(ctx, 'POST', `/v2/jobs/${ja.jobKey}/completion`, {
      result: { type: 'userTask', denied: true, deniedReason: 'no form' },
    });
    expect(denied.status).to.equal(204);
    const rejected = await completion;
    expect(rejected.status).to.equal(409);
    expect(JSON.stringify(rejected.body)).to.contain(
      `Completion of the User Task with key '${task.userTaskKey}' was denied by Task Listener. Reason to deny: 'no form'`,
    );
    expect((await http(ctx, 'GET', `/v2/user-tasks/${task.userTaskKey}`)).body.state).to.equal('CREATED');
    const none = await http(ctx, 'POST', '/v2/jobs/activation', { type: b, maxJobsToActivate: 1, timeout: 30000, requestTimeout: -1 });
    expect(none.body.jobs).to.have.length(0);
    // again: both approve
    const second = http(ctx, 'POST', `/v2/user-tasks/${task.userTaskKey}/completion`, {});
    await http(ctx, 'POST', `/v2/jobs/${(await activate(a)).jobKey}/completion`, {});
    await http(ctx, 'POST', `/v2/jobs/${(await activate(b)).jobKey}/completion`, {});
    expect((await second).status).to.equal(204);
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
  });

  it('gRPC with the 8.9 fields (JobResult, kind): a denying listener rejects the completion', async function () {
    if (ctx.external) this.skip();
    const { task, a } = await start();
    const { gw, call, activateOne } = rawGateway(ctx);
    try {
      const completion = http(ctx, 'POST', `/v2/user-tasks/${task.userTaskKey}/completion`, {});
      const job = await activateOne(a);
      expect(job).to.include({ kind: 'TASK_LISTENER', listenerEventType: 'COMPLETING' });
      await call('CompleteJob', { jobKey: job.key, variables: '{}', result: { denied: true, deniedReason: 'by grpc' } });
      const r = await completion;
      expect(r.status).to.equal(409);
      expect(JSON.stringify(r.body)).to.contain("Reason to deny: 'by grpc'");
    } finally {
      gw.close();
    }
  });

  it("gives a listener's job the completion's variables over the task scope's, fetchVariable respected (REST and gRPC)", async () => {
    const { pi, task, a, b } = await start();
    const completion = http(ctx, 'POST', `/v2/user-tasks/${task.userTaskKey}/completion`, {
      variables: { approved: true, owner: 'bob' },
    });
    const ja = await activate(a);
    expect(ja.variables).to.include({ approved: true, owner: 'bob', listenerA: a });
    await http(ctx, 'POST', `/v2/jobs/${ja.jobKey}/completion`, {});
    const [jb] = await waitFor(async () => {
      const r = await ctx.zbc.activateJobs({
        type: b,
        worker: 'w',
        timeout: 30000,
        maxJobsToActivate: 1,
        requestTimeout: -1,
        fetchVariable: ['owner', 'approved'],
      } as never);
      return r.length ? r : undefined;
    }, 'listener B');
    expect(jb.variables).to.deep.equal({ owner: 'bob', approved: true });
    await ctx.zbc.completeJob({ jobKey: jb.key, variables: {} });
    expect((await completion).status).to.equal(204);
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
  });

  it('refuses variables on a listener job completion, as Zeebe does', async () => {
    const { task, a } = await start();
    void http(ctx, 'POST', `/v2/user-tasks/${task.userTaskKey}/completion`, {});
    const ja = await activate(a);
    const r = await http(ctx, 'POST', `/v2/jobs/${ja.jobKey}/completion`, { variables: { x: 1 } });
    expect(r.status).to.equal(400);
    expect(JSON.stringify(r.body)).to.contain('Task Listener job completion with variables payload provided is not yet supported');
    const g = await grpcError(ctx.zbc.completeJob({ jobKey: ja.jobKey, variables: { x: 1 } }));
    expect(g.code).to.equal(3);
  });

  it('a listener job failing without retries is an incident on the task; resolved, the listener runs again and the task completes', async () => {
    const { pi, task, a, b } = await start();
    const completion = http(ctx, 'POST', `/v2/user-tasks/${task.userTaskKey}/completion`, {});
    const ja = await activate(a);
    await ctx.zbc.failJob({ jobKey: ja.jobKey, retries: 0, errorMessage: 'ledger down', retryBackOff: 0 });
    const [inc] = await waitFor(async () => {
      const l = await incidents(ctx, pi.processInstanceKey);
      return l.length ? l : undefined;
    }, 'incident');
    expect(inc).to.include({ errorType: 'TASK_LISTENER_NO_RETRIES', elementId: 'review', jobKey: ja.jobKey });
    expect((await http(ctx, 'PATCH', `/v2/jobs/${ja.jobKey}`, { changeset: { retries: 1 } })).status).to.equal(204);
    expect((await http(ctx, 'POST', `/v2/incidents/${inc.incidentKey}/resolution`, {})).status).to.equal(204);
    await http(ctx, 'POST', `/v2/jobs/${(await activate(a)).jobKey}/completion`, {});
    await http(ctx, 'POST', `/v2/jobs/${(await activate(b)).jobKey}/completion`, {});
    expect((await completion).status).to.equal(204);
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
  });

  it('refuses listeners of the events not implemented yet at deploy time, naming the event', async () => {
    const e = await grpcError(deploy(ctx, 'task-listeners-assigning.bpmn'));
    expect(e.code).to.equal(3);
    expect(e.message).to.contain("Task listeners of event type 'assigning' are not supported");
  });
});
