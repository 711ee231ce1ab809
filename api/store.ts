/**
 * The ApiStore over db/ and domain/: each route operation as reads and transactions on the entities,
 * using the domain's building blocks (numbering, versioned records, outbox, audit, status transitions).
 *
 * Functions marked "API-side for now" are domain operations that domain/ does not offer yet; they are
 * kept behind this boundary so they can move to domain/ without touching the routes.
 */
import { randomUUID } from 'node:crypto';
import { In, type DataSource, type EntityManager, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import {
  AccountMonitoringEntryEntity,
  AccountUsageMonthlyEntity,
  BusinessOrderEntity,
  CollaborationTaskOrderEntity,
  CollaborationTaskOrderEventEntity,
  CountersignDecisionEntity,
  CountersignFormEntity,
  CountersignRoundEntity,
  CustomerCommunicationRecordEntity,
  CustomerEntity,
  ExpenseContractEntity,
  MonthlyReportEntity,
  PaymentBasisEntity,
  ProcessedJobEntity,
  RevenueContractEntity,
  ServiceRequestEntity,
  type BusinessOrder,
  type ChangeOrder,
  type Customer,
  type ExpenseContract,
  type PaymentBasis,
  type RevenueContract,
} from '../db/entities/index';
import { inTransaction } from '../db/transaction';
import { audit, type WriteContext } from '../domain/audit';
import { ValidationError } from '../domain/errors';
import { nextNumber } from '../domain/numbering';
import { enqueueCommand } from '../domain/outbox';
import { correctRecord as correctVersioned, createVersionedRecord, currentContent, findForUpdate, isVersionedRecordType, recordHistory } from '../domain/records';
import { MESSAGE, type ContractType, type ServiceModule } from '../domain/vocabulary';
import * as orders from '../domain/orders';
import * as changeOrders from '../domain/change-orders';
import * as contracts from '../domain/contracts';
import * as communication from '../domain/communication-records';
import type { CommunicationOccasion } from '../db/entities/index';
import { addWorkingDaysDb, getCalendarYear, uploadCalendarYear, type CalendarYearDocument } from '../domain/calendar';
import type { OrderStatus } from '../domain/order-status';
import { badRequest, illegalTransition, notFound } from './problem';
import type { Actor, ApiStore, Page, PageOf, RecordVersion, Row } from './services';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
const ctxOf = (actor: Actor, reason: string | null = null): WriteContext => ({ actor: actor.username, reason, at: new Date() });

async function paged<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, page: Page, map: (rows: T[]) => Promise<Row[]> | Row[]): Promise<PageOf<Row>> {
  const [rows, total] = await qb.skip(page.offset).take(page.limit).getManyAndCount();
  return { items: await map(rows), total, limit: page.limit, offset: page.offset };
}

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

export function createStore(ds: DataSource): ApiStore {
  const m = ds.manager;

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

  async function countersignDecisions(roundIds: string[]): Promise<Map<string, Row[]>> {
    const out = new Map<string, Row[]>();
    if (!roundIds.length) return out;
    const rows = await m.getRepository(CountersignDecisionEntity).find({ where: { roundId: In(roundIds) }, order: { decidedAt: 'ASC' } });
    for (const d of rows) {
      const list = out.get(d.roundId) ?? [];
      list.push({ step: d.step, decision: d.decision, opinion: d.opinion, reviewer: d.actor, decidedAt: iso(d.decidedAt) });
      out.set(d.roundId, list);
    }
    return out;
  }

  async function countersignRounds(contractType: string, contractId: string): Promise<Row[]> {
    const rounds = await m.getRepository(CountersignRoundEntity).find({ where: { contractType, contractId }, order: { roundNo: 'ASC' } });
    const decisions = await countersignDecisions(rounds.map((r) => r.id));
    return rounds.map((r) => ({
      round: r.roundNo,
      status: r.status,
      contractVersion: r.contractVersion,
      rejectionReason: r.rejectionReason,
      openedAt: iso(r.openedAt),
      closedAt: iso(r.closedAt),
      decisions: decisions.get(r.id) ?? [],
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
      rounds: await countersignRounds(f.contractType, f.contractId),
    };
  }

  async function taskOrderDto(t: { id: string; taskOrderNo: string; orderId: string; changeOrderId: string | null; status: string; request: Record<string, unknown>; issuedBy: string; issuedAt: Date; updatedAt: Date }): Promise<Row> {
    const events = await m.getRepository(CollaborationTaskOrderEventEntity).find({ where: { taskOrderId: t.id }, order: { seq: 'ASC' } });
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
    // ---------------------------------------------------------------- orders
    async createOrder(actor, input) {
      const { order } = await orders.createOrder(
        ds,
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
      return (await ordersDto([order]))[0];
    },
    async getOrder(id) {
      const o = await orders.getOrder(ds, id);
      return o ? (await ordersDto([o]))[0] : null;
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
      if (!(await orders.getOrder(ds, input.orderId as string))) return null;
      const { changeOrder } = await changeOrders.createChangeOrder(
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
      return (await changeOrdersDto([changeOrder]))[0];
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
      const f = await m.getRepository(CountersignFormEntity).findOneBy({ id });
      return f ? formDto(f) : null;
    },
    async listCountersignForms(f, page) {
      const qb = m.getRepository(CountersignFormEntity).createQueryBuilder('f');
      if (f.contractId) qb.andWhere('f.contractId = :cid', { cid: f.contractId });
      if (f.type) qb.andWhere('f.contractType = :t', { t: f.type });
      qb.orderBy('f.issuedAt', 'DESC').addOrderBy('f.id', 'ASC');
      return paged(qb, page, (rows) => Promise.all(rows.map(formDto)));
    },
    async countersignHistory(id) {
      const f = await m.getRepository(CountersignFormEntity).findOneBy({ id });
      return f ? countersignRounds(f.contractType, f.contractId) : null;
    },

    // ---------------------------------------------------------------- collaboration task orders
    async getTaskOrder(id) {
      const t = await m.getRepository(CollaborationTaskOrderEntity).findOneBy({ id });
      return t ? taskOrderDto(t) : null;
    },
    async listTaskOrders(f, page) {
      const qb = m.getRepository(CollaborationTaskOrderEntity).createQueryBuilder('t');
      if (f.orderId) qb.andWhere('t.orderId = :oid', { oid: f.orderId });
      if (f.status) qb.andWhere('t.status = :s', { s: f.status });
      qb.orderBy('t.issuedAt', 'DESC').addOrderBy('t.id', 'ASC');
      return paged(qb, page, (rows) => Promise.all(rows.map(taskOrderDto)));
    },

    // ---------------------------------------------------------------- payment bases
    async submitPaymentBasis(actor, apPartnerId, input) {
      return submitPaymentBasisApiSide(ds, actor, apPartnerId, input, paymentBasisDto);
    },
    async getPaymentBasis(id) {
      const p = await m.getRepository(PaymentBasisEntity).findOneBy({ id });
      return p ? paymentBasisDto(p) : null;
    },
    async listPaymentBases(f, page) {
      const qb = m.getRepository(PaymentBasisEntity).createQueryBuilder('p');
      if (f.expenseContractId) qb.andWhere('p.expenseContractId = :cid', { cid: f.expenseContractId });
      if (f.apPartnerId) qb.andWhere('p.apPartnerId = :ap', { ap: f.apPartnerId });
      qb.orderBy('p.submittedAt', 'DESC').addOrderBy('p.id', 'ASC');
      return paged(qb, page, (rows) => Promise.all(rows.map((p) => paymentBasisDto(p))));
    },

    // ---------------------------------------------------------------- customer communication records
    async createCommunicationRecord(actor, input) {
      const order = await orders.getOrder(ds, input.orderId as string);
      if (!order) return null;
      let occasion = (input.occasion as CommunicationOccasion | undefined) ?? 'OTHER';
      if (input.serviceRequestId) {
        const sr = await m.getRepository(ServiceRequestEntity).findOneBy({ id: input.serviceRequestId as string });
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
            networkQuality: input.networkQuality as string,
            serviceAttitude: input.serviceAttitude as string,
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
      const r = await m.getRepository(CustomerCommunicationRecordEntity).findOneBy({ id });
      return r ? communicationDto(r) : null;
    },
    async listCommunicationRecords(f, page) {
      const res = await communication.listCommunicationRecords(ds, { orderId: f.orderId, serviceRequestId: f.serviceRequestId }, page);
      return { ...res, items: await Promise.all(res.items.map((r) => communicationDto(r))) };
    },

    // ---------------------------------------------------------------- account monitoring
    async listMonitoringEntries(f, page) {
      const qb = m.getRepository(AccountMonitoringEntryEntity).createQueryBuilder('e');
      if (f.revenueContractId) qb.andWhere('(e.revenueContractId = :cid OR e.rootContractId = :cid)', { cid: f.revenueContractId });
      qb.orderBy('e.enteredAt', 'DESC').addOrderBy('e.id', 'ASC');
      return paged(qb, page, monitoringDto);
    },
    async getMonitoringEntry(id) {
      const e = await m.getRepository(AccountMonitoringEntryEntity).findOneBy({ id });
      return e ? (await monitoringDto([e]))[0] : null;
    },
    async ingestUsage(actor, items) {
      return ingestUsageApiSide(ds, actor, items);
    },
    async getMonthlyReport(month) {
      const r = await m.getRepository(MonthlyReportEntity).findOne({ where: { month }, order: { version: 'DESC' } });
      return r ? reportDto(r) : null;
    },
    async listMonthlyReports(page) {
      // the latest version of each month
      const latest = await m
        .getRepository(MonthlyReportEntity)
        .createQueryBuilder('r')
        .select('r.month', 'month')
        .addSelect('MAX(r.version)', 'version')
        .groupBy('r.month')
        .orderBy('r.month', 'DESC')
        .getRawMany<{ month: string; version: number | string }>();
      const slice = latest.slice(page.offset, page.offset + page.limit);
      const rows = await Promise.all(slice.map((l) => m.getRepository(MonthlyReportEntity).findOneByOrFail({ month: l.month, version: Number(l.version) })));
      return { items: await Promise.all(rows.map(reportDto)), total: latest.length, limit: page.limit, offset: page.offset };
    },

    // ---------------------------------------------------------------- service requests
    async createServiceRequest(actor, input) {
      return inTransaction(ds, async (em) => {
        const order = await em.getRepository(BusinessOrderEntity).findOneBy({ id: input.orderId as string });
        if (!order) return null;
        const at = new Date();
        const contract = await em.getRepository(RevenueContractEntity).findOne({ where: { orderId: order.id, kind: 'AGREEMENT' }, order: { createdAt: 'ASC' } });
        const row = {
          id: randomUUID(),
          requestNo: await nextNumber(em, 'service-request'),
          customerId: order.customerId,
          orderId: order.id,
          revenueContractId: contract?.id ?? null,
          requestType: input.type as string,
          status: 'LOGGED' as const,
          description: input.description as string,
          customerManager: order.customerManager,
          reportedBy: input.reportedBy as string,
          resolution: null,
          handledBy: null,
          handledAt: null,
          communicationRecordId: null,
          processInstanceKey: null,
          closedAt: null,
          createdAt: at,
          updatedAt: at,
        };
        await em.getRepository(ServiceRequestEntity).insert(row);
        await audit(em, { actor: actor.username, reason: 'service request logged', at }, 'service-request.create', 'service-request', row.id, { requestNo: row.requestNo });
        await enqueueCommand(
          em,
          {
            kind: 'publish-message',
            name: MESSAGE.serviceRequestLogged,
            correlationKey: row.requestNo,
            variables: { serviceRequestId: row.id, requestNo: row.requestNo, requestType: row.requestType, customerManager: row.customerManager },
          },
          at,
        );
        return serviceRequestDto(row);
      });
    },
    async getServiceRequest(id) {
      const s = await m.getRepository(ServiceRequestEntity).findOneBy({ id });
      return s ? serviceRequestDto(s) : null;
    },
    async listServiceRequests(f, page) {
      const qb = m.getRepository(ServiceRequestEntity).createQueryBuilder('s');
      if (f.type) qb.andWhere('s.requestType = :t', { t: f.type });
      if (f.status) qb.andWhere('s.status = :st', { st: f.status });
      if (f.orderId) qb.andWhere('s.orderId = :oid', { oid: f.orderId });
      qb.orderBy('s.createdAt', 'DESC').addOrderBy('s.id', 'ASC');
      return paged(qb, page, (rows) => rows.map(serviceRequestDto));
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

    // ---------------------------------------------------------------- audit
    async recordVersions(kind, id) {
      if (!isVersionedRecordType(kind)) return null;
      const versions = await recordHistory(m, kind, id);
      return versions.length ? versions.map(versionDto) : null;
    },
    async correctRecord(actor, kind, id, reason, changes) {
      if (!isVersionedRecordType(kind)) return null;
      try {
        const { version } = await inTransaction(ds, (em) => correctVersioned(em, kind, id, changes, ctxOf(actor, reason)));
        return versionDto(version);
      } catch (e) {
        if (e instanceof ValidationError && Array.isArray(e.details.fields))
          throw badRequest(e.message, (e.details.fields as string[]).map((f) => ({ in: 'body' as const, pointer: `/changes/${f}`, detail: 'not a correctable field' })));
        throw e;
      }
    },
  };
}

// ------------------------------------------------------------------ API-side for now (candidates for domain/)

const PAYMENT_BASIS_SUBMISSION = 'api.payment-basis-submission';

/**
 * An AP partner's payment basis for its expense contract: the record (version 1, or a new version after
 * a send-back) and the publish of `ap-implementation-completed` (correlation key = expense contract number,
 * messageId derived from the submission) in one transaction. A repeated submission (same partner and
 * submissionId) returns the first result and writes nothing.
 */
export async function submitPaymentBasisApiSide(
  ds: DataSource,
  actor: Actor,
  apPartnerId: string,
  input: Row,
  dto: (p: PaymentBasis, em: EntityManager) => Promise<Row>,
): Promise<{ created: boolean; record: Row } | null> {
  const submissionId = input.submissionId as string;
  const key = `${apPartnerId}:${submissionId}`;
  return inTransaction(ds, async (em) => {
    const done = await em.getRepository(ProcessedJobEntity).findOneBy({ jobType: PAYMENT_BASIS_SUBMISSION, idempotencyKey: key });
    if (done) {
      const p = await em.getRepository(PaymentBasisEntity).findOneByOrFail({ id: String(done.result?.paymentBasisId) });
      return { created: false, record: await dto(p, em) };
    }
    const contract = await findForUpdate(em, ExpenseContractEntity, { id: input.expenseContractId as string });
    if (!contract || contract.apPartnerId !== apPartnerId) return null;
    const ctx = ctxOf(actor, 'payment basis submitted by the AP partner');
    const at = ctx.at!;
    const content: Row = {
      amount: input.amount,
      completedOn: input.completedOn,
      description: input.description,
      accountsImplemented: input.accountsImplemented ?? null,
      attachments: input.attachments ?? [],
      note: input.note ?? null,
    };
    const existing = await findForUpdate(em, PaymentBasisEntity, { expenseContractId: contract.id });
    let basis: PaymentBasis;
    if (!existing) {
      if (contract.status !== 'IMPLEMENTATION_REQUESTED') throw illegalTransition('expense contract', contract.id, contract.status, 'IMPLEMENTED');
      ({ record: basis } = await createVersionedRecord(
        em,
        'payment-basis',
        {
          id: randomUUID(),
          paymentBasisNo: await nextNumber(em, 'payment-basis'),
          expenseContractId: contract.id,
          apPartnerId,
          status: 'SUBMITTED' as const,
          externalRef: submissionId,
          currentVersion: 1,
          submittedBy: actor.username,
          submittedAt: at,
          updatedAt: at,
        },
        ctx,
        content,
      ));
    } else {
      if (existing.status !== 'SENT_BACK') throw illegalTransition('payment basis', existing.id, existing.status, 'SUBMITTED');
      ({ record: basis } = await correctVersioned<PaymentBasis>(em, 'payment-basis', existing.id, content, { ...ctx, reason: 'resubmitted by the AP partner after a send-back' }, {
        action: 'payment-basis.resubmit',
        headerPatch: { status: 'SUBMITTED', externalRef: submissionId, submittedBy: actor.username, submittedAt: at },
      }));
    }
    const messageId = `${MESSAGE.apImplementationCompleted}:${apPartnerId}:${submissionId}`;
    await enqueueCommand(
      em,
      {
        kind: 'publish-message',
        name: MESSAGE.apImplementationCompleted,
        correlationKey: contract.contractNo,
        variables: { paymentBasisId: basis.id, paymentBasisNo: basis.paymentBasisNo },
        messageId,
        dedupeKey: messageId,
      },
      at,
    );
    await em.getRepository(ProcessedJobEntity).insert({ jobType: PAYMENT_BASIS_SUBMISSION, idempotencyKey: key, result: { paymentBasisId: basis.id }, processedAt: at });
    return { created: true, record: await dto(basis, em) };
  });
}

/**
 * Usage figures per revenue contract number and month, upserted on the root contract of its account
 * monitoring entry; the same figures again change nothing. Unknown contract numbers reject the batch
 * (nothing written) naming each offending item.
 */
export async function ingestUsageApiSide(ds: DataSource, actor: Actor, items: Row[]) {
  return inTransaction(ds, async (em) => {
    const nos = [...new Set(items.map((i) => i.revenueContractNo as string))];
    const contracts = await em.getRepository(RevenueContractEntity).find({ where: { contractNo: In(nos) }, select: { id: true, contractNo: true } });
    const byNo = new Map(contracts.map((c) => [c.contractNo, c.id]));
    const entries = contracts.length
      ? await em.getRepository(AccountMonitoringEntryEntity).find({ where: { revenueContractId: In(contracts.map((c) => c.id)) } })
      : [];
    const rootOf = new Map(entries.map((e) => [e.revenueContractId, e.rootContractId]));
    const unknown = items
      .map((it, i) => [it, i] as const)
      .filter(([it]) => !rootOf.has(byNo.get(it.revenueContractNo as string) ?? ''))
      .map(([it, i]) => ({ in: 'body' as const, pointer: `/items/${i}/revenueContractNo`, detail: `${it.revenueContractNo} has no account monitoring entry` }));
    if (unknown.length) throw badRequest('unknown revenue contracts', unknown);
    const at = new Date();
    const repo = em.getRepository(AccountUsageMonthlyEntity);
    let inserted = 0, updated = 0, unchanged = 0;
    for (const it of items) {
      const root = rootOf.get(byNo.get(it.revenueContractNo as string)!)!;
      const month = it.month as string;
      const existing = await repo.findOneBy({ revenueContractId: root, month });
      const figures = { openedAccounts: it.openedAccounts as number, activeAccounts: it.activeAccounts as number };
      if (!existing) {
        await repo.insert({ id: randomUUID(), revenueContractId: root, month, ...figures, source: 'training-platform', recordedBy: actor.username, recordedAt: at, updatedAt: at });
        inserted++;
      } else if (existing.openedAccounts === figures.openedAccounts && existing.activeAccounts === figures.activeAccounts) {
        unchanged++;
      } else {
        await repo.update({ id: existing.id }, { ...figures, recordedBy: actor.username, updatedAt: at });
        updated++;
      }
    }
    if (inserted + updated > 0)
      await audit(em, { actor: actor.username, reason: 'usage figures from the training platform', at }, 'account-usage.ingest', 'account-usage-monthly', nos.join(',').slice(0, 36), {
        inserted,
        updated,
        unchanged,
      });
    return { inserted, updated, unchanged };
  });
}
