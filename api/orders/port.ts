/**
 * What the routes of 业务订单 business orders ask of the store: this slice's part of ApiStore (services.ts)
 * and the JSON it answers, typed by the slice's schemas.
 */
import type { Page, PageOf } from '../../domain/paging';
import type { Actor } from '../auth';
import type { Static } from '../schema';
import type { CreateOrderBody, Order } from './schemas';

/** what POST /orders accepts, as its schema says */
export type CreateOrderInput = Static<typeof CreateOrderBody>;
/** an order with its customer's name, as the Order schema has it */
export type OrderDto = Static<typeof Order>;

export interface OrderFilter {
  status?: string;
  customer?: string;
  customerManager?: string;
  from?: string;
  to?: string;
}

export interface OrdersStore {
  createOrder(actor: Actor, input: CreateOrderInput): Promise<OrderDto>;
  getOrder(id: string): Promise<OrderDto | null>;
  listOrders(filter: OrderFilter, page: Page): Promise<PageOf<OrderDto>>;
  cancelOrder(actor: Actor, id: string, reason: string): Promise<OrderDto | null>;
}
