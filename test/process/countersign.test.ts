/**
 * contract-countersign 合同会签 on its own: started directly through the gateway (SDK
 * createProcessInstance, as the call activities do) for a drafted revenue contract, reviewed through
 * the API. Approve/approve issues the numbered form; a rejection at either step ends the call with
 * REJECTED and the opinion as the reason.
 */
import { expect } from 'chai';
import { CountersignDecisionEntity, CountersignFormEntity, CountersignRoundEntity, RevenueContractEntity } from '../../db/entities/index';
import { PROCESS } from '../../domain/vocabulary';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

describe('process: contract-countersign 合同会签 (alone)', function () {
  this.timeout(120_000);
  let e: E2E;
  let contract: { id: string; contractNo: string };
  let orderNo: string;
  before(async () => {
    e = await startE2E();
    // a drafted revenue contract: an order up to its draft, whose provisioning is then cancelled by an admin
    const o = await d.createOrder(e);
    orderNo = o.orderNo;
    const pik = await d.orderInstanceKey(e, o.id);
    await d.confirm(e, { orderNo });
    await d.draftRevenue(e, { orderNo }, 50000);
    await e.api.waitTask(d.DEPT, 'dept-manager-review', { orderNo, contractType: 'REVENUE' }, d.WAIT);
    const r = await e.rest('POST', `/v2/process-instances/${pik}/cancellation`, {});
    expect(r.status).to.equal(204);
    const [rc] = await d.revenueContracts(e, o.id);
    contract = rc;
  });
  after(async () => e?.stop());

  async function run(decisions: ('APPROVE' | 'REJECT')[]) {
    const pi = await e.sys.zeebe.createProcessInstance({
      bpmnProcessId: PROCESS.countersign,
      variables: { contractId: contract.id, contractNo: contract.contractNo, contractType: 'REVENUE', orderNo },
    });
    const key = String(pi.processInstanceKey);
    const steps = ['dept', 'center'] as const;
    for (let i = 0; i < decisions.length; i++) {
      const t = await e.api.waitTask(
        i === 0 ? d.DEPT : d.CENTER,
        i === 0 ? 'dept-manager-review' : 'center-review',
        { contractNo: contract.contractNo },
        d.WAIT,
      );
      expect(t.processInstanceKey).to.equal(key);
      const full = await e.api.get(i === 0 ? d.DEPT : d.CENTER, `/api/tasks/${t.key}`);
      expect(full.form.id).to.equal('countersign-review');
      await e.api.complete(i === 0 ? d.DEPT : d.CENTER, t, {
        reviewDecision: decisions[i],
        reviewOpinion: decisions[i] === 'APPROVE' ? `${steps[i]} 同意` : `${steps[i]} 不同意：条款不全`,
      });
    }
    const end = await d.instanceEnd(e, key);
    const vars = await e.rest('POST', '/v2/variables/search', { filter: { processInstanceKey: key, scopeKey: key }, page: { limit: 100 } });
    const v = Object.fromEntries((vars.body.items as { name: string; value: string }[]).map((x) => [x.name, JSON.parse(x.value)]));
    const round = await e.ds.getRepository(CountersignRoundEntity).findOneByOrFail({ processInstanceKey: key });
    // in time order; the engine clock is pinned, so both steps can carry the same instant: then the procedure's order
    const STEP_ORDER = ['DEPT_MANAGER', 'CENTER'];
    const decided = (await e.ds.getRepository(CountersignDecisionEntity).find({ where: { roundId: round.id } })).sort(
      (a, b) => a.decidedAt.getTime() - b.decidedAt.getTime() || STEP_ORDER.indexOf(a.step) - STEP_ORDER.indexOf(b.step),
    );
    return { end, v, round, decided };
  }

  it('reject at the department manager: ends countersign-rejected with REJECTED and the opinion; the center never sees it', async () => {
    const { end, v, round, decided } = await run(['REJECT']);
    expect(end).to.deep.equal({ state: 'COMPLETED', endEvents: ['countersign-rejected'] });
    expect(v.countersignResult).to.equal('REJECTED');
    expect(v.rejectionReason).to.equal('dept 不同意：条款不全');
    expect(round.status).to.equal('REJECTED');
    expect(decided.map((x) => `${x.step}:${x.decision}:${x.actor}`)).to.deep.equal(['DEPT_MANAGER:REJECT:dept-manager']);
    expect(
      (await e.api.tasks(d.CENTER, { elementId: 'center-review' })).filter((t) => t.context.contractNo === contract.contractNo),
    ).to.have.length(0);
  });

  it('reject at the center: ends countersign-rejected-by-center, both decisions recorded', async () => {
    const { end, v, round, decided } = await run(['APPROVE', 'REJECT']);
    expect(end).to.deep.equal({ state: 'COMPLETED', endEvents: ['countersign-rejected-by-center'] });
    expect(v.countersignResult).to.equal('REJECTED');
    expect(v.rejectionReason).to.equal('center 不同意：条款不全');
    expect(round.status).to.equal('REJECTED');
    expect(decided.map((x) => `${x.step}:${x.decision}`)).to.deep.equal(['DEPT_MANAGER:APPROVE', 'CENTER:REJECT']);
    expect(await e.ds.getRepository(CountersignFormEntity).count({ where: { contractId: contract.id } })).to.equal(0);
  });

  it("a completion that bypassed the API (as in Tasklist) by the one who decided the other level is denied by the task's listener: open task, nothing recorded", async () => {
    const pi = await e.sys.zeebe.createProcessInstance({
      bpmnProcessId: PROCESS.countersign,
      variables: { contractId: contract.id, contractNo: contract.contractNo, contractType: 'REVENUE', orderNo },
    });
    const key = String(pi.processInstanceKey);
    const dept = await e.api.waitTask(d.DEPT, 'dept-manager-review', { contractNo: contract.contractNo }, d.WAIT);
    expect(dept.processInstanceKey).to.equal(key);
    await e.api.complete(d.DEPT, dept, { reviewDecision: 'APPROVE', reviewOpinion: 'dept 同意' });
    const center = await e.api.waitTask(d.CENTER, 'center-review', { contractNo: contract.contractNo }, d.WAIT);
    const bypass = await e.rest('POST', `/v2/user-tasks/${center.key}/completion`, {
      variables: { reviewDecision: 'APPROVE', reviewOpinion: '同意', completedBy: 'dept-manager' },
    });
    expect(bypass.status).to.equal(409);
    expect(JSON.stringify(bypass.body)).to.contain('one person cannot decide both levels of one round');
    expect((await e.rest('GET', `/v2/user-tasks/${center.key}`)).body.state).to.equal('CREATED');
    const round = await e.ds.getRepository(CountersignRoundEntity).findOneByOrFail({ processInstanceKey: key });
    const decided = await e.ds.getRepository(CountersignDecisionEntity).find({ where: { roundId: round.id } });
    expect(decided.map((x) => x.step)).to.deep.equal(['DEPT_MANAGER']);
    // the center reviewer decides it through the API: recorded, and the round ends
    await e.api.complete(d.CENTER, center, { reviewDecision: 'REJECT', reviewOpinion: 'center 不同意：条款不全' });
    expect(await d.instanceEnd(e, key)).to.deep.equal({ state: 'COMPLETED', endEvents: ['countersign-rejected-by-center'] });
  });

  it('approve / approve: the numbered countersign form is issued with every round, the contract APPROVED', async () => {
    const { end, v, round, decided } = await run(['APPROVE', 'APPROVE']);
    expect(end).to.deep.equal({ state: 'COMPLETED', endEvents: ['countersign-approved'] });
    expect(v.countersignResult).to.equal('APPROVED');
    expect(v.countersignFormNo).to.match(/^HQ-SR-\d{4}-\d{4}$/);
    expect(round.status).to.equal('APPROVED');
    expect(decided.map((x) => `${x.step}:${x.decision}`)).to.deep.equal(['DEPT_MANAGER:APPROVE', 'CENTER:APPROVE']);
    const forms = await e.ds.getRepository(CountersignFormEntity).find({ where: { contractId: contract.id } });
    expect(forms.map((f) => f.formNo)).to.deep.equal([v.countersignFormNo]);
    const rc = await e.ds.getRepository(RevenueContractEntity).findOneByOrFail({ id: contract.id });
    expect(rc.status).to.equal('APPROVED');
    expect(rc.countersignFormNo).to.equal(v.countersignFormNo);
    const history = await e.api.get(d.DEPT, `/api/countersign-forms/${forms[0].id}/history`);
    // the cancelled provisioning's round, the three rejected standalone rounds (one after a denied completion) and this one
    expect(history.map((r: { status: string }) => r.status)).to.deep.equal(['OPEN', 'REJECTED', 'REJECTED', 'REJECTED', 'APPROVED']);
  });
});
