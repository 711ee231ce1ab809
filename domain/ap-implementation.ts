/**
 * The AP's implementation of an expense contract 支出合同 (§6.3.3): the request sent to the partner's
 * endpoint, its record when sent or refused, and the reminder when the AP is late (the contract's SLA).
 */
import {
  ApPartnerEntity,
  BusinessOrderEntity,
  ChangeOrderEntity,
  CustomerEntity,
  ExpenseContractEntity,
  type ApPartner,
  type ExpenseContract,
} from '../db/entities/index';
import { inTransaction, type Db } from '../db/transaction';
import { findRow, updateRows } from '../db/rows';
import { audit, ctxAt, requireActor, type WriteContext } from './audit';
import { ApPartnerUnavailableError, IllegalTransitionError, NotFoundError, StateConflictError } from './errors';
import { findForUpdate } from './records';
import { enqueueNotification } from './outbox';
import { MESSAGE } from './vocabulary';

/** what expense-contract.request-implementation (and the retired send-implementation-request) sends to the partner's endpoint (ap-signing.ts signs it) */
export interface ImplementationRequest {
  contract: ExpenseContract;
  partner: ApPartner;
  /** the SLA the reminder timer uses: the contract's, the partner's terms', else the configured default */
  slaDuration: string;
  /** the JSON body without the request id (the caller's idempotency key) */
  payload: Record<string, unknown>;
}

/**
 * The implementation request for an APPROVED expense contract (or one already requested: a retry sends
 * the same). IllegalTransitionError for any other status; ApPartnerUnavailableError when the partner is
 * no longer ACTIVE (the model treats that as the AP refusing the request).
 */
export async function implementationRequestOf(
  db: Db,
  expenseContractId: string,
  defaultSlaDuration: string,
): Promise<ImplementationRequest> {
  const contract = await findRow(db, ExpenseContractEntity, { id: expenseContractId });
  if (!contract) throw new NotFoundError('expense-contract', expenseContractId);
  if (contract.status !== 'APPROVED' && contract.status !== 'IMPLEMENTATION_REQUESTED') {
    throw new IllegalTransitionError(`expense-contract ${contract.contractNo}`, contract.status, 'IMPLEMENTATION_REQUESTED');
  }
  const partner = await findRow(db, ApPartnerEntity, { id: contract.apPartnerId });
  if (!partner) throw new NotFoundError('ap-partner', contract.apPartnerId);
  if (partner.status !== 'ACTIVE') throw new ApPartnerUnavailableError(partner.id, `partner ${partner.status}`);
  const order = await findRow(db, BusinessOrderEntity, { id: contract.orderId });
  if (!order) throw new NotFoundError('business-order', contract.orderId);
  const change = contract.changeOrderId ? await findRow(db, ChangeOrderEntity, { id: contract.changeOrderId }) : null;
  const customer = await findRow(db, CustomerEntity, { id: order.customerId });
  const slaDuration =
    contract.slaDuration ?? (typeof partner.terms?.slaDuration === 'string' ? partner.terms.slaDuration : null) ?? defaultSlaDuration;
  const payload = {
    expenseContractNo: contract.contractNo,
    contractKind: contract.kind,
    title: contract.title,
    amount: contract.amount,
    orderNo: order.orderNo,
    changeOrderNo: change?.changeOrderNo ?? null,
    customer: customer?.name ?? null,
    modules: change?.modules ?? order.modules,
    accounts: order.accounts + (change?.accountDelta ?? 0),
    openingDate: change?.effectiveDate ?? order.openingDate,
    slaDuration,
    reply: { message: MESSAGE.apImplementationCompleted, correlationKey: contract.contractNo },
  };
  return { contract, partner, slaDuration, payload };
}

/**
 * expense-contract.request-implementation (or the retired send-implementation-request) succeeded: APPROVED → IMPLEMENTATION_REQUESTED with the time
 * and the SLA (repeat: no-op). The caller puts what the AP answered into ctx.details.
 */
export async function markImplementationRequested(db: Db, id: string, slaDuration: string, ctx: WriteContext): Promise<ExpenseContract> {
  requireActor(ctx);
  return inTransaction(db, async (em) => {
    const c = await findForUpdate(em, ExpenseContractEntity, { id });
    if (!c) throw new NotFoundError('expense-contract', id);
    if (c.status === 'IMPLEMENTATION_REQUESTED') return c;
    if (c.status !== 'APPROVED') throw new StateConflictError(`expense-contract ${c.contractNo} is ${c.status}, not APPROVED`);
    const at = ctxAt(ctx);
    const patch = { status: 'IMPLEMENTATION_REQUESTED' as const, implementationRequestedAt: at, slaDuration, updatedAt: at };
    await updateRows(em, ExpenseContractEntity, { id, status: 'APPROVED' }, patch);
    await audit(em, ctx, 'expense-contract.implementation-requested', 'expense-contract', id, { contractNo: c.contractNo, slaDuration });
    return { ...c, ...patch };
  });
}

/** the AP refused the implementation request on its merits (4xx): recorded with its reason; the status stays */
export async function recordImplementationRefused(db: Db, id: string, reason: string, ctx: WriteContext): Promise<void> {
  requireActor(ctx);
  await inTransaction(db, async (em) => {
    const c = await findRow(em, ExpenseContractEntity, { id });
    if (!c) throw new NotFoundError('expense-contract', id);
    await audit(em, { ...ctx, reason }, 'expense-contract.implementation-refused', 'expense-contract', id, { contractNo: c.contractNo });
  });
}

/**
 * expense-contract.remind-sla: the AP has not reported completion within the SLA: the customer manager (the
 * contract admin when the order is gone) and the AP are reminded, once per `occasion` (the timer firing).
 */
export async function remindApSla(db: Db, id: string, occasion: string, ctx: WriteContext): Promise<void> {
  requireActor(ctx);
  await inTransaction(db, async (em) => {
    const c = await findRow(em, ExpenseContractEntity, { id });
    if (!c) throw new NotFoundError('expense-contract', id);
    const order = await findRow(em, BusinessOrderEntity, { id: c.orderId });
    const at = ctxAt(ctx);
    const refs = {
      expenseContractId: c.id,
      expenseContractNo: c.contractNo,
      orderNo: order?.orderNo ?? null,
      requestedAt: c.implementationRequestedAt?.toISOString() ?? null,
      slaDuration: c.slaDuration,
    };
    const toManager = await enqueueNotification(
      em,
      {
        dedupeKey: `ap-sla-reminder:${occasion}:manager`,
        recipientUser: order?.customerManager ?? null,
        recipientRole: order ? null : 'contract-admin',
        template: 'ap-sla-overdue',
        refs,
      },
      at,
    );
    await enqueueNotification(
      em,
      {
        dedupeKey: `ap-sla-reminder:${occasion}:ap`,
        recipientRole: 'ap-partner',
        template: 'ap-sla-reminder',
        refs: { ...refs, apPartnerId: c.apPartnerId },
      },
      at,
    );
    if (toManager.created) await audit(em, ctx, 'expense-contract.sla-reminder', 'expense-contract', c.id, { slaDuration: c.slaDuration });
  });
}
