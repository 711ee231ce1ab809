import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import {
  CountersignDecisionEntity,
  CountersignRoundEntity,
  DocumentSequenceEntity,
  ExpenseContractEntity,
  NotificationEntity,
  RevenueContractEntity,
  RecordVersionEntity,
} from '../../db/entities/index';
import { JOB } from '../../domain/vocabulary';
import { issueForm, openRound, recordDecision } from '../../workers/families/countersign';
import {
  completedVars,
  deliver,
  expectIdempotent,
  fixedClock,
  makeJob,
  makeServices,
  rowCount,
  seedExpenseContract,
  seedRevenueContract,
  seedWorld,
  useTestDatabase,
} from './support/harness';

describe('workers: countersign.*', function () {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d), { seedCalendar: false });

  async function open(contractType: 'REVENUE' | 'EXPENSE', contract: { id: string; contractNo: string }, pik: string, orderNo: string) {
    const out = await deliver(
      openRound,
      makeJob(
        JOB.countersignOpenRound,
        { contractId: contract.id, contractNo: contract.contractNo, contractType, orderNo },
        { processInstanceKey: pik },
      ),
      makeServices(ds),
    );
    return completedVars(out).countersignRoundId as string;
  }

  function decisionJob(
    roundId: string,
    step: 'DEPT_MANAGER' | 'CENTER',
    decision: 'APPROVE' | 'REJECT',
    opinion: string,
    extra: Record<string, unknown> = {},
  ) {
    return makeJob(
      JOB.countersignRecordDecision,
      { countersignRoundId: roundId, reviewDecision: decision, reviewOpinion: opinion, ...extra },
      {
        customHeaders: { countersignStep: step },
        elementId: step === 'CENTER' ? 'record-center-decision' : 'record-dept-manager-decision',
        processInstanceKey: '2251799813690100',
      },
    );
  }

  it('open-round: one round per child instance, numbered per contract, contract COUNTERSIGNING', async () => {
    const { order } = await seedWorld(ds);
    const contract = await seedRevenueContract(ds, order);
    const job = makeJob(
      JOB.countersignOpenRound,
      { contractId: contract.id, contractNo: contract.contractNo, contractType: 'REVENUE', orderNo: order.orderNo },
      { processInstanceKey: '2251799813690100' },
    );
    const { outcome } = await expectIdempotent(openRound, job, makeServices(ds), async () => ({
      rounds: await rowCount(ds, 'countersign_round'),
      audit: await rowCount(ds, 'audit_log'),
    }));
    expect(outcome.kind).to.equal('complete');
    const round = await ds.getRepository(CountersignRoundEntity).findOneByOrFail({ processInstanceKey: '2251799813690100' });
    expect(round).to.include({ roundNo: 1, status: 'OPEN', contractNo: contract.contractNo, contractVersion: 1 });
    expect((await ds.getRepository(RevenueContractEntity).findOneByOrFail({ id: contract.id })).status).to.equal('COUNTERSIGNING');
    // a second call (after a rejection and a revision) is round 2
    await open('REVENUE', contract, '2251799813690200', order.orderNo);
    expect((await ds.getRepository(CountersignRoundEntity).findOneByOrFail({ processInstanceKey: '2251799813690200' })).roundNo).to.equal(
      2,
    );
  });

  it('revenue: two approvals → HQ-SR-2026-0007 with both decisions (identity, opinion, time, step); idempotent', async () => {
    const { order } = await seedWorld(ds);
    const contract = await seedRevenueContract(ds, order);
    await ds.getRepository(DocumentSequenceEntity).insert({ documentType: 'countersign-form-revenue', year: 2026, lastValue: 6 });
    const roundId = await open('REVENUE', contract, '2251799813690100', order.orderNo);
    const services = makeServices(ds);

    const dm = decisionJob(roundId, 'DEPT_MANAGER', 'APPROVE', '同意', { completedBy: 'dm.zhang' });
    const r1 = await expectIdempotent(recordDecision, dm, services, async () => ({
      decisions: await rowCount(ds, 'countersign_decision'),
    }));
    expect(r1.outcome).to.deep.equal({ kind: 'complete', variables: { countersignStep: 'DEPT_MANAGER', reviewDecision: 'APPROVE' } });
    // Tasklist completion: no completedBy → the assignee of the completed user task, looked up by element id
    const asked: [string, string | null][] = [];
    const withResolver = makeServices(ds, {
      clock: fixedClock('2026-03-11T03:00:00Z'),
      actors: { resolveAssignee: async (pik, el) => (asked.push([pik, el]), 'center.wu') },
    });
    const center = decisionJob(roundId, 'CENTER', 'APPROVE', '同意签署');
    expect((await deliver(recordDecision, center, withResolver)).kind).to.equal('complete');
    expect(asked).to.deep.equal([['2251799813690100', 'center-review']]);

    const issue = makeJob(JOB.countersignIssueForm, { countersignRoundId: roundId });
    const r2 = await expectIdempotent(issueForm, issue, services, async () => ({
      forms: await rowCount(ds, 'countersign_form'),
      versions: await rowCount(ds, 'record_version', "record_type = 'countersign-form'"),
    }));
    expect(r2.outcome).to.deep.equal({
      kind: 'complete',
      variables: { countersignFormNo: 'HQ-SR-2026-0007', countersignResult: 'APPROVED', rejectionReason: null },
    });
    const c = await ds.getRepository(RevenueContractEntity).findOneByOrFail({ id: contract.id });
    expect(c).to.include({ status: 'APPROVED', countersignFormNo: 'HQ-SR-2026-0007' });
    const decisions = await ds.getRepository(CountersignDecisionEntity).find({ where: { roundId }, order: { decidedAt: 'ASC' } });
    expect(decisions.map((d) => [d.step, d.decision, d.actor, d.opinion])).to.deep.equal([
      ['DEPT_MANAGER', 'APPROVE', 'dm.zhang', '同意'],
      ['CENTER', 'APPROVE', 'center.wu', '同意签署'],
    ]);
    expect(decisions.every((d) => d.decidedAt instanceof Date)).to.equal(true);
    const form = await ds.getRepository(RecordVersionEntity).findOneByOrFail({ recordType: 'countersign-form', version: 1 });
    const rounds = (form.content as { rounds: { decisions: { actor: string }[] }[] }).rounds;
    expect(rounds[0].decisions.map((d) => d.actor)).to.deep.equal(['dm.zhang', 'center.wu']);
  });

  it('expense: a rejected round, then an approved one → HQ-ZC-2026-0003 listing both rounds', async () => {
    const { order, partner } = await seedWorld(ds);
    const contract = await seedExpenseContract(ds, order, partner, { status: 'DRAFT' });
    await ds.getRepository(DocumentSequenceEntity).insert({ documentType: 'countersign-form-expense', year: 2026, lastValue: 2 });
    const services = makeServices(ds);
    const first = await open('EXPENSE', contract, '2251799813690300', order.orderNo);
    const reject = decisionJob(first, 'DEPT_MANAGER', 'REJECT', '单价偏高，请重新议价', { completedBy: 'dm.zhang' });
    const { outcome, counts } = await expectIdempotent(recordDecision, reject, services, async () => ({
      decisions: await rowCount(ds, 'countersign_decision'),
      rejectedNotices: await rowCount(ds, 'notification_outbox', "template = 'contract-rejected'"),
    }));
    expect(outcome).to.deep.equal({
      kind: 'complete',
      variables: { countersignResult: 'REJECTED', rejectionReason: '单价偏高，请重新议价' },
    });
    // the rejection told the customer manager once, with the reason, however often the job came
    expect(counts.rejectedNotices).to.equal(1);
    const notice = await ds.getRepository(NotificationEntity).findOneByOrFail({ template: 'contract-rejected' });
    expect(notice.refs).to.include({ reason: '单价偏高，请重新议价', contractNo: contract.contractNo });
    expect(await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: contract.id })).to.include({
      status: 'REJECTED',
      rejectionReason: '单价偏高，请重新议价',
    });
    expect(await ds.getRepository(CountersignRoundEntity).findOneByOrFail({ id: first })).to.include({ status: 'REJECTED' });

    const second = await open('EXPENSE', contract, '2251799813690301', order.orderNo);
    await deliver(recordDecision, decisionJob(second, 'DEPT_MANAGER', 'APPROVE', '同意', { completedBy: 'dm.zhang' }), services);
    await deliver(recordDecision, decisionJob(second, 'CENTER', 'APPROVE', '同意', { completedBy: 'center.wu' }), services);
    const out = await deliver(issueForm, makeJob(JOB.countersignIssueForm, { countersignRoundId: second }), services);
    expect(out).to.deep.include({ kind: 'complete' });
    expect((out as { variables: Record<string, unknown> }).variables.countersignFormNo).to.equal('HQ-ZC-2026-0003');
    const form = await ds.getRepository(RecordVersionEntity).findOneByOrFail({ recordType: 'countersign-form', version: 1 });
    const rounds = (form.content as { rounds: { roundNo: number; status: string; decisions: { decision: string }[] }[] }).rounds;
    expect(rounds.map((r) => [r.roundNo, r.status, r.decisions.map((d) => d.decision).join('/')])).to.deep.equal([
      [1, 'REJECTED', 'REJECT'],
      [2, 'APPROVED', 'APPROVE/APPROVE'],
    ]);
  });

  it('actor falls back to "tasklist" with a note when neither completedBy nor an assignee is known', async () => {
    const { order } = await seedWorld(ds);
    const contract = await seedRevenueContract(ds, order);
    const roundId = await open('REVENUE', contract, '2251799813690400', order.orderNo);
    const out = await deliver(recordDecision, decisionJob(roundId, 'DEPT_MANAGER', 'APPROVE', '同意'), makeServices(ds));
    expect(out.kind).to.equal('complete');
    const d = await ds.getRepository(CountersignDecisionEntity).findOneByOrFail({ roundId });
    expect(d.actor).to.equal('tasklist');
    expect(d.opinion).to.match(/^同意 \[actor unknown: .*dept-manager-review/);
  });

  it('refuses what retrying cannot fix: no step header, a form without two approvals (incident, retries 0)', async () => {
    const { order } = await seedWorld(ds);
    const contract = await seedRevenueContract(ds, order);
    const roundId = await open('REVENUE', contract, '2251799813690500', order.orderNo);
    const noStep = makeJob(JOB.countersignRecordDecision, { countersignRoundId: roundId, reviewDecision: 'APPROVE' });
    const a = await deliver(recordDecision, noStep, makeServices(ds));
    expect(a).to.include({ kind: 'fail', retries: 0 });
    const b = await deliver(issueForm, makeJob(JOB.countersignIssueForm, { countersignRoundId: roundId }), makeServices(ds));
    expect(b).to.include({ kind: 'fail', retries: 0 });
    expect((b as { message: string }).message).to.match(/lacks the two approvals/);
    expect(await rowCount(ds, 'countersign_form')).to.equal(0);
    const bad = await deliver(
      recordDecision,
      makeJob(JOB.countersignRecordDecision, { countersignRoundId: roundId, reviewDecision: 'MAYBE' }),
      makeServices(ds),
    );
    expect(bad).to.include({ kind: 'fail', retries: 0 });
    expect((bad as { message: string }).message).to.match(/reviewDecision must be equal to one of the allowed values/);
  });
});
