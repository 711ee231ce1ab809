/**
 * The case 案卷 of a business order, in one read: the order with its customer and AP, its contracts with
 * their versions and countersign rounds (every decision and opinion in order), the collaboration task
 * orders, payment bases, customer communication records, the order's own versions, its timeline (the
 * audit trail of every record of the case) and its tasks. And the process instance on its diagram.
 * Staff only: an AP partner never reads a case (revenue figures).
 */
import type { ContractType, Role } from '../../domain/vocabulary';
import { notFound } from '../problem';
import { route, type RouteSpec } from '../route';
import { id, named, obj, str } from '../schema';
import { guard, workbenchOf } from './services';

const STAFF: Role[] = ['customer-manager', 'dept-manager', 'center-reviewer', 'tech-dept', 'contract-admin', 'ops', 'admin', 'auditor'];
const ALL = { limit: 200, offset: 0 };
const CaseSchema = named('Case', { type: 'object', required: ['order'], properties: { order: { type: 'object' } } });
const InstanceSchema = named('InstanceOnDiagram', {
  type: 'object',
  required: ['processInstanceKey', 'xml', 'elements'],
  properties: {
    processInstanceKey: { type: 'string' },
    xml: { type: 'string', description: 'BPMN 2.0 XML of the deployed definition' },
    elements: { type: 'array', items: { type: 'object' } },
  },
});

export const CASE_ROUTES: RouteSpec[] = [
  route<{ ref: string }>({
    id: 'workbenchCase',
    method: 'get',
    path: '/workbench/cases/:ref',
    roles: STAFF,
    tag: 'workbench',
    summary: {
      en: 'The case of a business order: order, contracts and versions, countersign rounds, records, timeline, tasks',
      zh: '订单案卷：订单、合同及版本、会签意见、质量记录、时间线',
    },
    params: obj({ ref: id({ description: 'the order id, or its number (YW-…)' }) }, ['ref']),
    response: { status: 200, schema: CaseSchema },
    handler: async ({ services, params: { ref } }) => {
      const wb = workbenchOf(services);
      const { store } = services;
      const orderId = /^YW-/.test(ref) ? await wb.parties.orderIdOf(ref) : ref;
      const order = orderId ? await store.getOrder(orderId) : null;
      if (!order) throw notFound('order', ref, '/ref');
      const params = { id: String(order.id) };
      const [customer, apPartner, contracts, taskOrders, communicationRecords, orderVersions, changeOrders] = await Promise.all([
        wb.parties.getCustomer(String(order.customerId)),
        order.apPartnerId ? wb.parties.getApPartner(String(order.apPartnerId)) : Promise.resolve(null),
        store.listContracts({ orderId: params.id }, ALL),
        store.listTaskOrders({ orderId: params.id }, ALL),
        store.listCommunicationRecords({ orderId: params.id }, ALL),
        store.recordVersions('business-order', params.id),
        store.listChangeOrders({ orderId: params.id }, ALL),
      ]);
      const withDetail = await Promise.all(
        contracts.items.map(async (c) => {
          const [versions, forms, bases, rounds] = await Promise.all([
            store.contractVersions(String(c.id)),
            store.listCountersignForms({ contractId: String(c.id) }, ALL),
            c.type === 'EXPENSE' ? store.listPaymentBases({ expenseContractId: String(c.id) }, ALL) : Promise.resolve({ items: [] }),
            wb.parties.rounds(c.type as ContractType, String(c.id)),
          ]);
          return { ...c, versions: versions ?? [], countersignForms: forms.items, rounds, paymentBases: bases.items };
        }),
      );
      const ids = [
        params.id,
        ...contracts.items.map((c) => String(c.id)),
        ...taskOrders.items.map((t) => String(t.id)),
        ...communicationRecords.items.map((r) => String(r.id)),
        ...withDetail.flatMap((c) => c.paymentBases.map((b) => String(b.id))),
      ];
      const trail = await wb.parties.trail(ids);
      return {
        order,
        customer,
        apPartner,
        contracts: withDetail,
        taskOrders: taskOrders.items,
        communicationRecords: communicationRecords.items,
        changeOrders: changeOrders.items,
        orderVersions: orderVersions ?? [],
        timeline: trail,
        deadline: {
          completionDeadline: order.completionDeadline ?? null,
          provisional: !!order.deadlineProvisional,
          basis: '交付日起 60 个工作日（中国法定工作日历，含调休；上海时间）',
        },
      };
    },
  }),
  route<{ key: string }>({
    id: 'workbenchInstance',
    method: 'get',
    path: '/workbench/instances/:key',
    roles: STAFF,
    tag: 'workbench',
    summary: {
      en: 'A process instance on its diagram: BPMN XML, element instances, active incidents, called instances',
      zh: '流程实例图：已完成、进行中、失败的环节及被调用的会签实例',
    },
    params: obj({ key: str({ pattern: '^[0-9]{1,20}$' }) }, ['key']),
    response: { status: 200, schema: InstanceSchema },
    handler: async ({ services, params }) =>
      guard(async () => {
        const wb = workbenchOf(services);
        const view = await wb.engine.instance(params.key);
        if (!view) throw notFound('process instance', params.key, '/key');
        const tasks = await wb.engine.searchTasks({ processInstanceKey: params.key }, 500);
        return {
          ...view,
          tasks: tasks.map((t) => ({
            key: String(t.userTaskKey),
            name: t.name ?? t.elementId,
            elementId: t.elementId,
            state: t.state,
            assignee: t.assignee ?? null,
            completionDate: t.completionDate ?? null,
            dueDate: t.dueDate ?? null,
          })),
        };
      }),
  }),
];
