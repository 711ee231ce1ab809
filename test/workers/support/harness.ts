/**
 * Shared set-up for the worker suites: the test database (test/support/db.ts: DATABASE_URL or SQLite),
 * services with a fixed clock, fixtures, and the "deliver twice / twice concurrently" idempotency check.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import {
  ApPartnerEntity,
  BusinessOrderEntity,
  ChangeOrderEntity,
  CustomerEntity,
  ExpenseContractEntity,
  RevenueContractEntity,
  RecordVersionEntity,
  type ApPartner,
  type BusinessOrder,
  type ChangeOrder,
  type ExpenseContract,
  type RevenueContract,
} from '../../../db/entities/index';
import { inTransaction } from '../../../db/transaction';
import { nextNumber } from '../../../domain/numbering';
import { closeTestDataSource, openTestDataSource, resetDatabase, useTestDatabase } from '../../support/db';
import { executeJob } from '../../../workers/runtime/adapter';
import { DEFAULT_WORKER_SETTINGS, silentLogger, type HandlerDef, type JobView, type Services } from '../../../workers/runtime/job';
import type { Outcome } from '../../../workers/runtime/outcome';
import type { HttpClient } from '../../../platform/http/client';
import type { TaskActorResolver } from '../../../workers/runtime/actor';
import { newOrderLifecycleFields } from '../../../domain/order-lifecycle';

export { openTestDataSource, resetDatabase, closeTestDataSource, useTestDatabase };

let jobSeq = 2251799813700000n;
export function nextKey(): string {
  jobSeq += 1n;
  return jobSeq.toString();
}

export function makeJob(type: string, variables: Record<string, unknown>, extra: Partial<JobView> = {}): JobView {
  return {
    key: nextKey(),
    type,
    variables,
    customHeaders: {},
    processInstanceKey: '2251799813690001',
    elementId: 'test-element',
    retries: 5,
    ...extra,
  };
}

export function fixedClock(iso: string) {
  let now = new Date(iso);
  return { now: () => new Date(now), set: (s: string) => (now = new Date(s)) };
}

export function makeServices(ds: DataSource, over: Partial<Services> & { http?: HttpClient; actors?: TaskActorResolver } = {}): Services {
  return {
    settings: DEFAULT_WORKER_SETTINGS,
    dataSource: ds,
    clock: fixedClock('2026-03-10T02:00:00Z'),
    http: async (req) => {
      throw new Error(`unexpected HTTP ${req.method} ${req.url}`);
    },
    actors: { resolveAssignee: async () => null },
    log: silentLogger,
    ...over,
  };
}

/** the variables of a complete outcome (fails the test otherwise) */
export function completedVars(o: Outcome): Record<string, any> {
  expect(o.kind, JSON.stringify(o)).to.equal('complete');
  return (o as { variables: Record<string, any> }).variables;
}

export async function deliver(def: HandlerDef, job: JobView, services: Services): Promise<Outcome> {
  return executeJob(def, job, services);
}

/**
 * Delivers `job` twice in a row and then twice at once (a second job with the same key), and checks:
 * the same outcome every time, and `count()` (rows the handler writes) unchanged after the first.
 */
export async function expectIdempotent(
  def: HandlerDef,
  job: JobView,
  services: Services,
  count: () => Promise<Record<string, number>>,
): Promise<{ outcome: Outcome; counts: Record<string, number> }> {
  const before = await count();
  const [a, b] = await Promise.all([deliver(def, job, services), deliver(def, { ...job }, services)]);
  expect(b, 'concurrent deliveries return the same outcome').to.deep.equal(a);
  const afterConcurrent = await count();
  const c = await deliver(def, job, services);
  expect(c, 'a later redelivery returns the same outcome').to.deep.equal(a);
  const afterAll = await count();
  expect(afterAll, 'a redelivery writes nothing').to.deep.equal(afterConcurrent);
  expect(afterAll, 'the first delivery wrote something').to.not.deep.equal(before);
  return { outcome: a, counts: afterAll };
}

export async function rowCount(ds: DataSource, table: string, where = '1=1', params: unknown[] = []): Promise<number> {
  const rows = await ds.query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params);
  return Number(rows[0].n);
}

// ---- fixtures --------------------------------------------------------------------------------------

export interface World {
  customerId: string;
  partner: ApPartner;
  order: BusinessOrder;
}

export async function seedWorld(
  ds: DataSource,
  opts: { partner?: Partial<ApPartner>; order?: Partial<BusinessOrder> } = {},
): Promise<World> {
  const now = new Date('2026-03-01T02:00:00Z');
  const customerId = randomUUID();
  await ds.getRepository(CustomerEntity).insert({
    id: customerId,
    name: '上海某某科技有限公司',
    code: `C-${customerId.slice(0, 8)}`,
    contactName: '王女士',
    contactPhone: '021-5555 0101',
    customerManager: 'cm.li',
    createdAt: now,
    updatedAt: now,
  });
  const partner: ApPartner = {
    id: randomUUID(),
    name: '某AP平台公司',
    code: `AP-${customerId.slice(0, 6)}`,
    endpointUrl: 'https://ap.example.test/implementation-requests',
    hmacSecret: 'ap-shared-secret-0123456789',
    status: 'ACTIVE',
    terms: { pricePerAccountMonth: 12.5, slaDuration: 'P7D', paymentDays: 30 },
    createdAt: now,
    updatedAt: now,
    ...opts.partner,
  };
  await ds.getRepository(ApPartnerEntity).insert(partner as never);
  const order = await inTransaction(ds, async (em) => {
    const orderNo = await nextNumber(em, 'business-order', 2026);
    const o: BusinessOrder = {
      id: randomUUID(),
      orderNo,
      customerId,
      customerManager: 'cm.li',
      modules: ['learning-management', 'virtual-classroom'],
      accounts: 200,
      openingDate: '2026-04-01',
      termMonths: 12,
      amount: 48000,
      apInvolved: true,
      apPartnerId: partner.id,
      note: null,
      ...newOrderLifecycleFields('cm.li', now),
      processInstanceKey: '2251799813690001',
      ...opts.order,
    };
    await em.getRepository(BusinessOrderEntity).insert(o as never);
    await em.getRepository(RecordVersionEntity).insert({
      id: randomUUID(),
      recordType: 'business-order',
      recordId: o.id,
      version: 1,
      content: {
        customerId,
        modules: o.modules,
        accounts: o.accounts,
        openingDate: o.openingDate,
        termMonths: o.termMonths,
        amount: o.amount,
        apInvolved: o.apInvolved,
        apPartnerId: o.apPartnerId,
        note: o.note,
      },
      actor: 'cm.li',
      at: now,
      reason: null,
    } as never);
    return o;
  });
  return { customerId, partner, order };
}

export async function seedRevenueContract(
  ds: DataSource,
  order: BusinessOrder,
  over: Partial<RevenueContract> = {},
): Promise<RevenueContract> {
  const now = new Date('2026-03-02T02:00:00Z');
  return inTransaction(ds, async (em) => {
    const c: RevenueContract = {
      id: randomUUID(),
      contractNo: await nextNumber(em, 'revenue-contract', 2026),
      kind: 'AGREEMENT',
      orderId: order.id,
      changeOrderId: null,
      parentContractId: null,
      status: 'DRAFT',
      title: '在线培训服务协议',
      amount: order.amount,
      termMonths: order.termMonths,
      note: null,
      signedDate: null,
      countersignFormNo: null,
      rejectionReason: null,
      currentVersion: 1,
      createdBy: 'cm.li',
      createdAt: now,
      updatedAt: now,
      ...over,
    };
    await em.getRepository(RevenueContractEntity).insert(c as never);
    await em.getRepository(RecordVersionEntity).insert({
      id: randomUUID(),
      recordType: 'revenue-contract',
      recordId: c.id,
      version: 1,
      content: { title: c.title, amount: c.amount, termMonths: c.termMonths, note: c.note },
      actor: 'cm.li',
      at: now,
      reason: null,
    } as never);
    return c;
  });
}

export async function seedExpenseContract(
  ds: DataSource,
  order: BusinessOrder,
  partner: ApPartner,
  over: Partial<ExpenseContract> = {},
): Promise<ExpenseContract> {
  const now = new Date('2026-03-02T02:00:00Z');
  return inTransaction(ds, async (em) => {
    const c: ExpenseContract = {
      id: randomUUID(),
      contractNo: await nextNumber(em, 'expense-contract', 2026),
      kind: 'AGREEMENT',
      orderId: order.id,
      changeOrderId: null,
      parentContractId: null,
      apPartnerId: partner.id,
      status: 'APPROVED',
      title: '在线培训AP服务支出合同',
      amount: 30000,
      note: null,
      countersignFormNo: null,
      rejectionReason: null,
      implementationRequestedAt: null,
      slaDuration: 'P7D',
      currentVersion: 1,
      createdBy: 'system:worker',
      createdAt: now,
      updatedAt: now,
      ...over,
    };
    await em.getRepository(ExpenseContractEntity).insert(c as never);
    await em.getRepository(RecordVersionEntity).insert({
      id: randomUUID(),
      recordType: 'expense-contract',
      recordId: c.id,
      version: 1,
      content: { title: c.title, amount: c.amount, note: c.note },
      actor: 'system:worker',
      at: now,
      reason: null,
    } as never);
    return c;
  });
}

export async function seedChangeOrder(ds: DataSource, order: BusinessOrder, over: Partial<ChangeOrder> = {}): Promise<ChangeOrder> {
  const now = new Date('2026-05-02T02:00:00Z');
  return inTransaction(ds, async (em) => {
    const c: ChangeOrder = {
      id: randomUUID(),
      changeOrderNo: await nextNumber(em, 'change-order', 2026),
      orderId: order.id,
      customerManager: order.customerManager,
      description: '增加50个账号，开通直播培训',
      platformChange: true,
      apScopeChange: true,
      apPartnerId: order.apPartnerId,
      accountDelta: 50,
      modules: ['learning-management', 'virtual-classroom', 'live-training'],
      amountDelta: 12000,
      effectiveDate: '2026-06-01',
      note: null,
      ...newOrderLifecycleFields(order.customerManager, now),
      processInstanceKey: '2251799813690002',
      ...over,
    };
    await em.getRepository(ChangeOrderEntity).insert(c as never);
    await em.getRepository(RecordVersionEntity).insert({
      id: randomUUID(),
      recordType: 'change-order',
      recordId: c.id,
      version: 1,
      content: {
        description: c.description,
        platformChange: c.platformChange,
        apScopeChange: c.apScopeChange,
        apPartnerId: c.apPartnerId,
        accountDelta: c.accountDelta,
        modules: c.modules,
        amountDelta: c.amountDelta,
        effectiveDate: c.effectiveDate,
        note: c.note,
      },
      actor: order.customerManager,
      at: now,
      reason: null,
    } as never);
    return c;
  });
}
