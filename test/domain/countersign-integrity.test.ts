/**
 * domain/countersign-integrity.ts and its use in countersign.record-decision / issue-form, on the real
 * database without an engine: what a worker does when a completion bypassed the API.
 */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { CountersignDecisionEntity, RevenueContractEntity } from '../../db/entities/index';
import { inTransaction } from '../../db/transaction';
import { draftRevenueContract } from '../../domain/contracts';
import { assertContractCorrectable } from '../../domain/countersign-integrity';
import { issueCountersignForm, openCountersignRound, recordCountersignDecision } from '../../domain/countersign';
import { SeparationOfDutiesError, StateConflictError } from '../../domain/errors';
import { recordCustomerDecision } from '../../domain/orders';
import { correctRecord } from '../../domain/records';
import { useTestDatabase } from '../support/db';
import { anOrder } from '../support/fixtures';
import { rejects } from '../support/rejects';

describe('domain: countersign integrity and separation of duties', () => {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d));

  async function openRound(pik: string) {
    const { order } = await anOrder(ds);
    await recordCustomerDecision(ds, order.id, 'CONFIRMED', '确认', { actor: 'zhang.cm' });
    const rc = await draftRevenueContract(
      ds,
      { orderId: order.id, title: '在线培训服务协议', amount: 100, termMonths: 12 },
      { actor: 'zhang.cm' },
    );
    const round = await openCountersignRound(
      ds,
      { contractType: 'REVENUE', contractId: rc.id, processInstanceKey: pik },
      { actor: 'system:worker' },
    );
    return { rc, round };
  }
  const decide = (roundId: string, step: 'DEPT_MANAGER' | 'CENTER', actor: string, actorNote?: string) =>
    recordCountersignDecision(ds, { roundId, step, decision: 'APPROVE', opinion: '同意', actorNote }, { actor });

  it('record-decision refuses the drafter and one person at both levels, writing nothing; a fallback actor is not checked', async () => {
    const { round } = await openRound('2251799813690001');
    const drafter = await rejects(decide(round.id, 'DEPT_MANAGER', 'zhang.cm'));
    expect(drafter).to.be.instanceOf(SeparationOfDutiesError);
    expect((drafter as SeparationOfDutiesError).rule).to.equal('drafter-cannot-review');
    expect(await ds.getRepository(CountersignDecisionEntity).countBy({ roundId: round.id })).to.equal(0);
    await decide(round.id, 'DEPT_MANAGER', 'wang.dm');
    const twice = await rejects(decide(round.id, 'CENTER', 'wang.dm'));
    expect((twice as SeparationOfDutiesError).rule).to.equal('one-person-one-level');
    expect(await ds.getRepository(CountersignDecisionEntity).countBy({ roundId: round.id })).to.equal(1);
    // the worker could not tell who completed the task: the fallback actor names nobody to check
    const out = await decide(round.id, 'CENTER', 'system:worker', 'assignee unknown');
    expect(out.countersignResult).to.equal('APPROVED');
  });

  it('a correction is refused while the round is open; the form is issued only for the version that was approved', async () => {
    const { rc, round } = await openRound('2251799813690002');
    const contract = await ds.getRepository(RevenueContractEntity).findOneByOrFail({ id: rc.id });
    const open = await rejects(assertContractCorrectable(ds, 'REVENUE', contract));
    expect(open).to.be.instanceOf(StateConflictError);
    expect((open as StateConflictError).details).to.deep.include({
      rule: 'no-correction-under-countersign',
      openRound: { roundId: round.id, roundNo: 1, contractVersion: 1 },
    });
    await decide(round.id, 'DEPT_MANAGER', 'wang.dm');
    await decide(round.id, 'CENTER', 'zhao.center');
    // a version written past every guard (straight into the domain, as no route does)
    await inTransaction(ds, (em) =>
      correctRecord(em, 'revenue-contract', rc.id, { amount: 999999 }, { actor: 'intruder', reason: '绕过' }),
    );
    const refused = await rejects(issueCountersignForm(ds, round.id, { actor: 'system:worker' }));
    expect(refused).to.be.instanceOf(StateConflictError);
    expect(refused.message).to.contain('approved version 1').and.contain('version 2');
  });
});
