/**
 * The order summary 订单概要 every task of an order shows (issue #20: in Tasklist the form is all a person
 * sees, so the form must carry the case): customer, modules, accounts, opening date, term, amount, AP.
 * It travels as ONE process variable, `orderSummary`, set by the start message and replaced by the
 * order.apply-revision job when the order is revised (docs/process-contract.md).
 */
import type { EntityManager } from 'typeorm';
import { ApPartnerEntity, CustomerEntity, type ApPartner, type BusinessOrder } from '../db/entities/index';
import { findRow } from '../db/rows';
import type { ServiceModule } from './vocabulary';

export interface OrderSummary {
  customerName: string;
  /** the module ids (the forms show their Chinese names) */
  modules: ServiceModule[];
  accounts: number;
  /** YYYY-MM-DD */
  openingDate: string;
  termMonths: number;
  amount: number;
  /** null: the order involves no AP */
  apPartnerId: string | null;
  /** the partner's name and code as the forms show them (a person cannot read the UUID); null without an AP, or
   * when the partner row is gone (the forms then fall back to the id) */
  apPartnerName: string | null;
  apPartnerCode: string | null;
}

/** what of a partner the summary shows */
export type SummaryPartner = Pick<ApPartner, 'name' | 'code'>;

export function orderSummaryOf(order: BusinessOrder, customerName: string, partner: SummaryPartner | null): OrderSummary {
  const named = order.apPartnerId ? partner : null;
  return {
    customerName,
    modules: [...order.modules] as ServiceModule[],
    accounts: order.accounts,
    openingDate: order.openingDate,
    termMonths: order.termMonths,
    amount: Number(order.amount),
    apPartnerId: order.apPartnerId,
    apPartnerName: named?.name ?? null,
    apPartnerCode: named?.code ?? null,
  };
}

/** the summary of an order read in the caller's transaction (the customer's and the partner's names by one read each) */
export async function readOrderSummary(em: EntityManager, order: BusinessOrder): Promise<OrderSummary> {
  const customer = await findRow(em, CustomerEntity, { id: order.customerId });
  const partner = order.apPartnerId ? await findRow(em, ApPartnerEntity, { id: order.apPartnerId }) : null;
  return orderSummaryOf(order, customer?.name ?? order.customerId, partner);
}
