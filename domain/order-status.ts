/**
 * Status of business orders and change orders: ONE explicit transition table (both kinds use it).
 *
 *   SUBMITTED        → CONFIRMED (customer confirmed) | CHANGE_REQUESTED (customer wants changes) | CANCELLED
 *   CHANGE_REQUESTED → SUBMITTED (revision applied, back to the customer) | CANCELLED
 *   CONFIRMED        → CONTRACT_SIGNED (revenue contract / supplement signed) | CANCELLED
 *   CONTRACT_SIGNED  → DELIVERED (delivered to the customer)
 *   DELIVERED        → COMPLETED (customer communication record filed)
 *   COMPLETED, CANCELLED: final
 *
 * Customer declining (DECLINED) and a staff cancellation both end in CANCELLED. Once the contract is
 * signed the order is no longer cancellable here: ending service after signing is a change order.
 * One exception, outside this table on purpose: AP_ISSUE_CANCELLATION below.
 */
import { ORDER_STATUS, type OrderStatus } from '../db/entities/index';
import { IllegalTransitionError } from './errors';
import type { CustomerDecision } from './vocabulary';

export { ORDER_STATUS, type OrderStatus };

export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = Object.freeze({
  SUBMITTED: ['CONFIRMED', 'CHANGE_REQUESTED', 'CANCELLED'],
  CHANGE_REQUESTED: ['SUBMITTED', 'CANCELLED'],
  CONFIRMED: ['CONTRACT_SIGNED', 'CANCELLED'],
  CONTRACT_SIGNED: ['DELIVERED'],
  DELIVERED: ['COMPLETED'],
  COMPLETED: [],
  CANCELLED: [],
});

/**
 * 处理AP异常 → 取消订单 (issue #20): the AP issue arises after the revenue contract is signed, and the customer
 * manager may end the order there instead of going on. It is the only CONTRACT_SIGNED → CANCELLED move and
 * only domain/ap-issues.ts `cancelAfterApIssue` makes it, so the staff cancellation of the API and the
 * customer's decline still stop at the signature (they go through `transition` and ORDER_TRANSITIONS).
 */
export const AP_ISSUE_CANCELLATION = { from: 'CONTRACT_SIGNED', to: 'CANCELLED' } as const satisfies {
  from: OrderStatus;
  to: OrderStatus;
};

export const FINAL_ORDER_STATUSES: readonly OrderStatus[] = ['COMPLETED', 'CANCELLED'];
/** an order "in service" may get change orders */
export const IN_SERVICE_STATUSES: readonly OrderStatus[] = ['CONTRACT_SIGNED', 'DELIVERED', 'COMPLETED'];

/** customer decision → order status */
export const STATUS_AFTER_CUSTOMER_DECISION: Readonly<Record<CustomerDecision, OrderStatus>> = {
  CONFIRMED: 'CONFIRMED',
  CHANGE_REQUESTED: 'CHANGE_REQUESTED',
  DECLINED: 'CANCELLED',
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from]?.includes(to) ?? false;
}

/** Returns the order with the new status; throws IllegalTransitionError (API: 409) otherwise. */
export function transition<T extends { status: OrderStatus }>(order: T, to: OrderStatus, entity = 'order'): T {
  if (!(ORDER_STATUS as readonly string[]).includes(to) || !canTransition(order.status, to)) {
    throw new IllegalTransitionError(entity, order.status, to);
  }
  return { ...order, status: to };
}
