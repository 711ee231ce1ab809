/**
 * Event-specific notifications (people.md "is told"), written in the transaction of the event itself, so
 * an event is one notification whatever the job deliveries (dedupe key per event; at-least-once
 * delivery re-runs the transaction, which finds the key and writes nothing):
 *   contract-rejected            → the order's customer manager, with the reviewer's reason
 *   contract-awaiting-signing    → role contract-admin (a revenue contract's countersign form issued)
 *   monthly-report-ready         → role contract-admin (the month's report generated, to review and publish)
 *   service-request-fault        → role ops
 *   service-request-complaint    → role dept-manager, and the customer's customer manager
 * They come beside the generic user-task-created notice of the task that follows, which says what to do;
 * these say what happened.
 */
import type { EntityManager } from 'typeorm';
import {
  BusinessOrderEntity,
  ChangeOrderEntity,
  CustomerEntity,
  type CountersignRound,
  type MonthlyReport,
  type ServiceRequest,
} from '../../db/entities/index';
import { findRow } from '../../db/rows';
import { enqueueNotification } from '../outbox';

const TYPE_NAME = { REVENUE: '收入合同', EXPENSE: '支出合同' } as const;
const STEP_NAME: Record<string, string> = { DEPT_MANAGER: '部门经理审核', CENTER: '中心审核' };

/** the order a contract serves (a change order's supplement: its order), for the case link and the manager */
async function orderOfRound(
  em: EntityManager,
  orderNo: string | null,
): Promise<{ orderId: string | null; orderNo: string | null; changeOrderNo: string | null; customerManager: string | null }> {
  if (!orderNo) return { orderId: null, orderNo: null, changeOrderNo: null, customerManager: null };
  const o = await findRow(em, BusinessOrderEntity, { orderNo });
  if (o) return { orderId: o.id, orderNo: o.orderNo, changeOrderNo: null, customerManager: o.customerManager };
  const co = await findRow(em, ChangeOrderEntity, { changeOrderNo: orderNo });
  return co
    ? { orderId: co.orderId, orderNo: null, changeOrderNo: co.changeOrderNo, customerManager: co.customerManager }
    : { orderId: null, orderNo, changeOrderNo: null, customerManager: null };
}

export async function notifyContractRejected(
  em: EntityManager,
  round: CountersignRound,
  step: string,
  reason: string,
  reviewer: string,
  at: Date,
): Promise<void> {
  const o = await orderOfRound(em, round.orderNo);
  await enqueueNotification(
    em,
    {
      dedupeKey: `contract-rejected:${round.id}`,
      recipientUser: o.customerManager,
      recipientRole: o.customerManager ? null : 'customer-manager',
      template: 'contract-rejected',
      refs: {
        ...o,
        contractId: round.contractId,
        contractNo: round.contractNo,
        contractTypeName: TYPE_NAME[round.contractType as keyof typeof TYPE_NAME] ?? round.contractType,
        roundNo: round.roundNo,
        stepName: STEP_NAME[step] ?? step,
        reviewer,
        reason,
      },
    },
    at,
  );
}

export async function notifyContractAwaitingSigning(em: EntityManager, round: CountersignRound, formNo: string, at: Date): Promise<void> {
  if (round.contractType !== 'REVENUE') return; // the contract admin signs revenue contracts; an expense contract goes to the AP
  const o = await orderOfRound(em, round.orderNo);
  await enqueueNotification(
    em,
    {
      dedupeKey: `contract-awaiting-signing:${round.contractId}:${formNo}`,
      recipientRole: 'contract-admin',
      template: 'contract-awaiting-signing',
      refs: { ...o, contractId: round.contractId, contractNo: round.contractNo, formNo },
    },
    at,
  );
}

export async function notifyMonthlyReportReady(em: EntityManager, r: MonthlyReport, at: Date): Promise<void> {
  await enqueueNotification(
    em,
    {
      dedupeKey: `monthly-report-ready:${r.month}:v${r.version}`,
      recipientRole: 'contract-admin',
      template: 'monthly-report-ready',
      refs: { reportId: r.id, month: r.month, version: r.version, contracts: r.rows.length },
    },
    at,
  );
}

export async function notifyServiceRequestLogged(em: EntityManager, sr: ServiceRequest, at: Date): Promise<void> {
  if (sr.requestType !== 'FAULT' && sr.requestType !== 'COMPLAINT') return; // a consultation is the customer manager's own task
  const customer = await findRow(em, CustomerEntity, { id: sr.customerId });
  const order = sr.orderId ? await findRow(em, BusinessOrderEntity, { id: sr.orderId }) : null;
  const refs = {
    requestNo: sr.requestNo,
    description: sr.description,
    customerName: customer?.name ?? '',
    reportedBy: sr.reportedBy,
    customerManager: sr.customerManager,
    orderId: order?.id ?? null,
    orderNo: order?.orderNo ?? null,
  };
  if (sr.requestType === 'FAULT') {
    await enqueueNotification(
      em,
      { dedupeKey: `service-request-fault:${sr.id}`, recipientRole: 'ops', template: 'service-request-fault', refs },
      at,
    );
    return;
  }
  // a complaint: the department manager handles it, the customer manager hears of it on their customer
  await enqueueNotification(
    em,
    {
      dedupeKey: `service-request-complaint:${sr.id}`,
      recipientRole: 'dept-manager',
      recipientUser: sr.customerManager,
      template: 'service-request-complaint',
      refs,
    },
    at,
  );
}
