/** The store of 协作任务单 collaboration task orders: the domain services behind its routes and the JSON of its schemas. */
import { CollaborationTaskOrderEventEntity, type CollaborationTaskOrderEvent, type TaskOrderStatus } from '../../db/entities/index';
import { iso, type StoreDeps } from '../store-kernel';
import * as taskOrders from '../../domain/collaboration-task-orders';
import type { CollaborationTaskOrdersStore, TaskOrderDto } from './port';

export function collaborationTaskOrdersStore({ ds, m }: StoreDeps): CollaborationTaskOrdersStore {
  async function taskOrderDto(t: {
    id: string;
    taskOrderNo: string;
    orderId: string;
    changeOrderId: string | null;
    status: TaskOrderStatus;
    request: Record<string, unknown>;
    issuedBy: string;
    issuedAt: Date;
    updatedAt: Date;
    events?: CollaborationTaskOrderEvent[];
  }): Promise<TaskOrderDto> {
    const events =
      t.events ?? (await m.getRepository(CollaborationTaskOrderEventEntity).find({ where: { taskOrderId: t.id }, order: { seq: 'ASC' } }));
    return {
      id: t.id,
      taskOrderNo: t.taskOrderNo,
      orderId: t.orderId,
      changeOrderId: t.changeOrderId,
      status: t.status,
      request: t.request,
      issuedBy: t.issuedBy,
      issuedAt: iso(t.issuedAt),
      updatedAt: iso(t.updatedAt),
      events: events.map((e) => ({ seq: e.seq, kind: e.kind, text: e.text, configuredAt: e.configuredAt, actor: e.actor, at: iso(e.at) })),
    };
  }

  return {
    // ---------------------------------------------------------------- collaboration task orders
    async getTaskOrder(id) {
      const t = await taskOrders.getTaskOrder(ds, id);
      return t ? taskOrderDto(t) : null;
    },
    async listTaskOrders(f, page) {
      const res = await taskOrders.listTaskOrders(ds, { orderId: f.orderId, status: f.status as TaskOrderStatus | undefined }, page);
      return { ...res, items: await Promise.all(res.items.map(taskOrderDto)) };
    },
  };
}
