/**
 * Countersign 会签 (§6.3.2): rounds, every reviewer decision (rejected rounds included), and the
 * numbered countersign form 合同会签审批表 (§9.3) issued after two approvals.
 * countersign.open-round / countersign.record-decision / countersign.issue-form.
 */
import { notifyContractAwaitingSigning, notifyContractRejected } from './notifications/events';
import type { EntityManager } from 'typeorm';
import {
  CountersignDecisionEntity,
  CountersignFormEntity,
  CountersignRoundEntity,
  type CountersignDecision,
  type CountersignForm,
  type CountersignRound,
} from '../db/entities/index';
import { inTransaction, insertRows, type Db } from '../db/transaction';
import { findRow, findRows, updateRows } from '../db/rows';
import { audit, ctxAt, requireActor, type WriteContext } from './audit';
import { contractEntity, contractRecordType, type AnyContract } from './contracts';
import { IllegalTransitionError, NotFoundError, StateConflictError, ValidationError } from './errors';
import { nextNumber } from './numbering';
import { normalizePage, type Page, type PageOf } from './paging';
import { createVersionedRecord, currentContent, findForUpdate } from './records';
import { shanghaiYear } from './time';
import { assertMayDecide } from './countersign-integrity';
import {
  CONTRACT_TYPE,
  COUNTERSIGN_STEP,
  REVIEW_DECISION,
  type ContractType,
  type CountersignResult,
  type CountersignStep,
  type ReviewDecision,
} from './vocabulary';
import { newId } from './ids';

async function lockContract(em: EntityManager, type: ContractType, id: string): Promise<AnyContract> {
  const c = (await findForUpdate(em, contractEntity(type) as never, { id })) as AnyContract | null;
  if (!c) throw new NotFoundError(contractRecordType(type), id);
  return c;
}
async function setContract(em: EntityManager, type: ContractType, id: string, patch: Record<string, unknown>): Promise<void> {
  await em.getRepository(contractEntity(type) as never).update({ id } as never, patch as never);
}

export interface OpenRoundInput {
  contractType: ContractType;
  contractId: string;
  /** the called instance: one round per child instance (a retried job finds its round) */
  processInstanceKey: string;
  orderNo?: string | null;
  /** the number the process carries (checked against the contract) */
  contractNo?: string | null;
}

/** a countersigned contract is not countersigned again */
const COUNTERSIGNABLE = ['DRAFT', 'REJECTED', 'COUNTERSIGNING'];

/**
 * countersign.open-round: a new round for the contract under review (numbered per contract), contract →
 * COUNTERSIGNING; idempotent per processInstanceKey. A contract may be DRAFT, REJECTED (a new call
 * without a revision) or still COUNTERSIGNING (a call whose instance was cancelled leaves its round
 * OPEN); an approved or later contract is refused. `contractNo`, when given, must be the contract's.
 */
export async function openCountersignRound(db: Db, input: OpenRoundInput, ctx: WriteContext): Promise<CountersignRound> {
  requireActor(ctx);
  if (!CONTRACT_TYPE.includes(input.contractType)) throw new ValidationError(`contractType: one of ${CONTRACT_TYPE.join(', ')}`);
  if (!input.processInstanceKey) throw new ValidationError('processInstanceKey: required');
  return inTransaction(db, async (em) => {
    const same = await findRow(em, CountersignRoundEntity, { processInstanceKey: input.processInstanceKey });
    if (same) return same;
    const contract = await lockContract(em, input.contractType, input.contractId);
    if (input.contractNo && contract.contractNo !== input.contractNo) {
      throw new ValidationError(
        `contract ${contract.id} has number ${contract.contractNo}, the process says ${input.contractNo}: correct contractId/contractNo of the countersign call`,
      );
    }
    if (!COUNTERSIGNABLE.includes(contract.status)) {
      throw new IllegalTransitionError(
        `${contractRecordType(input.contractType)} ${contract.contractNo}`,
        contract.status,
        'COUNTERSIGNING',
      );
    }
    const last = await findRow(
      em,
      CountersignRoundEntity,
      { contractType: input.contractType, contractId: contract.id },
      { orderBy: { roundNo: 'DESC' } },
    );
    const at = ctxAt(ctx);
    const round: CountersignRound = {
      id: newId(),
      contractType: input.contractType,
      contractId: contract.id,
      contractNo: contract.contractNo,
      orderNo: input.orderNo ?? null,
      roundNo: (last?.roundNo ?? 0) + 1,
      processInstanceKey: input.processInstanceKey,
      contractVersion: contract.currentVersion,
      status: 'OPEN',
      rejectionReason: null,
      openedAt: at,
      closedAt: null,
    };
    await insertRows(em, CountersignRoundEntity, [round]);
    await setContract(em, input.contractType, contract.id, { status: 'COUNTERSIGNING', rejectionReason: null, updatedAt: at });
    await audit(em, ctx, 'countersign.open-round', contractRecordType(input.contractType), contract.id, {
      roundId: round.id,
      roundNo: round.roundNo,
      contractVersion: round.contractVersion,
    });
    return round;
  });
}

export interface DecisionInput {
  roundId: string;
  step: CountersignStep;
  decision: ReviewDecision;
  opinion?: string | null;
  /** why the actor is only a fallback: kept with the opinion in brackets, so the form shows it */
  actorNote?: string | null;
}
export interface DecisionOutcome {
  decision: CountersignDecision;
  /** REJECTED after any rejection; APPROVED after the center's approval; absent after the first approval */
  countersignResult?: CountersignResult;
  rejectionReason?: string;
}

/**
 * countersign.record-decision. Steps in order (DEPT_MANAGER, then CENTER); a step decides once per round
 * (a repeat of the same decision returns it, a different one is a ConflictError). A rejection closes
 * the round and the contract goes to REJECTED with the opinion as reason.
 */
export async function recordCountersignDecision(db: Db, input: DecisionInput, ctx: WriteContext): Promise<DecisionOutcome> {
  requireActor(ctx);
  if (!COUNTERSIGN_STEP.includes(input.step)) throw new ValidationError(`countersignStep: one of ${COUNTERSIGN_STEP.join(', ')}`);
  if (!REVIEW_DECISION.includes(input.decision)) throw new ValidationError(`reviewDecision: one of ${REVIEW_DECISION.join(', ')}`);
  if (input.decision === 'REJECT' && !input.opinion?.trim()) throw new ValidationError('a rejection needs an opinion');
  const outcome = (d: CountersignDecision, reason: string | null | undefined): DecisionOutcome =>
    d.decision === 'REJECT'
      ? { decision: d, countersignResult: 'REJECTED', rejectionReason: reason ?? d.opinion ?? '' }
      : d.step === 'CENTER'
        ? { decision: d, countersignResult: 'APPROVED' }
        : { decision: d };
  return inTransaction(db, async (em) => {
    const round = await findForUpdate(em, CountersignRoundEntity, { id: input.roundId });
    if (!round) throw new NotFoundError('countersign-round', input.roundId);
    const decisions = await findRows(em, CountersignDecisionEntity, { roundId: round.id });
    const opinion = input.actorNote ? [input.opinion, `[${input.actorNote}]`].filter(Boolean).join(' ') : (input.opinion ?? null);
    const same = decisions.find((d) => d.step === input.step);
    if (same) {
      if (same.decision === input.decision && (same.opinion ?? '') === (opinion ?? '')) return outcome(same, input.opinion);
      throw new StateConflictError(`step ${input.step} of round ${round.roundNo} already decided ${same.decision}`, {
        decisionId: same.id,
      });
    }
    if (round.status !== 'OPEN')
      throw new StateConflictError(`countersign round ${round.roundNo} of ${round.contractNo} is ${round.status}`);
    if (input.step === 'CENTER' && !decisions.some((d) => d.step === 'DEPT_MANAGER' && d.decision === 'APPROVE')) {
      throw new StateConflictError('the center reviews after the department manager approved');
    }
    // separation of duties (countersign-integrity.ts): the API refused such a completion already. A
    // fallback actor (the worker could not tell who completed the task: actorNote) names nobody to check
    if (!input.actorNote && !ctx.actor.startsWith('system:')) await assertMayDecide(em, round.id, input.step, ctx.actor);
    const at = ctxAt(ctx);
    const decision: CountersignDecision = {
      id: newId(),
      roundId: round.id,
      step: input.step,
      decision: input.decision,
      opinion,
      actor: ctx.actor,
      decidedAt: at,
    };
    await insertRows(em, CountersignDecisionEntity, [decision]);
    const type = round.contractType as ContractType;
    if (input.decision === 'REJECT') {
      const reason = input.opinion as string;
      await updateRows(em, CountersignRoundEntity, { id: round.id }, { status: 'REJECTED', rejectionReason: reason, closedAt: at });
      await setContract(em, type, round.contractId, { status: 'REJECTED', rejectionReason: reason, updatedAt: at });
      await notifyContractRejected(em, round, input.step, reason, ctx.actor, at);
    } else if (input.step === 'CENTER') {
      await updateRows(em, CountersignRoundEntity, { id: round.id }, { status: 'APPROVED', closedAt: at });
    }
    await audit(
      em,
      { ...ctx, reason: ctx.reason ?? input.opinion ?? null },
      'countersign.record-decision',
      contractRecordType(type),
      round.contractId,
      {
        roundId: round.id,
        roundNo: round.roundNo,
        step: input.step,
        decision: input.decision,
      },
    );
    return outcome(decision, input.opinion);
  });
}

export interface RoundWithDecisions extends CountersignRound {
  decisions: CountersignDecision[];
}

export async function countersignHistory(db: Db, contractType: ContractType, contractId: string): Promise<RoundWithDecisions[]> {
  const rounds = await db.getRepository(CountersignRoundEntity).find({ where: { contractType, contractId }, order: { roundNo: 'ASC' } });
  const out: RoundWithDecisions[] = [];
  const order = (s: string) => COUNTERSIGN_STEP.indexOf(s as CountersignStep);
  for (const r of rounds) {
    const decisions = await db.getRepository(CountersignDecisionEntity).findBy({ roundId: r.id });
    out.push({ ...r, decisions: decisions.sort((a, b) => order(a.step) - order(b.step)) });
  }
  return out;
}

/**
 * countersign.issue-form: after both approvals, the numbered form (HQ-SR-/HQ-ZC-YYYY-NNNN) with the
 * contract snapshot and every round's decisions as version 1; contract → APPROVED. Idempotent per round.
 */
export async function issueCountersignForm(db: Db, roundId: string, ctx: WriteContext): Promise<CountersignForm> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const round = await findForUpdate(em, CountersignRoundEntity, { id: roundId });
    if (!round) throw new NotFoundError('countersign-round', roundId);
    const existing = await findRow(em, CountersignFormEntity, { roundId });
    if (existing) return existing;
    if (round.status !== 'APPROVED') {
      const decided = await findRows(em, CountersignDecisionEntity, { roundId });
      throw new ValidationError(
        `countersign round ${round.roundNo} of ${round.contractNo} (${round.status}) lacks the two approvals (${decided.map((d) => `${d.step}=${d.decision}`).join(', ') || 'none'}): the form is issued only after the department manager and the center approved`,
      );
    }
    const type = round.contractType as ContractType;
    const contract = await lockContract(em, type, round.contractId);
    // what was reviewed is what is issued: the approved version must still be the contract's current one
    if (contract.currentVersion !== round.contractVersion) {
      throw new StateConflictError(
        `countersign round ${round.roundNo} of ${round.contractNo} approved version ${round.contractVersion}, but the contract is at version ${contract.currentVersion}: no form is issued for a version nobody reviewed`,
        { rule: 'issue-only-the-approved-version' },
      );
    }
    const at = ctxAt(ctx);
    const history = await countersignHistory(em, type, contract.id);
    const contractVersion = await currentContent(em, contractRecordType(type), contract.id);
    // the number last, after every read: the document_sequence row lock is held from here to the commit
    const formNo = await nextNumber(em, type === 'REVENUE' ? 'countersign-form-revenue' : 'countersign-form-expense', shanghaiYear(at));
    const content = {
      formNo,
      contractType: type,
      contractId: contract.id,
      contractNo: contract.contractNo,
      contractVersion: contract.currentVersion,
      contractTitle: contract.title,
      contractAmount: contract.amount,
      contract: {
        ...(contractVersion?.content ?? {}),
        id: contract.id,
        contractNo: contract.contractNo,
        title: contract.title,
        amount: contract.amount,
        version: round.contractVersion,
      },
      orderNo: round.orderNo,
      issuedAt: at.toISOString(),
      rounds: history.map((r) => ({
        roundNo: r.roundNo,
        status: r.status,
        contractVersion: r.contractVersion,
        openedAt: r.openedAt.toISOString(),
        closedAt: r.closedAt ? r.closedAt.toISOString() : null,
        decisions: r.decisions.map((d) => ({
          step: d.step,
          decision: d.decision,
          opinion: d.opinion,
          actor: d.actor,
          decidedAt: d.decidedAt.toISOString(),
        })),
      })),
    };
    const header: CountersignForm = {
      id: newId(),
      formNo,
      contractType: type,
      contractId: contract.id,
      roundId: round.id,
      currentVersion: 1,
      issuedBy: ctx.actor,
      issuedAt: at,
    };
    const { record } = await createVersionedRecord(
      em,
      'countersign-form',
      header,
      { ...ctx, at, reason: ctx.reason ?? 'issued after the second approval' },
      content,
    );
    await setContract(em, type, contract.id, { status: 'APPROVED', countersignFormNo: formNo, rejectionReason: null, updatedAt: at });
    await audit(em, ctx, 'countersign.issue-form', 'countersign-form', record.id, {
      formNo,
      contractNo: contract.contractNo,
      roundNo: round.roundNo,
    });
    await notifyContractAwaitingSigning(em, round, formNo, at);
    return record;
  });
}

export async function getCountersignForm(db: Db, id: string): Promise<(CountersignForm & { content: Record<string, unknown> }) | null> {
  const f = await findRow(db, CountersignFormEntity, { id });
  if (!f) return null;
  const v = await currentContent(db, 'countersign-form', id);
  return { ...f, content: v?.content ?? {} };
}

export async function listCountersignForms(
  db: Db,
  filter: { contractId?: string; contractType?: ContractType } = {},
  page: Partial<Page> = {},
): Promise<PageOf<CountersignForm>> {
  const p = normalizePage(page);
  const where: Record<string, unknown> = {};
  if (filter.contractId) where.contractId = filter.contractId;
  if (filter.contractType) where.contractType = filter.contractType;
  const [items, total] = await db
    .getRepository(CountersignFormEntity)
    .findAndCount({ where, order: { issuedAt: 'DESC', formNo: 'DESC' }, take: p.limit, skip: p.offset });
  return { items, total, ...p };
}
