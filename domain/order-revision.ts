/**
 * order.apply-revision: the customer manager's revision of a business order 业务订单 (§6.3.1, §9.1) after
 * the customer asked for changes, written as a new version of the order (records.ts).
 */
import type { BusinessOrder } from '../db/entities/index';
import type { Db } from '../db/transaction';
import type { WriteContext } from './audit';
import { ValidationError } from './errors';
import { reviseOrder } from './order-lifecycle';
import { positiveInt, validAmount, validateModules } from './orders';
import { isValidDay } from './time';
import type { ServiceModule } from './vocabulary';

export interface OrderRevision {
  accounts?: number;
  openingDate?: string;
  modules?: ServiceModule[];
  amount?: number;
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
  return reviseOrder<BusinessOrder>(db, { kind: 'business-order', id }, changes, ctx);
}
