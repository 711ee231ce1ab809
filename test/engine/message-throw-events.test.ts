// Message throw events as job worker elements (Zeebe): an intermediate throw or end event with a
// messageEventDefinition and zeebe:taskDefinition creates a job when entered and completes when the job
// completes, its variables merged like a service task's (output mappings); the job's BPMN error is caught
// by the nearest catching scope. Driven through @camunda8/sdk's gRPC and REST clients.
// Fixtures: message-throw.bpmn conf-msg-throw (sub-process with the throw event notifyAp, error boundary
// `rejected` on the sub-process), message-throw-end.bpmn conf-msg-end (message end event sendEnd),
// message-throw-call.bpmn conf-msg-call (calls conf-msg-end, error boundary on the call activity).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lintFiles } from '../../processes/lint';
import {
  clockAdd,
  Ctx,
  deploy,
  elements,
  fixture,
  grpcError,
  http,
  incidents,
  jobsNow,
  jobsOf,
  oneJob,
  readFixture,
  setup,
  skipUnlessClock,
  Status,
  uid,
  variables,
  waitFor,
  waitState,
} from './helpers';
import { sdkRest, statusOf } from './rest/clients';

const THROW_TYPE = 'conf.msgthrow.request';
const END_TYPE = 'conf.msgthrow.end';

describe('engine conformance: message throw events with a job (intermediate and end)', function () {
  let ctx: Ctx;
  before(async () => {
    ctx = await setup();
    await deploy(ctx, 'message-throw.bpmn', 'message-throw-end.bpmn', 'message-throw-call.bpmn');
  });
  after(async () => ctx?.stop());

  const start = async (bpmnProcessId: string, vars: Record<string, string> = {}) =>
    (await ctx.zbc.createProcessInstance({ bpmnProcessId, variables: vars })).processInstanceKey;
  const incidentOf = (pi: string) =>
    waitFor(async () => {
      const l = await incidents(ctx, pi);
      return l.length ? l[0] : undefined;
    }, 'incident');

  it('the intermediate throw event creates a job (headers, input mappings, retries); completing it continues the flow with the output mappings', async () => {
    const orderNo = uid();
    const pi = await start('conf-msg-throw', { orderNo });
    const job = await oneJob(ctx, THROW_TYPE, pi);
    expect(job.elementId).to.equal('notifyAp');
    expect(job.customHeaders).to.deep.equal({ kind: 'ap-request' });
    expect(job.retries).to.equal(2);
    expect(job.variables).to.include({ order: orderNo, orderNo });
    // while the job waits, the event is an active element instance of its own type
    const ei = (await http(ctx, 'GET', `/v2/element-instances/${job.elementInstanceKey}`)).body;
    expect(ei).to.include({ elementId: 'notifyAp', type: 'INTERMEDIATE_THROW_EVENT', state: 'ACTIVE' });
    await ctx.zbc.completeJob({ jobKey: job.key, variables: { apTicket: 'T-1', scratch: 1 } });
    const next = await oneJob(ctx, 'conf.msgthrow.after', pi);
    // only the mapped result leaves the event: ticket, not apTicket or scratch
    expect(next.variables).to.include({ ticket: 'T-1' });
    expect(next.variables).to.not.have.any.keys('apTicket', 'scratch', 'order');
    await ctx.zbc.completeJob({ jobKey: next.key, variables: {} });
    await waitState(ctx, pi, 'COMPLETED');
    const els = await elements(ctx, pi);
    expect(els.notifyAp).to.deep.equal(['COMPLETED']);
    expect(els.done).to.deep.equal(['COMPLETED']);
  });

  it('REST: the job is activated with kind BPMN_ELEMENT and the event id; completing it over REST ends the message end event and the instance', async () => {
    const rest = sdkRest(ctx);
    const pi = await start('conf-msg-end');
    const job = await waitFor(async () => {
      const jobs = await rest.activateJobs({
        type: END_TYPE,
        worker: 'rest',
        maxJobsToActivate: 10,
        timeout: 30000,
        requestTimeout: 1000,
      } as never);
      for (const j of jobs)
        if (j.processInstanceKey !== pi)
          await rest.failJob({ jobKey: j.jobKey, retries: j.retries, errorMessage: 'not mine', retryBackOff: 0 });
      return jobs.find((j) => j.processInstanceKey === pi);
    }, 'the end event job');
    expect(job).to.include({
      elementId: 'sendEnd',
      type: END_TYPE,
      processDefinitionId: 'conf-msg-end',
      kind: 'BPMN_ELEMENT',
      listenerEventType: 'UNSPECIFIED',
    });
    expect((await elements(ctx, pi)).sendEnd).to.deep.equal(['ACTIVE']);
    await rest.completeJob({ jobKey: job.jobKey, variables: { receipt: 'R-9' } });
    await waitState(ctx, pi, 'COMPLETED');
    expect(await variables(ctx, pi)).to.deep.equal({ endReceipt: 'R-9' });
    const ends = await http(ctx, 'POST', '/v2/element-instances/search', { filter: { processInstanceKey: pi, elementId: 'sendEnd' } });
    expect(ends.body.items.map((e: any) => [e.type, e.state])).to.deep.equal([['END_EVENT', 'COMPLETED']]);
    expect((await statusOf(rest.completeJob({ jobKey: job.jobKey, variables: {} }))).status).to.equal(404);
  });

  it("ThrowError from the throw event's job is caught by the error boundary of the enclosing sub-process, with the error's variables and the boundary's output mappings", async () => {
    const pi = await start('conf-msg-throw', { orderNo: uid() });
    const job = await oneJob(ctx, THROW_TYPE, pi);
    await ctx.zbc.throwError({
      jobKey: job.key,
      errorCode: 'AP_REQUEST_REJECTED',
      errorMessage: 'no capacity',
      variables: { reason: 'no capacity' },
    } as never);
    await waitState(ctx, pi, 'COMPLETED');
    const els = await elements(ctx, pi);
    expect(els.notifyAp).to.deep.equal(['TERMINATED']);
    expect(els.sub).to.deep.equal(['TERMINATED']);
    expect(els.rejected).to.deep.equal(['COMPLETED']);
    expect(els.endRejected).to.deep.equal(['COMPLETED']);
    expect(els.afterNotify).to.equal(undefined);
    const vars = await variables(ctx, pi);
    expect(vars.rejectReason).to.equal('no capacity');
    expect(vars).to.not.have.property('reason');
  });

  it('an error of the message end event in a called process is caught by the call activity boundary in the parent', async () => {
    const pi = await start('conf-msg-call');
    const child = await waitFor(async () => {
      const r = await http(ctx, 'POST', '/v2/process-instances/search', { filter: { parentProcessInstanceKey: pi } });
      return r.body.items[0]?.processInstanceKey as string | undefined;
    }, 'the child instance');
    const job = await oneJob(ctx, END_TYPE, child);
    await ctx.zbc.throwError({ jobKey: job.key, errorCode: 'AP_REQUEST_REJECTED', errorMessage: 'rejected' } as never);
    await waitState(ctx, pi, 'COMPLETED');
    await waitState(ctx, child, 'TERMINATED');
    expect((await elements(ctx, pi)).callEndRejected).to.deep.equal(['COMPLETED']);
  });

  it('an uncaught error is an UNHANDLED_ERROR_EVENT incident on the event; failing without retries is JOB_NO_RETRIES, resolved like a service task', async () => {
    const pi = await start('conf-msg-end');
    const job = await oneJob(ctx, END_TYPE, pi);
    await ctx.zbc.throwError({ jobKey: job.key, errorCode: 'NOBODY_CATCHES', errorMessage: 'lost' } as never);
    const inc = await incidentOf(pi);
    expect(inc).to.include({ errorType: 'UNHANDLED_ERROR_EVENT', elementId: 'sendEnd', jobKey: job.key });
    expect(inc.errorMessage).to.contain("'NOBODY_CATCHES'");

    const pi2 = await start('conf-msg-throw', { orderNo: uid() });
    const j2 = await oneJob(ctx, THROW_TYPE, pi2);
    await ctx.zbc.failJob({ jobKey: j2.key, retries: 0, errorMessage: 'AP down', retryBackOff: 0 });
    const inc2 = await incidentOf(pi2);
    expect(inc2).to.include({ errorType: 'JOB_NO_RETRIES', elementId: 'notifyAp', jobKey: j2.key, errorMessage: 'AP down' });
    expect(await jobsNow(ctx, THROW_TYPE, pi2)).to.have.length(0);
    await ctx.zbc.updateJobRetries({ jobKey: j2.key, retries: 1 });
    await ctx.zbc.resolveIncident({ incidentKey: inc2.incidentKey });
    const again = await oneJob(ctx, THROW_TYPE, pi2);
    expect(again.key).to.equal(j2.key);
    expect(again.retries).to.equal(1);
  });

  it('a job not completed before its deadline is activatable again with the same key and retries', async function () {
    skipUnlessClock(ctx, this);
    const pi = await start('conf-msg-end');
    const [job] = await waitFor(async () => {
      const j = await jobsOf(ctx, END_TYPE, pi, 1000);
      return j.length ? j : undefined;
    }, 'the end event job');
    expect(await jobsNow(ctx, END_TYPE, pi)).to.have.length(0);
    await clockAdd(ctx, 'PT2S');
    const again = await oneJob(ctx, END_TYPE, pi);
    expect(again.key).to.equal(job.key);
    expect(again.retries).to.equal(job.retries);
  });

  it("cancelling the instance cancels the event's job", async () => {
    const pi = await start('conf-msg-throw', { orderNo: uid() });
    const job = await oneJob(ctx, THROW_TYPE, pi);
    await ctx.zbc.cancelProcessInstance(pi);
    await waitState(ctx, pi, 'TERMINATED');
    expect((await elements(ctx, pi)).notifyAp).to.deep.equal(['TERMINATED']);
    expect((await grpcError(ctx.zbc.completeJob({ jobKey: job.key, variables: {} }))).code).to.equal(Status.NOT_FOUND);
  });

  it('a modification activating the throw event creates a new job; terminating the old instance cancels its job', async () => {
    const pi = await start('conf-msg-throw', { orderNo: uid() });
    const first = await oneJob(ctx, THROW_TYPE, pi);
    const r = await http(ctx, 'POST', `/v2/process-instances/${pi}/modification`, {
      activateInstructions: [{ elementId: 'notifyAp' }],
      terminateInstructions: [{ elementInstanceKey: first.elementInstanceKey }],
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(204);
    const second = await oneJob(ctx, THROW_TYPE, pi);
    expect(second.key).to.not.equal(first.key);
    expect(second.elementId).to.equal('notifyAp');
    expect((await grpcError(ctx.zbc.completeJob({ jobKey: first.key, variables: {} }))).code).to.equal(Status.NOT_FOUND);
    expect((await elements(ctx, pi)).notifyAp).to.deep.equal(['TERMINATED', 'ACTIVE']);
  });

  it('migration moves an active message throw event and its job to the mapped event of the target version', async () => {
    const pi = await start('conf-msg-throw', { orderNo: uid() });
    const job = await oneJob(ctx, THROW_TYPE, pi);
    const xml = readFixture('message-throw.bpmn').replace(/"notifyAp"/g, '"notifyAp2"');
    const d = await ctx.zbc.deployResources([{ name: 'message-throw-v2.bpmn', process: Buffer.from(xml) }]);
    const target = (d.deployments as any[]).map((x) => x.process).find((p) => p?.bpmnProcessId === 'conf-msg-throw');
    // map sub and notifyAp only: a throw event mapped to another event type is refused (409), changing nothing
    const toNone = await http(ctx, 'POST', `/v2/process-instances/${pi}/migration`, {
      targetProcessDefinitionKey: target.processDefinitionKey,
      mappingInstructions: [
        { sourceElementId: 'sub', targetElementId: 'sub' },
        { sourceElementId: 'notifyAp', targetElementId: 'subEnd' },
      ],
    });
    expect(toNone.status, JSON.stringify(toNone.body)).to.equal(409);
    const r = await http(ctx, 'POST', `/v2/process-instances/${pi}/migration`, {
      targetProcessDefinitionKey: target.processDefinitionKey,
      mappingInstructions: [
        { sourceElementId: 'sub', targetElementId: 'sub' },
        { sourceElementId: 'notifyAp', targetElementId: 'notifyAp2' },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(204);
    const ei = (await http(ctx, 'GET', `/v2/element-instances/${job.elementInstanceKey}`)).body;
    expect(ei).to.include({ elementId: 'notifyAp2', type: 'INTERMEDIATE_THROW_EVENT', processDefinitionKey: target.processDefinitionKey });
    await ctx.zbc.completeJob({ jobKey: job.key, variables: { apTicket: 'T-2' } });
    const next = await oneJob(ctx, 'conf.msgthrow.after', pi);
    expect(next.variables).to.include({ ticket: 'T-2' });
  });

  it("deploying a message throw event without zeebe:taskDefinition is refused with Zeebe's message, naming the element", async () => {
    for (const [name, el] of [
      ['no-task-def-throw.bpmn', '<bpmn:intermediateThrowEvent id="bare"><bpmn:messageEventDefinition /></bpmn:intermediateThrowEvent>'],
      ['no-task-def-end.bpmn', '<bpmn:endEvent id="bare"><bpmn:messageEventDefinition /></bpmn:endEvent>'],
    ]) {
      const next = el.startsWith('<bpmn:end') ? '' : '<bpmn:sequenceFlow id="b1" sourceRef="bare" targetRef="e" /><bpmn:endEvent id="e" />';
      const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="conf-msg-bare-${uid()}" isExecutable="true"><bpmn:startEvent id="s" /><bpmn:sequenceFlow id="b0" sourceRef="s" targetRef="bare" />${el}${next}</bpmn:process>
</bpmn:definitions>`;
      const err = await grpcError(ctx.zbc.deployResources([{ name, process: Buffer.from(xml) }]));
      expect(err.code, name).to.equal(Status.INVALID_ARGUMENT);
      expect(err.message, name).to.contain('Element: bare');
      expect(err.message, name).to.contain("Must have exactly one 'zeebe:taskDefinition' extension element");
    }
  });

  // The fixtures carry no diagram (DI) and no bpmn:incoming/outgoing, so bpmnlint's layout rules (no-bpmndi,
  // no-disconnected, ...) report them; what matters here is camunda-compat's verdict on what 8.9 executes.
  it("lint:bpmn's camunda-compat 8.9 rules accept message throw events with a task definition, and flag one without", async () => {
    const compat = async (files: string[]) =>
      (await lintFiles(files.map((f) => path.resolve(f))))
        .filter((f) => f.rule.startsWith('camunda-compat/') && f.category !== 'info')
        .map((f) => `${f.rule} ${f.id}: ${f.message}`);
    expect(await compat([fixture('message-throw.bpmn'), fixture('message-throw-end.bpmn')])).to.deep.equal([]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msg-throw-lint-'));
    try {
      const bare = path.join(dir, 'bare.bpmn');
      fs.writeFileSync(bare, readFixture('message-throw-end.bpmn').replace('<zeebe:taskDefinition type="conf.msgthrow.end" />', ''));
      const found = await compat([bare]);
      expect(
        found.some((f) => f.includes('sendEnd')),
        found.join('\n'),
      ).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
