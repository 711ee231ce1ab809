/**
 * Issue #15 on the real BPMN: what was reviewed is what is issued (a correction while each review level
 * is open → 409 naming the round, nothing changed, the form carries the reviewed version), separation of
 * duties at both levels (403 naming the rule, the task stays open for someone else), and a real
 * calendar date on a task form (400 on the completion itself, the task stays open; past the API the signing
 * task's completing listener denies it), and the repair of a stuck service task from the API.
 */
import { expect } from 'chai';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createLocalAuth } from '../../api/auth';
import { createHealth } from '../../api/health';
import { createStore } from '../../api/store';
import { createRestUserTasks } from '../../api/tasks';
import { ApiClient } from '../../app/api-client';
import {
  CountersignDecisionEntity,
  CountersignFormEntity,
  CountersignRoundEntity,
  RecordVersionEntity,
  RevenueContractEntity,
} from '../../db/entities/index';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

describe('process: integrity of the countersign (issue #15)', function () {
  this.timeout(180_000);
  let e: E2E;
  let server: http.Server;
  /** an API of the same system whose directory gives people two hats (the demo users have one role each) */
  let dual: ApiClient;
  before(async () => {
    e = await startE2E();
    const auth = createLocalAuth({
      secret: 'integrity-test-secret-0123456789',
      users: [
        // the drafter (the customer manager who drafted the contract) also holding the dept-manager role
        { username: d.CM, roles: ['customer-manager', 'dept-manager'] },
        // one person holding both review roles
        { username: 'two-hats', roles: ['dept-manager', 'center-reviewer'] },
      ],
    });
    const app = createApp({ auth, store: createStore(e.ds), health: createHealth(e.ds), tasks: createRestUserTasks(e.sys.restAddress) });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    dual = new ApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  after(async () => {
    await new Promise((r) => server?.close(r));
    await e?.stop();
  });

  async function contractAtDeptReview(amount: number) {
    const o = await d.createOrder(e);
    await d.confirm(e, { orderNo: o.orderNo });
    await d.draftRevenue(e, { orderNo: o.orderNo }, amount);
    const task = await e.api.waitTask(d.DEPT, 'dept-manager-review', { orderNo: o.orderNo, contractType: 'REVENUE' }, d.WAIT);
    const [c] = await d.revenueContracts(e, o.id);
    return { o, c, task };
  }
  const correct = (id: string, changes: Record<string, unknown>) =>
    e.api.call(d.CM, 'POST', `/api/records/revenue-contract/${id}/corrections`, { reason: '客户要求调价', changes });
  const versions = (id: string) =>
    e.ds.getRepository(RecordVersionEntity).count({ where: { recordType: 'revenue-contract', recordId: id } });
  const taskState = async (key: string) =>
    (await e.rest('GET', `/v2/user-tasks/${key}`)).body as { state: string; assignee?: string | null };

  it('a correction while each review level is open is a 409 naming the open round; the form is issued for the reviewed version', async () => {
    const { o, c, task } = await contractAtDeptReview(100);
    const round = await e.ds.getRepository(CountersignRoundEntity).findOneByOrFail({ contractId: c.id, status: 'OPEN' });

    // 部门经理审核 open
    const atDept = await correct(c.id, { amount: 999999 });
    expect(atDept.status, JSON.stringify(atDept.body)).to.equal(409);
    expect(atDept.body).to.include({ rule: 'no-correction-under-countersign' });
    expect(atDept.body.openRound).to.deep.equal({ roundId: round.id, roundNo: round.roundNo, contractVersion: 1 });
    expect(atDept.body.detail).to.contain(`round ${round.roundNo}`);
    expect(await versions(c.id)).to.equal(1);
    await e.api.complete(d.DEPT, task, { reviewDecision: 'APPROVE', reviewOpinion: '同意' });

    // 中心审核 open
    const center = await e.api.waitTask(d.CENTER, 'center-review', { orderNo: o.orderNo, contractType: 'REVENUE' }, d.WAIT);
    const atCenter = await correct(c.id, { amount: 999999 });
    expect(atCenter.status).to.equal(409);
    expect(atCenter.body.openRound.roundNo).to.equal(round.roundNo);
    expect(await versions(c.id)).to.equal(1);
    await e.api.complete(d.CENTER, center, { reviewDecision: 'APPROVE', reviewOpinion: '同意' });

    // the form records what both reviewers saw
    const form = await d.waitFor(() => e.ds.getRepository(CountersignFormEntity).findOneBy({ contractId: c.id }), 'countersign form');
    const issued = (await e.api.get(d.CM, `/api/countersign-forms/${form.id}`)) as { content: Record<string, unknown> };
    expect(issued.content).to.include({ contractVersion: 1, contractAmount: 100 });
    expect((await e.ds.getRepository(RevenueContractEntity).findOneByOrFail({ id: c.id })).amount).to.equal(100);

    // after the countersign the contract is not corrected either (the form is the record of the approval)
    const after = await correct(c.id, { amount: 999999 });
    expect(after.status).to.equal(409);
    expect(after.body.rule).to.equal('no-correction-after-countersign');
    expect(await versions(c.id)).to.equal(1);
  });

  it('the drafter cannot review; one person cannot approve both levels: 403 naming the rule, the task stays open for someone else', async () => {
    const { o, c, task } = await contractAtDeptReview(2000);
    const round = await e.ds.getRepository(CountersignRoundEntity).findOneByOrFail({ contractId: c.id, status: 'OPEN' });

    const drafter = await dual.call(d.CM, 'POST', `/api/tasks/${task.key}/completion`, {
      variables: { reviewDecision: 'APPROVE', reviewOpinion: '同意' },
    });
    expect(drafter.status, JSON.stringify(drafter.body)).to.equal(403);
    expect(drafter.body).to.include({ rule: 'drafter-cannot-review', type: 'urn:online-training:problem:separation-of-duties' });
    expect(await taskState(task.key)).to.deep.include({ state: 'CREATED' });
    expect((await taskState(task.key)).assignee ?? null).to.equal(null);
    expect(await e.ds.getRepository(CountersignDecisionEntity).countBy({ roundId: round.id })).to.equal(0);

    await dual.complete('two-hats', task, { reviewDecision: 'APPROVE', reviewOpinion: '部门同意' });
    const center = await dual.waitTask('two-hats', 'center-review', { orderNo: o.orderNo, contractType: 'REVENUE' }, d.WAIT);
    const twice = await dual.call('two-hats', 'POST', `/api/tasks/${center.key}/completion`, {
      variables: { reviewDecision: 'APPROVE', reviewOpinion: '中心同意' },
    });
    expect(twice.status, JSON.stringify(twice.body)).to.equal(403);
    expect(twice.body.rule).to.equal('one-person-one-level');
    expect(await taskState(center.key)).to.deep.include({ state: 'CREATED' });
    const decided = await e.ds.getRepository(CountersignDecisionEntity).findBy({ roundId: round.id });
    expect(decided.map((x) => `${x.step}:${x.actor}`)).to.deep.equal(['DEPT_MANAGER:two-hats']);

    // someone else takes the open task
    await e.api.complete(d.CENTER, center, { reviewDecision: 'APPROVE', reviewOpinion: '中心同意' });
    await d.waitFor(() => e.ds.getRepository(CountersignFormEntity).findOneBy({ contractId: c.id }), 'countersign form');
  });

  it('an impossible date on a task form is a 400 on the completion itself; the task stays open and the order moves on with a real date', async () => {
    const { o, task } = await contractAtDeptReview(3000);
    await e.api.complete(d.DEPT, task, { reviewDecision: 'APPROVE', reviewOpinion: '同意' });
    await d.review(e, 'center', { orderNo: o.orderNo }, 'REVENUE', 'APPROVE');
    const sign = await e.api.waitTask(d.ADMIN, 'sign-revenue-contract', { orderNo: o.orderNo }, d.WAIT);
    const bad = await e.api.call(d.ADMIN, 'POST', `/api/tasks/${sign.key}/completion`, { variables: { signedDate: '2026-02-30' } });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors).to.deep.equal([{ in: 'body', pointer: '/variables/signedDate', detail: 'must be a date YYYY-MM-DD' }]);
    expect(await taskState(sign.key)).to.deep.include({ state: 'CREATED' });
    await e.api.complete(d.ADMIN, sign, { signedDate: '2026-03-02' });
    await d.waitOrderStatus(e, o.id, 'CONTRACT_SIGNED');
    expect(await d.activeIncidents(e, await d.orderInstanceKey(e, o.id))).to.have.length(0);
  });

  it("an impossible date that bypassed the API (as Tasklist could) is denied by the signing task's listener: 409 naming signedDate, the task stays open, no incident", async () => {
    const { o, task } = await contractAtDeptReview(3500);
    await e.api.complete(d.DEPT, task, { reviewDecision: 'APPROVE', reviewOpinion: '同意' });
    await d.review(e, 'center', { orderNo: o.orderNo }, 'REVENUE', 'APPROVE');
    const sign = await e.api.waitTask(d.ADMIN, 'sign-revenue-contract', { orderNo: o.orderNo }, d.WAIT);
    const bypass = await e.rest('POST', `/v2/user-tasks/${sign.key}/completion`, {
      variables: { signedDate: '2026-02-30', completedBy: d.ADMIN },
    });
    expect(bypass.status).to.equal(409);
    expect(JSON.stringify(bypass.body)).to.contain('signedDate');
    expect(await taskState(sign.key)).to.deep.include({ state: 'CREATED' });
    expect(await d.activeIncidents(e, await d.orderInstanceKey(e, o.id))).to.have.length(0);
    await e.api.complete(d.ADMIN, sign, { signedDate: '2026-03-02' });
    await d.waitOrderStatus(e, o.id, 'CONTRACT_SIGNED');
  });

  it('repair from the API: an admin sees why an order stands still and retries after fixing the variable', async () => {
    const { o, c, task } = await contractAtDeptReview(4000);
    await e.api.complete(d.DEPT, task, { reviewDecision: 'REJECT', reviewOpinion: '金额需调整' });
    const revise = await e.api.waitTask(d.CM, 'revise-revenue-contract', { orderNo: o.orderNo }, d.WAIT);
    // completed past the API (as Tasklist could): the negative amount reaches the worker, which raises an incident
    expect(
      (
        await e.rest('POST', `/v2/user-tasks/${revise.key}/completion`, {
          variables: { revisionDecision: 'REVISE', revisionNote: '金额调整', contractAmount: -5, completedBy: d.CM },
        })
      ).status,
    ).to.equal(204);
    const path = `/api/orders/${o.id}/incidents`;
    const seen = await d.waitFor(async () => {
      const r = await e.api.get<{
        orderNo: string;
        items: { incidentKey: string; elementId: string; errorMessage: string; state: string }[];
      }>('admin', path);
      return r.items.length ? r : null;
    }, 'the incident of the order');
    expect(seen.orderNo).to.equal(o.orderNo);
    expect(seen.items).to.have.length(1);
    expect(seen.items[0]).to.include({ elementId: 'apply-revenue-contract-revision', state: 'ACTIVE' });
    expect(seen.items[0].errorMessage).to.contain('contractAmount');
    expect((await e.api.call(d.OPS, 'GET', path)).status).to.equal(403);

    const retry = `/api/incidents/${seen.items[0].incidentKey}/retry`;
    const bad = await e.api.call('admin', 'POST', retry, { reason: '修正金额', variables: 'x' });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors[0].pointer).to.equal('/variables');
    expect((await e.api.call('admin', 'POST', '/api/incidents/999999999/retry', { reason: 'x' })).status).to.equal(404);
    const fixed = await e.api.post('admin', retry, { reason: '修正金额', variables: { contractAmount: 3800 } });
    expect(fixed).to.include({ state: 'RESOLVED', incidentKey: seen.items[0].incidentKey });
    // the revised contract goes to the next countersign round
    await e.api.waitTask(d.DEPT, 'dept-manager-review', { orderNo: o.orderNo, contractType: 'REVENUE' }, d.WAIT);
    expect((await e.api.get<{ items: unknown[] }>('admin', path)).items).to.have.length(0);
    expect(Number((await e.ds.getRepository(RevenueContractEntity).findOneByOrFail({ id: c.id })).amount)).to.equal(3800);
    const audited = await d.audits(e, 'incident.retry');
    expect(audited.map((a) => [a.actor, a.reason, (a.details as { variables: unknown }).variables])).to.deep.include([
      'admin',
      '修正金额',
      { contractAmount: 3800 },
    ]);
  });
});
