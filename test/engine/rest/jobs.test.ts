// Jobs over REST (POST /v2/jobs/activation, /completion, /failure, /error, PATCH /v2/jobs/{key}) driven by
// Camunda's REST clients only: the SDK's CamundaRestClient (and its job worker) and
// @camunda8/orchestration-cluster-api's job worker. Nothing here uses gRPC.
import { expect } from 'chai';
import { Ctx, incidents, readFixture, setup, uid, variables, waitFor, waitState } from '../helpers';
import { clusterApi, RestClient, sdkRest, statusOf } from './clients';

describe('engine REST: jobs with Camunda REST clients', function () {
  let ctx: Ctx;
  let rest: RestClient;
  before(async () => {
    ctx = await setup();
    rest = sdkRest(ctx);
    await rest.deployResources([
      { name: 'service-task.bpmn', content: readFixture('service-task.bpmn') },
      { name: 'error-boundary.bpmn', content: readFixture('error-boundary.bpmn') },
    ]);
  });
  after(async () => ctx?.stop());

  const start = async (variables: Record<string, unknown>) =>
    (await rest.createProcessInstance({ processDefinitionId: 'conf-service-task', variables } as never)).processInstanceKey as string;
  /** the activatable jobs of one instance now; jobs of other instances are given back at once */
  const mine = async (pk: string, type = 'conf.service', timeout = 30000) => {
    const jobs = await rest.activateJobs({ type, worker: 'rest-test', maxJobsToActivate: 50, timeout, requestTimeout: 1000 } as never);
    for (const j of jobs)
      if (j.processInstanceKey !== pk)
        await rest.failJob({ jobKey: j.jobKey, retries: j.retries, errorMessage: 'not mine', retryBackOff: 0 });
    return jobs.filter((j) => j.processInstanceKey === pk);
  };

  it('activation answers the 8.9 job shape (variables and headers as objects, keys as strings); completion ends the instance', async () => {
    const id = uid();
    const pk = await start({ orderNo: id });
    const [job] = await waitFor(async () => {
      const j = await mine(pk);
      return j.length ? j : undefined;
    }, 'a job');
    expect(job.jobKey).to.match(/^\d+$/);
    expect(job.type).to.equal('conf.service');
    expect((job as any).processDefinitionId).to.equal('conf-service-task'); // the 8.9 field (the SDK 8.8 types still call it bpmnProcessId)
    expect(job.elementId).to.equal('task');
    expect(job.customHeaders).to.deep.include({ mode: 'fast' });
    expect(job.variables).to.deep.include({ orderNo: id });
    expect(job.retries).to.equal(3);
    expect(job.worker).to.equal('rest-test');
    await rest.completeJob({ jobKey: job.jobKey, variables: { done: id } });
    await waitState(ctx, pk, 'COMPLETED');
    expect(await variables(ctx, pk)).to.deep.equal({ orderNo: id, done: id });
    // completing it again: the job is gone
    expect((await statusOf(rest.completeJob({ jobKey: job.jobKey, variables: {} }))).status).to.equal(404);
  });

  it('activation long-polls: a request made before the job exists gets it when it is created', async () => {
    const poll = rest.activateJobs({
      type: 'conf.service',
      worker: 'long-poll',
      maxJobsToActivate: 1,
      timeout: 30000,
      requestTimeout: 5000,
    } as never);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const pk = await start({ late: true });
    const jobs = await poll;
    expect(Date.now() - t0).to.be.lessThan(4000);
    expect(jobs.map((j) => j.processInstanceKey)).to.deep.equal([pk]);
    await rest.completeJob({ jobKey: jobs[0].jobKey, variables: {} });
    await waitState(ctx, pk, 'COMPLETED');
  });

  it('an empty long poll answers {jobs: []} after its requestTimeout', async () => {
    const t0 = Date.now();
    const jobs = await rest.activateJobs({
      type: `nothing-${uid()}`,
      worker: 'w',
      maxJobsToActivate: 1,
      timeout: 1000,
      requestTimeout: 400,
    } as never);
    expect(jobs).to.deep.equal([]);
    expect(Date.now() - t0).to.be.within(350, 3000);
  });

  it('failure with retries left makes the job activatable again; at 0 an incident; PATCH retries and resolving the incident give it back', async () => {
    const pk = await start({});
    const [job] = await waitFor(async () => {
      const j = await mine(pk);
      return j.length ? j : undefined;
    }, 'a job');
    await rest.failJob({ jobKey: job.jobKey, retries: 2, errorMessage: 'try again', retryBackOff: 0 });
    const [again] = await waitFor(async () => {
      const j = await mine(pk);
      return j.length ? j : undefined;
    }, 'the job again');
    expect(again.jobKey).to.equal(job.jobKey);
    expect(again.retries).to.equal(2);
    await rest.failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'partner system down', retryBackOff: 0 });
    const [inc] = await waitFor(async () => {
      const i = await incidents(ctx, pk);
      return i.length ? i : undefined;
    }, 'an incident');
    expect(inc.errorType).to.equal('JOB_NO_RETRIES');
    expect(inc.errorMessage).to.equal('partner system down');
    // docs/admins.md's recovery: PATCH the retries, then resolve the incident
    await rest.updateJob({ jobKey: job.jobKey, retries: 1 } as never);
    await rest.resolveIncident(inc.incidentKey);
    const [back] = await waitFor(async () => {
      const j = await mine(pk);
      return j.length ? j : undefined;
    }, 'the job after recovery');
    expect(back.retries).to.equal(1);
    await rest.completeJob({ jobKey: back.jobKey, variables: {} });
    await waitState(ctx, pk, 'COMPLETED');
  });

  it('PATCH /v2/jobs/{key} with a timeout moves the deadline; bad changesets are 400 naming the field', async () => {
    const pk = await start({});
    const [job] = await waitFor(async () => {
      const j = await mine(pk, 'conf.service', 60000);
      return j.length ? j : undefined;
    }, 'a job');
    await rest.updateJob({ jobKey: job.jobKey, timeout: 1 } as never);
    // the deadline passed: the job is activatable again with the same key
    const [timedOut] = await waitFor(async () => {
      const j = await mine(pk);
      return j.length ? j : undefined;
    }, 'the timed-out job');
    expect(timedOut.jobKey).to.equal(job.jobKey);
    const r1 = await fetch(`${ctx.rest}/v2/jobs/${job.jobKey}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ changeset: { retries: 'three' } }),
    });
    expect(r1.status).to.equal(400);
    expect(((await r1.json()) as any).detail).to.contain('retries');
    const r2 = await fetch(`${ctx.rest}/v2/jobs/${job.jobKey}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(r2.status).to.equal(400);
    expect(((await r2.json()) as any).detail).to.contain('changeset');
    await rest.completeJob({ jobKey: timedOut.jobKey, variables: {} });
  });

  it('error throws a BPMN error the model catches (boundary event by code), with variables', async () => {
    const pi = await rest.createProcessInstance({ processDefinitionId: 'conf-error-boundary', variables: {} } as never);
    const pk = pi.processInstanceKey as string;
    const [job] = await waitFor(async () => {
      const j = await mine(pk, 'conf.err.draft');
      return j.length ? j : undefined;
    }, 'the draft job');
    await rest.errorJob({
      jobKey: job.jobKey,
      errorCode: 'AP_PARTNER_UNAVAILABLE',
      errorMessage: 'AP down',
      variables: { reason: 'down' },
    } as never);
    const [handler] = await waitFor(async () => {
      const j = await mine(pk, 'conf.err.resolve');
      return j.length ? j : undefined;
    }, 'the job after the boundary');
    expect(handler.variables).to.deep.include({ reason: 'down' });
    await rest.completeJob({ jobKey: handler.jobKey, variables: {} });
  });

  it('bad job requests are 4xx problems naming the field', async () => {
    const cases: [string, unknown, number, string][] = [
      ['/v2/jobs/activation', { type: '', maxJobsToActivate: 1, timeout: 1000 }, 400, 'type'],
      ['/v2/jobs/activation', { type: 'x', maxJobsToActivate: 0, timeout: 1000 }, 400, 'maxJobsToActivate'],
      ['/v2/jobs/activation', { type: 'x', maxJobsToActivate: 1, timeout: 0 }, 400, 'timeout'],
      ['/v2/jobs/123/completion', { variables: [1] }, 400, 'variables'],
      ['/v2/jobs/123/completion', {}, 404, '123'],
      ['/v2/jobs/abc/completion', {}, 400, 'jobKey'],
      ['/v2/jobs/123/error', { errorMessage: 'x' }, 400, 'errorCode'],
      ['/v2/jobs/123/failure', { retries: 'x' }, 400, 'retries'],
    ];
    for (const [p, body, status, word] of cases) {
      const r = await fetch(ctx.rest + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const problem = (await r.json()) as any;
      expect(r.status, `${p} ${JSON.stringify(body)}`).to.equal(status);
      expect(problem.detail, p).to.contain(word);
    }
  });

  it('a REST-only job worker (CamundaRestClient.createJobWorker) runs a process to the end; createProcessInstanceWithResult waits for it', async () => {
    const worker = rest.createJobWorker({
      type: 'conf.service',
      worker: 'sdk-rest-worker',
      maxJobsToActivate: 8,
      timeout: 30000,
      pollIntervalMs: 50,
      autoStart: true,
      jobHandler: (job: any) => job.complete({ sum: Number(job.variables.a) + 1, by: 'sdk-rest' }),
    } as never);
    try {
      const res = (await rest.createProcessInstanceWithResult({
        processDefinitionId: 'conf-service-task',
        variables: { a: 41 },
        requestTimeout: 10000,
      } as never)) as any;
      expect(res.variables.sum).to.equal(42);
      expect(res.variables.by).to.equal('sdk-rest');
      const pi = await waitState(ctx, res.processInstanceKey, 'COMPLETED');
      expect(pi.processDefinitionId).to.equal('conf-service-task');
    } finally {
      worker.stop();
    }
  });

  it('a REST-only job worker of @camunda8/orchestration-cluster-api (strict validation) runs a process to the end', async () => {
    const api = clusterApi(ctx) as any;
    const worker = api.createJobWorker({
      jobType: 'conf.service',
      maxParallelJobs: 4,
      jobTimeoutMs: 30000,
      pollIntervalMs: 50,
      pollTimeoutMs: 2000,
      jobHandler: (job: any) => job.complete({ by: 'cluster-api' }),
    });
    try {
      const pi = await api.createProcessInstance({ processDefinitionId: 'conf-service-task', variables: { n: 1 } });
      await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
      expect((await variables(ctx, pi.processInstanceKey)).by).to.equal('cluster-api');
    } finally {
      worker.stop();
    }
  });
});
