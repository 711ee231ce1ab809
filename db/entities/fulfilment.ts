import { EntitySchema } from 'typeorm';
import { col } from './columns';
import type { CommunicationOccasion, PaymentBasisStatus, ServiceRequestStatus, TaskOrderEventKind, TaskOrderStatus } from './types';

/** Collaboration task order 协作任务单 to the technical department. */
export interface CollaborationTaskOrder {
  id: string;
  taskOrderNo: string;
  orderId: string;
  changeOrderId: string | null;
  status: TaskOrderStatus;
  /** what to configure: modules, accounts, opening date, note (snapshot at issue) */
  request: Record<string, unknown>;
  issuedBy: string;
  issuedAt: Date;
  updatedAt: Date;
}
export const CollaborationTaskOrderEntity = new EntitySchema<CollaborationTaskOrder>({
  name: 'CollaborationTaskOrder',
  tableName: 'collaboration_task_order',
  columns: {
    id: col.uuidPk(),
    taskOrderNo: col.str(32),
    orderId: col.uuid(),
    changeOrderId: col.uuid(true),
    status: col.str(16),
    request: col.json(),
    issuedBy: col.actor(),
    issuedAt: col.at(),
    updatedAt: col.at(),
  },
  indices: [
    { name: 'UQ_collaboration_task_order_no', columns: ['taskOrderNo'], unique: true },
    { name: 'IDX_collaboration_task_order_order', columns: ['orderId'] },
  ],
});

/** History of a task order: issue, every reply, every acceptance or send-back (seq 1, 2, ...). */
export interface CollaborationTaskOrderEvent {
  id: string;
  taskOrderId: string;
  seq: number;
  kind: TaskOrderEventKind;
  text: string | null;
  /** tech reply: when the configuration was done (ISO) */
  configuredAt: string | null;
  actor: string;
  at: Date;
}
export const CollaborationTaskOrderEventEntity = new EntitySchema<CollaborationTaskOrderEvent>({
  name: 'CollaborationTaskOrderEvent',
  tableName: 'collaboration_task_order_event',
  columns: {
    id: col.uuidPk(),
    taskOrderId: col.uuid(),
    seq: col.int(),
    kind: col.str(16),
    text: col.text(),
    configuredAt: col.isoTime(),
    actor: col.actor(),
    at: col.at(),
  },
  indices: [{ name: 'UQ_task_order_event_seq', columns: ['taskOrderId', 'seq'], unique: true }],
});

/**
 * Payment basis 支付依据 (§9.4) delivered by the AP. Header; content versions in record_version
 * ('payment-basis'): a resubmission after a send-back is a new version of the same payment basis.
 */
export interface PaymentBasis {
  id: string;
  paymentBasisNo: string;
  expenseContractId: string;
  apPartnerId: string;
  status: PaymentBasisStatus;
  /** the AP's own reference for the submission (idempotency: unique per partner) */
  externalRef: string | null;
  currentVersion: number;
  submittedBy: string;
  submittedAt: Date;
  updatedAt: Date;
}
export const PaymentBasisEntity = new EntitySchema<PaymentBasis>({
  name: 'PaymentBasis',
  tableName: 'payment_basis',
  columns: {
    id: col.uuidPk(),
    paymentBasisNo: col.str(32),
    expenseContractId: col.uuid(),
    apPartnerId: col.uuid(),
    status: col.str(16),
    externalRef: col.str(128, true),
    currentVersion: col.int(),
    submittedBy: col.actor(),
    submittedAt: col.at(),
    updatedAt: col.at(),
  },
  indices: [
    { name: 'UQ_payment_basis_no', columns: ['paymentBasisNo'], unique: true },
    { name: 'UQ_payment_basis_contract', columns: ['expenseContractId'], unique: true },
    { name: 'UQ_payment_basis_ext_ref', columns: ['apPartnerId', 'externalRef'], unique: true },
  ],
});

/** The contract admin's check of one version of a payment basis. */
export interface PaymentBasisCheck {
  id: string;
  paymentBasisId: string;
  paymentBasisVersion: number;
  decision: string;
  opinion: string | null;
  actor: string;
  checkedAt: Date;
}
export const PaymentBasisCheckEntity = new EntitySchema<PaymentBasisCheck>({
  name: 'PaymentBasisCheck',
  tableName: 'payment_basis_check',
  columns: {
    id: col.uuidPk(),
    paymentBasisId: col.uuid(),
    paymentBasisVersion: col.int(),
    decision: col.str(16),
    opinion: col.text(),
    actor: col.actor(),
    checkedAt: col.at(),
  },
  indices: [{ name: 'UQ_payment_basis_check_version', columns: ['paymentBasisId', 'paymentBasisVersion'], unique: true }],
});

/** Customer communication record form 客户沟通记录表 (§9.2). Header; content in record_version. */
export interface CustomerCommunicationRecord {
  id: string;
  recordNo: string;
  customerId: string;
  orderId: string | null;
  changeOrderId: string | null;
  serviceRequestId: string | null;
  occasion: CommunicationOccasion;
  currentVersion: number;
  filedBy: string;
  filedAt: Date;
  updatedAt: Date;
}
export const CustomerCommunicationRecordEntity = new EntitySchema<CustomerCommunicationRecord>({
  name: 'CustomerCommunicationRecord',
  tableName: 'customer_communication_record',
  columns: {
    id: col.uuidPk(),
    recordNo: col.str(32),
    customerId: col.uuid(),
    orderId: col.uuid(true),
    changeOrderId: col.uuid(true),
    serviceRequestId: col.uuid(true),
    occasion: col.str(16),
    currentVersion: col.int(),
    filedBy: col.actor(),
    filedAt: col.at(),
    updatedAt: col.at(),
  },
  indices: [
    { name: 'UQ_customer_communication_record_no', columns: ['recordNo'], unique: true },
    { name: 'IDX_communication_record_customer', columns: ['customerId', 'filedAt'] },
    { name: 'IDX_communication_record_order', columns: ['orderId'] },
  ],
});

/** Complaint / fault / consultation 投诉、故障、咨询 (§7.1). */
export interface ServiceRequest {
  id: string;
  requestNo: string;
  customerId: string;
  orderId: string | null;
  revenueContractId: string | null;
  requestType: string;
  status: ServiceRequestStatus;
  description: string;
  customerManager: string;
  reportedBy: string;
  resolution: string | null;
  handledBy: string | null;
  handledAt: string | null;
  communicationRecordId: string | null;
  processInstanceKey: string | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
export const ServiceRequestEntity = new EntitySchema<ServiceRequest>({
  name: 'ServiceRequest',
  tableName: 'service_request',
  columns: {
    id: col.uuidPk(),
    requestNo: col.str(32),
    customerId: col.uuid(),
    orderId: col.uuid(true),
    revenueContractId: col.uuid(true),
    requestType: col.str(16),
    status: col.str(16),
    description: col.text(false),
    customerManager: col.actor(),
    reportedBy: col.actor(),
    resolution: col.text(),
    handledBy: col.actor(true),
    handledAt: col.isoTime(),
    communicationRecordId: col.uuid(true),
    processInstanceKey: col.zeebeKey(),
    closedAt: col.at(true),
    createdAt: col.at(),
    updatedAt: col.at(),
  },
  indices: [
    { name: 'UQ_service_request_no', columns: ['requestNo'], unique: true },
    { name: 'IDX_service_request_customer', columns: ['customerId', 'createdAt'] },
    { name: 'IDX_service_request_status', columns: ['status', 'createdAt'] },
    { name: 'IDX_service_request_pik', columns: ['processInstanceKey'] },
  ],
});
