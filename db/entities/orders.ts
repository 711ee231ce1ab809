import { EntitySchema } from 'typeorm';
import { col } from './columns';
import type { OrderStatus } from './types';

/**
 * The lifecycle part shared by business orders and change orders: version pointer, process instance,
 * delivery, the completion deadline and the audit columns (domain/order-lifecycle.ts drives it for both).
 */
export interface OrderLifecycle {
  currentVersion: number;
  processInstanceKey: string | null;
  customerFeedback: string | null;
  deliveredOn: string | null;
  deliveryNote: string | null;
  completionDeadline: string | null;
  completionReminderAt: string | null;
  deadlineProvisional: boolean;
  completedAt: Date | null;
  cancelReason: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}
/** fresh column options each call, so the two schemas never share mutable option objects */
function orderLifecycleColumns() {
  return {
    currentVersion: col.int(),
    processInstanceKey: col.zeebeKey(),
    customerFeedback: col.text(),
    deliveredOn: col.day(),
    deliveryNote: col.text(),
    completionDeadline: col.isoTime(),
    completionReminderAt: col.isoTime(),
    deadlineProvisional: col.bool(),
    completedAt: col.at(true),
    cancelReason: col.text(),
    createdBy: col.actor(),
    createdAt: col.at(),
    updatedAt: col.at(),
  };
}

/**
 * Business order 业务订单 (§9.1): header row. The content columns mirror the CURRENT version; every
 * version (the evidence) is an immutable row of record_version (record_type 'business-order').
 */
export interface BusinessOrder extends OrderLifecycle {
  id: string;
  orderNo: string;
  status: OrderStatus;
  customerId: string;
  customerManager: string;
  /** service modules (vocabulary SERVICE_MODULE keys) */
  modules: string[];
  accounts: number;
  openingDate: string;
  termMonths: number;
  amount: number;
  apInvolved: boolean;
  apPartnerId: string | null;
  note: string | null;
}
export const BusinessOrderEntity = new EntitySchema<BusinessOrder>({
  name: 'BusinessOrder',
  tableName: 'business_order',
  columns: {
    id: col.uuidPk(),
    orderNo: col.str(32),
    status: col.str(24),
    customerId: col.uuid(),
    customerManager: col.actor(),
    modules: col.json(),
    accounts: col.int(),
    openingDate: col.day(false),
    termMonths: col.int(),
    amount: col.amount(false),
    apInvolved: col.bool(),
    apPartnerId: col.uuid(true),
    note: col.text(),
    ...orderLifecycleColumns(),
  },
  indices: [
    { name: 'UQ_business_order_no', columns: ['orderNo'], unique: true },
    { name: 'IDX_business_order_status', columns: ['status', 'createdAt'] },
    { name: 'IDX_business_order_customer', columns: ['customerId'] },
    { name: 'IDX_business_order_manager', columns: ['customerManager', 'createdAt'] },
    { name: 'IDX_business_order_pik', columns: ['processInstanceKey'] },
  ],
});

/** Change order 变更单 (§6.2) on an order in service; versioned like the order. */
export interface ChangeOrder extends OrderLifecycle {
  id: string;
  changeOrderNo: string;
  orderId: string;
  status: OrderStatus;
  customerManager: string;
  description: string;
  platformChange: boolean;
  apScopeChange: boolean;
  apPartnerId: string | null;
  /** accounts added (positive) or removed (negative) */
  accountDelta: number;
  /** modules after the change, null = unchanged */
  modules: string[] | null;
  /** additional amount of the supplementary agreement (may be negative) */
  amountDelta: number | null;
  effectiveDate: string | null;
  note: string | null;
}
export const ChangeOrderEntity = new EntitySchema<ChangeOrder>({
  name: 'ChangeOrder',
  tableName: 'change_order',
  columns: {
    id: col.uuidPk(),
    changeOrderNo: col.str(32),
    orderId: col.uuid(),
    status: col.str(24),
    customerManager: col.actor(),
    description: col.text(false),
    platformChange: col.bool(),
    apScopeChange: col.bool(),
    apPartnerId: col.uuid(true),
    accountDelta: col.int(),
    modules: col.json(true),
    amountDelta: col.amount(true),
    effectiveDate: col.day(),
    note: col.text(),
    ...orderLifecycleColumns(),
  },
  indices: [
    { name: 'UQ_change_order_no', columns: ['changeOrderNo'], unique: true },
    { name: 'IDX_change_order_order', columns: ['orderId', 'createdAt'] },
    { name: 'IDX_change_order_status', columns: ['status', 'createdAt'] },
    { name: 'IDX_change_order_pik', columns: ['processInstanceKey'] },
  ],
});
