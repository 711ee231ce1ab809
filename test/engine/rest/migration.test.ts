/* eslint-disable @typescript-eslint/no-explicit-any */
// Process instance migration through Camunda's own clients: REST POST /v2/process-instances/{key}/migration
// (the SDK's CamundaRestClient.migrateProcessInstance) and gRPC MigrateProcessInstance (ZeebeGrpcClient).
// Version 1 of a process runs, version 2 is deployed, the instance moves over mid-flight and ends on 2.
import { expect } from 'chai';
import { Ctx, clockAdd, elements, grpcError, http, oneJob, setup, skipUnlessClock, Status, uid, userTasks, variables, waitState } from '../helpers';
import { RestClient, sdkRest, statusOf } from './clients';

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" targetNamespace="http://bpmn.io/schema/bpmn"';
const service = (id: string, type: string) => `<bpmn:serviceTask id="${id}" name="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" /></bpmn:extensionElements></bpmn:serviceTask>`;
const flows = (ids: string[]) => ids.slice(1).map((to, i) => `<bpmn:sequenceFlow id="f${i}" sourceRef="${ids[i]}" targetRef="${to}" />`).join('');
/** one process: start → the given elements in a row → end */
const model = (pid: string, version: string, body: string, order: string[], extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NS} id="d-${pid}-${version}"><bpmn:process id="${pid}" name="迁移 ${version}" isExecutable="true"><bpmn:startEvent id="start" />${body}<bpmn:endEvent id="end" />${extra}${flows(['start', ...order, 'end'])}</bpmn:process></bpmn:definitions>`;

describe('engine: process instance migration (REST and gRPC)', function () {
  let ctx: Ctx;
  let rest: RestClient;
  before(async () => {
    ctx = await setup();
    rest = sdkRest(ctx);
  });
  after(async () => ctx?.stop());

  async function deployVersion(name: string, xml: string): Promise<string> {
    const r = (await rest.deployResources([{ name, content: xml }])) as any;
    return String(r.processes[0].processDefinitionKey);
  }
  const start = async (pid: string) => String(((await rest.createProcessInstance({ processDefinitionId: pid, variables: { n: 1 } } as never)) as any).processInstanceKey);
  const instance = async (pi: string) => (await http(ctx, 'GET', `/v2/process-instances/${pi}`)).body;

  it('REST: a waiting job moves to version 2 under the mapped id, keeps its key and variables, and the instance ends on 2', async () => {
    const pid = `mig-${uid()}`;
    const t = `conf.mig.${uid()}`;
    await deployVersion('v1.bpmn', model(pid, 'v1', service('taskA', `${t}.a`), ['taskA']));
    const pi = await start(pid);
    const job = await oneJob(ctx, `${t}.a`, pi);
    const v2 = await deployVersion('v2.bpmn', model(pid, 'v2', service('taskA2', `${t}.a`) + service('taskC', `${t}.c`), ['taskA2', 'taskC']));
    await rest.migrateProcessInstance({ processInstanceKey: pi, targetProcessDefinitionKey: v2, mappingInstructions: [{ sourceElementId: 'taskA', targetElementId: 'taskA2' }] });

    const after = await instance(pi);
    expect(after).to.include({ processDefinitionKey: v2, processDefinitionVersion: 2, processDefinitionId: pid });
    expect((await elements(ctx, pi)).taskA2).to.deep.equal(['ACTIVE']);
    // the same job, now of the mapped element, completed as activated before the migration
    await ctx.zbc.completeJob({ jobKey: job.key, variables: { a: true } });
    const c = await oneJob(ctx, `${t}.c`, pi);
    expect((c as any).processDefinitionKey, 'the job of version 2').to.equal(v2);
    expect(c.variables).to.include({ n: 1, a: true });
    await ctx.zbc.completeJob({ jobKey: c.key, variables: {} });
    await waitState(ctx, pi, 'COMPLETED');
  });

  it('gRPC: a user task moves to a version with a timer boundary; the task keeps its key and the boundary fires on 2', async function () {
    skipUnlessClock(ctx, this);
    const pid = `mig-${uid()}`;
    const ut = (id: string) => `<bpmn:userTask id="${id}" name="审核 ${id}"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>`;
    await deployVersion('u1.bpmn', model(pid, 'v1', ut('approve'), ['approve']));
    const pi = await start(pid);
    const [task] = await userTasks(ctx, pi);
    const timer = `<bpmn:boundaryEvent id="late" attachedToRef="approve2"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent><bpmn:endEvent id="timedOut" /><bpmn:sequenceFlow id="fl" sourceRef="late" targetRef="timedOut" />`;
    const v2 = await deployVersion('u2.bpmn', model(pid, 'v2', ut('approve2'), ['approve2'], timer));
    await ctx.zbc.migrateProcessInstance({ processInstanceKey: pi, migrationPlan: { targetProcessDefinitionKey: v2, mappingInstructions: [{ sourceElementId: 'approve', targetElementId: 'approve2' }] } });

    const [moved] = await userTasks(ctx, pi);
    expect(moved).to.include({ userTaskKey: task.userTaskKey, elementId: 'approve2', processDefinitionKey: v2 });
    await clockAdd(ctx, 'PT2H');
    await waitState(ctx, pi, 'COMPLETED');
    expect((await elements(ctx, pi)).timedOut).to.deep.equal(['COMPLETED']);
  });

  it('rejects what Zeebe rejects, naming the element, and changes nothing: an unmapped active element, another type, an unknown target', async () => {
    const pid = `mig-${uid()}`;
    const t = `conf.mig.${uid()}`;
    await deployVersion('r1.bpmn', model(pid, 'v1', service('taskA', `${t}.a`), ['taskA']));
    const pi = await start(pid);
    await oneJob(ctx, `${t}.a`, pi);
    const v2 = await deployVersion('r2.bpmn', model(pid, 'v2', `<bpmn:userTask id="taskA"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>${service('taskB', `${t}.b`)}`, ['taskA', 'taskB']));
    const before = await instance(pi);

    const unmapped = await statusOf(rest.migrateProcessInstance({ processInstanceKey: pi, targetProcessDefinitionKey: v2, mappingInstructions: [] }));
    expect(unmapped.status).to.equal(409);
    expect(unmapped.detail).to.contain("no mapping instruction defined for active element with id 'taskA'");
    const retyped = await statusOf(rest.migrateProcessInstance({ processInstanceKey: pi, targetProcessDefinitionKey: v2, mappingInstructions: [{ sourceElementId: 'taskA', targetElementId: 'taskA' }] }));
    expect(retyped.status).to.equal(409);
    expect(retyped.detail).to.contain("different type 'USER_TASK'");
    const missing = await statusOf(rest.migrateProcessInstance({ processInstanceKey: pi, targetProcessDefinitionKey: v2, mappingInstructions: [{ sourceElementId: 'nope', targetElementId: 'taskB' }] }));
    expect(missing.status).to.equal(400);
    expect(missing.detail).to.contain("non-existing source element id 'nope'");
    const grpc = await grpcError(ctx.zbc.migrateProcessInstance({ processInstanceKey: pi, migrationPlan: { targetProcessDefinitionKey: '2251799999999999', mappingInstructions: [] } }));
    expect(grpc.code).to.equal(Status.NOT_FOUND);

    expect(await instance(pi)).to.deep.equal(before);
    expect((await variables(ctx, pi)).n).to.equal(1);
    // and the right plan still works afterwards
    await ctx.zbc.migrateProcessInstance({ processInstanceKey: pi, migrationPlan: { targetProcessDefinitionKey: v2, mappingInstructions: [{ sourceElementId: 'taskA', targetElementId: 'taskB' }] } });
    expect((await elements(ctx, pi)).taskB).to.deep.equal(['ACTIVE']);
  });
});
