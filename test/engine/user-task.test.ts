import { expect } from 'chai';
import { Ctx, deploy, http, incidents, setup, uid, userTasks, variables, waitFor, waitState } from './helpers';

describe('engine conformance: Camunda user tasks and the REST API', function () {
  let ctx: Ctx;
  before(async () => {
    ctx = await setup();
    await deploy(ctx, 'user-task.bpmn', 'user-task-form.form', 'user-task-missing-form.bpmn');
  });
  after(async () => ctx?.stop());

  const due = '2030-10-08T23:59:59+08:00';
  const start = async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-user-task', variables: { owner: 'alice', due } });
    const [task] = await waitFor(async () => {
      const l = await userTasks(ctx, pi.processInstanceKey);
      return l.length ? l : undefined;
    }, 'user task');
    return { pi, task };
  };

  it('creates the user task with assignee, candidates, dates and the linked form, shaped like Camunda 8.9', async () => {
    const { pi, task } = await start();
    expect(task).to.include({
      name: 'Review the order',
      state: 'CREATED',
      assignee: 'alice',
      elementId: 'review',
      processDefinitionId: 'conf-user-task',
      processInstanceKey: pi.processInstanceKey,
      dueDate: due,
      followUpDate: '2030-01-01T09:00:00+08:00',
      tenantId: '<default>',
    });
    expect(task.candidateGroups).to.deep.equal(['dept-manager', 'center-reviewer']);
    expect(task.candidateUsers).to.deep.equal(['ann', 'bob']);
    expect(task.userTaskKey).to.be.a('string').and.match(/^\d+$/);
    expect(task.formKey).to.be.a('string');
    expect(task.creationDate).to.be.a('string');
    const got = await http(ctx, 'GET', `/v2/user-tasks/${task.userTaskKey}`);
    expect(got.status).to.equal(200);
    expect(got.body).to.deep.equal(task);
    const form = await http(ctx, 'GET', `/v2/user-tasks/${task.userTaskKey}/form`);
    expect(form.status).to.equal(200);
    expect(form.body).to.include({ formId: 'conf-review-form', formKey: task.formKey, version: 1 });
    expect(form.body.schema.id).to.equal('conf-review-form');
    const byGroup = await http(ctx, 'POST', '/v2/user-tasks/search', {
      filter: { candidateGroup: 'center-reviewer', processInstanceKey: pi.processInstanceKey },
    });
    expect(byGroup.body.items).to.have.length(1);
    expect(byGroup.body.page.totalItems).to.equal(1);
    const none = await http(ctx, 'POST', '/v2/user-tasks/search', {
      filter: { candidateGroup: 'ops', processInstanceKey: pi.processInstanceKey },
    });
    expect(none.body.items).to.have.length(0);
  });

  it('assigns, unassigns and completes through REST; completion variables reach the process and the instance ends', async () => {
    const { pi, task } = await start();
    const k = task.userTaskKey;
    expect((await http(ctx, 'POST', `/v2/user-tasks/${k}/assignment`, { assignee: 'bob' })).status).to.equal(204);
    expect((await http(ctx, 'GET', `/v2/user-tasks/${k}`)).body.assignee).to.equal('bob');
    expect((await http(ctx, 'POST', `/v2/user-tasks/${k}/assignment`, { assignee: 'carol', allowOverride: false })).status).to.equal(409);
    expect((await http(ctx, 'DELETE', `/v2/user-tasks/${k}/assignee`)).status).to.equal(204);
    expect((await http(ctx, 'GET', `/v2/user-tasks/${k}`)).body.assignee).to.equal(undefined);
    const done = await http(ctx, 'POST', `/v2/user-tasks/${k}/completion`, { variables: { decision: 'APPROVE' } });
    expect(done.status).to.equal(204);
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await variables(ctx, pi.processInstanceKey)).decision).to.equal('APPROVE');
    const after = await waitFor(async () => {
      const r = await http(ctx, 'GET', `/v2/user-tasks/${k}`);
      return r.body.state === 'COMPLETED' ? r.body : undefined;
    }, 'completed task');
    expect(after.completionDate).to.be.a('string');
    const again = await http(ctx, 'POST', `/v2/user-tasks/${k}/completion`, { variables: {} });
    expect(again.status).to.equal(404);
    expect(again.body).to.include({ status: 404 });
    expect(again.body.title).to.be.a('string');
  });

  it('updates a task (PATCH /v2/user-tasks/{key}): null keeps a value, "" clears a date, [] a list; a bad value changes nothing', async () => {
    const { task } = await start();
    const k = task.userTaskKey;
    const patch = (changeset: unknown) => http(ctx, 'PATCH', `/v2/user-tasks/${k}`, { changeset, action: 'reschedule' });
    const got = async () => (await http(ctx, 'GET', `/v2/user-tasks/${k}`)).body;
    expect((await patch({ dueDate: '2030-10-20T23:59:59+08:00', priority: 80 })).status).to.equal(204);
    expect(await got()).to.include({ dueDate: '2030-10-20T23:59:59+08:00', priority: 80 });
    expect(await got()).to.have.deep.property('candidateGroups', ['dept-manager', 'center-reviewer']);
    // null and absent keep what is there
    expect((await patch({ dueDate: null, candidateGroups: null })).status).to.equal(204);
    expect(await got()).to.include({ dueDate: '2030-10-20T23:59:59+08:00' });
    expect(await got()).to.have.deep.property('candidateGroups', ['dept-manager', 'center-reviewer']);
    // a date that is no date, a priority out of range: 400, and neither the due date nor the groups moved
    for (const bad of [
      { dueDate: 'tomorrow', candidateGroups: [] },
      { priority: 101, dueDate: '' },
    ]) {
      const r = await patch(bad);
      expect(r.status, JSON.stringify(bad)).to.equal(400);
    }
    expect(await got()).to.include({ dueDate: '2030-10-20T23:59:59+08:00', priority: 80 });
    // "" clears the date, [] the list; the SDK's older path takes the changeset alone
    expect((await http(ctx, 'PATCH', `/v2/user-tasks/${k}/update`, { dueDate: '', candidateGroups: [] })).status).to.equal(204);
    const cleared = await got();
    expect(cleared.dueDate ?? null).to.equal(null);
    expect(cleared.candidateGroups).to.deep.equal([]);
    expect((await http(ctx, 'PATCH', '/v2/user-tasks/999999', { changeset: { priority: 1 } })).status).to.equal(404);
  });

  it('answers 404 for an unknown user task and 400 for variables that are not an object', async () => {
    expect((await http(ctx, 'GET', '/v2/user-tasks/2251799813999999')).status).to.equal(404);
    const { task } = await start();
    expect((await http(ctx, 'POST', `/v2/user-tasks/${task.userTaskKey}/completion`, { variables: [1, 2] })).status).to.equal(400);
    expect((await http(ctx, 'GET', `/v2/user-tasks/${task.userTaskKey}`)).body.state).to.equal('CREATED');
  });

  it('answers a body that is not JSON or not an object with 400, an unknown route with 404, a too large body with 413, and nothing changes', async function () {
    if (ctx.external) this.skip(); // the messages and limits are this engine's
    const { task } = await start();
    const raw = async (method: string, p: string, body?: string): Promise<{ status: number; type: string; body: any }> => {
      const res = await fetch(ctx.rest + p, { method, headers: { 'content-type': 'application/json' }, body });
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.json().catch(() => undefined) };
    };
    const completion = `/v2/user-tasks/${task.userTaskKey}/completion`;
    const bad = await raw('POST', completion, '{"variables": ');
    expect(bad.status).to.equal(400);
    expect(bad.type).to.match(/^application\/problem\+json/);
    expect(bad.body).to.include({ title: 'INVALID_ARGUMENT', status: 400, instance: completion });
    expect((await raw('POST', completion, '"done"')).status).to.equal(400);
    expect((await raw('POST', completion, '42')).status).to.equal(400);
    const unknown = await raw('GET', '/v2/no-such-thing?x=1');
    expect(unknown.status).to.equal(404);
    expect(unknown.body.detail).to.equal('No endpoint GET /v2/no-such-thing');
    expect((await raw('PATCH', completion, '{}')).status).to.equal(404);
    const big = await raw('POST', completion, JSON.stringify({ variables: { big: 'x'.repeat(4 * 1024 * 1024) } }));
    expect(big.status).to.equal(413);
    expect(big.body.title).to.equal('PAYLOAD_TOO_LARGE');
    // none of these completed the task; an empty body completes it with no variables
    expect((await http(ctx, 'GET', `/v2/user-tasks/${task.userTaskKey}`)).body.state).to.equal('CREATED');
    expect((await raw('POST', completion)).status).to.equal(204);
    expect((await http(ctx, 'GET', `/v2/user-tasks/${task.userTaskKey}`)).body.state).to.equal('COMPLETED');
  });

  it('a missing form raises FORM_NOT_FOUND at activation; deploying the form and resolving the incident creates the task', async () => {
    const formId = `conf-late-${uid()}`;
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-user-task-missing-form', variables: { formName: formId } });
    const [inc] = await waitFor(async () => {
      const l = await incidents(ctx, pi.processInstanceKey);
      return l.length ? l : undefined;
    }, 'incident');
    expect(inc.errorType).to.equal('FORM_NOT_FOUND');
    expect(inc.elementId).to.equal('task');
    expect(await userTasks(ctx, pi.processInstanceKey)).to.have.length(0);
    await ctx.zbc.deployResources([
      { name: `${formId}.form`, form: Buffer.from(JSON.stringify({ id: formId, type: 'default', components: [] })) },
    ]);
    await ctx.zbc.resolveIncident({ incidentKey: inc.incidentKey });
    const [task] = await waitFor(async () => {
      const l = await userTasks(ctx, pi.processInstanceKey);
      return l.length ? l : undefined;
    }, 'user task after resolve');
    const form = await http(ctx, 'GET', `/v2/user-tasks/${task.userTaskKey}/form`);
    expect(form.body.formId).to.equal(formId);
  });

  it('searches process instances, element instances, variables and incidents with items + page', async () => {
    const { pi } = await start();
    const pis = await http(ctx, 'POST', '/v2/process-instances/search', { filter: { processInstanceKey: pi.processInstanceKey } });
    expect(pis.body.page.totalItems).to.equal(1);
    expect(pis.body.items[0]).to.include({
      processDefinitionId: 'conf-user-task',
      state: 'ACTIVE',
      hasIncident: false,
      processInstanceKey: pi.processInstanceKey,
      processDefinitionVersion: 1,
    });
    const eis = await http(ctx, 'POST', '/v2/element-instances/search', {
      filter: { processInstanceKey: pi.processInstanceKey, elementId: 'review' },
    });
    expect(eis.body.items[0]).to.include({
      elementId: 'review',
      type: 'USER_TASK',
      state: 'ACTIVE',
      processInstanceKey: pi.processInstanceKey,
    });
    const ei = await http(ctx, 'GET', `/v2/element-instances/${eis.body.items[0].elementInstanceKey}`);
    expect(ei.body.elementName).to.equal('Review the order');
    const vars = await http(ctx, 'POST', '/v2/variables/search', { filter: { processInstanceKey: pi.processInstanceKey, name: 'owner' } });
    expect(vars.body.items[0]).to.include({ name: 'owner', value: '"alice"', scopeKey: pi.processInstanceKey });
    const v = await http(ctx, 'GET', `/v2/variables/${vars.body.items[0].variableKey}`);
    expect(v.body.value).to.equal('"alice"');
    const paged = await http(ctx, 'POST', '/v2/variables/search', {
      filter: { processInstanceKey: pi.processInstanceKey },
      page: { limit: 1 },
    });
    expect(paged.body.items).to.have.length(1);
    expect(paged.body.page.totalItems).to.equal(2);
    const defs = await http(ctx, 'POST', '/v2/process-definitions/search', { filter: { processDefinitionId: 'conf-user-task' } });
    expect(defs.body.items[0]).to.include({
      processDefinitionId: 'conf-user-task',
      version: 1,
      processDefinitionKey: pis.body.items[0].processDefinitionKey,
    });
    expect(defs.body.items[0].resourceName).to.match(/user-task\.bpmn$/);
    const notFound = await http(ctx, 'GET', '/v2/process-instances/123');
    expect(notFound.status).to.equal(404);
  });
});
