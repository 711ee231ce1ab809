/** The store of 变更单 change orders: the domain services behind its routes and the JSON of its schemas. */
import { In } from 'typeorm';
import { BusinessOrderEntity, type ChangeOrder } from '../../db/entities/index';
import { ConflictError } from '../../domain/errors';
import type { OrderStatus } from '../../domain/order-status';
import { illegalTransition } from '../problem';
import { iso, type StoreDeps } from '../store-kernel';
import * as changeOrders from '../../domain/change-orders';
import * as orders from '../../domain/orders';
import type { ChangeOrderDto, ChangeOrdersStore } from './port';

function changeOrderDto(c: ChangeOrder, orderNo: string | undefined): ChangeOrderDto {
  return {
    id: c.id,
    changeOrderNo: c.changeOrderNo,
    orderId: c.orderId,
    orderNo: orderNo ?? null,
    status: c.status,
    customerManager: c.customerManager,
    description: c.description,
    accountDelta: c.accountDelta,
    amountDelta: c.amountDelta === null ? null : Number(c.amountDelta),
    modules: c.modules,
    effectiveDate: c.effectiveDate,
    platformChange: !!c.platformChange,
    apScopeChange: !!c.apScopeChange,
    apPartnerId: c.apPartnerId,
    note: c.note,
    processInstanceKey: c.processInstanceKey,
    version: c.currentVersion,
    createdBy: c.createdBy,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export function changeOrdersStore({ ds, m, ctxOf }: StoreDeps): ChangeOrdersStore {
  async function changeOrdersDto(rows: ChangeOrder[]): Promise<ChangeOrderDto[]> {
    const ids = [...new Set(rows.map((c) => c.orderId))];
    const orders = ids.length
      ? await m.getRepository(BusinessOrderEntity).find({ where: { id: In(ids) }, select: { id: true, orderNo: true } })
      : [];
    const nos = new Map(orders.map((o) => [o.id, o.orderNo]));
    return rows.map((c) => changeOrderDto(c, nos.get(c.orderId)));
  }

  return {
    // ---------------------------------------------------------------- change orders
    async createChangeOrder(actor, input) {
      const order = await orders.getOrder(ds, input.orderId);
      if (!order) return null;
      const create = () =>
        changeOrders.createChangeOrder(
          ds,
          {
            orderId: input.orderId,
            description: input.description,
            platformChange: input.platformChange,
            apScopeChange: input.apScopeChange,
            accountDelta: input.accountDelta,
            modules: input.modules ?? null,
            amountDelta: input.amountDelta ?? null,
            effectiveDate: input.effectiveDate ?? null,
            note: input.note ?? null,
          },
          ctxOf(actor, 'change order created'),
        );
      try {
        return (await changeOrdersDto([(await create()).changeOrder]))[0];
      } catch (e) {
        // an order not in service: name its state and the one a change needs
        if (e instanceof ConflictError && typeof e.details.status === 'string')
          throw illegalTransition(
            'order',
            order.id,
            e.details.status,
            'CHANGE_ORDERED (needs CONTRACT_SIGNED, DELIVERED or COMPLETED)',
            e.message,
          );
        throw e;
      }
    },
    async getChangeOrder(id) {
      const c = await changeOrders.getChangeOrder(ds, id);
      return c ? (await changeOrdersDto([c]))[0] : null;
    },
    async listChangeOrders(f, page) {
      const res = await changeOrders.listChangeOrders(ds, { orderId: f.orderId, status: f.status as OrderStatus | undefined }, page);
      return { ...res, items: await changeOrdersDto(res.items) };
    },
  };
}
