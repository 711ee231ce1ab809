/**
 * What the routes of 协作任务单 collaboration task orders ask of the store: this slice's part of ApiStore
 * (services.ts) and the JSON it answers, typed by the slice's schemas.
 */
import type { Page, PageOf } from '../../domain/paging';
import type { Static } from '../schema';
import type { TaskOrder } from './schemas';

/** a collaboration task order with its events, as the CollaborationTaskOrder schema has it */
export type TaskOrderDto = Static<typeof TaskOrder>;

export interface CollaborationTaskOrdersStore {
  getTaskOrder(id: string): Promise<TaskOrderDto | null>;
  listTaskOrders(filter: { orderId?: string; status?: string }, page: Page): Promise<PageOf<TaskOrderDto>>;
}
