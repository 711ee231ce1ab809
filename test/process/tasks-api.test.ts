/**
 * /api/tasks against the real engine: who sees which task, who may complete it, the form enforced, the
 * completion recorded as the caller.
 */
import { expect } from 'chai';
import { AuditLogEntity } from '../../db/entities/index';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

describe('process: the tasks API (/api/tasks) on the real engine', function () {
  this.timeout(120_000);
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(async () => e?.stop());

  it('lists a group task for every holder of the role only, refuses others, validates the form and records the caller', async () => {
    const o = await d.createOrder(e);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no);
    await d.draftRevenue(e, no);
    const t = await e.api.waitTask(d.DEPT, 'dept-manager-review', no, d.WAIT);
    expect(t.candidateGroups).to.deep.equal(['dept-manager']);
    expect(t.assignee).to.equal(null);
    expect(t.context).to.include({ orderNo: o.orderNo, contractType: 'REVENUE' });
    // not in the list of other roles, and not readable or completable by them
    for (const other of [d.CENTER, d.TECH, d.CM, d.OPS]) {
      expect(
        (await e.api.tasks(other)).map((x) => x.key),
        other,
      ).not.to.include(t.key);
    }
    expect((await e.api.call(d.CENTER, 'GET', `/api/tasks/${t.key}`)).status).to.equal(404);
    expect(
      (
        await e.api.call(d.CENTER, 'POST', `/api/tasks/${t.key}/completion`, {
          variables: { reviewDecision: 'APPROVE', reviewOpinion: 'x' },
        })
      ).status,
    ).to.equal(403);
    expect((await e.api.call(d.AP_USER, 'GET', '/api/tasks')).status).to.equal(403);
    expect((await e.api.raw('GET', '/api/tasks')).status).to.equal(401);
    // the form: read-only fields, unknown fields, option lists and completedBy are refused
    const full = await e.api.get(d.DEPT, `/api/tasks/${t.key}`);
    expect(full.form.id).to.equal('countersign-review');
    expect(full.variables).to.include({ orderNo: o.orderNo, contractType: 'REVENUE' });
    // and what the form's text blocks read, though no field is bound to it: 订单概要 reads orderSummary (issue #20)
    expect(full.variables.orderSummary).to.deep.include({ accounts: o.accounts, apPartnerId: o.apPartnerId });
    const bad = async (variables: Record<string, unknown>, pointer: string) => {
      const r = await e.api.call(d.DEPT, 'POST', `/api/tasks/${t.key}/completion`, { variables });
      expect(r.status, JSON.stringify(variables)).to.equal(400);
      expect(r.body.errors.map((x: { pointer: string }) => x.pointer)).to.include(pointer);
    };
    await bad({ reviewDecision: 'MAYBE', reviewOpinion: '?' }, '/variables/reviewDecision');
    await bad({ reviewDecision: 'APPROVE' }, '/variables/reviewOpinion');
    await bad({ reviewDecision: 'APPROVE', reviewOpinion: 'ok', contractAmount: 1 }, '/variables/contractAmount');
    await bad({ reviewDecision: 'APPROVE', reviewOpinion: 'ok', approvedBy: 'someone' }, '/variables/approvedBy');
    await bad({ reviewDecision: 'APPROVE', reviewOpinion: 'ok', completedBy: 'center-reviewer' }, '/variables/completedBy');
    expect((await e.api.call(d.DEPT, 'POST', '/api/tasks/999999999/completion', { variables: {} })).status).to.equal(404);
    // completed: assigned to and recorded as the caller; a second completion is refused
    const done = await e.api.post(d.DEPT, `/api/tasks/${t.key}/completion`, {
      variables: { reviewDecision: 'APPROVE', reviewOpinion: '同意' },
    });
    expect(done).to.deep.include({ key: t.key, completedBy: 'dept-manager' });
    const engineTask = await e.rest('GET', `/v2/user-tasks/${t.key}`);
    expect(engineTask.body).to.include({ state: 'COMPLETED', assignee: 'dept-manager' });
    const again = await e.api.call(d.DEPT, 'POST', `/api/tasks/${t.key}/completion`, {
      variables: { reviewDecision: 'APPROVE', reviewOpinion: '同意' },
    });
    expect(again.status).to.equal(409);
    // the decision is recorded by the task's completing listener: already there when the completion returns
    const recorded = await e.ds.getRepository(AuditLogEntity).find({ where: { action: 'countersign.record-decision' } });
    expect(recorded.map((a) => a.actor)).to.deep.equal(['dept-manager']);
    await e.api.waitTask(d.CENTER, 'center-review', no, d.WAIT);
  });

  it('a task assigned to a person is listed for them (assignee) and completed without re-assignment', async () => {
    const o = await d.createOrder(e);
    const t = await e.api.waitTask(d.CM, 'confirm-order-with-customer', { orderNo: o.orderNo }, d.WAIT);
    expect(t.assignee).to.equal('customer-manager');
    const mine = await e.api.tasks(d.CM, { processInstanceKey: t.processInstanceKey });
    expect(mine.map((x) => x.key)).to.deep.equal([t.key]);
    await e.api.complete(d.CM, t, { customerDecision: 'DECLINED', customerFeedback: '不需要了' });
    await d.waitOrderStatus(e, o.id, 'CANCELLED');
  });
});
