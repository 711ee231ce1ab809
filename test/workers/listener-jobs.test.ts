/**
 * A handler bound to a user-task listener's job (workers/runtime/listener.ts), end to end on the local
 * engine through the app's own client (platform/camunda/zeebe-client.ts, whose gateway protocol carries
 * the job kind and the job result): it reads the completion's variables, approves with no variables on the
 * job (the handler's go onto the process instance first, SetVariables), or denies with its business
 * error's message, which the completion call gets back.
 */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { startEngine, type RunningEngine } from '../../engine';
import { createZeebeClient } from '../../platform/camunda/zeebe-client';
import { clientSendsJobResult } from '../../platform/camunda/gateway-proto';
import { startWorkers, type RunningWorkers } from '../../workers/start';
import { BusinessError } from '../../workers/runtime/errors';
import { createTaskHandler } from '../../workers/runtime/adapter';
import type { HandlerDef, JobView } from '../../workers/runtime/job';
import { complete } from '../../workers/runtime/outcome';
import { S } from '../../workers/runtime/validate';
import { fixture } from '../engine/helpers';

describe('workers: a handler on a user-task listener job (local engine, the app client)', function () {
  this.timeout(30_000);
  let engine: RunningEngine;
  let zeebe: ReturnType<typeof createZeebeClient>;
  let workers: RunningWorkers;
  const seen: JobView[] = [];
  const TYPE = 'test.listener-recording';
  // a request issued as a user task is created (collaboration-task-order.issue on configure-platform)
  const CREATING = 'test.listener-creating';
  const issued: JobView[] = [];

  const handler: HandlerDef = {
    type: TYPE as never,
    variables: S.obj({}, { approved: S.bool, completedBy: S.optStr }),
    handle(job) {
      seen.push(job);
      if (job.variables.approved === false) throw new BusinessError('NOT_APPROVED', '未填写审核意见，不能提交');
      // variables a service task would have exported: set on the process instance (Zeebe takes none on
      // a listener's job, nor on the completing task's scope)
      return complete({ recorded: true, recordedBy: job.variables.completedBy ?? null });
    },
  };
  const creatingHandler: HandlerDef = {
    type: CREATING as never,
    variables: S.obj({ requestFor: S.str }, { refuse: S.bool }),
    handle(job) {
      issued.push(job);
      if (job.variables.refuse === true) throw new BusinessError('NOT_ISSUABLE', '订单未签约，不能发出协作任务单');
      return complete({ requestNo: `XZ-${job.variables.requestFor}` });
    },
  };

  const rest = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(engine.restAddress + p, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
  const openTask = async (pik: string) => {
    for (let i = 0; i < 200; i++) {
      const r = await rest('POST', '/v2/user-tasks/search', { filter: { processInstanceKey: pik } });
      const t = r.body.items?.[0];
      if (t) return t;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error('no user task');
  };

  before(async () => {
    engine = await startEngine({ grpcPort: 0, restPort: 0, testMode: true, host: '127.0.0.1' });
    zeebe = createZeebeClient({ grpcAddress: engine.grpcAddress, restAddress: engine.restAddress, authStrategy: 'NONE' });
    await zeebe.deployResource({ processFilename: fixture('task-listeners.bpmn') });
    await zeebe.deployResource({ processFilename: fixture('task-listeners-creating.bpmn') });
    workers = startWorkers({
      zeebe,
      dataSource: {} as DataSource,
      handlers: [handler, creatingHandler],
      tuning: { pollIntervalMs: 20, longPollMs: 2_000, jobStream: true },
    });
  });
  after(async () => {
    await workers?.stop();
    await zeebe?.close(2000);
    await engine?.stop();
  });

  const start = async () => {
    const pi = await zeebe.createProcessInstance({
      bpmnProcessId: 'conf-task-listeners',
      variables: { owner: 'alice', listenerA: TYPE, listenerB: TYPE, approved: true },
    });
    return { pik: pi.processInstanceKey, task: await openTask(pi.processInstanceKey) };
  };

  it('the app client can send a job result; a client parsed without the field cannot', async () => {
    expect(await clientSendsJobResult(zeebe)).to.equal(true);
    const old = {
      grpc: Promise.resolve({
        packageDefinition: { 'gateway_protocol.CompleteJobRequest': { type: { field: [{ name: 'jobKey' }, { name: 'variables' }] } } },
      }),
    };
    expect(await clientSendsJobResult(old)).to.equal(false);
    expect(await clientSendsJobResult({})).to.equal(false);
  });

  it("approves: both listeners' jobs see the completion's variables; the handler's variables reach the process instance's scope", async () => {
    seen.length = 0;
    const { pik, task } = await start();
    const r = await rest('POST', `/v2/user-tasks/${task.userTaskKey}/completion`, { variables: { completedBy: 'bob' } });
    expect(r.status).to.equal(204);
    expect(seen).to.have.length(2);
    expect(seen[0].variables).to.include({ completedBy: 'bob', approved: true });
    expect(seen[0].customHeaders).to.include({ 'io.camunda.zeebe:assignee': 'alice' });
    const vars = await rest('POST', '/v2/variables/search', { filter: { processInstanceKey: pik } });
    const byName = new Map(vars.body.items.map((v: { name: string; value: string; scopeKey: string }) => [v.name, v]));
    expect(byName.get('recorded')).to.include({ value: 'true', scopeKey: pik });
    expect(byName.get('recordedBy')).to.include({ value: '"bob"', scopeKey: pik });
  });

  it('a redelivered listener job (its approval lost) sets the same variables again and approves once: the task completes once', async () => {
    // a worker of its own type, whose first approval "gets lost" after the variables were set: the job
    // times out and comes again; the handler answers as a once-guard does (the stored result)
    const type = 'test.listener-redelivered';
    let deliveries = 0;
    let approvals = 0;
    const def: HandlerDef = {
      type: type as never,
      variables: S.obj({}, {}),
      handle: () => (deliveries++, complete({ contractNo: 'SR-2026-0001' })),
    };
    const answer = Object.assign(
      async (jobKey: string, result: { denied: boolean }) => {
        if (++approvals === 1) throw new Error('14 UNAVAILABLE: connection lost');
        return zeebe.completeJob({ jobKey, variables: {}, result: { type: 'userTask', ...result } } as never);
      },
      {
        setProcessVariables: (pik: string, variables: Record<string, unknown>) =>
          zeebe.setVariables({ elementInstanceKey: pik, variables, local: false }),
      },
    );
    const services = { log: { info() {}, warn() {}, error() {} } } as never;
    const worker = zeebe.createWorker({
      taskType: type,
      timeout: 500,
      pollInterval: 50,
      stdout: { debug() {}, info() {}, error() {} },
      taskHandler: (job) => createTaskHandler(def, services, undefined, {}, answer)(job as never) as never,
    });
    try {
      const pi = await zeebe.createProcessInstance({
        bpmnProcessId: 'conf-task-listeners',
        variables: { owner: 'alice', listenerA: type, listenerB: TYPE, approved: true },
      });
      const task = await openTask(pi.processInstanceKey);
      const r = await rest('POST', `/v2/user-tasks/${task.userTaskKey}/completion`, { variables: {} });
      expect(r.status).to.equal(204);
      expect(deliveries).to.equal(2);
      expect(approvals).to.equal(2);
      expect((await rest('GET', `/v2/user-tasks/${task.userTaskKey}`)).body.state).to.equal('COMPLETED');
      const vars = await rest('POST', '/v2/variables/search', {
        filter: { processInstanceKey: pi.processInstanceKey, name: 'contractNo' },
      });
      expect(vars.body.items).to.have.length(1);
      expect(vars.body.items[0]).to.include({ value: '"SR-2026-0001"', scopeKey: pi.processInstanceKey });
    } finally {
      await worker.close();
    }
  });

  it("denies with the business error's message: the completion is refused with it and the task stays open", async () => {
    const { task } = await start();
    const r = await rest('POST', `/v2/user-tasks/${task.userTaskKey}/completion`, { variables: { approved: false } });
    expect(r.status).to.equal(409);
    expect(JSON.stringify(r.body)).to.contain("Reason to deny: '未填写审核意见，不能提交'");
    expect((await rest('GET', `/v2/user-tasks/${task.userTaskKey}`)).body.state).to.equal('CREATED');
    expect((await rest('POST', `/v2/user-tasks/${task.userTaskKey}/completion`, { variables: { approved: true } })).status).to.equal(204);
  });
  // conf-tl-creating-open: user task `open` with two creating listeners, listenerA then listenerB, no completing one
  const startCreating = async (variables: Record<string, unknown>) => {
    const pi = await zeebe.createProcessInstance({
      bpmnProcessId: 'conf-tl-creating-open',
      variables: { listenerA: CREATING, listenerB: TYPE, approved: true, ...variables },
    });
    return pi.processInstanceKey;
  };
  const tasksOf = async (pik: string) =>
    (await rest('POST', '/v2/user-tasks/search', { filter: { processInstanceKey: pik } })).body.items ?? [];
  const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await probe();
      if (v !== undefined) return v;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it("a creating listener's job: the job view says CREATING (gRPC field 17); its variables are on the process instance when the task is CREATED", async () => {
    issued.length = 0;
    const pik = await startCreating({ requestFor: 'order-1' });
    const task = await until('task CREATED', async () => (await tasksOf(pik)).find((t: { state: string }) => t.state === 'CREATED'));
    expect(issued).to.have.length(1);
    expect(issued[0]).to.include({ listenerEventType: 'CREATING', elementId: 'open' });
    const vars = await rest('POST', '/v2/variables/search', { filter: { processInstanceKey: pik, name: 'requestNo' } });
    expect(vars.body.items).to.have.length(1);
    expect(vars.body.items[0]).to.include({ value: '"XZ-order-1"', scopeKey: pik });
    expect(task.elementId).to.equal('open');
  });

  it('a creating listener cannot deny: its business error is an incident with the message at once (no refused denials); corrected and resolved, the task is created', async () => {
    issued.length = 0;
    const pik = await startCreating({ requestFor: 'order-2', refuse: true });
    const [inc] = await until('incident', async () => {
      const r = await rest('POST', '/v2/incidents/search', { filter: { processInstanceKey: pik, state: 'ACTIVE' } });
      return r.body.items?.length ? r.body.items : undefined;
    });
    expect(inc).to.include({ errorType: 'TASK_LISTENER_NO_RETRIES', elementId: 'open' });
    expect(inc.errorMessage).to.contain('订单未签约，不能发出协作任务单').and.contain("creating listener's job cannot deny");
    // one attempt: the failure took the job's retries to 0 rather than a denial the engine refuses and hands out again
    await new Promise((res) => setTimeout(res, 200));
    expect(issued).to.have.length(1);
    const [task] = await tasksOf(pik);
    expect(task.state).to.equal('CREATING');
    // the cause corrected on the process instance, the job's retries back and the incident resolved: it runs again
    await zeebe.setVariables({ elementInstanceKey: pik, variables: { refuse: false }, local: false });
    expect((await rest('PATCH', `/v2/jobs/${inc.jobKey}`, { changeset: { retries: 1 } })).status).to.equal(204);
    expect((await rest('POST', `/v2/incidents/${inc.incidentKey}/resolution`, {})).status).to.equal(204);
    await until('task CREATED', async () => (await tasksOf(pik)).find((t: { state: string }) => t.state === 'CREATED'));
    expect(issued).to.have.length(2);
  });
});
