// Process instance migration through Camunda's own clients: REST POST /v2/process-instances/{key}/migration
// (the SDK's CamundaRestClient.migrateProcessInstance) and gRPC MigrateProcessInstance (ZeebeGrpcClient).
// v1: taskA (job conf.mig.a, timer boundary PT1H) → end; v2: taskA2 (job conf.mig.a2, timer PT2H) → review (user task) → end.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  clockAdd,
  Ctx,
  elements,
  grpcError,
  http,
  jobsNow,
  oneJob,
  pinClock,
  readFixture,
  setup,
  skipUnlessClock,
  Status,
  waitFor,
  waitState,
} from '../helpers';
import { RestClient, sdkRest, statusOf } from './clients';

describe('engine: process instance migration (REST and gRPC)', function () {
  let ctx: Ctx;
  let rest: RestClient;
  let v1 = '';
  let v2 = '';
  before(async () => {
    ctx = await setup();
    rest = sdkRest(ctx);
    await pinClock(ctx, '2026-12-01T09:00:00+08:00');
    v1 = ((await rest.deployResources([{ name: 'migration-v1.bpmn', content: readFixture('migration-v1.bpmn') }])) as any).processes[0]
      .processDefinitionKey;
    v2 = ((await rest.deployResources([{ name: 'migration-v2.bpmn', content: readFixture('migration-v2.bpmn') }])) as any).processes[0]
      .processDefinitionKey;
  });
  after(async () => ctx?.stop());
  const start = async () =>
    (await rest.createProcessInstance({ processDefinitionKey: v1, variables: { order: 7 } } as never)).processInstanceKey as string;
  const active = async (pi: string, elementId: string) =>
    waitFor(async () => {
      const r = await http(ctx, 'POST', '/v2/element-instances/search', { filter: { processInstanceKey: pi, elementId, state: 'ACTIVE' } });
      return r.body.items[0] as any;
    }, `${elementId} active`);

  it('REST: the job keeps its key and type on the new element, the mapped timer keeps its due date, the instance ends on v2', async function () {
    skipUnlessClock(ctx, this);
    const pi = await start();
    const job = await oneJob(ctx, 'conf.mig.a', pi);
    const before = await active(pi, 'taskA');
    await rest.migrateProcessInstance({
      processInstanceKey: pi,
      targetProcessDefinitionKey: v2,
      mappingInstructions: [
        { sourceElementId: 'taskA', targetElementId: 'taskA2' },
        { sourceElementId: 'timeoutA', targetElementId: 'timeoutA2' },
      ],
    });
    const p = (await http(ctx, 'GET', `/v2/process-instances/${pi}`)).body;
    expect(p).to.include({ processDefinitionKey: v2, processDefinitionVersion: 2, processDefinitionId: 'conf-migration' });
    const after = await active(pi, 'taskA2');
    expect(after.elementInstanceKey).to.equal(before.elementInstanceKey);
    expect(after.processDefinitionKey).to.equal(v2);
    expect((await elements(ctx, pi)).taskA).to.equal(undefined);
    // the timer was started at PT1H on v1 and kept: after 61 minutes it fires (v2's own timer would wait 2 hours)
    await clockAdd(ctx, 'PT61M');
    await waitState(ctx, pi, 'COMPLETED');
    const els = await elements(ctx, pi);
    expect(els.timeoutA2).to.deep.equal(['COMPLETED']);
    expect(els.timedOut).to.deep.equal(['COMPLETED']);
    expect(els.taskA2).to.deep.equal(['TERMINATED']);
    // the job was migrated, not re-created: it is gone with its element now
    const g = await grpcError(ctx.zbc.completeJob({ jobKey: job.key, variables: {} }));
    expect(g.code).to.equal(Status.NOT_FOUND);
  });

  it('gRPC: an unmapped boundary timer is closed and the target one opened; the old job type completes the task and v2 goes on to its user task', async function () {
    skipUnlessClock(ctx, this);
    const pi = await start();
    const job = await oneJob(ctx, 'conf.mig.a', pi);
    await ctx.zbc.migrateProcessInstance({
      processInstanceKey: pi,
      migrationPlan: { targetProcessDefinitionKey: v2, mappingInstructions: [{ sourceElementId: 'taskA', targetElementId: 'taskA2' }] },
    } as never);
    await clockAdd(ctx, 'PT61M');
    expect((await elements(ctx, pi)).taskA2).to.deep.equal(['ACTIVE']); // the new timer counts 2 hours from the migration
    const again = await oneJob(ctx, 'conf.mig.a', pi).catch(() => job); // re-delivered after its timeout, or the one we hold
    expect(again.key).to.equal(job.key);
    expect(again.elementId).to.equal('taskA2');
    await ctx.zbc.completeJob({ jobKey: job.key, variables: { checked: true } });
    const review = await active(pi, 'review');
    const ut = await waitFor(
      async () =>
        (await http(ctx, 'POST', '/v2/user-tasks/search', { filter: { elementInstanceKey: review.elementInstanceKey } })).body.items[0],
      'the review task',
    );
    expect((await http(ctx, 'POST', `/v2/user-tasks/${ut.userTaskKey}/completion`, {})).status).to.equal(204);
    await waitState(ctx, pi, 'COMPLETED');
    const vars = (await http(ctx, 'POST', '/v2/variables/search', { filter: { processInstanceKey: pi } })).body.items.map(
      (v: any) => v.name,
    );
    expect(vars).to.include.members(['order', 'checked']);
  });

  it('gRPC: the target boundary timer opened at the migration fires after its own duration (2 hours), not the source one', async function () {
    skipUnlessClock(ctx, this);
    const pi = await start();
    await oneJob(ctx, 'conf.mig.a', pi);
    await clockAdd(ctx, 'PT30M');
    await ctx.zbc.migrateProcessInstance({
      processInstanceKey: pi,
      migrationPlan: { targetProcessDefinitionKey: v2, mappingInstructions: [{ sourceElementId: 'taskA', targetElementId: 'taskA2' }] },
    } as never);
    await clockAdd(ctx, 'PT100M'); // past v1's timer (60 min from the start), not yet v2's (120 min from the migration)
    expect((await elements(ctx, pi)).taskA2).to.deep.equal(['ACTIVE']);
    await clockAdd(ctx, 'PT21M');
    await waitState(ctx, pi, 'COMPLETED');
    expect((await elements(ctx, pi)).timeoutA2).to.deep.equal(['COMPLETED']);
  });

  it('REST: to another process: the sub-process and its user task move together, the task keeps its key and assignee', async () => {
    const d = (await rest.deployResources([
      { name: 'migration-sub-v1.bpmn', content: readFixture('migration-sub-v1.bpmn') },
      { name: 'migration-sub-v2.bpmn', content: readFixture('migration-sub-v2.bpmn') },
    ])) as any;
    const key = (id: string) => d.processes.find((p: any) => p.processDefinitionId === id).processDefinitionKey as string;
    const pi = (await rest.createProcessInstance({ processDefinitionId: 'conf-migration-sub', variables: {} } as never))
      .processInstanceKey as string;
    const task = await waitFor(
      async () => (await http(ctx, 'POST', '/v2/user-tasks/search', { filter: { processInstanceKey: pi } })).body.items[0],
      'approve',
    );
    const target = key('conf-migration-sub2');
    const onlyTask = await statusOf(
      rest.migrateProcessInstance({
        processInstanceKey: pi,
        targetProcessDefinitionKey: target,
        mappingInstructions: [{ sourceElementId: 'approve', targetElementId: 'approve2' }],
      }),
    );
    expect(onlyTask.status).to.equal(409);
    expect(onlyTask.detail).to.contain("active element with id 'sub'");
    const moved = await statusOf(
      rest.migrateProcessInstance({
        processInstanceKey: pi,
        targetProcessDefinitionKey: target,
        mappingInstructions: [
          { sourceElementId: 'sub', targetElementId: 'sub2' },
          { sourceElementId: 'approve', targetElementId: 'outside' },
        ],
      }),
    );
    expect(moved.status).to.equal(409);
    expect(moved.detail).to.contain("flow scope of the active element is expected to be 'sub2' but was 'conf-migration-sub2'");
    await rest.migrateProcessInstance({
      processInstanceKey: pi,
      targetProcessDefinitionKey: target,
      mappingInstructions: [
        { sourceElementId: 'sub', targetElementId: 'sub2' },
        { sourceElementId: 'approve', targetElementId: 'approve2' },
      ],
    });
    expect((await http(ctx, 'GET', `/v2/process-instances/${pi}`)).body).to.include({
      processDefinitionId: 'conf-migration-sub2',
      processDefinitionKey: target,
    });
    const after = (await http(ctx, 'GET', `/v2/user-tasks/${task.userTaskKey}`)).body;
    expect(after).to.include({ userTaskKey: task.userTaskKey, elementId: 'approve2', assignee: 'ops', processDefinitionKey: target });
    expect((await http(ctx, 'POST', `/v2/user-tasks/${task.userTaskKey}/completion`, {})).status).to.equal(204);
    const outside = await waitFor(
      async () =>
        (await http(ctx, 'POST', '/v2/user-tasks/search', { filter: { processInstanceKey: pi, elementId: 'outside' } })).body.items[0],
      'the v2 task after the sub-process',
    );
    expect((await http(ctx, 'POST', `/v2/user-tasks/${outside.userTaskKey}/completion`, {})).status).to.equal(204);
    await waitState(ctx, pi, 'COMPLETED');
  });

  it('gRPC: a multi-instance body moves with its inner instances by one mapping; parallel to sequential is rejected', async () => {
    const rs = async (n: number) =>
      ((await rest.deployResources([{ name: `migration-mi-v${n}.bpmn`, content: readFixture(`migration-mi-v${n}.bpmn`) }])) as any)
        .processes[0].processDefinitionKey as string;
    const [m1, m2, m3] = [await rs(1), await rs(2), await rs(3)];
    const pi = (await rest.createProcessInstance({ processDefinitionKey: m1, variables: { items: [1, 2] } } as never))
      .processInstanceKey as string;
    const jobs = await waitFor(async () => {
      const j = await jobsNow(ctx, 'conf.mig.each', pi);
      return j.length === 2 ? j : undefined;
    }, 'two inner jobs');
    const seq = await grpcError(
      ctx.zbc.migrateProcessInstance({
        processInstanceKey: pi,
        migrationPlan: { targetProcessDefinitionKey: m3, mappingInstructions: [{ sourceElementId: 'each', targetElementId: 'each2' }] },
      } as never),
    );
    expect(seq.code).to.equal(Status.FAILED_PRECONDITION);
    expect(seq.message).to.contain("'each'");
    await ctx.zbc.migrateProcessInstance({
      processInstanceKey: pi,
      migrationPlan: { targetProcessDefinitionKey: m2, mappingInstructions: [{ sourceElementId: 'each', targetElementId: 'each2' }] },
    } as never);
    expect((await elements(ctx, pi)).each2).to.deep.equal(['ACTIVE', 'ACTIVE', 'ACTIVE']); // the body and two inner instances
    for (const j of jobs) await ctx.zbc.completeJob({ jobKey: j.key, variables: {} });
    await waitState(ctx, pi, 'COMPLETED');
    const results = (await http(ctx, 'POST', '/v2/variables/search', { filter: { processInstanceKey: pi, name: 'results' } })).body
      .items[0];
    expect(JSON.parse(results.value)).to.deep.equal([10, 20]);
  });

  it('rejects what Zeebe rejects, naming the element, and changes nothing', async () => {
    const pi = await start();
    await oneJob(ctx, 'conf.mig.a', pi);
    const unmapped = await statusOf(
      rest.migrateProcessInstance({ processInstanceKey: pi, targetProcessDefinitionKey: v2, mappingInstructions: [] }),
    );
    expect(unmapped.status).to.equal(409);
    expect(unmapped.detail).to.contain("no mapping instruction defined for active element with id 'taskA'");
    const type = await statusOf(
      rest.migrateProcessInstance({
        processInstanceKey: pi,
        targetProcessDefinitionKey: v2,
        mappingInstructions: [{ sourceElementId: 'taskA', targetElementId: 'review' }],
      }),
    );
    expect(type.status).to.equal(409);
    expect(type.detail).to.contain("'review' and different type 'USER_TASK'");
    const badTarget = await statusOf(
      rest.migrateProcessInstance({
        processInstanceKey: pi,
        targetProcessDefinitionKey: v2,
        mappingInstructions: [{ sourceElementId: 'taskA', targetElementId: 'noSuchTask' }],
      }),
    );
    expect(badTarget.status).to.equal(400);
    expect(badTarget.detail).to.contain("non-existing target element id 'noSuchTask'");
    const dup = await statusOf(
      rest.migrateProcessInstance({
        processInstanceKey: pi,
        targetProcessDefinitionKey: v2,
        mappingInstructions: [
          { sourceElementId: 'taskA', targetElementId: 'taskA2' },
          { sourceElementId: 'taskA', targetElementId: 'review' },
        ],
      }),
    );
    expect(dup.status).to.equal(400);
    const detached = await statusOf(
      rest.migrateProcessInstance({
        processInstanceKey: pi,
        targetProcessDefinitionKey: v2,
        mappingInstructions: [
          { sourceElementId: 'taskA', targetElementId: 'taskA2' },
          { sourceElementId: 'timeoutA', targetElementId: 'timedOut' },
        ],
      }),
    );
    expect(detached.status).to.equal(409);
    expect(detached.detail).to.contain("'timeoutA'");
    const noDef = await statusOf(
      rest.migrateProcessInstance({
        processInstanceKey: pi,
        targetProcessDefinitionKey: '2251799813999997',
        mappingInstructions: [{ sourceElementId: 'taskA', targetElementId: 'taskA2' }],
      }),
    );
    expect(noDef.status).to.equal(404);
    const noPi = await statusOf(
      rest.migrateProcessInstance({ processInstanceKey: '2251799813999996', targetProcessDefinitionKey: v2, mappingInstructions: [] }),
    );
    expect(noPi.status).to.equal(404);
    const g = await grpcError(
      ctx.zbc.migrateProcessInstance({
        processInstanceKey: pi,
        migrationPlan: { targetProcessDefinitionKey: v2, mappingInstructions: [{ sourceElementId: 'nope', targetElementId: 'taskA2' }] },
      } as never),
    );
    expect(g.code).to.equal(Status.INVALID_ARGUMENT);
    expect(g.message).to.contain('nope');
    const gs = await grpcError(
      ctx.zbc.migrateProcessInstance({
        processInstanceKey: pi,
        migrationPlan: { targetProcessDefinitionKey: v2, mappingInstructions: [] },
      } as never),
    );
    expect(gs.code).to.equal(Status.FAILED_PRECONDITION);
    // nothing changed: still v1, taskA active
    expect((await http(ctx, 'GET', `/v2/process-instances/${pi}`)).body.processDefinitionKey).to.equal(v1);
    expect((await elements(ctx, pi)).taskA).to.deep.equal(['ACTIVE']);
  });

  it('a migrated instance survives a restart on the same data dir (log storage): the migrated job completes and v2 goes on', async function () {
    if (ctx.external) this.skip(); // restarts this engine
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-migrate-'));
    let d: Ctx | undefined = await setup({ dataDir: dir });
    try {
      const r = sdkRest(d);
      await pinClock(d, '2026-12-01T09:00:00+08:00');
      const k1 = ((await r.deployResources([{ name: 'migration-v1.bpmn', content: readFixture('migration-v1.bpmn') }])) as any).processes[0]
        .processDefinitionKey;
      const k2 = ((await r.deployResources([{ name: 'migration-v2.bpmn', content: readFixture('migration-v2.bpmn') }])) as any).processes[0]
        .processDefinitionKey;
      const pi = (await r.createProcessInstance({ processDefinitionKey: k1, variables: {} } as never)).processInstanceKey as string;
      const job = await oneJob(d, 'conf.mig.a', pi);
      await r.migrateProcessInstance({
        processInstanceKey: pi,
        targetProcessDefinitionKey: k2,
        mappingInstructions: [
          { sourceElementId: 'taskA', targetElementId: 'taskA2' },
          { sourceElementId: 'timeoutA', targetElementId: 'timeoutA2' },
        ],
      });
      await d.stop();
      d = await setup({ dataDir: dir });
      expect((await http(d, 'GET', `/v2/process-instances/${pi}`)).body.processDefinitionKey).to.equal(k2);
      await d.zbc.completeJob({ jobKey: job.key, variables: {} });
      const ut = await waitFor(
        async () =>
          (await http(d!, 'POST', '/v2/user-tasks/search', { filter: { processInstanceKey: pi, elementId: 'review' } })).body.items[0],
        'the v2 review task',
      );
      expect((await http(d, 'POST', `/v2/user-tasks/${ut.userTaskKey}/completion`, {})).status).to.equal(204);
      await waitState(d, pi, 'COMPLETED');
    } finally {
      await d?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
