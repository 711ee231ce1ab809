/**
 * What the routes of 变更单 change orders ask of the store: this slice's part of ApiStore (services.ts)
 * and the JSON it answers, typed by the slice's schemas.
 */
import type { Page, PageOf } from '../../domain/paging';
import type { Actor } from '../auth';
import type { Static } from '../schema';
import type { ChangeOrder, CreateChangeOrderBody } from './schemas';

/** what POST /change-orders accepts, as its schema says */
export type CreateChangeOrderInput = Static<typeof CreateChangeOrderBody>;
/** a change order with its order's number, as the ChangeOrder schema has it */
export type ChangeOrderDto = Static<typeof ChangeOrder>;

export interface ChangeOrdersStore {
  /** null: no such order */
  createChangeOrder(actor: Actor, input: CreateChangeOrderInput): Promise<ChangeOrderDto | null>;
  getChangeOrder(id: string): Promise<ChangeOrderDto | null>;
  listChangeOrders(filter: { orderId?: string; status?: string }, page: Page): Promise<PageOf<ChangeOrderDto>>;
}
