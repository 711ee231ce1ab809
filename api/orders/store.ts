/** The store of 业务订单 business orders: the domain services behind its routes and the JSON of its schemas. */
import { BusinessOrderEntity, CustomerEntity, type BusinessOrder, type Customer } from '../../db/entities/index';
import type { OrderStatus } from '../../domain/order-status';
import { iso, type StoreDeps } from '../store-kernel';
import * as orders from '../../domain/orders';
import type { OrderDto, OrdersStore } from './port';

function orderDto(o: BusinessOrder, customer: Customer | undefined): OrderDto {
  return {
    id: o.id,
    orderNo: o.orderNo,
    status: o.status,
    customerId: o.customerId,
    customerName: customer?.name ?? null,
    customerManager: o.customerManager,
    modules: o.modules,
    accounts: o.accounts,
    openingDate: o.openingDate,
    termMonths: o.termMonths,
    amount: Number(o.amount),
    apInvolved: !!o.apInvolved,
    apPartnerId: o.apPartnerId,
    note: o.note,
    completionDeadline: o.completionDeadline,
    deadlineProvisional: !!o.deadlineProvisional,
    cancelReason: o.cancelReason,
    processInstanceKey: o.processInstanceKey,
    version: o.currentVersion,
    createdBy: o.createdBy,
    createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt),
  };
}

export function ordersStore({ ds, m, ctxOf, customersById }: StoreDeps): OrdersStore {
  async function ordersDto(rows: BusinessOrder[]): Promise<OrderDto[]> {
    const cs = await customersById(rows.map((o) => o.customerId));
    return rows.map((o) => orderDto(o, cs.get(o.customerId)));
  }

  // order creates share transactions (group commit: one sequence-lock wait and one commit per batch)
  const createOrderGrouped = orders.createOrderBatcher(ds);

  return {
    // ---------------------------------------------------------------- orders
    async createOrder(actor, input) {
      const { order, customer } = await createOrderGrouped(
        {
          customerId: input.customerId,
          modules: input.modules,
          accounts: input.accounts,
          openingDate: input.openingDate,
          termMonths: input.termMonths,
          amount: input.amount,
          apInvolved: input.apInvolved,
          apPartnerId: input.apPartnerId ?? null,
          note: input.note ?? null,
        },
        ctxOf(actor, 'order created'),
      );
      return orderDto(order, customer); // the batch read the customer: no further read
    },
    async getOrder(id) {
      // the hot read: order and customer name in one round trip
      const { entities, raw } = await m
        .getRepository(BusinessOrderEntity)
        .createQueryBuilder('o')
        .leftJoin(CustomerEntity.options.name, 'c', 'c.id = o.customerId')
        .addSelect('c.name', 'customer_name')
        .where('o.id = :id', { id })
        .getRawAndEntities();
      if (!entities[0]) return null;
      const name = raw[0]?.customer_name;
      return orderDto(entities[0], name ? ({ name } as Customer) : undefined);
    },
    async listOrders(f, page) {
      const res = await orders.listOrders(
        ds,
        { status: f.status as OrderStatus | undefined, customerId: f.customer, customerManager: f.customerManager, from: f.from, to: f.to },
        page,
      );
      return { ...res, items: await ordersDto(res.items) };
    },
    async cancelOrder(actor, id, reason) {
      if (!(await orders.getOrder(ds, id))) return null;
      return (await ordersDto([await orders.cancelOrder(ds, id, ctxOf(actor, reason))]))[0];
    },
  };
}
