// Multi-instance activities (parallel and sequential) on service tasks, user tasks, embedded sub-processes
// and call activities, driven through @camunda8/sdk (gRPC for jobs and instances, the REST client for user tasks).
import { expect } from 'chai';
import { activate, Ctx, deploy, http, incidents, setup, uid, variables, waitFor, waitState } from './helpers';
import { RestClient, sdkRest } from './rest/clients';

/** element instances of one instance as [elementId, type, state], in creation order */
async function instancesOf(ctx: Ctx, processInstanceKey: string): Promise<[string, string, string][]> {
  const r = await http(ctx, 'POST', '/v2/element-instances/search', {
    filter: { processInstanceKey },
    page: { limit: 1000 },
    sort: [{ field: 'elementInstanceKey', order: 'ASC' }],
  });
  return (r.body.items as { elementId: string; type: string; state: string }[]).map((e) => [e.elementId, e.type, e.state]);
}

describe('engine conformance: multi-instance activities', function () {
  let ctx: Ctx;
  let rest: RestClient;
  before(async () => {
    ctx = await setup();
    rest = sdkRest(ctx);
    await deploy(ctx, 'multi-instance.bpmn');
  });
  after(async () => ctx?.stop());

  const jobsFor = async (piKey: string, n: number) =>
    waitFor(async () => {
      const js = (await activate(ctx, 'conf.mi.double', 100, 30000, 500)).filter((j) => j.processInstanceKey === piKey);
      return js.length ? js : undefined;
    }, `${n} jobs`).then(async (first) => {
      const all = [...first];
      while (all.length < n)
        all.push(...(await activate(ctx, 'conf.mi.double', 100, 30000, 500)).filter((j) => j.processInstanceKey === piKey));
      return all;
    });

  it('parallel service task: one job per element at once, loopCounter and inputElement local, outputCollection in input order', async () => {
    const items = [3, 5, 7];
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-mi-parallel', variables: { items } });
    const jobs = await jobsFor(pi.processInstanceKey, 3);
    expect(jobs).to.have.length(3);
    expect(jobs.map((j) => [j.variables.loopCounter, j.variables.item]).sort()).to.deep.equal([
      [1, 3],
      [2, 5],
      [3, 7],
    ]);
    // complete them in reverse order: the output collection keeps the input order
    for (const j of [...jobs].sort((a, b) => b.variables.loopCounter - a.variables.loopCounter)) {
      await ctx.zbc.completeJob({ jobKey: j.key, variables: { doubled: j.variables.item * 2 } });
    }
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    const vars = await variables(ctx, pi.processInstanceKey);
    expect(vars.results).to.deep.equal([6, 10, 14]);
    expect(vars).to.not.have.property('item');
    expect(vars).to.not.have.property('loopCounter');
    const els = await instancesOf(ctx, pi.processInstanceKey);
    expect(els.filter(([id]) => id === 'double').map(([, type, state]) => `${type}:${state}`)).to.deep.equal([
      'MULTI_INSTANCE_BODY:COMPLETED',
      'SERVICE_TASK:COMPLETED',
      'SERVICE_TASK:COMPLETED',
      'SERVICE_TASK:COMPLETED',
    ]);
  });

  it('an empty input collection completes the body at once with an empty output collection', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-mi-parallel', variables: { items: [] } });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await variables(ctx, pi.processInstanceKey)).results).to.deep.equal([]);
  });

  it('an input collection that is not a list raises an EXTRACT_VALUE_ERROR incident on the body; resolving retries', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-mi-parallel', variables: { items: 'not-a-list' } });
    const [inc] = await waitFor(async () => {
      const l = await incidents(ctx, pi.processInstanceKey);
      return l.length ? l : undefined;
    }, 'incident');
    expect(inc.errorType).to.equal('EXTRACT_VALUE_ERROR');
    expect(inc.elementId).to.equal('double');
    await ctx.zbc.setVariables({ elementInstanceKey: pi.processInstanceKey, variables: { items: [1] }, local: false });
    await ctx.zbc.resolveIncident({ incidentKey: inc.incidentKey });
    const [job] = await jobsFor(pi.processInstanceKey, 1);
    expect(job.variables.item).to.equal(1);
    await ctx.zbc.completeJob({ jobKey: job.key, variables: { doubled: 2 } });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await variables(ctx, pi.processInstanceKey)).results).to.deep.equal([2]);
  });

  it('an error thrown by one inner job is caught by the boundary event of the body; the other inner jobs are cancelled', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-mi-parallel', variables: { items: [1, 2] } });
    const jobs = await jobsFor(pi.processInstanceKey, 2);
    await ctx.zbc.throwError({ jobKey: jobs[0].key, errorCode: 'REJECTED', errorMessage: 'no' });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    const els = await instancesOf(ctx, pi.processInstanceKey);
    expect(els.filter(([id]) => id === 'double').map(([, , s]) => s)).to.deep.equal(['TERMINATED', 'TERMINATED', 'TERMINATED']);
    expect(els.some(([id, , s]) => id === 'end-rejected' && s === 'COMPLETED')).to.equal(true);
    const late = await http(ctx, 'POST', `/v2/jobs/${jobs[1].key}/completion`, { variables: {} });
    expect(late.status).to.equal(404);
  });

  it('sequential user task: one task at a time, assignee from the input element, completionCondition ends it early', async () => {
    const tag = uid();
    const reviewers = [`ann-${tag}`, `bob-${tag}`, `cat-${tag}`];
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-mi-sequential', variables: { reviewers } });
    const open = async () =>
      (await rest.searchUserTasks({ filter: { processInstanceKey: pi.processInstanceKey, state: 'CREATED' } } as never)).items as {
        userTaskKey: string;
        assignee?: string;
      }[];
    for (const [i, verdict] of ['ok', 'fine'].entries()) {
      const tasks = await waitFor(
        async () => {
          const l = await open();
          return l.length && l[0].assignee === reviewers[i] ? l : undefined;
        },
        `task ${i + 1}`,
      );
      expect(tasks).to.have.length(1);
      await rest.completeUserTask({ userTaskKey: tasks[0].userTaskKey, variables: { verdict } });
    }
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    const vars = await variables(ctx, pi.processInstanceKey);
    // the third reviewer never got a task: two completed instances met the condition
    expect(vars.verdicts).to.deep.equal([`ann-${tag}:ok`, `bob-${tag}:fine`, null]);
    const all = (await rest.searchUserTasks({ filter: { processInstanceKey: pi.processInstanceKey } } as never)).items as {
      assignee?: string;
    }[];
    expect(all.map((t) => t.assignee)).to.deep.equal(reviewers.slice(0, 2));
  });

  it('parallel embedded sub-process: each inner scope has its element and loopCounter; outputs collected', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-mi-sub', variables: { orders: [{ qty: 1 }, { qty: 4 }] } });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await variables(ctx, pi.processInstanceKey)).totals).to.deep.equal([11, 42]);
    const els = await instancesOf(ctx, pi.processInstanceKey);
    expect(els.filter(([id]) => id === 'per-order').map(([, t]) => t)).to.deep.equal(['MULTI_INSTANCE_BODY', 'SUB_PROCESS', 'SUB_PROCESS']);
    expect(els.filter(([id]) => id === 'price')).to.have.length(2);
  });

  it('sequential call activity: one child instance per element, each with its input element, answers collected', async () => {
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-mi-call', variables: { questions: ['a', 'b', 'c'] } });
    await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
    expect((await variables(ctx, pi.processInstanceKey)).answers).to.deep.equal(['A', 'B', 'C']);
    const children = await http(ctx, 'POST', '/v2/process-instances/search', {
      filter: { parentProcessInstanceKey: pi.processInstanceKey },
    });
    expect(children.body.items).to.have.length(3);
  });

  it('rejects at deploy what Zeebe rejects: no inputCollection, outputCollection without outputElement, standard loops', async () => {
    const bad = (loop: string) =>
      `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x"><bpmn:process id="conf-mi-bad-${uid()}" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="each"/><bpmn:task id="each">${loop}</bpmn:task></bpmn:process></bpmn:definitions>`;
    const cases: [string, string][] = [
      ['<bpmn:multiInstanceLoopCharacteristics />', 'inputCollection'],
      [
        '<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=xs" outputCollection="ys" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>',
        'outputElement',
      ],
    ];
    for (const [loop, word] of cases) {
      const r = await ctx.zbc.deployResource({ process: Buffer.from(bad(loop)), name: 'bad.bpmn' } as never).then(
        () => null,
        (e: Error) => e,
      );
      if (ctx.external) continue;
      expect(r, word).to.be.instanceOf(Error);
      expect(String((r as { details?: string }).details ?? r!.message))
        .to.contain('each')
        .and.contain(word);
    }
  });
});
