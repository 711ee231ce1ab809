/**
 * Data for the API tests: two AP partners (alpha, beta → demo users ap-alpha, ap-beta), a customer, and
 * a small world of records made through the domain services where they exist (orders, contracts) and
 * written directly where the records are the workers' output (countersign, task orders, monitoring,
 * monthly report).
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  AccountMonitoringEntryEntity,
  ApPartnerEntity,
  BusinessOrderEntity,
  CollaborationTaskOrderEntity,
  CollaborationTaskOrderEventEntity,
  CountersignDecisionEntity,
  CountersignRoundEntity,
  CustomerEntity,
  ExpenseContractEntity,
  MonthlyReportEntity,
  TABLES,
} from '../../db/index';
import { markImplementationRequested } from '../../domain/ap-implementation';
import { draftExpenseContract, draftRevenueContract } from '../../domain/contracts';
import { createOrder } from '../../domain/orders';
import { createVersionedRecord } from '../../domain/records';
import { inTransaction } from '../../db/transaction';
import { resetDatabase } from '../support/db';

export const AP_ALPHA = '0a000000-0000-4000-8000-0000000000a1';
export const AP_BETA = '0b000000-0000-4000-8000-0000000000b2';
export const CUSTOMER = 'c0000000-0000-4000-8000-000000000001';

/** Empty database + the two AP partners and one customer. */
export async function resetApiData(ds: DataSource): Promise<void> {
  await resetDatabase(ds);
  const at = new Date();
  const partner = (id: string, code: string, name: string) => ({
    id,
    code,
    name,
    endpointUrl: `http://127.0.0.1:9/${code}`,
    hmacSecret: `secret-${code}-0123456789`,
    status: 'ACTIVE' as const,
    terms: { pricePerAccountMonth: 2, slaDuration: 'P10D' },
    createdAt: at,
    updatedAt: at,
  });
  await ds.getRepository(ApPartnerEntity).insert([partner(AP_ALPHA, 'alpha', 'Alpha 学习云'), partner(AP_BETA, 'beta', 'Beta 在线')]);
  await ds.getRepository(CustomerEntity).insert({
    id: CUSTOMER,
    name: '上海示例科技有限公司',
    code: '91310000MA1EXAMPLE',
    contactName: '王经理',
    contactPhone: '021-00000000',
    customerManager: 'customer-manager',
    createdAt: at,
    updatedAt: at,
  });
}

export interface World {
  orderA: string;
  orderANo: string;
  orderB: string;
  revenueA: string;
  revenueANo: string;
  expenseA: string;
  expenseANo: string;
  expenseB: string;
  formA: string;
  taskOrderA: string;
  entryA: string;
  reportMonth: string;
}

const ctx = { actor: 'customer-manager', reason: 'test fixture' };

/** Two orders in service (A with AP alpha, B with AP beta) and their records. */
export async function seedWorld(ds: DataSource): Promise<World> {
  const order = async (ap: string) => {
    const { order } = await createOrder(
      ds,
      {
        customerId: CUSTOMER,
        modules: ['learning-management'],
        accounts: 100,
        openingDate: '2026-10-08',
        termMonths: 12,
        amount: 120000,
        apInvolved: true,
        apPartnerId: ap,
      },
      ctx,
    );
    await ds.getRepository(BusinessOrderEntity).update({ id: order.id }, { status: 'CONFIRMED' });
    return order;
  };
  const a = await order(AP_ALPHA);
  const b = await order(AP_BETA);
  const revA = await draftRevenueContract(ds, { orderId: a.id, title: '在线培训服务协议 A', amount: 120000, termMonths: 12 }, ctx);
  await draftRevenueContract(ds, { orderId: b.id, title: '在线培训服务协议 B', amount: 99000, termMonths: 12 }, ctx);
  await ds.getRepository(BusinessOrderEntity).update({ id: a.id }, { status: 'CONTRACT_SIGNED' });
  await ds.getRepository(BusinessOrderEntity).update({ id: b.id }, { status: 'CONTRACT_SIGNED' });
  const expense = async (orderId: string) => {
    const c = await draftExpenseContract(ds, { orderId, amount: 24000 }, ctx);
    await ds.getRepository(ExpenseContractEntity).update({ id: c.id }, { status: 'APPROVED' });
    return markImplementationRequested(ds, c.id, 'P10D', ctx);
  };
  const expA = await expense(a.id);
  const expB = await expense(b.id);

  const at = new Date();
  const roundIds = [randomUUID(), randomUUID()];
  await ds.getRepository(CountersignRoundEntity).insert([
    {
      id: roundIds[0],
      contractType: 'REVENUE',
      contractId: revA.id,
      contractNo: revA.contractNo,
      orderNo: a.orderNo,
      roundNo: 1,
      processInstanceKey: '2251799813685001',
      contractVersion: 1,
      status: 'REJECTED',
      rejectionReason: '金额需复核',
      openedAt: at,
      closedAt: at,
    },
    {
      id: roundIds[1],
      contractType: 'REVENUE',
      contractId: revA.id,
      contractNo: revA.contractNo,
      orderNo: a.orderNo,
      roundNo: 2,
      processInstanceKey: '2251799813685002',
      contractVersion: 2,
      status: 'APPROVED',
      rejectionReason: null,
      openedAt: at,
      closedAt: at,
    },
  ]);
  await ds.getRepository(CountersignDecisionEntity).insert([
    {
      id: randomUUID(),
      roundId: roundIds[0],
      step: 'DEPT_MANAGER',
      decision: 'REJECT',
      opinion: '金额需复核',
      actor: 'dept-manager',
      decidedAt: at,
    },
    {
      id: randomUUID(),
      roundId: roundIds[1],
      step: 'DEPT_MANAGER',
      decision: 'APPROVE',
      opinion: '同意',
      actor: 'dept-manager',
      decidedAt: at,
    },
    { id: randomUUID(), roundId: roundIds[1], step: 'CENTER', decision: 'APPROVE', opinion: null, actor: 'center-reviewer', decidedAt: at },
  ]);
  const formId = randomUUID();
  await inTransaction(ds, (em) =>
    createVersionedRecord(
      em,
      'countersign-form',
      {
        id: formId,
        formNo: 'HQ-SR-2026-0001',
        contractType: 'REVENUE',
        contractId: revA.id,
        roundId: roundIds[1],
        currentVersion: 1,
        issuedBy: 'system:worker',
        issuedAt: at,
      },
      { actor: 'system:worker' },
      { contractNo: revA.contractNo, contractTitle: revA.title, contractAmount: 120000 },
    ),
  );
  const taskOrderId = randomUUID();
  await ds.getRepository(CollaborationTaskOrderEntity).insert({
    id: taskOrderId,
    taskOrderNo: 'XZ-2026-0001',
    orderId: a.id,
    changeOrderId: null,
    status: 'REPLIED',
    request: { modules: ['learning-management'], accounts: 100 },
    issuedBy: 'system:worker',
    issuedAt: at,
    updatedAt: at,
  });
  await ds.getRepository(CollaborationTaskOrderEventEntity).insert([
    { id: randomUUID(), taskOrderId, seq: 1, kind: 'ISSUED', text: null, configuredAt: null, actor: 'system:worker', at },
    {
      id: randomUUID(),
      taskOrderId,
      seq: 2,
      kind: 'REPLY',
      text: '已配置',
      configuredAt: '2026-10-09T10:00:00+08:00',
      actor: 'tech-dept',
      at,
    },
  ]);
  const entryId = randomUUID();
  await ds.getRepository(AccountMonitoringEntryEntity).insert({
    id: entryId,
    revenueContractId: revA.id,
    rootContractId: revA.id,
    orderId: a.id,
    changeOrderId: null,
    kind: 'INITIAL',
    accounts: 100,
    openingDate: '2026-10-08',
    enteredBy: 'contract-admin',
    enteredAt: at,
  });
  await ds.getRepository(MonthlyReportEntity).insert({
    id: randomUUID(),
    month: '2026-10',
    version: 1,
    status: 'DRAFT',
    rows: [
      {
        revenueContractId: revA.id,
        contractNo: revA.contractNo,
        orderNo: a.orderNo,
        customerId: CUSTOMER,
        contracted: 100,
        opened: 90,
        active: 75,
        utilisation: 0.75,
        overQuota: 0,
        missingFigures: false,
      },
    ],
    totals: { contracted: 100, opened: 90, active: 75 },
    note: null,
    processInstanceKey: null,
    generatedBy: 'system:worker',
    generatedAt: at,
    publishedBy: null,
    publishedAt: null,
  });
  return {
    orderA: a.id,
    orderANo: a.orderNo,
    orderB: b.id,
    revenueA: revA.id,
    revenueANo: revA.contractNo,
    expenseA: expA.id,
    expenseANo: expA.contractNo,
    expenseB: expB.id,
    formA: formId,
    taskOrderA: taskOrderId,
    entryA: entryId,
    reportMonth: '2026-10',
  };
}

/** Every application table's rows, for before/after comparisons. */
export async function snapshot(ds: DataSource): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    const q = ds.options.type === 'mysql' ? `SELECT * FROM \`${t}\`` : `SELECT * FROM "${t}"`;
    const rows = (await ds.query(q)) as Record<string, unknown>[];
    out[t] = rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
  }
  return out;
}
