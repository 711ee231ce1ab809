import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clockAdd, Ctx, deploy, elements, http, oneJob, setup, userTasks, waitFor, waitState } from './helpers';

for (const storage of ['log', 'sqlite'])
  describe(`engine: durable state survives a restart (in-process stop/start on the same data dir, ${storage} storage)`, function () {
    let dir: string;
    let ctx: Ctx | undefined;
    before(function () {
      if (process.env.ZEEBE_GRPC_ADDRESS) this.skip();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-persist-'));
    });
    after(async () => {
      await ctx?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('keeps definitions, instances, activated jobs, buffered messages, user tasks, timers and the test clock', async () => {
      ctx = await setup({ dataDir: dir, storage: storage as 'log' | 'sqlite' });
      await deploy(ctx, 'durable-flow.bpmn', 'service-task.bpmn');
      const pi = await ctx.zbc.createProcessInstance({
        bpmnProcessId: 'conf-durable',
        variables: { id: 'p-1', owner: 'amy', pause: 'P2D' },
      });
      const job = await oneJob(ctx, 'conf.durable.a', pi.processInstanceKey);
      await ctx.zbc.publishMessage({
        name: 'conf-durable-go',
        correlationKey: 'p-1',
        variables: { fromMessage: 1 },
        timeToLive: 3600000,
        messageId: 'once',
      });
      await clockAdd(ctx, 'PT5M');
      await ctx.stop();

      ctx = await setup({ dataDir: dir, storage: storage as 'log' | 'sqlite' });
      // the activated job can still be completed; the buffered message then correlates
      await ctx.zbc.completeJob({ jobKey: job.key, variables: { aDone: true } });
      const [task] = await waitFor(async () => {
        const l = await userTasks(ctx!, pi.processInstanceKey);
        return l.length ? l : undefined;
      }, 'user task');
      expect(task.assignee).to.equal('amy');
      await ctx.stop();

      ctx = await setup({ dataDir: dir, storage: storage as 'log' | 'sqlite' });
      expect((await http(ctx, 'POST', `/v2/user-tasks/${task.userTaskKey}/completion`, { variables: { ok: true } })).status).to.equal(204);
      await waitFor(async () => (await elements(ctx!, pi.processInstanceKey)).pause?.includes('ACTIVE'), 'timer waiting');
      await ctx.stop();

      ctx = await setup({ dataDir: dir, storage: storage as 'log' | 'sqlite' });
      await clockAdd(ctx, 'P2D');
      const b = await oneJob(ctx, 'conf.durable.b', pi.processInstanceKey);
      expect(b.variables).to.include({ aDone: true, fromMessage: 1, ok: true });
      await ctx.zbc.completeJob({ jobKey: b.key, variables: {} });
      await waitState(ctx, pi.processInstanceKey, 'COMPLETED');
      // the version and the message-id de-duplication survived too
      const d = await deploy(ctx, 'durable-flow.bpmn');
      expect((d.deployments[0] as any).process.version).to.equal(1);
      const events = (await http(ctx, 'GET', `/engine/process-instances/${pi.processInstanceKey}/events`)).body.items as any[];
      expect(events.filter((e) => e.intent === 'ELEMENT_COMPLETED' && e.elementId === 'conf-durable')).to.have.length(1);
      expect(fs.existsSync(path.join(dir, storage === 'sqlite' ? 'engine.sqlite' : 'engine.log'))).to.equal(true);
    });
  });

describe('engine: the append-only log is compacted at runtime and still restores the state', function () {
  let dir: string;
  before(function () {
    if (process.env.ZEEBE_GRPC_ADDRESS) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-compact-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every instance across compactions and a restart', async () => {
    let ctx: Ctx | undefined;
    try {
      ctx = await setup({ dataDir: dir, compactBytes: 20000 });
      await deploy(ctx, 'service-task.bpmn');
      const keys: string[] = [];
      for (let i = 0; i < 40; i++)
        keys.push((await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-service-task', variables: { i } })).processInstanceKey);
      // a runtime snapshot starts the log with instances in it (without one, the first line is the deployment)
      const firstLine = fs.readFileSync(path.join(dir, 'engine.log'), 'utf8').split('\n')[0];
      expect(firstLine).to.contain('"ei/').and.contain('"def/');
      await ctx.stop();
      ctx = await setup({ dataDir: dir, compactBytes: 20000 });
      for (const k of keys) expect((await http(ctx, 'GET', `/v2/process-instances/${k}`)).body.state).to.equal('ACTIVE');
      const jobs = await ctx.zbc.activateJobs({
        type: 'conf.service',
        worker: 't',
        maxJobsToActivate: 100,
        timeout: 30000,
        requestTimeout: 1000,
      } as never);
      expect(jobs).to.have.length(40);
    } finally {
      await ctx?.stop();
    }
  });
});
