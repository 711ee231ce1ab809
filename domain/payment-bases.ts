/**
 * Payment basis 支付依据 (§9.4): the AP submits it after implementation (API), which in the same
 * transaction enqueues the `ap-implementation-completed` message (correlation key = expense contract
 * number). The contract admin checks it (expense-contract.record-payment-basis-check); a send-back lets the
 * AP submit again: a new version of the same payment basis and a new message.
 * The receipt is recorded where it arrives (issue #20): the submission's transaction moves the contract to
 * IMPLEMENTED and writes the audit row `payment-basis.received`; no service task 登记支付依据 follows the message
 * any more. The contract admin hears of it once, from the new-work announcer (app/notifier/task-announcer.ts:
 * the 核对支付依据 task it creates, candidate group contract-admin): no `payment-basis-to-check` besides.
 */
import {
  AuditLogEntity,
  ExpenseContractEntity,
  PaymentBasisCheckEntity,
  PaymentBasisEntity,
  ProcessedJobEntity,
  type PaymentBasis,
  type PaymentBasisCheck,
  type ProcessCommand,
} from '../db/entities/index';
import { inTransaction, insertRows, type Db } from '../db/transaction';
import { findRow, updateRows } from '../db/rows';
import { audit, ctxAt, requireActor, type WriteContext } from './audit';
import { ConflictError, NotFoundError, StateConflictError, ValidationError } from './errors';
import { nextNumber } from './numbering';
import { enqueueCommand, enqueueNotification } from './outbox';
import { normalizePage, type Page, type PageOf } from './paging';
import { correctRecord, createVersionedRecord, currentContent, findForUpdate } from './records';
import { isValidDay, shanghaiYear } from './time';
import { ACCEPTANCE_DECISION, MESSAGE, type AcceptanceDecision } from './vocabulary';
import { newId } from './ids';

export interface PaymentBasisContent {
  description: string;
  /** amount claimed, yuan */
  amount: number;
  accountsImplemented?: number | null;
  completedOn?: string | null;
  /** references to documents (URLs / file ids) */
  attachments?: string[];
  note?: string | null;
}

export interface SubmitPaymentBasisInput {
  apPartnerId: string;
  /** the expense contract number the AP was given (HQ correlation key) */
  expenseContractNo: string;
  /** the AP's id for this submission: a repeat with the same id returns the first result */
  submissionId: string;
  content: PaymentBasisContent;
}

function validContent(c: unknown): PaymentBasisContent {
  const o = (c ?? {}) as Record<string, unknown>;
  if (typeof o.description !== 'string' || !o.description.trim()) throw new ValidationError('description: required');
  if (typeof o.amount !== 'number' || !Number.isFinite(o.amount) || o.amount < 0)
    throw new ValidationError('amount: a non-negative number');
  if (o.accountsImplemented !== undefined && o.accountsImplemented !== null && !Number.isInteger(o.accountsImplemented)) {
    throw new ValidationError('accountsImplemented: an integer');
  }
  if (o.completedOn !== undefined && o.completedOn !== null && !isValidDay(o.completedOn))
    throw new ValidationError('completedOn: YYYY-MM-DD');
  if (o.attachments !== undefined && (!Array.isArray(o.attachments) || o.attachments.some((a) => typeof a !== 'string'))) {
    throw new ValidationError('attachments: list of strings');
  }
  return {
    description: o.description,
    amount: o.amount,
    accountsImplemented: (o.accountsImplemented as number | undefined) ?? null,
    completedOn: (o.completedOn as string | undefined) ?? null,
    attachments: (o.attachments as string[] | undefined) ?? [],
    note: (o.note as string | undefined) ?? null,
  };
}

const SUBMISSION = 'payment-basis.submit';

/** the one rule of when an AP may submit (or, after a send-back, resubmit) a payment basis: the portal shows its form on the same rule */
export function acceptsPaymentBasis(contract: { status: string }): boolean {
  return contract.status === 'IMPLEMENTATION_REQUESTED';
}

/**
 * AP submission: creates (or, after a send-back, versions) the payment basis, moves the expense
 * contract to IMPLEMENTED, records the receipt (audit `payment-basis.received`, per version) and enqueues
 * the completion message, in one transaction. Idempotent per
 * (partner, submissionId): a repeat returns { created: false } and the same payment basis.
 */
export async function submitPaymentBasis(
  db: Db,
  input: SubmitPaymentBasisInput,
  ctx: WriteContext,
): Promise<{ created: boolean; paymentBasis: PaymentBasis; version: number; command: ProcessCommand | null }> {
  requireActor(ctx);
  if (typeof input.submissionId !== 'string' || !input.submissionId.trim() || input.submissionId.length > 100) {
    throw new ValidationError('submissionId: 1–100 characters');
  }
  const content = validContent(input.content);
  const key = `${input.apPartnerId}:${input.submissionId}`;
  return inTransaction(db, async (em) => {
    const done = await findRow(em, ProcessedJobEntity, { jobType: SUBMISSION, idempotencyKey: key });
    if (done) {
      const pb = await em.getRepository(PaymentBasisEntity).findOneByOrFail({ id: String(done.result?.paymentBasisId) });
      return { created: false, paymentBasis: pb, version: Number(done.result?.version), command: null };
    }
    const contract = await findForUpdate(em, ExpenseContractEntity, { contractNo: input.expenseContractNo });
    // an AP sees only its own contracts: another partner's number is "not found"
    if (!contract || contract.apPartnerId !== input.apPartnerId) throw new NotFoundError('expense-contract', input.expenseContractNo);
    if (!acceptsPaymentBasis(contract)) {
      throw new ConflictError(`expense-contract ${contract.contractNo} is ${contract.status}: no payment basis expected now`);
    }
    const at = ctxAt(ctx);
    // the contract first: a new basis's number (document_sequence row lock until commit) comes as late as it can
    await updateRows(em, ExpenseContractEntity, { id: contract.id }, { status: 'IMPLEMENTED', updatedAt: at });
    let pb = await findForUpdate(em, PaymentBasisEntity, { expenseContractId: contract.id });
    let version: number;
    if (!pb) {
      const header: PaymentBasis = {
        id: newId(),
        paymentBasisNo: await nextNumber(em, 'payment-basis', shanghaiYear(at)),
        expenseContractId: contract.id,
        apPartnerId: input.apPartnerId,
        status: 'SUBMITTED',
        externalRef: input.submissionId,
        currentVersion: 1,
        submittedBy: ctx.actor,
        submittedAt: at,
        updatedAt: at,
      };
      pb = (await createVersionedRecord(em, 'payment-basis', header, { ...ctx, at }, { ...content })).record;
      version = 1;
    } else {
      if (pb.status !== 'SENT_BACK') throw new ConflictError(`payment basis ${pb.paymentBasisNo} is ${pb.status}`);
      const r = await correctRecord<PaymentBasis>(
        em,
        'payment-basis',
        pb.id,
        { ...content },
        { ...ctx, at, reason: ctx.reason ?? 'resubmitted after send-back' },
        {
          action: 'payment-basis.resubmit',
          headerPatch: { status: 'SUBMITTED', submittedAt: at, submittedBy: ctx.actor },
        },
      );
      pb = r.record;
      version = r.version.version;
    }
    await audit(em, ctx, 'expense-contract.implemented', 'expense-contract', contract.id, { paymentBasisNo: pb.paymentBasisNo, version });
    await audit(em, ctx, 'payment-basis.received', 'payment-basis', pb.id, { version, expenseContractNo: contract.contractNo });
    const { command } = await enqueueCommand(
      em,
      {
        kind: 'publish-message',
        name: MESSAGE.apImplementationCompleted,
        correlationKey: contract.contractNo,
        // what 核对支付依据 (its form and its completing listener) reads: no task in between adds it any more
        variables: { paymentBasisId: pb.id, paymentBasisNo: pb.paymentBasisNo, paymentBasisVersion: version },
        dedupeKey: `${MESSAGE.apImplementationCompleted}:${pb.paymentBasisNo}:v${version}`,
      },
      at,
    );
    await em
      .getRepository(ProcessedJobEntity)
      .insert({ jobType: SUBMISSION, idempotencyKey: key, result: { paymentBasisId: pb.id, version }, processedAt: at } as never);
    return { created: true, paymentBasis: pb, version, command };
  });
}

export async function requirePaymentBasis(db: Db, id: string): Promise<PaymentBasis> {
  const pb = await findRow(db, PaymentBasisEntity, { id });
  if (!pb) throw new NotFoundError('payment-basis', id);
  return pb;
}

/**
 * expense-contract.record-payment-basis (retired job type, domain/vocabulary.ts RETIRED_JOB): the service task
 * 登记支付依据 of process versions before issue #20, kept for the instances still running on them. Their
 * submission went through submitPaymentBasis like any other, which now records the receipt itself, so this
 * only makes sure of it for a submission made before the upgrade: the contract IMPLEMENTED, and the audit row
 * of this version if none is there. No notification: the 核对支付依据 task that follows is announced to the
 * contract admin by the new-work announcer (one notice per event). `expenseContractId`, when given, must be the
 * basis's contract (the message's correlation).
 */
export async function recordPaymentBasisReceived(
  db: Db,
  paymentBasisId: string,
  expenseContractId: string | null,
  ctx: WriteContext,
): Promise<{ paymentBasis: PaymentBasis; version: number }> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const pb = await requirePaymentBasis(em, paymentBasisId);
    if (expenseContractId && pb.expenseContractId !== expenseContractId) {
      throw new ValidationError(`payment basis ${pb.paymentBasisNo} belongs to another expense contract: check the message correlation`);
    }
    const c = await findForUpdate(em, ExpenseContractEntity, { id: pb.expenseContractId });
    if (!c) throw new NotFoundError('expense-contract', pb.expenseContractId);
    const at = ctxAt(ctx);
    if (c.status === 'IMPLEMENTATION_REQUESTED' || c.status === 'APPROVED') {
      await updateRows(em, ExpenseContractEntity, { id: c.id, status: c.status }, { status: 'IMPLEMENTED', updatedAt: at });
    }
    const trail = await em
      .getRepository(AuditLogEntity)
      .find({ where: { action: 'payment-basis.received', entityType: 'payment-basis', entityId: pb.id } });
    if (!trail.some((a) => Number(a.details?.version) === pb.currentVersion))
      await audit(em, ctx, 'payment-basis.received', 'payment-basis', pb.id, {
        version: pb.currentVersion,
        expenseContractNo: c.contractNo,
      });
    return { paymentBasis: pb, version: pb.currentVersion };
  });
}

/**
 * expense-contract.record-payment-basis-check: one check per version; ACCEPTED closes, SENT_BACK reopens the
 * expense contract for the AP's resubmission (IMPLEMENTATION_REQUESTED) and notifies the AP.
 */
export async function recordPaymentBasisCheck(
  db: Db,
  paymentBasisId: string,
  decision: AcceptanceDecision,
  opinion: string | null,
  ctx: WriteContext,
): Promise<{ paymentBasis: PaymentBasis; check: PaymentBasisCheck }> {
  requireActor(ctx);
  if (!ACCEPTANCE_DECISION.includes(decision)) throw new ValidationError(`paymentBasisDecision: one of ${ACCEPTANCE_DECISION.join(', ')}`);
  if (decision === 'SENT_BACK' && !opinion?.trim()) throw new ValidationError('a send-back needs an opinion');
  return inTransaction(db, async (em) => {
    const pb = await findForUpdate(em, PaymentBasisEntity, { id: paymentBasisId });
    if (!pb) throw new NotFoundError('payment-basis', paymentBasisId);
    const prior = await findRow(em, PaymentBasisCheckEntity, { paymentBasisId, paymentBasisVersion: pb.currentVersion });
    if (prior) {
      if (prior.decision === decision) return { paymentBasis: pb, check: prior };
      throw new StateConflictError(`version ${pb.currentVersion} of ${pb.paymentBasisNo} was already checked: ${prior.decision}`);
    }
    if (pb.status !== 'SUBMITTED') throw new StateConflictError(`payment basis ${pb.paymentBasisNo} is ${pb.status}, not SUBMITTED`);
    const at = ctxAt(ctx);
    const check: PaymentBasisCheck = {
      id: newId(),
      paymentBasisId,
      paymentBasisVersion: pb.currentVersion,
      decision,
      opinion,
      actor: ctx.actor,
      checkedAt: at,
    };
    await insertRows(em, PaymentBasisCheckEntity, [check]);
    const status = decision === 'ACCEPTED' ? 'ACCEPTED' : 'SENT_BACK';
    await updateRows(em, PaymentBasisEntity, { id: pb.id }, { status, updatedAt: at });
    await em
      .getRepository(ExpenseContractEntity)
      .update(
        { id: pb.expenseContractId },
        { status: decision === 'ACCEPTED' ? 'PAYMENT_BASIS_ACCEPTED' : 'IMPLEMENTATION_REQUESTED', updatedAt: at },
      );
    if (decision === 'SENT_BACK') {
      const c = await findRow(em, ExpenseContractEntity, { id: pb.expenseContractId });
      await enqueueNotification(
        em,
        {
          dedupeKey: `payment-basis-sent-back:${pb.id}:v${pb.currentVersion}`,
          recipientRole: 'ap-partner',
          template: 'payment-basis-sent-back',
          refs: { apPartnerId: pb.apPartnerId, paymentBasisNo: pb.paymentBasisNo, expenseContractNo: c?.contractNo ?? null, opinion },
        },
        at,
      );
    }
    await audit(em, { ...ctx, reason: ctx.reason ?? opinion }, 'payment-basis.check', 'payment-basis', pb.id, {
      version: pb.currentVersion,
      decision,
    });
    return { paymentBasis: { ...pb, status, updatedAt: at }, check };
  });
}

export async function getPaymentBasis(
  db: Db,
  id: string,
): Promise<(PaymentBasis & { content: Record<string, unknown>; checks: PaymentBasisCheck[] }) | null> {
  const pb = await findRow(db, PaymentBasisEntity, { id });
  if (!pb) return null;
  const v = await currentContent(db, 'payment-basis', id);
  const checks = await db
    .getRepository(PaymentBasisCheckEntity)
    .find({ where: { paymentBasisId: id }, order: { paymentBasisVersion: 'ASC' } });
  return { ...pb, content: v?.content ?? {}, checks };
}

export async function listPaymentBases(
  db: Db,
  filter: { expenseContractId?: string; apPartnerId?: string; status?: string } = {},
  page: Partial<Page> = {},
): Promise<PageOf<PaymentBasis>> {
  const p = normalizePage(page);
  const where: Record<string, unknown> = {};
  if (filter.expenseContractId) where.expenseContractId = filter.expenseContractId;
  if (filter.apPartnerId) where.apPartnerId = filter.apPartnerId;
  if (filter.status) where.status = filter.status;
  const [items, total] = await db
    .getRepository(PaymentBasisEntity)
    .findAndCount({ where, order: { submittedAt: 'DESC', paymentBasisNo: 'DESC' }, take: p.limit, skip: p.offset });
  return { items, total, ...p };
}
