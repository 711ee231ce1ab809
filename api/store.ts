/**
 * The ApiStore over domain/ and db/: every write goes through a domain service (one transaction with
 * its version, audit row and outbox command); this module maps the routes' inputs to those services
 * and the entities to the JSON of the API (api/schemas.ts), adding the joins a reader needs (customer
 * name, contract and order numbers, countersign rounds, usage per month).
 */
import { In, type DataSource, type EntityManager } from 'typeorm';
import {
  AccountUsageMonthlyEntity,
  BusinessOrderEntity,
  CollaborationTaskOrderEventEntity,
  CountersignFormEntity,
  CustomerCommunicationRecordEntity,
  CustomerEntity,
  ExpenseContractEntity,
  PaymentBasisEntity,
  RevenueContractEntity,
  ServiceRequestEntity,
  type BusinessOrder,
  type ChangeOrder,
  type CollaborationTaskOrderEvent,
  type CommunicationOccasion,
  type Customer,
  type ExpenseContract,
  type PaymentBasis,
  type RevenueContract,
  type ServiceRequestStatus,
  type TaskOrderStatus,
} from '../db/entities/index';
import { inTransaction } from '../db/transaction';
import { findRow } from '../db/rows';
import * as monitoring from '../domain/account-monitoring';
import { audit, type WriteContext } from '../domain/audit';
import { addWorkingDaysDb, getCalendarYear, uploadCalendarYear, type CalendarYearDocument } from '../domain/calendar';
import * as changeOrders from '../domain/change-orders';
import * as taskOrders from '../domain/collaboration-task-orders';
import * as communication from '../domain/communication-records';
import * as contracts from '../domain/contracts';
import * as countersign from '../domain/countersign';
import { ConflictError, ValidationError } from '../domain/errors';
import type { OrderStatus } from '../domain/order-status';
import * as orders from '../domain/orders';
import * as paymentBases from '../domain/payment-bases';
import { correctRecord as correctVersioned, currentContent, isVersionedRecordType, recordHistory } from '../domain/records';
import * as serviceRequests from '../domain/service-requests';
import type { ContractType, ServiceModule, ServiceRequestType } from '../domain/vocabulary';
import { systemClock, type Clock } from '../domain/clock';
import { assertMayDecide } from '../domain/countersign-integrity';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../domain/idempotency';
import { checkCorrection } from './correction-check';
import { badRequest, illegalTransition, notFound } from './problem';
import type { Actor, ApiStore, RecordVersion, Row } from './services';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

// ------------------------------------------------------------------ mappers
function orderDto(o: BusinessOrder, customer: Customer | undefined): Row {
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

function changeOrderDto(c: ChangeOrder, orderNo: string | undefined): Row {
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

function contractDto(c: RevenueContract | ExpenseContract, type: 'REVENUE' | 'EXPENSE'): Row {
  const r = c as RevenueContract & ExpenseContract;
  return {
    id: c.id,
    contractNo: c.contractNo,
    type,
    kind: c.kind,
    status: c.status,
    orderId: c.orderId,
    changeOrderId: c.changeOrderId,
    parentContractId: c.parentContractId,
    apPartnerId: type === 'EXPENSE' ? r.apPartnerId : null,
    title: c.title,
    amount: Number(c.amount),
    termMonths: type === 'REVENUE' ? r.termMonths : null,
    signedDate: type === 'REVENUE' ? r.signedDate : null,
    note: c.note,
    countersignFormNo: c.countersignFormNo,
    rejectionReason: c.rejectionReason,
    version: c.currentVersion,
    createdBy: c.createdBy,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

const versionDto = (v: { version: number; actor: string; at: Date; reason: string | null; content: Record<string, unknown> }): RecordVersion => ({
  version: v.version,
  actor: v.actor,
  at: iso(v.at)!,
  reason: v.reason ?? '',
  data: v.content,
});

/** `clock`: the business clock of every write (record times, numbering years) */
export function createStore(ds: DataSource, clock: Clock = systemClock): ApiStore {
  const m = ds.manager;
  const ctxOf = (actor: Actor, reason: string | null = null): WriteContext => ({ actor: actor.username, reason, at: clock.now() });
  // order creates share transactions (group commit: one sequence-lock wait and one commit per batch)
  const createOrderGrouped = orders.createOrderBatcher(ds);

  async function customersById(ids: string[]): Promise<Map<string, Customer>> {
    const uniq = [...new Set(ids)];
    if (!uniq.length) return new Map();
    const rows = await m.getRepository(CustomerEntity).findBy({ id: In(uniq) });
    return new Map(rows.map((c) => [c.id, c]));
  }
  async function ordersDto(rows: BusinessOrder[]): Promise<Row[]> {
    const cs = await customersById(rows.map((o) => o.customerId));
    return rows.map((o) => orderDto(o, cs.get(o.customerId)));
  }
  async function changeOrdersDto(rows: ChangeOrder[]): Promise<Row[]> {
    const ids = [...new Set(rows.map((c) => c.orderId))];
    const orders = ids.length ? await m.getRepository(BusinessOrderEntity).find({ where: { id: In(ids) }, select: { id: true, orderNo: true } }) : [];
    const nos = new Map(orders.map((o) => [o.id, o.orderNo]));
    return rows.map((c) => changeOrderDto(c, nos.get(c.orderId)));
  }

  async function findContract(id: string) {
    const c = await contracts.getContract(ds, id);
    return c ? { c, type: c.type } : null;
  }

  async function countersignRounds(contractType: ContractType, contractId: string): Promise<Row[]> {
    const rounds = await countersign.countersignHistory(ds, contractType, contractId);
    return rounds.map((r) => ({
      round: r.roundNo,
      status: r.status,
      contractVersion: r.contractVersion,
      rejectionReason: r.rejectionReason,
      openedAt: iso(r.openedAt),
      closedAt: iso(r.closedAt),
      decisions: r.decisions.map((d) => ({ step: d.step, decision: d.decision, opinion: d.opinion, reviewer: d.actor, decidedAt: iso(d.decidedAt) })),
    }));
  }

  async function formDto(f: { id: string; formNo: string; contractType: string; contractId: string; currentVersion: number; issuedBy: string; issuedAt: Date }): Promise<Row> {
    const content = await currentContent(m, 'countersign-form', f.id);
    const found = await findContract(f.contractId);
    return {
      id: f.id,
      formNo: f.formNo,
      contractType: f.contractType,
      contractId: f.contractId,
      contractNo: found?.c.contractNo ?? null,
      version: f.currentVersion,
      issuedBy: f.issuedBy,
      issuedAt: iso(f.issuedAt),
      content: content?.content ?? {},
      rounds: await countersignRounds(f.contractType as ContractType, f.contractId),
    };
  }

  async function taskOrderDto(t: { id: string; taskOrderNo: string; orderId: string; changeOrderId: string | null; status: string; request: Record<string, unknown>; issuedBy: string; issuedAt: Date; updatedAt: Date; events?: CollaborationTaskOrderEvent[] }): Promise<Row> {
    const events = t.events ?? (await m.getRepository(CollaborationTaskOrderEventEntity).find({ where: { taskOrderId: t.id }, order: { seq: 'ASC' } }));
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

  async function paymentBasisDto(p: PaymentBasis, db: EntityManager = m): Promise<Row> {
    const [content, contract] = await Promise.all([
      currentContent(db, 'payment-basis', p.id),
      db.getRepository(ExpenseContractEntity).findOne({ where: { id: p.expenseContractId }, select: { id: true, contractNo: true } }),
    ]);
    const c = (content?.content ?? {}) as Row;
    return {
      id: p.id,
      paymentBasisNo: p.paymentBasisNo,
      expenseContractId: p.expenseContractId,
      expenseContractNo: contract?.contractNo ?? null,
      apPartnerId: p.apPartnerId,
      status: p.status,
      submissionId: p.externalRef,
      amount: c.amount ?? null,
      completedOn: c.completedOn ?? null,
      description: c.description ?? null,
      accountsImplemented: c.accountsImplemented ?? null,
      attachments: c.attachments ?? [],
      note: c.note ?? null,
      version: p.currentVersion,
      submittedBy: p.submittedBy,
      submittedAt: iso(p.submittedAt),
      updatedAt: iso(p.updatedAt),
    };
  }

  async function communicationDto(r: { id: string; recordNo: string; customerId: string; orderId: string | null; changeOrderId: string | null; serviceRequestId: string | null; occasion: string; currentVersion: number; filedBy: string; filedAt: Date; updatedAt: Date }, db: EntityManager = m): Promise<Row> {
    const content = ((await currentContent(db, 'customer-communication-record', r.id))?.content ?? {}) as Row;
    return {
      id: r.id,
      recordNo: r.recordNo,
      customerId: r.customerId,
      orderId: r.orderId,
      changeOrderId: r.changeOrderId,
      serviceRequestId: r.serviceRequestId,
      occasion: r.occasion,
      networkQuality: content.networkQuality ?? null,
      serviceAttitude: content.serviceAttitude ?? null,
      customerFeedback: content.customerFeedback ?? null,
      followUp: content.followUp ?? null,
      contactPerson: content.contactPerson ?? null,
      note: content.note ?? null,
      version: r.currentVersion,
      filedBy: r.filedBy,
      filedAt: iso(r.filedAt),
      updatedAt: iso(r.updatedAt),
    };
  }

  const serviceRequestDto = (s: import('../db/entities/index').ServiceRequest): Row => ({
    id: s.id,
    requestNo: s.requestNo,
    type: s.requestType,
    status: s.status,
    customerId: s.customerId,
    orderId: s.orderId,
    revenueContractId: s.revenueContractId,
    description: s.description,
    reportedBy: s.reportedBy,
    customerManager: s.customerManager,
    resolution: s.resolution,
    handledBy: s.handledBy,
    handledAt: s.handledAt,
    communicationRecordId: s.communicationRecordId,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    closedAt: iso(s.closedAt),
    processInstanceKey: s.processInstanceKey,
  });

  async function monitoringDto(rows: import('../db/entities/index').AccountMonitoringEntry[]): Promise<Row[]> {
    const contractIds = [...new Set(rows.flatMap((r) => [r.revenueContractId, r.rootContractId]))];
    const contracts = contractIds.length ? await m.getRepository(RevenueContractEntity).find({ where: { id: In(contractIds) }, select: { id: true, contractNo: true } }) : [];
    const nos = new Map(contracts.map((c) => [c.id, c.contractNo]));
    const roots = [...new Set(rows.map((r) => r.rootContractId))];
    const usage = roots.length ? await m.getRepository(AccountUsageMonthlyEntity).find({ where: { revenueContractId: In(roots) }, order: { month: 'ASC' } }) : [];
    return rows.map((r) => ({
      id: r.id,
      revenueContractId: r.revenueContractId,
      revenueContractNo: nos.get(r.revenueContractId) ?? null,
      rootContractId: r.rootContractId,
      orderId: r.orderId,
      changeOrderId: r.changeOrderId,
      kind: r.kind,
      accounts: r.accounts,
      openingDate: r.openingDate,
      enteredBy: r.enteredBy,
      enteredAt: iso(r.enteredAt),
      usage: usage
        .filter((u) => u.revenueContractId === r.rootContractId)
        .map((u) => ({ month: u.month, openedAccounts: u.openedAccounts, activeAccounts: u.activeAccounts, source: u.source, recordedAt: iso(u.updatedAt) })),
    }));
  }

  async function reportDto(r: import('../db/entities/index').MonthlyReport): Promise<Row> {
    const cs = await customersById(r.rows.map((x) => x.customerId));
    return {
      id: r.id,
      month: r.month,
      version: r.version,
      status: r.status,
      rows: r.rows.map((x) => ({ ...x, customerName: cs.get(x.customerId)?.name ?? null })),
      totals: r.totals,
      note: r.note,
      generatedBy: r.generatedBy,
      generatedAt: iso(r.generatedAt),
      publishedBy: r.publishedBy,
      publishedAt: iso(r.publishedAt),
    };
  }

  return {
    idempotency: {
      claim: (req) => claimIdempotencyKey(ds, req, () => new Date()),
      complete: (req, status, body, headers) => completeIdempotencyKey(ds, req, status, body, headers, () => new Date()),
      release: (req) => releaseIdempotencyKey(ds, req),
    },

    // ---------------------------------------------------------------- orders
    async createOrder(actor, input) {
      const { order, customer } = await createOrderGrouped(
        {
          customerId: input.customerId as string,
          modules: input.modules as ServiceModule[],
          accounts: input.accounts as number,
          openingDate: input.openingDate as string,
          termMonths: input.termMonths as number,
          amount: input.amount as number,
          apInvolved: input.apInvolved as boolean,
          apPartnerId: (input.apPartnerId as string | null) ?? null,
          note: (input.note as string) ?? null,
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

    // ---------------------------------------------------------------- change orders
    async createChangeOrder(actor, input) {
      const order = await orders.getOrder(ds, input.orderId as string);
      if (!order) return null;
      const create = () => changeOrders.createChangeOrder(
        ds,
        {
          orderId: input.orderId as string,
          description: input.description as string,
          platformChange: input.platformChange as boolean,
          apScopeChange: input.apScopeChange as boolean,
          accountDelta: input.accountDelta as number,
          modules: (input.modules as ServiceModule[]) ?? null,
          amountDelta: (input.amountDelta as number) ?? null,
          effectiveDate: (input.effectiveDate as string) ?? null,
          note: (input.note as string) ?? null,
        },
        ctxOf(actor, 'change order created'),
      );
      try {
        return (await changeOrdersDto([(await create()).changeOrder]))[0];
      } catch (e) {
        // an order not in service: name its state and the one a change needs
        if (e instanceof ConflictError && typeof e.details.status === 'string')
          throw illegalTransition('order', order.id, e.details.status, 'CHANGE_ORDERED (needs CONTRACT_SIGNED, DELIVERED or COMPLETED)', e.message);
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

    // ---------------------------------------------------------------- contracts
    async getContract(id) {
      const c = await contracts.getContract(ds, id);
      return c ? contractDto(c, c.type) : null;
    },
    async listContracts(f, page) {
      const res = await contracts.listContracts(ds, { type: f.type as ContractType | undefined, orderId: f.orderId, apPartnerId: f.apPartnerId }, page);
      return { ...res, items: res.items.map((c) => contractDto(c, c.type)) };
    },
    async contractVersions(id) {
      const f = await findContract(id);
      if (!f) return null;
      return (await recordHistory(m, f.type === 'REVENUE' ? 'revenue-contract' : 'expense-contract', id)).map(versionDto);
    },

    // ---------------------------------------------------------------- countersign
    async getCountersignForm(id) {
      const f = await countersign.getCountersignForm(ds, id);
      return f ? formDto(f) : null;
    },
    async listCountersignForms(f, page) {
      const res = await countersign.listCountersignForms(ds, { contractId: f.contractId, contractType: f.type as ContractType | undefined }, page);
      return { ...res, items: await Promise.all(res.items.map((x) => formDto(x))) };
    },
    async countersignHistory(id) {
      const f = await findRow(m, CountersignFormEntity, { id });
      return f ? countersignRounds(f.contractType as ContractType, f.contractId) : null;
    },

    // ---------------------------------------------------------------- collaboration task orders
    async getTaskOrder(id) {
      const t = await taskOrders.getTaskOrder(ds, id);
      return t ? taskOrderDto(t) : null;
    },
    async listTaskOrders(f, page) {
      const res = await taskOrders.listTaskOrders(ds, { orderId: f.orderId, status: f.status as TaskOrderStatus | undefined }, page);
      return { ...res, items: await Promise.all(res.items.map(taskOrderDto)) };
    },

    // ---------------------------------------------------------------- payment bases
    async submitPaymentBasis(actor, apPartnerId, input) {
      const contract = await findRow(m, ExpenseContractEntity, { id: input.expenseContractId as string });
      if (!contract || contract.apPartnerId !== apPartnerId) return null;
      try {
        const res = await paymentBases.submitPaymentBasis(
          ds,
          {
            apPartnerId,
            expenseContractNo: contract.contractNo,
            submissionId: input.submissionId as string,
            content: {
              description: input.description as string,
              amount: input.amount as number,
              accountsImplemented: (input.accountsImplemented as number) ?? null,
              completedOn: input.completedOn as string,
              attachments: (input.attachments as string[]) ?? [],
              note: (input.note as string) ?? null,
            },
          },
          ctxOf(actor, 'payment basis submitted by the AP partner'),
        );
        return { created: res.created, record: await paymentBasisDto(res.paymentBasis) };
      } catch (e) {
        // the contract is not waiting for a payment basis (or the last one is under review): name both states
        if (e instanceof ConflictError) {
          const pb = await findRow(m, PaymentBasisEntity, { expenseContractId: contract.id });
          const current = await m.getRepository(ExpenseContractEntity).findOneByOrFail({ id: contract.id });
          throw illegalTransition('expense contract', contract.id, pb ? `${current.status} (payment basis ${pb.status})` : current.status, 'IMPLEMENTED', e.message);
        }
        throw e;
      }
    },
    async getPaymentBasis(id) {
      const p = await findRow(m, PaymentBasisEntity, { id });
      return p ? paymentBasisDto(p) : null;
    },
    async listPaymentBases(f, page) {
      const res = await paymentBases.listPaymentBases(ds, { expenseContractId: f.expenseContractId, apPartnerId: f.apPartnerId }, page);
      return { ...res, items: await Promise.all(res.items.map((p) => paymentBasisDto(p))) };
    },

    // ---------------------------------------------------------------- customer communication records
    async createCommunicationRecord(actor, input) {
      const order = await orders.getOrder(ds, input.orderId as string);
      if (!order) return null;
      let occasion = (input.occasion as CommunicationOccasion | undefined) ?? 'OTHER';
      if (input.serviceRequestId) {
        const sr = await findRow(m, ServiceRequestEntity, { id: input.serviceRequestId as string });
        if (!sr || sr.orderId !== order.id) throw notFound('service request', String(input.serviceRequestId), '/serviceRequestId', 'body');
        occasion = (input.occasion as CommunicationOccasion | undefined) ?? (sr.requestType as CommunicationOccasion);
      }
      const { record } = await communication.fileCommunicationRecord(
        ds,
        {
          customerId: order.customerId,
          orderId: order.id,
          serviceRequestId: (input.serviceRequestId as string) ?? null,
          occasion,
          content: {
            networkQuality: input.networkQuality as communication.CommunicationContent['networkQuality'],
            serviceAttitude: input.serviceAttitude as communication.CommunicationContent['serviceAttitude'],
            customerFeedback: input.customerFeedback as string,
            followUp: (input.followUp as string) ?? null,
            contactPerson: (input.contactPerson as string) ?? null,
            note: (input.note as string) ?? null,
          },
        },
        ctxOf(actor, 'customer communication record filed'),
      );
      return communicationDto(record);
    },
    async getCommunicationRecord(id) {
      const r = await findRow(m, CustomerCommunicationRecordEntity, { id });
      return r ? communicationDto(r) : null;
    },
    async listCommunicationRecords(f, page) {
      const res = await communication.listCommunicationRecords(ds, { orderId: f.orderId, serviceRequestId: f.serviceRequestId }, page);
      return { ...res, items: await Promise.all(res.items.map((r) => communicationDto(r))) };
    },

    // ---------------------------------------------------------------- account monitoring
    async listMonitoringEntries(f, page) {
      const res = await monitoring.listMonitoringEntries(ds, { revenueContractId: f.revenueContractId }, page);
      return { ...res, items: await monitoringDto(res.items) };
    },
    async getMonitoringEntry(id) {
      const e = await monitoring.getMonitoringEntry(ds, id);
      return e ? (await monitoringDto([e]))[0] : null;
    },
    async ingestUsage(actor, items) {
      return monitoring.ingestUsage(
        ds,
        items.map((i) => ({ contractNo: i.revenueContractNo as string, month: i.month as string, openedAccounts: i.openedAccounts as number, activeAccounts: i.activeAccounts as number })),
        { ...ctxOf(actor, 'usage figures from the training platform'), source: 'training-platform' },
      );
    },
    async getMonthlyReport(month) {
      const r = await monitoring.getMonthlyReport(ds, month);
      return r ? reportDto(r) : null;
    },
    async listMonthlyReports(page) {
      const res = await monitoring.listMonthlyReports(ds, page);
      return { ...res, items: await Promise.all(res.items.map(reportDto)) };
    },

    // ---------------------------------------------------------------- service requests
    async createServiceRequest(actor, input) {
      const order = await orders.getOrder(ds, input.orderId as string);
      if (!order) return null;
      const agreement = await m.getRepository(RevenueContractEntity).findOne({ where: { orderId: order.id, kind: 'AGREEMENT' }, order: { createdAt: 'ASC' } });
      const { serviceRequest } = await serviceRequests.logServiceRequest(
        ds,
        { customerId: order.customerId, orderId: order.id, revenueContractId: agreement?.id ?? null, requestType: input.type as ServiceRequestType, description: input.description as string },
        ctxOf(actor, 'service request logged'),
      );
      return serviceRequestDto(serviceRequest);
    },
    async getServiceRequest(id) {
      const s = await serviceRequests.getServiceRequest(ds, id);
      return s ? serviceRequestDto(s) : null;
    },
    async listServiceRequests(f, page) {
      const res = await serviceRequests.listServiceRequests(
        ds,
        { requestType: f.type as ServiceRequestType | undefined, status: f.status as ServiceRequestStatus | undefined, orderId: f.orderId },
        page,
      );
      return { ...res, items: res.items.map(serviceRequestDto) };
    },

    // ---------------------------------------------------------------- calendar
    async getCalendarYear(year) {
      const y = await getCalendarYear(ds, year);
      return y ? { ...y, updatedAt: iso(y.updatedAt) } : null;
    },
    async putCalendarYear(actor, year, doc) {
      const { created } = await uploadCalendarYear(ds, doc as unknown as CalendarYearDocument, ctxOf(actor, (doc.note as string) ?? 'calendar uploaded'));
      return { created, record: (await this.getCalendarYear(year))! };
    },
    async deadline(from, workingDays) {
      return addWorkingDaysDb(ds, from, workingDays);
    },

    async auditRepair(actor, reason, incident, variables) {
      await inTransaction(ds, (em) =>
        audit(em, ctxOf(actor, reason), 'incident.retry', 'process-instance', incident.processInstanceKey, {
          incidentKey: incident.incidentKey,
          elementId: incident.elementId,
          jobKey: incident.jobKey,
          variables,
        }),
      );
    },
    async assertMayReview(roundId, step, username) {
      await assertMayDecide(ds, roundId, step, username);
    },

    // ---------------------------------------------------------------- audit
    async recordVersions(kind, id) {
      if (!isVersionedRecordType(kind)) return null;
      const versions = await recordHistory(m, kind, id);
      return versions.length ? versions.map(versionDto) : null;
    },
    async correctRecord(actor, kind, id, reason, changes) {
      if (!isVersionedRecordType(kind)) return null;
      try {
        const { version } = await inTransaction(ds, (em) => correctVersioned(em, kind, id, changes, ctxOf(actor, reason), { check: checkCorrection(kind) }));
        return versionDto(version);
      } catch (e) {
        if (e instanceof ValidationError && Array.isArray(e.details.fields))
          throw badRequest(e.message, (e.details.fields as string[]).map((f) => ({ in: 'body' as const, pointer: `/changes/${f}`, detail: 'not a correctable field' })));
        throw e;
      }
    },
  };
}
