/**
 * order.apply-revision: the customer manager's revision of a business order 业务订单 (§6.3.1, §9.1) after
 * the customer asked for changes, written as a new version of the order (records.ts).
 *
 * A revision may also change what the order involves (issue #20): add the AP, name another one or drop
 * it. This happens before the revenue contract is countersigned, so no expense contract exists yet and
 * the flow's later gateway (涉及AP?) reads the revised `apInvolved`. A partner the revision names must be
 * able to take the expense contract now (requireAvailablePartner): an unknown, suspended or termless
 * partner is ApPartnerUnavailableError, the BPMN error AP_PARTNER_UNAVAILABLE that sends the task back to
 * the customer manager, and nothing is written.
 */
import { BusinessOrderEntity, type BusinessOrder } from '../db/entities/index';
import { inTransaction, type Db } from '../db/transaction';
import type { WriteContext } from './audit';
import { requireAvailablePartner } from './contracts';
import { ApPartnerUnavailableError, NotFoundError, ValidationError } from './errors';
import { reviseOrder } from './order-lifecycle';
import { positiveInt, validAmount, validateModules } from './orders';
import { findForUpdate } from './records';
import { isValidDay } from './time';
import type { ServiceModule } from './vocabulary';

export interface OrderRevision {
  accounts?: number;
  openingDate?: string;
  modules?: ServiceModule[];
  amount?: number;
  /** absent: as it is; false drops the AP (apPartnerId cleared) */
  apInvolved?: boolean;
  /** the partner when apInvolved is true (absent: the order's) */
  apPartnerId?: string | null;
  note?: string | null;
}
/** order.apply-revision: a new version of the order; CHANGE_REQUESTED → SUBMITTED (back to the customer) */
export async function applyOrderRevision(db: Db, id: string, revision: OrderRevision, ctx: WriteContext): Promise<BusinessOrder> {
  const changes: Record<string, unknown> = {};
  if (revision.accounts !== undefined && revision.accounts !== null) changes.accounts = positiveInt(revision.accounts, 'accounts');
  if (revision.openingDate !== undefined && revision.openingDate !== null) {
    if (!isValidDay(revision.openingDate)) throw new ValidationError('openingDate: YYYY-MM-DD');
    changes.openingDate = revision.openingDate;
  }
  if (revision.modules !== undefined && revision.modules !== null) changes.modules = validateModules(revision.modules);
  if (revision.amount !== undefined && revision.amount !== null) changes.amount = validAmount(revision.amount);
  if (revision.note !== undefined) changes.note = revision.note;
  if (revision.apInvolved !== undefined && revision.apInvolved !== null && typeof revision.apInvolved !== 'boolean') {
    throw new ValidationError('apInvolved: boolean');
  }
  return inTransaction(db, async (em) => {
    if (revision.apInvolved === false) Object.assign(changes, { apInvolved: false, apPartnerId: null });
    if (revision.apInvolved === true) {
      const order = await findForUpdate(em, BusinessOrderEntity, { id });
      if (!order) throw new NotFoundError('business-order', id);
      const partner = (revision.apPartnerId ?? '').trim() || order.apPartnerId;
      if (!partner) throw new ApPartnerUnavailableError('(none)', 'the order involves an AP: choose the AP partner (AP（涉及AP时选择）)');
      await requireAvailablePartner(em, partner);
      Object.assign(changes, { apInvolved: true, apPartnerId: partner });
    }
    return reviseOrder<BusinessOrder>(em, { kind: 'business-order', id }, changes, ctx);
  });
}
