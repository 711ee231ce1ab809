/**
 * countersign.* — 合同会签 (§6.3.2), called for revenue and expense contracts.
 *
 *  open-round     one round per child instance (business key: processInstanceKey)
 *  record-decision one decision per (round, step) (unique index + processed_job key round:step);
 *                 REJECT closes the round and returns countersignResult=REJECTED + rejectionReason
 *  issue-form     after both approvals: the numbered countersign form (HQ-SR-/HQ-ZC-<year>-<seq>) with
 *                 the contract snapshot and every decision of every round; one per round
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  CountersignDecisionEntity,
  CountersignRoundEntity,
  ExpenseContractEntity,
  RevenueContractEntity,
  type CountersignRound,
} from '../../db/entities/index.js';
import {
  CONTRACT_TYPE,
  COUNTERSIGN_STEP,
  JOB,
  REVIEW_DECISION,
  type ContractType,
  type CountersignStep,
} from '../../domain/vocabulary';
import { complete, failPermanently } from '../runtime/outcome';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { checked, once, storedResult } from '../runtime/once';
import { createVersionedRecord } from '../../domain/records.js';
import { actorDetails, actorOf, audit, missing, nextNumber, PermanentError, SYSTEM_ACTOR } from '../common';

function contractEntity(type: ContractType) {
  return type === 'REVENUE' ? RevenueContractEntity : ExpenseContractEntity;
}

async function loadContract(em: EntityManager, type: ContractType, id: string) {
  const c = await em.getRepository(contractEntity(type) as typeof RevenueContractEntity).findOneBy({ id });
  if (!c) missing(`${type.toLowerCase()} contract`, id);
  return c;
}

export const openRound = defineHandler<{ contractId: string; contractNo: string; contractType: ContractType; orderNo?: string }>({
  type: JOB.countersignOpenRound,
  variables: S.obj(
    { contractId: S.str, contractNo: S.str, contractType: S.enumOf(CONTRACT_TYPE) },
    { orderNo: S.optStr },
  ),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const v = job.variables;
    const result = await once(dataSource, job.type, `pik:${job.processInstanceKey}`, now, async (em) => {
      const contract = await loadContract(em, v.contractType, v.contractId);
      if (contract.contractNo !== v.contractNo) {
        throw new PermanentError(
          `contract ${v.contractId} has number ${contract.contractNo}, the process says ${v.contractNo}`,
          'correct contractId/contractNo of the countersign call in Operate',
        );
      }
      const rounds = em.getRepository(CountersignRoundEntity);
      const previous = await rounds.find({ where: { contractType: v.contractType, contractId: v.contractId } });
      const roundNo = previous.reduce((m, r) => Math.max(m, r.roundNo), 0) + 1;
      const id = randomUUID();
      await rounds.insert({
        id,
        contractType: v.contractType,
        contractId: v.contractId,
        contractNo: v.contractNo,
        orderNo: v.orderNo ?? null,
        roundNo,
        processInstanceKey: job.processInstanceKey,
        contractVersion: contract.currentVersion,
        status: 'OPEN',
        rejectionReason: null,
        openedAt: now,
        closedAt: null,
      });
      await em.getRepository(contractEntity(v.contractType) as typeof RevenueContractEntity).update(
        { id: v.contractId },
        { status: 'COUNTERSIGNING', updatedAt: now },
      );
      await audit(em, now, {
        actor: SYSTEM_ACTOR,
        action: 'countersign.open-round',
        entityType: 'countersign-round',
        entityId: id,
        details: { contractType: v.contractType, contractNo: v.contractNo, roundNo, contractVersion: contract.currentVersion },
      });
      return { countersignRoundId: id, contractAmount: contract.amount };
    });
    return complete(result);
  },
});

async function loadRound(em: EntityManager, id: string): Promise<CountersignRound> {
  const round = await em.getRepository(CountersignRoundEntity).findOneBy({ id });
  if (!round) missing('countersign round', id);
  return round;
}

export const recordDecision = defineHandler<{
  countersignRoundId: string;
  reviewDecision: 'APPROVE' | 'REJECT';
  reviewOpinion?: string | null;
  countersignStep?: CountersignStep;
  completedBy?: string;
}>({
  type: JOB.countersignRecordDecision,
  variables: S.obj(
    { countersignRoundId: S.str, reviewDecision: S.enumOf(REVIEW_DECISION) },
    { reviewOpinion: S.optStr, countersignStep: S.enumOf(COUNTERSIGN_STEP), completedBy: S.optStr },
  ),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const v = job.variables;
    // the step is fixed per service task: header countersignStep (or an input mapping of the same name)
    const step = (job.customHeaders.countersignStep ?? v.countersignStep) as CountersignStep | undefined;
    if (!step || !COUNTERSIGN_STEP.includes(step)) {
      return failPermanently(
        `${job.type}: no valid countersignStep (header or variable) on element ${job.elementId}: ${String(step)}`,
        'set the countersignStep header (DEPT_MANAGER / CENTER) on the service task in the model and redeploy',
      );
    }
    const now = clock.now();
    const key = `${v.countersignRoundId}:${step}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    // resolved outside the transaction (a REST call must not hold row locks)
    const actor = await actorOf(job, services);
    const stored = await once(dataSource, job.type, checked(key), now, async (em) => {
      const round = await loadRound(em, v.countersignRoundId);
      if (round.status !== 'OPEN') {
        throw new PermanentError(`countersign round ${round.id} is already ${round.status}`, 'this decision arrives after the round closed: check the process instance in Operate');
      }
      if (step === 'CENTER') {
        const first = await em.getRepository(CountersignDecisionEntity).findOneBy({ roundId: round.id, step: 'DEPT_MANAGER' });
        if (!first || first.decision !== 'APPROVE') {
          throw new PermanentError(`center decision on round ${round.id} without a department manager approval`, 'the model must run the department manager review first');
        }
      }
      const opinion = v.reviewOpinion ?? null;
      await em.getRepository(CountersignDecisionEntity).insert({
        id: randomUUID(),
        roundId: round.id,
        step,
        decision: v.reviewDecision,
        opinion: actor.note ? [opinion, `[${actor.note}]`].filter(Boolean).join(' ') : opinion,
        actor: actor.actor,
        decidedAt: now,
      });
      await audit(em, now, {
        actor: actor.actor,
        action: 'countersign.record-decision',
        entityType: 'countersign-round',
        entityId: round.id,
        reason: opinion,
        details: { step, decision: v.reviewDecision, contractNo: round.contractNo, jobKey: job.key, ...actorDetails(actor) },
      });
      if (v.reviewDecision === 'REJECT') {
        const reason = opinion ?? `rejected at ${step}`;
        await em.getRepository(CountersignRoundEntity).update({ id: round.id }, { status: 'REJECTED', rejectionReason: reason, closedAt: now });
        await em.getRepository(contractEntity(round.contractType as ContractType) as typeof RevenueContractEntity).update(
          { id: round.contractId },
          { status: 'REJECTED', rejectionReason: reason, updatedAt: now },
        );
        return { countersignResult: 'REJECTED', rejectionReason: reason };
      }
      return { countersignStep: step, reviewDecision: 'APPROVE' };
    });
    return complete(stored);
  },
});

export const issueForm = defineHandler<{ countersignRoundId: string }>({
  type: JOB.countersignIssueForm,
  variables: S.obj({ countersignRoundId: S.str }, { contractType: S.enumOf(CONTRACT_TYPE) }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const v = job.variables;
    const stored = await once(dataSource, job.type, `round:${v.countersignRoundId}`, now, async (em) => {
      const round = await loadRound(em, v.countersignRoundId);
      const decisions = em.getRepository(CountersignDecisionEntity);
      const mine = await decisions.find({ where: { roundId: round.id } });
      const approved = COUNTERSIGN_STEP.every((s) => mine.some((d) => d.step === s && d.decision === 'APPROVE'));
      if (!approved || round.status !== 'OPEN') {
        throw new PermanentError(
          `round ${round.id} (${round.status}) lacks the two approvals (${mine.map((d) => `${d.step}=${d.decision}`).join(', ') || 'none'})`,
          'the countersign form is issued only after the department manager and the center approved: check the model',
        );
      }
      const type = round.contractType as ContractType;
      const contract = await loadContract(em, type, round.contractId);
      const formNo = await nextNumber(em, type === 'REVENUE' ? 'countersign-form-revenue' : 'countersign-form-expense', now);
      // every round of this contract, rejected ones included (§9.3)
      const rounds = await em.getRepository(CountersignRoundEntity).find({
        where: { contractType: round.contractType, contractId: round.contractId },
        order: { roundNo: 'ASC' },
      });
      const history = [];
      for (const r of rounds) {
        const ds = await decisions.find({ where: { roundId: r.id } });
        ds.sort((a, b) => COUNTERSIGN_STEP.indexOf(a.step as CountersignStep) - COUNTERSIGN_STEP.indexOf(b.step as CountersignStep));
        history.push({
          roundNo: r.roundNo,
          contractVersion: r.contractVersion,
          status: r.id === round.id ? 'APPROVED' : r.status,
          decisions: ds.map((d) => ({ step: d.step, decision: d.decision, opinion: d.opinion, actor: d.actor, decidedAt: d.decidedAt.toISOString() })),
        });
      }
      const formId = randomUUID();
      await createVersionedRecord(
        em,
        'countersign-form',
        { id: formId, formNo, contractType: round.contractType, contractId: round.contractId, roundId: round.id, currentVersion: 1, issuedBy: SYSTEM_ACTOR, issuedAt: now },
        { actor: SYSTEM_ACTOR, at: now, reason: 'issued after the second approval' },
        {
          formNo,
          contractType: round.contractType,
          contract: { id: contract.id, contractNo: contract.contractNo, title: contract.title, amount: contract.amount, version: round.contractVersion },
          orderNo: round.orderNo,
          rounds: history,
          issuedAt: now.toISOString(),
        },
      );
      await em.getRepository(CountersignRoundEntity).update({ id: round.id }, { status: 'APPROVED', closedAt: now });
      await em.getRepository(contractEntity(type) as typeof RevenueContractEntity).update(
        { id: round.contractId },
        { status: 'APPROVED', countersignFormNo: formNo, rejectionReason: null, updatedAt: now },
      );
      await audit(em, now, {
        actor: SYSTEM_ACTOR,
        action: 'countersign.issue-form',
        entityType: 'countersign-form',
        entityId: formId,
        details: { formNo, contractNo: round.contractNo, roundNo: round.roundNo },
      });
      return { countersignFormNo: formNo, countersignResult: 'APPROVED', rejectionReason: null };
    });
    return complete(stored);
  },
});

export const COUNTERSIGN_HANDLERS = [openRound, recordDecision, issueForm];
