import { expect } from 'chai';
import { Ctx, deploy, grpcError, http, incidents, rawGateway, setup, Status, uid, userTasks, waitFor, waitState } from './helpers';

// User task listeners, 'creating' event (Zeebe 8.8+): the task is CREATING while its creating listeners' jobs
// run one at a time in model order; after the last it is CREATED, corrected, then assigned the model's assignee.
describe('engine conformance: user task listeners (creating)', function () {
  let ctx: Ctx;
  before(async () => {
    ctx = await setup();
    await deploy(ctx, 'task-listeners-creating.bpmn');
  });
  after(async () => ctx?.stop());

  const start = async (bpmnProcessId = 'conf-tl-creating', extra: Record<string, unknown> = {}) => {
    const a = `tlc-a-${uid()}`,
      b = `tlc-b-${uid()}`,
      c = `tlc-c-${uid()}`;
    const pi = await ctx.zbc.createProcessInstance({
      bpmnProcessId,
      variables: { owner: 'alice', due: '2026-12-24T18:00:00+08:00', listenerA: a, listenerB: b, listenerC: c, ...extra },
    });
    const [task] = await waitFor(async () => {
      const l = await userTasks(ctx, pi.processInstanceKey, 'CREATING');
      return l.length ? l : undefined;
    }, 'user task in CREATING');
    return { pi, task, a, b, c };
  };
  const activate = (type: string) =>
    waitFor(async () => {
      const r = await http(ctx, 'POST', '/v2/jobs/activation', { type, maxJobsToActivate: 1, timeout: 30000, requestTimeout: -1 });
      return r.body.jobs?.length ? r.body.jobs[0] : undefined;
    }, `job ${type}`);
  const noJob = async (type: string) => {
    const r = await http(ctx, 'POST', '/v2/jobs/activation', { type, maxJobsToActivate: 1, timeout: 30000, requestTimeout: -1 });
    expect(r.body.jobs, `no job of ${type}`).to.have.length(0);
  };
  const getTask = async (key: string) => (await http(ctx, 'GET', `/v2/user-tasks/${key}`)).body;

  it('runs the creating listeners in order while the task is CREATING (gRPC and REST), then the task is CREATED and assigned', async () => {
    const { pi, task, a, b, c } = await start();
    // while CREATING: searchable as CREATING, not as CREATED, without the model's assignee (as Camunda exports it)
    expect(task).to.include({ state: 'CREATING', elementId: 'configure', dueDate: '2026-12-24T18:00:00+08:00' });
    expect(task.assignee).to.equal(undefined);
    expect(await userTasks(ctx, pi.processInstanceKey)).to.have.length(0);
    expect((await getTask(task.userTaskKey)).state).to.equal('CREATING');
    const [ja] = await waitFor(async () => {
      const r = await ctx.zbc.activateJobs({ type: a, worker: 'w', timeout: 30000, maxJobsToActivate: 1, requestTimeout: -1 } as never);
      return r.length ? r : undefined;
    }, 'listener A over gRPC');
    const headers = ja.customHeaders as Record<string, string>;
    expect(headers).to.include({
      purpose: 'order',
      'io.camunda.zeebe:userTaskKey': task.userTaskKey,
      'io.camunda.zeebe:assignee': 'alice',
      'io.camunda.zeebe:dueDate': '2026-12-24T18:00:00+08:00',
      'io.camunda.zeebe:priority': '50',
    });
    expect(JSON.parse(headers['io.camunda.zeebe:candidateGroups'])).to.deep.equal(['tech']);
    // a creating listener has no action (Zeebe's record has none while creating)
    expect(headers).to.not.have.property('io.camunda.zeebe:action');
    // the task's variables, its input mapping's local one included
    expect(ja.variables).to.include({ owner: 'alice', localNote: 'local-alice', listenerA: a });
    await noJob(b);
    await ctx.zbc.completeJob({ jobKey: ja.key, variables: {} });
    const jb = await activate(b);
    expect(jb).to.include({ kind: 'TASK_LISTENER', listenerEventType: 'CREATING', elementId: 'configure' });
    expect((await getTask(task.userTaskKey)).state).to.equal('CREATING');
    expect((await http(ctx, 'POST', `/v2/jobs/${jb.jobKey}/completion`, {})).status).to.equal(204);
    const created = await waitFor(async () => (await userTasks(ctx, pi.processInstanceKey))[0], 'task CREATED');
    expect(created).to.include({ userTaskKey: task.userTaskKey, state: 'CREATED', assignee: 'alice' });
    // CREATED: a completion now runs the completing listener, then completes the task
    const completion = http(ctx, 'POST', `/v2/user-tasks/${task.userTaskKey}/completion`, {});
    const jc = await activate(c);
    expect(jc).to.include({ listenerEventType: 'COMPLETING' });
    await http(ctx, 'POST', `/v2/jobs/${jc.jobKey}/completion`, {});
    expect((await completion).status).to.equal(204);
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
  });

  it('rejects commands on a task in CREATING as Zeebe does (INVALID_STATE: REST 409, gRPC FAILED_PRECONDITION); variables on the instance scope are set', async () => {
    const { pi, task, a, b } = await start();
    const k = task.userTaskKey;
    const completion = await http(ctx, 'POST', `/v2/user-tasks/${k}/completion`, {});
    expect(completion.status).to.equal(409);
    expect(JSON.stringify(completion.body)).to.contain(`Expected to complete user task with key '${k}', but it is in state 'CREATING'`);
    const assign = await http(ctx, 'POST', `/v2/user-tasks/${k}/assignment`, { assignee: 'bob' });
    expect(assign.status).to.equal(409);
    expect(JSON.stringify(assign.body)).to.contain(`Expected to assign user task with key '${k}', but it is in state 'CREATING'`);
    const claim = await http(ctx, 'POST', `/v2/user-tasks/${k}/assignment`, { assignee: 'bob', allowOverride: false });
    expect(JSON.stringify(claim.body)).to.contain(`Expected to claim user task with key '${k}', but it is in state 'CREATING'`);
    expect((await http(ctx, 'DELETE', `/v2/user-tasks/${k}/assignee`)).status).to.equal(409);
    const update = await http(ctx, 'PATCH', `/v2/user-tasks/${k}`, { changeset: { priority: 80 } });
    expect(update.status).to.equal(409);
    expect(JSON.stringify(update.body)).to.contain(`Expected to update user task with key '${k}', but it is in state 'CREATING'`);
    // SetVariables on the task's own scope: Zeebe's update transition, refused while CREATING
    const text = `Expected to trigger update transition for user task with key '${k}', but it is in state 'CREATING'`;
    const g = await grpcError(ctx.zbc.setVariables({ elementInstanceKey: task.elementInstanceKey, variables: { x: 1 }, local: true }));
    expect(g.code).to.equal(Status.FAILED_PRECONDITION);
    expect(g.message).to.contain(text);
    const r = await http(ctx, 'PUT', `/v2/element-instances/${task.elementInstanceKey}/variables`, { variables: { x: 1 }, local: false });
    expect(r.status).to.equal(409);
    expect(JSON.stringify(r.body)).to.contain(text);
    // the process instance's scope is not the task's: set
    await ctx.zbc.setVariables({ elementInstanceKey: pi.processInstanceKey, variables: { fromGrpc: 1 }, local: false });
    expect(
      (await http(ctx, 'PUT', `/v2/element-instances/${pi.processInstanceKey}/variables`, { variables: { fromRest: 2 } })).status,
    ).to.equal(204);
    // nothing changed the task; its listeners go on and see the instance's new variables
    const ja = await activate(a);
    expect(ja.variables).to.include({ fromGrpc: 1, fromRest: 2 });
    expect(ja.variables).to.not.have.property('x');
    await http(ctx, 'POST', `/v2/jobs/${ja.jobKey}/completion`, {});
    await http(ctx, 'POST', `/v2/jobs/${(await activate(b)).jobKey}/completion`, {});
    const created = await waitFor(async () => (await userTasks(ctx, pi.processInstanceKey))[0], 'task CREATED');
    expect(created).to.include({ assignee: 'alice', priority: 50 });
    // CREATED: the task's scope takes variables
    expect(
      (await http(ctx, 'PUT', `/v2/element-instances/${task.elementInstanceKey}/variables`, { variables: { x: 1 }, local: true })).status,
    ).to.equal(204);
    await ctx.zbc.cancelProcessInstance(pi.processInstanceKey);
  });

  it("applies a creating listener's corrections (REST) when the task is CREATED; the next listener sees them; a corrected assignee is assigned", async () => {
    const { pi, task, a, b } = await start('conf-tl-creating-open');
    const ja = await activate(a);
    expect(ja.customHeaders).to.not.have.property('io.camunda.zeebe:assignee');
    const corrections = { assignee: 'carol', dueDate: '2026-12-31T18:00:00+08:00', candidateGroups: ['tech', 'ops'], priority: 80 };
    expect((await http(ctx, 'POST', `/v2/jobs/${ja.jobKey}/completion`, { result: { type: 'userTask', corrections } })).status).to.equal(
      204,
    );
    const jb = await activate(b);
    expect(jb.customHeaders).to.include({
      'io.camunda.zeebe:assignee': 'carol',
      'io.camunda.zeebe:dueDate': '2026-12-31T18:00:00+08:00',
      'io.camunda.zeebe:priority': '80',
      'io.camunda.zeebe:candidateGroups': '["tech","ops"]',
    });
    // not applied while CREATING (Camunda exports the corrections with the CREATED task)
    const creating = await getTask(task.userTaskKey);
    expect(creating).to.include({ state: 'CREATING', priority: 50 });
    expect(creating.dueDate).to.equal(undefined);
    expect(
      (await http(ctx, 'POST', `/v2/jobs/${jb.jobKey}/completion`, { result: { corrections: { priority: 90, dueDate: null } } })).status,
    ).to.equal(204);
    const created = await waitFor(async () => (await userTasks(ctx, pi.processInstanceKey))[0], 'task CREATED');
    expect(created).to.include({ assignee: 'carol', dueDate: '2026-12-31T18:00:00+08:00', priority: 90 });
    expect(created.candidateGroups).to.deep.equal(['tech', 'ops']);
    await ctx.zbc.cancelProcessInstance(pi.processInstanceKey);
  });

  it('gRPC with the 8.9 fields: corrections (JobResultCorrections) on a creating listener, an empty string clearing the due date', async function () {
    if (ctx.external) this.skip();
    const { pi, a, b } = await start();
    const { gw, call, activateOne } = rawGateway(ctx);
    try {
      const job = await activateOne(a);
      expect(job).to.include({ kind: 'TASK_LISTENER', listenerEventType: 'CREATING' });
      await call('CompleteJob', {
        jobKey: job.key,
        variables: '{}',
        result: { corrections: { dueDate: '', candidateUsers: { values: ['dave'] }, priority: 10 } },
      });
      const jb = await activate(b);
      expect(jb.customHeaders).to.include({ 'io.camunda.zeebe:priority': '10', 'io.camunda.zeebe:candidateUsers': '["dave"]' });
      expect(jb.customHeaders).to.not.have.property('io.camunda.zeebe:dueDate');
      await http(ctx, 'POST', `/v2/jobs/${jb.jobKey}/completion`, {});
      const created = await waitFor(async () => (await userTasks(ctx, pi.processInstanceKey))[0], 'task CREATED');
      expect(created).to.include({ assignee: 'alice', priority: 10 });
      expect(created.dueDate).to.equal(undefined);
      expect(created.candidateUsers).to.deep.equal(['dave']);
      // the model's candidate groups were not corrected: kept
      expect(created.candidateGroups).to.deep.equal(['tech']);
    } finally {
      gw.close();
      await ctx.zbc.cancelProcessInstance(pi.processInstanceKey);
    }
  });

  it("refuses what Zeebe refuses on a creating listener's job: a denial, a denial with corrections, an assignee over the model's, bad values; the job stays", async () => {
    const { pi, task, a } = await start();
    const ja = await activate(a);
    const complete = (result: unknown) => http(ctx, 'POST', `/v2/jobs/${ja.jobKey}/completion`, { result });
    const denied = await complete({ denied: true, deniedReason: 'no' });
    expect(denied.status).to.equal(400);
    expect(JSON.stringify(denied.body)).to.contain(
      `Denying result is not supported for 'CREATING' task listener jobs (job key '${ja.jobKey}', type '${a}', processInstanceKey '${pi.processInstanceKey}'). Only the following listener event types support denying: [ASSIGNING, COMPLETING, UPDATING].`,
    );
    const both = await complete({ denied: true, corrections: { priority: 1 } });
    expect(both.status).to.equal(400);
    const assignee = await complete({ corrections: { assignee: 'bob' } });
    expect(assignee.status).to.equal(400);
    expect(JSON.stringify(assignee.body)).to.contain(
      "correcting the assignee on 'CREATING' event is not supported when the user task has an assignee defined in the model",
    );
    expect((await complete({ corrections: { priority: 101 } })).status).to.equal(400);
    expect((await complete({ corrections: { dueDate: 'tomorrow' } })).status).to.equal(400);
    // over gRPC (the SDK's client): a denial is refused the same way
    const { call, gw } = rawGateway(ctx);
    try {
      const e = await grpcError(call('CompleteJob', { jobKey: ja.jobKey, variables: '{}', result: { denied: true } }));
      expect(e.code).to.equal(Status.INVALID_ARGUMENT);
    } finally {
      gw.close();
    }
    // nothing changed: the job completes, the task goes on
    expect((await complete({ corrections: { priority: 70 } })).status).to.equal(204);
    expect((await getTask(task.userTaskKey)).state).to.equal('CREATING');
    await ctx.zbc.cancelProcessInstance(pi.processInstanceKey);
  });

  it("applies a completing listener's corrections to the completed task; a denied completion leaves the task as it was", async () => {
    const { pi, task, a, b, c } = await start();
    await http(ctx, 'POST', `/v2/jobs/${(await activate(a)).jobKey}/completion`, {});
    await http(ctx, 'POST', `/v2/jobs/${(await activate(b)).jobKey}/completion`, {});
    await waitFor(async () => (await userTasks(ctx, pi.processInstanceKey))[0], 'task CREATED');
    // denied: the task is CREATED again, unchanged
    let completion = http(ctx, 'POST', `/v2/user-tasks/${task.userTaskKey}/completion`, {});
    await http(ctx, 'POST', `/v2/jobs/${(await activate(c)).jobKey}/completion`, { result: { denied: true, deniedReason: 'later' } });
    expect((await completion).status).to.equal(409);
    expect(await getTask(task.userTaskKey)).to.include({ state: 'CREATED', priority: 50 });
    completion = http(ctx, 'POST', `/v2/user-tasks/${task.userTaskKey}/completion`, {});
    const jc = await activate(c);
    expect(jc.customHeaders).to.include({ 'io.camunda.zeebe:action': 'complete', 'io.camunda.zeebe:assignee': 'alice' });
    await http(ctx, 'POST', `/v2/jobs/${jc.jobKey}/completion`, { result: { corrections: { priority: 5, assignee: 'erin' } } });
    expect((await completion).status).to.equal(204);
    expect(await getTask(task.userTaskKey)).to.include({ state: 'COMPLETED', priority: 5, assignee: 'erin' });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
  });

  it('a creating listener failing without retries is a TASK_LISTENER_NO_RETRIES incident; resolved, it runs again and the task is CREATED', async () => {
    const { pi, task, a, b } = await start();
    const ja = await activate(a);
    await ctx.zbc.failJob({ jobKey: ja.jobKey, retries: 0, errorMessage: 'order service down', retryBackOff: 0 });
    const [inc] = await waitFor(async () => {
      const l = await incidents(ctx, pi.processInstanceKey);
      return l.length ? l : undefined;
    }, 'incident');
    expect(inc).to.include({
      errorType: 'TASK_LISTENER_NO_RETRIES',
      elementId: 'configure',
      jobKey: ja.jobKey,
      errorMessage: 'order service down',
    });
    expect((await getTask(task.userTaskKey)).state).to.equal('CREATING');
    expect((await http(ctx, 'PATCH', `/v2/jobs/${ja.jobKey}`, { changeset: { retries: 1 } })).status).to.equal(204);
    expect((await http(ctx, 'POST', `/v2/incidents/${inc.incidentKey}/resolution`, {})).status).to.equal(204);
    const again = await activate(a);
    expect(again.jobKey).to.equal(ja.jobKey);
    await http(ctx, 'POST', `/v2/jobs/${again.jobKey}/completion`, {});
    await http(ctx, 'POST', `/v2/jobs/${(await activate(b)).jobKey}/completion`, {});
    expect((await waitFor(async () => (await userTasks(ctx, pi.processInstanceKey))[0], 'task CREATED')).assignee).to.equal('alice');
    await ctx.zbc.cancelProcessInstance(pi.processInstanceKey);
  });

  it("a listener's job type failing to evaluate is an incident; with the variable set and the incident resolved, the job is created", async () => {
    const { pi, task, a } = await start('conf-tl-creating', { listenerB: null });
    await http(ctx, 'POST', `/v2/jobs/${(await activate(a)).jobKey}/completion`, {});
    const [inc] = await waitFor(async () => {
      const l = await incidents(ctx, pi.processInstanceKey);
      return l.length ? l : undefined;
    }, 'incident');
    expect(inc).to.include({ errorType: 'EXTRACT_VALUE_ERROR', elementId: 'configure' });
    const b = `tlc-b2-${uid()}`;
    await ctx.zbc.setVariables({ elementInstanceKey: pi.processInstanceKey, variables: { listenerB: b }, local: false });
    expect((await http(ctx, 'POST', `/v2/incidents/${inc.incidentKey}/resolution`, {})).status).to.equal(204);
    const jb = await activate(b);
    expect(jb).to.include({ listenerEventType: 'CREATING' });
    await http(ctx, 'POST', `/v2/jobs/${jb.jobKey}/completion`, {});
    expect((await waitFor(async () => (await userTasks(ctx, pi.processInstanceKey))[0], 'task CREATED')).userTaskKey).to.equal(
      task.userTaskKey,
    );
    await ctx.zbc.cancelProcessInstance(pi.processInstanceKey);
  });

  it("an interrupting boundary event while CREATING cancels the listener's job and the task; so does cancelling the instance", async () => {
    const { pi, task, a } = await start();
    const ja = await activate(a);
    await ctx.zbc.publishMessage({ name: 'conf-tl-creating-stop', correlationKey: a, variables: {}, timeToLive: 0 } as never);
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await getTask(task.userTaskKey)).state).to.equal('CANCELED');
    const late = await http(ctx, 'POST', `/v2/jobs/${ja.jobKey}/completion`, {});
    expect(late.status).to.equal(404);

    const second = await start();
    const jb = await activate(second.a);
    await ctx.zbc.cancelProcessInstance(second.pi.processInstanceKey);
    expect((await getTask(second.task.userTaskKey)).state).to.equal('CANCELED');
    expect((await grpcError(ctx.zbc.completeJob({ jobKey: jb.jobKey, variables: {} }))).code).to.equal(Status.NOT_FOUND);
  });
});
