/**
 * A completing task listener (the recording of a decision, processes/README.md) denies a completion: the
 * API answers 422 `completion-denied` with the listener's reason as the detail (the task page shows it),
 * and the task stays open. The real local engine and the REST port (api/tasks.ts createRestUserTasks);
 * the listener's job is answered by the test, as a worker's business rule would (test/workers/listener-jobs).
 */
import { expect } from 'chai';
import { startEngine, type RunningEngine } from '../../engine';
import { createRestUserTasks } from '../../api/tasks';
import { createZeebeClient } from '../../platform/camunda/zeebe-client';
import { startApi, type ApiHarness } from './harness';
import { denyingTaskModel } from '../support/denying-task';

const MODEL = denyingTaskModel({ processId: 'api-task-denial', taskId: 'confirm', taskName: '确认', listenerType: 'test.api-denial' });

describe('api: a completion a task listener denies', function () {
  this.timeout(30_000);
  let engine: RunningEngine;
  let zeebe: ReturnType<typeof createZeebeClient>;
  let api: ApiHarness;

  const rest = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(engine.restAddress + p, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
  const waitFor = async <T>(probe: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 400; i++) {
      const v = await probe();
      if (v !== undefined) return v;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error('timed out');
  };

  before(async () => {
    engine = await startEngine({ grpcPort: 0, restPort: 0, testMode: true, host: '127.0.0.1' });
    zeebe = createZeebeClient({ grpcAddress: engine.grpcAddress, restAddress: engine.restAddress, authStrategy: 'NONE' });
    await zeebe.deployResource({ process: Buffer.from(MODEL), name: 'api-task-denial.bpmn' });
    api = await startApi({ tasks: createRestUserTasks(engine.restAddress) });
  });
  after(async () => {
    await api?.close();
    await zeebe?.close(2000);
    await engine?.stop();
  });

  it('answers 422 completion-denied with the reason and leaves the task open, nothing completed', async () => {
    const pi = await zeebe.createProcessInstance({ bpmnProcessId: 'api-task-denial', variables: {} });
    const task = await waitFor(async () => {
      const r = await rest('POST', '/v2/user-tasks/search', { filter: { processInstanceKey: pi.processInstanceKey } });
      return r.body.items?.[0];
    });
    const token = await api.token('customer-manager');
    const completion = api.request('POST', `/api/tasks/${task.userTaskKey}/completion`, { token, body: { variables: { note: 'x' } } });
    const job = await waitFor(async () => {
      const r = await rest('POST', '/v2/jobs/activation', { type: 'test.api-denial', maxJobsToActivate: 1, timeout: 30000 });
      return r.body.jobs?.[0];
    });
    const reason = '客户尚未确认开通日期，不能提交';
    expect(
      (await rest('POST', `/v2/jobs/${job.jobKey}/completion`, { result: { type: 'userTask', denied: true, deniedReason: reason } }))
        .status,
    ).to.equal(204);
    const r = await completion;
    expect(r.status).to.equal(422);
    expect(r.json).to.include({ detail: reason });
    expect(r.json.type).to.match(/completion-denied$/);
    expect((await rest('GET', `/v2/user-tasks/${task.userTaskKey}`)).body.state).to.equal('CREATED');
    expect(api.errors).to.have.length(0);
  });
});
