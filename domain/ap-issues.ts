/**
 * The ways out of 处理AP异常 (resolve-ap-issue, issue #20) that change records; the model's gateway
 * routes RETRY back to drafting and CANCEL_ORDER to its own end, this module keeps the records right:
 *
 *  OTHER_PARTNER  the order names another AP (a new order version with the reason); the AP branch then
 *                 drafts the same expense contract again for that partner (draftExpenseContract writes
 *                 its new version with the new partner, so the contract number and the AP's completion
 *                 message stay one)
 *  WITHOUT_AP     the expense contract, if one was drafted, is withdrawn (a new version, status
 *                 WITHDRAWN, nothing deleted) and the order no longer involves an AP (apInvolved false);
 *                 the order goes on with the technical branch alone
 *
 * Both are idempotent: a repeat finds the order already so and writes nothing.
 */
import { BusinessOrderEntity, ExpenseContractEntity, type BusinessOrder, type ExpenseContract } from '../db/entities/index';
import { inTransaction, type Db } from '../db/transaction';
import type { WriteContext } from './audit';
import { requireAvailablePartner } from './contracts';
import { StateConflictError, ValidationError } from './errors';
import { correctRecord, findForUpdate } from './records';

export interface ApIssueOutcome {
  apInvolved: boolean;
  apPartnerId: string | null;
  /** the expense contract withdrawn by WITHOUT_AP, if there was one */
  withdrawnExpenseContractId: string | null;
}

/** OTHER_PARTNER: the order's AP becomes `newApPartnerId`; an unknown or unavailable partner is ApPartnerUnavailableError */
export async function switchApPartner(db: Db, orderId: string, newApPartnerId: string, ctx: WriteContext): Promise<ApIssueOutcome> {
  if (!newApPartnerId.trim()) throw new ValidationError('newApPartnerId: required for OTHER_PARTNER');
  if (!ctx.reason?.trim()) throw new ValidationError('switching the AP needs a reason');
  return inTransaction(db, async (em) => {
    const order = await findForUpdate(em, BusinessOrderEntity, { id: orderId });
    if (!order) throw new ValidationError(`orderId: no order ${orderId}`);
    const out = { apInvolved: true, apPartnerId: newApPartnerId, withdrawnExpenseContractId: null };
    if (order.apInvolved && order.apPartnerId === newApPartnerId) return out;
    await requireAvailablePartner(em, newApPartnerId);
    await correctRecord<BusinessOrder>(em, 'business-order', order.id, { apInvolved: true, apPartnerId: newApPartnerId }, ctx, {
      action: 'business-order.switch-ap',
    });
    return out;
  });
}

/** WITHOUT_AP: the expense contract (if any) withdrawn, the order without AP; refused once the AP has implemented */
export async function goOnWithoutAp(db: Db, orderId: string, ctx: WriteContext): Promise<ApIssueOutcome> {
  if (!ctx.reason?.trim()) throw new ValidationError('going on without the AP needs a reason');
  return inTransaction(db, async (em) => {
    const order = await findForUpdate(em, BusinessOrderEntity, { id: orderId });
    if (!order) throw new ValidationError(`orderId: no order ${orderId}`);
    const ec = await findForUpdate(em, ExpenseContractEntity, { orderId: order.id, kind: 'AGREEMENT' });
    let withdrawn: string | null = null;
    if (ec) {
      if (['IMPLEMENTED', 'PAYMENT_BASIS_ACCEPTED'].includes(ec.status)) {
        throw new StateConflictError(`expense-contract ${ec.contractNo} is ${ec.status}: the AP has implemented, it cannot be withdrawn`);
      }
      withdrawn = ec.id;
      if (ec.status !== 'WITHDRAWN') {
        await correctRecord<ExpenseContract>(em, 'expense-contract', ec.id, {}, ctx, {
          action: 'expense-contract.withdraw',
          headerPatch: { status: 'WITHDRAWN' },
        });
      }
    }
    if (order.apInvolved) {
      await correctRecord<BusinessOrder>(em, 'business-order', order.id, { apInvolved: false, apPartnerId: null }, ctx, {
        action: 'business-order.drop-ap',
      });
    }
    return { apInvolved: false, apPartnerId: null, withdrawnExpenseContractId: withdrawn };
  });
}
