/**
 * countersign.* — 合同会签 (§6.3.2), called for revenue and expense contracts. The rules live in
 * domain/countersign.ts; these handlers take the step from the model, resolve the reviewer and run the
 * domain service once per key.
 *
 *  open-round     one round per child instance (business key: processInstanceKey)
 *  record-decision one decision per (round, step) (unique index + processed_job key round:step);
 *                 REJECT closes the round and returns countersignResult=REJECTED + rejectionReason
 *  issue-form     after both approvals: the numbered countersign form (HQ-SR-/HQ-ZC-<year>-<seq>) with
 *                 the contract snapshot and every decision of every round; one per round
 */
import { loadCalendar } from '../../domain/calendar';
import { getContract } from '../../domain/contracts';
import { issueCountersignForm, openCountersignRound, recordCountersignDecision } from '../../domain/countersign';
import { NotFoundError } from '../../domain/errors';
import { slaVariable } from '../../domain/sla';
import { CONTRACT_TYPE, COUNTERSIGN_STEP, JOB, REVIEW_DECISION, type CountersignStep } from '../../domain/vocabulary';
import { failPermanently } from '../runtime/outcome';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { recordOnce, systemOnce } from '../common';

export const openRound = defineHandler({
  type: JOB.countersignOpenRound,
  variables: S.obj({ contractId: S.str, contractNo: S.str, contractType: S.enumOf(CONTRACT_TYPE) }, { orderNo: S.optStr }),
  handle(job, services) {
    const v = job.variables;
    return systemOnce(job, services, `pik:${job.processInstanceKey}`, async (em, ctx) => {
      const round = await openCountersignRound(
        em,
        {
          contractType: v.contractType,
          contractId: v.contractId,
          contractNo: v.contractNo,
          processInstanceKey: job.processInstanceKey,
          orderNo: v.orderNo ?? null,
        },
        ctx,
      );
      // the amount of the version under review, shown to the reviewers
      const contract = await getContract(em, round.contractId);
      if (!contract) throw new NotFoundError(v.contractType === 'REVENUE' ? 'revenue-contract' : 'expense-contract', round.contractId);
      // the round is the phase: its reviews are due by the SLA table, counted from the day it opens (domain/sla.ts)
      const sla = slaVariable(await loadCalendar(em), 'contract-countersign', services.clock.now());
      return { countersignRoundId: round.id, contractAmount: contract.amount, sla };
    });
  },
});

export const recordDecision = defineHandler({
  type: JOB.countersignRecordDecision,
  variables: S.obj(
    { countersignRoundId: S.str, reviewDecision: S.enumOf(REVIEW_DECISION) },
    { reviewOpinion: S.optStr, countersignStep: S.enumOf(COUNTERSIGN_STEP), completedBy: S.optStr },
  ),
  handle(job, services) {
    const v = job.variables;
    // the step is fixed per service task: header countersignStep (or an input mapping of the same name)
    const step = (job.customHeaders.countersignStep ?? v.countersignStep) as CountersignStep | undefined;
    if (!step || !COUNTERSIGN_STEP.includes(step)) {
      return failPermanently(
        `${job.type}: no valid countersignStep (header or variable) on element ${job.elementId}: ${String(step)}`,
        'set the countersignStep header (DEPT_MANAGER / CENTER) on the service task in the model and redeploy',
      );
    }
    return recordOnce(job, services, `${v.countersignRoundId}:${step}`, async (em, ctx, actor) => {
      const out = await recordCountersignDecision(
        em,
        {
          roundId: v.countersignRoundId,
          step,
          decision: v.reviewDecision,
          opinion: v.reviewOpinion ?? null,
          actorNote: actor.note ?? null,
        },
        ctx,
      );
      if (out.countersignResult === 'REJECTED') return { countersignResult: 'REJECTED', rejectionReason: out.rejectionReason };
      return { countersignStep: step, reviewDecision: 'APPROVE' };
    });
  },
});

export const issueForm = defineHandler({
  type: JOB.countersignIssueForm,
  variables: S.obj({ countersignRoundId: S.str }, { contractType: S.enumOf(CONTRACT_TYPE) }),
  handle(job, services) {
    return systemOnce(job, services, `round:${job.variables.countersignRoundId}`, async (em, ctx) => {
      const form = await issueCountersignForm(em, job.variables.countersignRoundId, ctx);
      return { countersignFormNo: form.formNo, countersignResult: 'APPROVED', rejectionReason: null };
    });
  },
});

export const COUNTERSIGN_HANDLERS = [openRound, recordDecision, issueForm];
