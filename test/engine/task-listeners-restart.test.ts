import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ctx, deploy, http, setup, uid, userTasks, waitFor } from './helpers';

// A task in CREATING is durable state like any other: after a restart its next creating listener's job is
// there, the earlier listeners' corrections are kept, and the last one's completion makes it CREATED.
for (const storage of ['log', 'sqlite'] as const)
  describe(`engine: creating task listeners survive a restart (${storage} storage)`, function () {
    let dir: string;
    let ctx: Ctx | undefined;
    before(function () {
      if (process.env.ZEEBE_GRPC_ADDRESS) this.skip();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-tl-creating-'));
    });
    after(async () => {
      await ctx?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const activate = (c: Ctx, type: string) =>
      waitFor(async () => {
        const r = await http(c, 'POST', '/v2/jobs/activation', { type, maxJobsToActivate: 1, timeout: 30000, requestTimeout: -1 });
        return r.body.jobs?.length ? r.body.jobs[0] : undefined;
      }, `job ${type}`);

    it('keeps the task CREATING, its next listener job and the corrections so far', async () => {
      ctx = await setup({ dataDir: dir, storage });
      await deploy(ctx, 'task-listeners-creating.bpmn');
      const a = `tlr-a-${uid()}`,
        b = `tlr-b-${uid()}`;
      const pi = await ctx.zbc.createProcessInstance({
        bpmnProcessId: 'conf-tl-creating',
        variables: { owner: 'alice', due: '2026-12-24T18:00:00+08:00', listenerA: a, listenerB: b, listenerC: 'unused' },
      });
      const ja = await activate(ctx, a);
      expect((await http(ctx, 'POST', `/v2/jobs/${ja.jobKey}/completion`, { result: { corrections: { priority: 77 } } })).status).to.equal(
        204,
      );
      await ctx.stop();

      ctx = await setup({ dataDir: dir, storage });
      const [task] = await userTasks(ctx, pi.processInstanceKey, 'CREATING');
      expect(task).to.include({ state: 'CREATING', priority: 50 });
      const jb = await activate(ctx, b);
      expect(jb).to.include({ listenerEventType: 'CREATING', kind: 'TASK_LISTENER' });
      expect(jb.customHeaders).to.include({ 'io.camunda.zeebe:priority': '77', 'io.camunda.zeebe:assignee': 'alice' });
      await ctx.stop();

      // the activated job too
      ctx = await setup({ dataDir: dir, storage });
      expect((await http(ctx, 'POST', `/v2/jobs/${jb.jobKey}/completion`, {})).status).to.equal(204);
      const created = await waitFor(async () => (await userTasks(ctx!, pi.processInstanceKey))[0], 'task CREATED');
      expect(created).to.include({ userTaskKey: task.userTaskKey, assignee: 'alice', priority: 77 });
      await ctx.zbc.cancelProcessInstance(pi.processInstanceKey);
    });
  });
