/**
 * The order summary 订单概要 every task of an order shows (issue #20: in Tasklist the form is all a person
 * sees, so the form must carry the case): customer, modules, accounts, opening date, term, amount, AP.
 * It travels as ONE process variable, `orderSummary`, set by the start message and replaced by the
 * order.apply-revision job when the order is revised (docs/process-contract.md).
 */
import type { EntityManager } from 'typeorm';
import { CustomerEntity, type BusinessOrder } from '../db/entities/index';
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
}

export function orderSummaryOf(order: BusinessOrder, customerName: string): OrderSummary {
  return {
    customerName,
    modules: [...order.modules] as ServiceModule[],
    accounts: order.accounts,
    openingDate: order.openingDate,
    termMonths: order.termMonths,
    amount: Number(order.amount),
    apPartnerId: order.apPartnerId,
  };
}

/** the summary of an order read in the caller's transaction (the customer's name by one read) */
export async function readOrderSummary(em: EntityManager, order: BusinessOrder): Promise<OrderSummary> {
  const customer = await findRow(em, CustomerEntity, { id: order.customerId });
  return orderSummaryOf(order, customer?.name ?? order.customerId);
}
