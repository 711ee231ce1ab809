// Engine-specific: indexed searches and the bounded history of finished instances (options `history`:
// finishedInstances answered about, the most recent detailedInstances of them in full detail). Volume is
// created through the engine's programmatic API (fast); every assertion goes through the REST API.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ctx, deploy, http, setup, uid, waitFor } from './helpers';

const due = '2030-10-08T23:59:59+08:00';
const search = async (ctx: Ctx, body: unknown) => {
  const r = await http(ctx, 'POST', '/v2/user-tasks/search', body);
  expect(r.status, JSON.stringify(r.body)).to.equal(200);
  return r.body as { items: any[]; page: { totalItems: number } };
};

/** A user-task instance through the engine API: returns its instance key and open task key. */
function startUserTask(ctx: Ctx, vars: Record<string, unknown>): { pi: string; task: string } {
  const e = ctx.engine!.engine;
  const pi = e.createInstance({ bpmnProcessId: 'conf-user-task', variables: { owner: 'alice', due, ...vars } });
  const [task] = [...e.userTaskKeysOf(pi.key)];
  return { pi: pi.key, task };
}

describe('engine: user-task search with a large history', function () {
  this.timeout(60000);
  let ctx: Ctx;
  const open: string[] = [];
  const TOTAL = 3000;
  before(async function () {
    if (process.env.ZEEBE_GRPC_ADDRESS) this.skip();
    ctx = await setup({ history: { finishedInstances: 10000, detailedInstances: 50 } });
    await deploy(ctx, 'user-task.bpmn', 'user-task-form.form');
    const e = ctx.engine!.engine;
    for (let i = 0; i < TOTAL; i++) {
      const { task } = startUserTask(ctx, { owner: i % 3 === 0 ? 'alice' : 'bob', n: i });
      // every 300th task stays open, spread over the history
      if (i % 300 === 150) open.push(task);
      else e.completeUserTask(task, { decision: i % 2 ? 'APPROVE' : 'REJECT' });
      if (i % 200 === 0) await e.commit();
    }
    await e.commit();
  });
  after(async () => ctx?.stop());

  it('an open-task poll returns exactly the open tasks while thousands of completed ones exist', async () => {
    const r = await search(ctx, { filter: { state: 'CREATED' }, page: { limit: 100 }, sort: [{ field: 'creationDate', order: 'ASC' }] });
    expect(r.items.map((t) => t.userTaskKey).sort()).to.deep.equal([...open].sort());
    expect(r.page.totalItems).to.equal(open.length);
    expect(r.items.every((t) => t.state === 'CREATED')).to.equal(true);
    // the app's poll: open tasks of a candidate group, and of an assignee
    const byGroup = await search(ctx, {
      filter: { state: 'CREATED', candidateGroup: 'center-reviewer' },
      page: { limit: 50 },
      sort: [{ field: 'creationDate', order: 'ASC' }],
    });
    expect(byGroup.items.map((t) => t.userTaskKey)).to.deep.equal(open);
    const alice = await search(ctx, { filter: { state: 'CREATED', assignee: 'alice' } });
    const expectAlice = r.items.filter((t) => t.assignee === 'alice').map((t) => t.userTaskKey);
    expect(expectAlice.length).to.be.greaterThan(0);
    expect(alice.items.map((t) => t.userTaskKey).sort()).to.deep.equal(expectAlice.sort());
    expect((await search(ctx, { filter: { state: 'CREATED', candidateGroup: 'nobody' } })).items).to.deep.equal([]);
  });

  it('indexed searches answer exactly what a filter over the whole list answers (order, paging, operators)', async () => {
    const all = (await search(ctx, { page: { limit: 10000 } })).items;
    expect(all).to.have.length(TOTAL);
    const completed = await search(ctx, { filter: { state: 'COMPLETED' }, page: { limit: 10000 } });
    expect(completed.page.totalItems).to.equal(TOTAL - open.length);
    expect(completed.items).to.deep.equal(all.filter((t) => t.state === 'COMPLETED'));
    // one instance's completed task, as the workers' actor lookup asks for it
    const some = all[1234];
    const byPi = await search(ctx, {
      filter: { processInstanceKey: some.processInstanceKey, elementId: 'review', state: 'COMPLETED' },
      sort: [{ field: 'completionDate', order: 'DESC' }],
      page: { from: 0, limit: 5 },
    });
    expect(byPi.items).to.deep.equal([some]);
    expect((await search(ctx, { filter: { userTaskKey: some.userTaskKey } })).items).to.deep.equal([some]);
    expect((await search(ctx, { filter: { userTaskKey: { $eq: some.userTaskKey }, state: 'CREATED' } })).items).to.deep.equal([]);
    // open tasks, newest first, second page of 3
    const desc = all
      .filter((t) => t.state === 'CREATED')
      .sort((a, b) => (a.creationDate < b.creationDate ? 1 : a.creationDate > b.creationDate ? -1 : 0));
    const page2 = await search(ctx, {
      filter: { state: { $eq: 'CREATED' } },
      sort: [{ field: 'creationDate', order: 'DESC' }],
      page: { from: 3, limit: 3 },
    });
    expect(page2.items.map((t) => t.userTaskKey)).to.deep.equal(desc.slice(3, 6).map((t) => t.userTaskKey));
    expect(page2.page.totalItems).to.equal(open.length);
    // operators on the raw fields match the JSON fields
    const keys = all.slice(10, 20).map((t) => t.userTaskKey);
    const inKeys = await search(ctx, { filter: { userTaskKey: { $in: keys }, assignee: { $neq: 'alice' } } });
    expect(inKeys.items).to.deep.equal(all.slice(10, 20).filter((t) => t.assignee !== 'alice'));
    const like = await search(ctx, {
      filter: { candidateUser: { $like: 'a*' }, state: 'CREATED', creationDate: { $gte: all[0].creationDate } },
    });
    expect(like.items.map((t) => t.userTaskKey)).to.deep.equal(open);
    // a default page is 100 items
    expect((await search(ctx, { filter: { state: 'COMPLETED' } })).items).to.have.length(100);
  });

  it('a variable search for one exact value (the dispatcher locating an instance) answers as a scan over every scope does, and follows updates', async () => {
    const vars = async (filter: Record<string, unknown>) => {
      const r = await http(ctx, 'POST', '/v2/variables/search', { filter, page: { limit: 100 } });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return (r.body.items as any[]).map((v) => `${v.processInstanceKey}:${v.name}=${v.value}`);
    };
    // `$in` is not answered from the value index: the same question, by a scan
    const scanned = (name: string, value: string) => vars({ name, value: { $in: [value] } });
    // an open instance (n = 150), a recent finished one kept in detail (n = 2990), an old one summarised (n = 10), none (n = 99999)
    for (const n of ['150', '2990', '10', '99999']) {
      const viaIndex = await vars({ name: 'n', value: n });
      expect(viaIndex, `n = ${n}`).to.deep.equal(await scanned('n', n));
      expect(viaIndex.length, `n = ${n}`).to.equal(n === '150' || n === '2990' ? 1 : 0);
    }
    expect((await vars({ name: 'owner', value: '"alice"' })).length)
      .to.equal((await scanned('owner', '"alice"')).length)
      .and.to.be.greaterThan(1);
    // a value that changes: found under the new value only
    const e = ctx.engine!.engine;
    const { pi, task } = startUserTask(ctx, { n: 777001 });
    await e.commit();
    expect(await vars({ name: 'n', value: '777001' })).to.deep.equal([`${pi}:n=777001`]);
    e.completeUserTask(task, { n: 777002, decision: 'APPROVE' });
    await e.commit();
    expect(await vars({ name: 'n', value: '777001' }))
      .to.deep.equal(await scanned('n', '777001'))
      .and.to.deep.equal([]);
    expect(await vars({ name: 'n', value: '777002' })).to.deep.equal([`${pi}:n=777002`]);
  });

  it('rejects an unknown operator even when nothing could match', async () => {
    const r = await http(ctx, 'POST', '/v2/user-tasks/search', { filter: { state: 'CREATED', assignee: { $regex: 'x' } } });
    expect(r.status).to.equal(400);
    const none = await http(ctx, 'POST', '/v2/user-tasks/search', { filter: { processInstanceKey: '1', assignee: { $regex: 'x' } } });
    expect(none.status).to.equal(400);
  });
});

describe('engine: bounded history of finished instances', function () {
  this.timeout(30000);
  let ctx: Ctx;
  before(async function () {
    if (process.env.ZEEBE_GRPC_ADDRESS) this.skip();
    ctx = await setup({ history: { finishedInstances: 2, detailedInstances: 1 } });
    await deploy(ctx, 'user-task.bpmn', 'user-task-form.form', 'call-parent.bpmn', 'call-child.bpmn');
  });
  after(async () => ctx?.stop());

  const finish = async (task: string) => {
    const r = await http(ctx, 'POST', `/v2/user-tasks/${task}/completion`, { variables: { decision: 'APPROVE' } });
    expect(r.status).to.equal(204);
  };
  const detail = async (pi: string) => ({
    instance: await http(ctx, 'GET', `/v2/process-instances/${pi}`),
    elements: (await http(ctx, 'POST', '/v2/element-instances/search', { filter: { processInstanceKey: pi } })).body.items as any[],
    variables: (await http(ctx, 'POST', '/v2/variables/search', { filter: { processInstanceKey: pi } })).body.items as any[],
    events: await http(ctx, 'GET', `/engine/process-instances/${pi}/events`),
    tasks: (await search(ctx, { filter: { processInstanceKey: pi } })).items,
  });

  it('keeps the newest finished instance in detail, the next one as a summary, forgets older ones; a running one stays whole', async () => {
    const running = startUserTask(ctx, { tag: 'running' });
    const a = startUserTask(ctx, { tag: 'a' });
    const b = startUserTask(ctx, { tag: 'b' });
    const c = startUserTask(ctx, { tag: 'c' });
    await finish(a.task);
    await finish(b.task);
    await finish(c.task);

    // A: forgotten
    const da = await detail(a.pi);
    expect(da.instance.status).to.equal(404);
    expect((await http(ctx, 'GET', `/v2/user-tasks/${a.task}`)).status).to.equal(404);
    expect(da.tasks).to.deep.equal([]);
    expect(da.events.status).to.equal(404);
    // B: summary (instance record and user task), no element instances, variables or event record
    const db = await detail(b.pi);
    expect(db.instance.status).to.equal(200);
    expect(db.instance.body).to.include({ state: 'COMPLETED', processDefinitionId: 'conf-user-task', processInstanceKey: b.pi });
    expect(db.instance.body.endDate).to.be.a('string');
    expect(db.tasks).to.have.length(1);
    expect(db.tasks[0]).to.include({ userTaskKey: b.task, state: 'COMPLETED', assignee: 'alice', elementId: 'review' });
    expect(db.tasks[0].completionDate).to.be.a('string');
    expect((await http(ctx, 'GET', `/v2/user-tasks/${b.task}`)).body).to.deep.equal(db.tasks[0]);
    expect(db.elements).to.deep.equal([]);
    expect(db.variables).to.deep.equal([]);
    expect(db.events.body).to.deep.equal({ items: [], historyTrimmed: true });
    // C: in detail
    const dc = await detail(c.pi);
    expect(dc.instance.body.state).to.equal('COMPLETED');
    expect(dc.elements.map((e) => e.elementId)).to.include.members(['start', 'review', 'end']);
    expect(dc.variables.map((v) => v.name)).to.include.members(['tag', 'decision']);
    expect(dc.events.body.items.some((e: any) => e.intent === 'ELEMENT_COMPLETED' && e.elementId === 'conf-user-task')).to.equal(true);
    // the running instance (older than all of them) is untouched
    const dr = await detail(running.pi);
    expect(dr.instance.body.state).to.equal('ACTIVE');
    expect(dr.elements.map((e) => e.elementId)).to.include.members(['start', 'review']);
    expect(dr.variables.map((v) => v.name)).to.include('tag');
    expect(dr.tasks.map((t) => t.state)).to.deep.equal(['CREATED']);
    expect(dr.events.body.items.length).to.be.greaterThan(3);
    // the completed-instance list the benchmark reads: exactly the retained ones
    const all = (
      await http(ctx, 'POST', '/v2/process-instances/search', { filter: { processDefinitionId: 'conf-user-task' }, page: { limit: 100 } })
    ).body.items as any[];
    expect(all.map((p) => p.processInstanceKey)).to.deep.equal([running.pi, b.pi, c.pi]);

    // the running one finishes last: it becomes the detailed one, C a summary, B is forgotten
    await finish(running.task);
    expect((await detail(running.pi)).elements.length).to.be.greaterThan(0);
    expect((await detail(c.pi)).elements).to.deep.equal([]);
    expect((await detail(c.pi)).instance.status).to.equal(200);
    expect((await detail(b.pi)).instance.status).to.equal(404);
    expect(ctx.engine!.engine.historySize()).to.deep.equal({ detailed: 1, summarised: 1 });
  });

  it('a called child instance goes with its root: kept while the root is, forgotten with it', async () => {
    const e = ctx.engine!.engine;
    const pi = e.createInstance({ bpmnProcessId: 'conf-call-parent', variables: { revenueContractId: uid() } });
    const doJob = () => {
      const [job] = e.activateJobs('conf.child.work', 'test', 1000, 1, []);
      expect(job, 'child job').to.not.equal(undefined);
      e.completeJob(job.key, { countersignResult: 'APPROVED' });
    };
    doJob();
    await e.commit();
    const children = () => [...e.processInstances.values()].filter((p) => p.parentPiKey === pi.key).map((p) => p.key);
    const [child1] = children();
    expect((await http(ctx, 'GET', `/v2/process-instances/${child1}`)).body.state).to.equal('COMPLETED');
    doJob();
    await e.commit();
    expect((await http(ctx, 'GET', `/v2/process-instances/${pi.key}`)).body.state).to.equal('COMPLETED');
    const kids = children();
    expect(kids).to.have.length(2);
    // in detail: the root and its children with their element instances
    for (const k of kids) expect((await detail(k)).elements.length).to.be.greaterThan(0);
    // one more finished root: the call tree becomes a summary (instances stay, detail goes)
    const x = startUserTask(ctx, {});
    await finish(x.task);
    for (const k of [pi.key, ...kids]) {
      const d = await detail(k);
      expect(d.instance.status, k).to.equal(200);
      expect(d.instance.body.state).to.equal('COMPLETED');
      expect(d.elements).to.deep.equal([]);
    }
    expect((await detail(kids[0])).instance.body.parentProcessInstanceKey).to.equal(pi.key);
    // two more: the whole tree is forgotten
    await finish(startUserTask(ctx, {}).task);
    for (const k of [pi.key, ...kids]) expect((await http(ctx, 'GET', `/v2/process-instances/${k}`)).status, k).to.equal(404);
  });
});

for (const storage of ['log', 'sqlite'])
  describe(`engine: bounded history survives a restart (${storage} storage)`, function () {
    this.timeout(30000);
    let dir: string;
    let ctx: Ctx | undefined;
    before(function () {
      if (process.env.ZEEBE_GRPC_ADDRESS) this.skip();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-history-'));
    });
    after(async () => {
      await ctx?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** every stored text (log lines, or entity and event rows) that mentions `key` */
    const stored = (key: string): number => {
      if (storage === 'log') return fs.readFileSync(path.join(dir, 'engine.log'), 'utf8').split(key).length - 1;
      const Database = require('better-sqlite3');
      const db = new Database(path.join(dir, 'engine.sqlite'), { readonly: true });
      try {
        const n = (sql: string) => (db.prepare(sql).get(`%${key}%`) as { n: number }).n;
        return n('SELECT count(*) AS n FROM entity WHERE json LIKE ?') + n('SELECT count(*) AS n FROM event_batch WHERE json LIKE ?');
      } finally {
        db.close();
      }
    };

    it('after a restart the same instances answer in the same way, and what was dropped is gone from the store', async () => {
      const history = { finishedInstances: 3, detailedInstances: 1 };
      ctx = await setup({ dataDir: dir, history, storage: storage as 'log' | 'sqlite' });
      await deploy(ctx, 'user-task.bpmn', 'user-task-form.form');
      const running = startUserTask(ctx, { tag: 'running' });
      const done: { pi: string; task: string }[] = [];
      for (let i = 0; i < 4; i++) {
        const t = startUserTask(ctx, { tag: `d${i}` });
        const r = await http(ctx, 'POST', `/v2/user-tasks/${t.task}/completion`, { variables: { decision: 'APPROVE' } });
        expect(r.status).to.equal(204);
        done.push(t);
      }
      const snapshot = async () => {
        const out: Record<string, unknown> = {};
        for (const k of [running.pi, ...done.map((d) => d.pi)]) {
          out[k] = {
            pi: (await http(ctx!, 'GET', `/v2/process-instances/${k}`)).body,
            tasks: (await search(ctx!, { filter: { processInstanceKey: k } })).items,
            elements: (await http(ctx!, 'POST', '/v2/element-instances/search', { filter: { processInstanceKey: k } })).body.items,
            variables: (await http(ctx!, 'POST', '/v2/variables/search', { filter: { processInstanceKey: k } })).body.items,
            // by exact value (the engine's value index, rebuilt from the store on a restart)
            tagged: (
              await http(ctx!, 'POST', '/v2/variables/search', {
                filter: { name: 'tag', value: JSON.stringify(k === running.pi ? 'running' : `d${done.findIndex((d) => d.pi === k)}`) },
              })
            ).body.items,
            events: (await http(ctx!, 'GET', `/engine/process-instances/${k}/events`)).body,
          };
        }
        return out;
      };
      const before = await snapshot();
      expect((before[done[0].pi] as any).pi.status).to.equal(404);
      expect((before[done[1].pi] as any).elements).to.deep.equal([]);
      expect((before[done[3].pi] as any).elements.length).to.be.greaterThan(0);
      expect((before[running.pi] as any).tagged).to.have.length(1);
      expect((before[done[3].pi] as any).tagged).to.have.length(1);
      await ctx.stop();
      ctx = undefined;
      expect(stored(done[0].pi), 'the store still holds the records of the forgotten instance (until compaction)').to.be.greaterThan(0);

      // the restart rewrites the store from the state: the forgotten instance leaves no trace
      ctx = await setup({ dataDir: dir, history, storage: storage as 'log' | 'sqlite' });
      expect(stored(done[0].pi), 'forgotten instance in the store').to.equal(0);
      expect(await snapshot()).to.deep.equal(before);
      // the running instance still completes; the history moves on
      const r = await http(ctx, 'POST', `/v2/user-tasks/${running.task}/completion`, { variables: { decision: 'APPROVE' } });
      expect(r.status).to.equal(204);
      await waitFor(
        async () => (await http(ctx!, 'GET', `/v2/process-instances/${running.pi}`)).body.state === 'COMPLETED',
        'running instance completed',
      );
      expect((await http(ctx, 'GET', `/v2/process-instances/${done[1].pi}`)).status).to.equal(404);
      expect(
        (await http(ctx, 'POST', '/v2/element-instances/search', { filter: { processInstanceKey: done[3].pi } })).body.items,
      ).to.deep.equal([]);
      await ctx.stop();
      ctx = undefined;

      // a restart with a smaller history trims at load
      ctx = await setup({ dataDir: dir, history: { finishedInstances: 1, detailedInstances: 1 }, storage: storage as 'log' | 'sqlite' });
      expect((await http(ctx, 'GET', `/v2/process-instances/${done[3].pi}`)).status).to.equal(404);
      expect((await http(ctx, 'GET', `/v2/process-instances/${running.pi}`)).body.state).to.equal('COMPLETED');
      expect(
        (await http(ctx, 'POST', '/v2/element-instances/search', { filter: { processInstanceKey: running.pi } })).body.items.length,
      ).to.be.greaterThan(0);
      await ctx.stop();
      ctx = undefined;
      expect(stored(done[3].pi), 'trimmed instance in the store').to.equal(0);
      expect(stored(done[2].pi), 'trimmed instance in the store').to.equal(0);
    });
  });
