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
