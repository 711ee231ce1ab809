import { readOrderSummary } from '../../domain/order-summary';
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { AccountUsageMonthlyEntity, AuditLogEntity, type BusinessOrder } from '../../db/entities/index';
import { applyAccountDelta, contractedAccounts, ingestUsage, registerAccounts } from '../../domain/account-monitoring';
import { generateMonthlyReport, getMonthlyReport, publishMonthlyReport, reportDueAt } from '../../domain/monthly-report';
import { applyChangeOrderRevision, createChangeOrder, getChangeOrder, recordChangeCustomerDecision } from '../../domain/change-orders';
import { computeCompletionDeadline, recordDelivery } from '../../domain/completion';
import { draftRevenueContract, draftRevenueSupplement, recordRevenueSigning } from '../../domain/contracts';
import { issueCountersignForm, openCountersignRound, recordCountersignDecision } from '../../domain/countersign';
import { ConflictError, ValidationError } from '../../domain/errors';
import { recordCustomerDecision } from '../../domain/orders';
import { closeServiceRequest, getServiceRequest, logServiceRequest, recordServiceRequestHandling } from '../../domain/service-requests';
import { listCommunicationRecords } from '../../domain/communication-records';
import { closeTestDataSource, openTestDataSource, resetDatabase, useTestDatabase } from '../support/db';
import { anOrder } from '../support/fixtures';
import { withoutSchedule } from '../support/calendar-years';
import { rejects } from '../support/rejects';

describe('domain: change orders, account monitoring, monthly report, service requests', () => {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d));
  const sys = { actor: 'system:worker' };
  let pik = 1000;

  async function approve(type: 'REVENUE' | 'EXPENSE', contractId: string) {
    const round = await openCountersignRound(ds, { contractType: type, contractId, processInstanceKey: String(++pik) }, sys);
    await recordCountersignDecision(ds, { roundId: round.id, step: 'DEPT_MANAGER', decision: 'APPROVE' }, { actor: 'dm' });
    await recordCountersignDecision(ds, { roundId: round.id, step: 'CENTER', decision: 'APPROVE' }, { actor: 'center' });
    return issueCountersignForm(ds, round.id, sys);
  }

  /** an order with a signed agreement and its INITIAL monitoring entry */
  async function orderInService(
    accounts = 200,
    openingDate = '2026-09-01',
  ): Promise<{ order: BusinessOrder; contractId: string; contractNo: string }> {
    const { order } = await anOrder(ds, { accounts, openingDate });
    await recordCustomerDecision(ds, order.id, 'CONFIRMED', null, { actor: 'cm' });
    const rc = await draftRevenueContract(ds, { orderId: order.id, title: '协议', amount: 1000 }, { actor: 'cm' });
    await approve('REVENUE', rc.id);
    await recordRevenueSigning(ds, rc.id, '2026-08-28', { actor: 'admin1' });
    await registerAccounts(ds, rc.id, { actor: 'admin1' });
    return { order: { ...order, status: 'CONTRACT_SIGNED' }, contractId: rc.id, contractNo: rc.contractNo };
  }

  it('change order: only on an order in service, one at a time; start message; revision; supplement → account delta', async () => {
    const { order: fresh } = await anOrder(ds);
    expect(
      await rejects(
        createChangeOrder(
          ds,
          { orderId: fresh.id, description: 'x', platformChange: true, apScopeChange: false, accountDelta: 10 },
          { actor: 'cm' },
        ),
      ),
    ).to.be.instanceOf(ConflictError);

    const { order, contractId } = await orderInService();
    const { changeOrder, command } = await createChangeOrder(
      ds,
      {
        orderId: order.id,
        description: '追加50个账号',
        platformChange: true,
        apScopeChange: false,
        accountDelta: 50,
        effectiveDate: '2026-10-01',
      },
      { actor: 'cm' },
    );
    expect(changeOrder.changeOrderNo).to.match(/^BG-\d{4}-000001$/);
    expect(command.payload).to.deep.include({
      name: 'change-order-submitted',
      correlationKey: changeOrder.changeOrderNo,
      variables: {
        changeOrderId: changeOrder.id,
        changeOrderNo: changeOrder.changeOrderNo,
        orderId: order.id,
        orderNo: order.orderNo,
        customerManager: 'zhang.san',
        platformChange: true,
        apScopeChange: false,
        apPartnerId: null,
        accountDelta: 50,
        orderSummary: await readOrderSummary(ds.manager, order),
      },
    });
    expect((command.payload as { variables: { orderSummary: { accounts: number } } }).variables.orderSummary.accounts).to.equal(
      order.accounts,
    );
    expect(
      await rejects(
        createChangeOrder(
          ds,
          { orderId: order.id, description: 'y', platformChange: false, apScopeChange: false, accountDelta: 1 },
          { actor: 'cm' },
        ),
      ),
    ).to.be.instanceOf(ConflictError);
    await recordChangeCustomerDecision(ds, changeOrder.id, 'CHANGE_REQUESTED', '改为60个', { actor: 'cm' });
    const revised = await applyChangeOrderRevision(ds, changeOrder.id, { accountDelta: 60 }, { actor: 'cm' });
    expect(revised).to.deep.include({ status: 'SUBMITTED', accountDelta: 60, currentVersion: 2 });
    await recordChangeCustomerDecision(ds, changeOrder.id, 'CONFIRMED', null, { actor: 'cm' });
    const sup = await draftRevenueSupplement(ds, { changeOrderId: changeOrder.id, title: '补充协议', amount: 300 }, { actor: 'cm' });
    expect(sup).to.deep.include({ kind: 'SUPPLEMENT', parentContractId: contractId });
    await approve('REVENUE', sup.id);
    await recordRevenueSigning(ds, sup.id, '2026-09-20', { actor: 'admin1' });
    expect((await getChangeOrder(ds, changeOrder.id))!.status).to.equal('CONTRACT_SIGNED');
    const delta = await applyAccountDelta(ds, sup.id, { actor: 'admin1' });
    expect(delta).to.deep.include({ kind: 'DELTA', accounts: 60, rootContractId: contractId, openingDate: '2026-10-01' });
    expect((await applyAccountDelta(ds, sup.id, { actor: 'admin1' })).id).to.equal(delta.id);
    expect(await contractedAccounts(ds, contractId)).to.equal(260);
    expect(await contractedAccounts(ds, contractId, '2026-09-30')).to.equal(200);
    await withoutSchedule(ds, 2027);
    await recordDelivery(ds, { kind: 'change-order', id: changeOrder.id }, '2026-12-20', null, { actor: 'cm' });
    const s = await computeCompletionDeadline(ds, { kind: 'change-order', id: changeOrder.id }, 5, sys);
    expect(s.deadlineProvisional).to.equal(true); // 60 working days after 2026-12-20 run into 2027 (unpublished)
  });

  it('usage ingestion is idempotent per contract and month; replacements are audited; bad batches store nothing', async () => {
    const a = await orderInService(100);
    const b = await orderInService(50);
    const items = [
      { revenueContractId: a.contractId, month: '2026-10', openedAccounts: 90, activeAccounts: 70 },
      { contractNo: b.contractNo, month: '2026-10', openedAccounts: 55, activeAccounts: 20 },
      { contractNo: 'SR-2099-9999', month: '2026-10', openedAccounts: 1, activeAccounts: 1 },
    ];
    expect(await ingestUsage(ds, items, { actor: 'platform' })).to.deep.equal({
      inserted: 2,
      updated: 0,
      unchanged: 0,
      unknownContracts: ['SR-2099-9999'],
    });
    expect(await ingestUsage(ds, items, { actor: 'platform' })).to.deep.equal({
      inserted: 0,
      updated: 0,
      unchanged: 2,
      unknownContracts: ['SR-2099-9999'],
    });
    const changed = [{ ...items[0]!, activeAccounts: 80 }];
    expect(await ingestUsage(ds, changed, { actor: 'platform' })).to.deep.include({ updated: 1 });
    const audit = await ds.getRepository(AuditLogEntity).findOneByOrFail({ action: 'account-usage.replace' });
    expect(audit.details).to.deep.include({
      before: { openedAccounts: 90, activeAccounts: 70 },
      after: { openedAccounts: 90, activeAccounts: 80 },
    });
    expect(await ds.getRepository(AccountUsageMonthlyEntity).count()).to.equal(2);
    const bad = [
      { revenueContractId: a.contractId, month: '2026-11', openedAccounts: 1, activeAccounts: 1 },
      { revenueContractId: a.contractId, month: '2026-13', openedAccounts: 1, activeAccounts: 1 },
    ];
    expect(await rejects(ingestUsage(ds, bad, { actor: 'platform' }))).to.be.instanceOf(ValidationError);
    expect(await ds.getRepository(AccountUsageMonthlyEntity).count()).to.equal(2);
    expect(await rejects(ingestUsage(ds, [{ ...items[0]!, activeAccounts: 91 }], { actor: 'p' }))).to.be.instanceOf(ValidationError);
  });

  it('monthly report: rows per agreement, versions on regeneration, published once', async () => {
    const a = await orderInService(100, '2026-09-01');
    const b = await orderInService(50, '2026-09-15');
    await orderInService(10, '2026-11-01'); // opens after October: not in the October report
    await ingestUsage(ds, [{ revenueContractId: a.contractId, month: '2026-10', openedAccounts: 120, activeAccounts: 60 }], {
      actor: 'platform',
    });
    const v1 = await generateMonthlyReport(ds, '2026-10', { actor: 'system:worker', processInstanceKey: '42' });
    expect(v1).to.deep.include({ month: '2026-10', version: 1, status: 'DRAFT' });
    expect(
      v1.rows.map((r) => [r.contractNo, r.contracted, r.opened, r.active, r.utilisation, r.overQuota, r.missingFigures]),
    ).to.deep.equal(
      [
        [a.contractNo, 100, 120, 60, 0.6, 20, false],
        [b.contractNo, 50, null, null, null, 0, true],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    expect(v1.totals).to.deep.include({ contracts: 2, contracted: 150, overQuota: 20, missingFigures: 1 });
    await ingestUsage(ds, [{ revenueContractId: b.contractId, month: '2026-10', openedAccounts: 40, activeAccounts: 40 }], {
      actor: 'platform',
    });
    const v2 = await generateMonthlyReport(ds, '2026-10', { actor: 'system:worker' });
    expect(v2.version).to.equal(2);
    expect(v2.totals).to.deep.include({ missingFigures: 0 });
    const published = await publishMonthlyReport(ds, v2.id, '已审核', { actor: 'admin1' });
    expect(published).to.deep.include({ status: 'PUBLISHED', publishedBy: 'admin1' });
    expect((await getMonthlyReport(ds, '2026-10'))!.id).to.equal(v2.id);
    expect(await rejects(publishMonthlyReport(ds, v1.id, null, { actor: 'admin1' }))).to.be.instanceOf(ConflictError); // superseded
    expect(await rejects(generateMonthlyReport(ds, '2026-10', { actor: 'system:worker' }))).to.be.instanceOf(ConflictError);
    expect(reportDueAt('2026-10')).to.equal('2026-11-04T23:59:59+08:00');
    expect(reportDueAt('2026-12')).to.equal('2027-01-04T23:59:59+08:00');
  });

  it('service request: logged with its start message, handled, closed with the communication record', async () => {
    const { order } = await orderInService();
    const { serviceRequest, command } = await logServiceRequest(
      ds,
      { customerId: order.customerId, orderId: order.id, requestType: 'FAULT', description: '直播卡顿' },
      { actor: 'cm' },
    );
    expect(serviceRequest.requestNo).to.match(/^FW-\d{4}-000001$/);
    expect(command.payload).to.deep.include({
      name: 'service-request-logged',
      correlationKey: serviceRequest.requestNo,
      variables: {
        serviceRequestId: serviceRequest.id,
        requestNo: serviceRequest.requestNo,
        requestType: 'FAULT',
        customerManager: 'zhang.san',
      },
    });
    expect(
      await rejects(
        closeServiceRequest(ds, serviceRequest.id, { networkQuality: '3', serviceAttitude: '3', customerFeedback: 'c' }, { actor: 'cm' }),
      ),
    ).to.be.instanceOf(ConflictError);
    await recordServiceRequestHandling(
      ds,
      serviceRequest.id,
      { resolution: '更换CDN节点', handledAt: '2026-11-02T10:00:00+08:00' },
      { actor: 'ops.li' },
    );
    const closed = await closeServiceRequest(
      ds,
      serviceRequest.id,
      { networkQuality: '4', serviceAttitude: '5', customerFeedback: '处理及时' },
      { actor: 'zhang.san' },
    );
    expect(closed.serviceRequest.status).to.equal('CLOSED');
    expect(closed.record).to.deep.include({ occasion: 'FAULT', serviceRequestId: serviceRequest.id });
    expect((await getServiceRequest(ds, serviceRequest.id))!.communicationRecordId).to.equal(closed.record!.id);
    expect((await listCommunicationRecords(ds, { serviceRequestId: serviceRequest.id })).total).to.equal(1);
    expect(
      await rejects(
        logServiceRequest(ds, { customerId: order.customerId, requestType: 'OTHER' as never, description: 'x' }, { actor: 'cm' }),
      ),
    ).to.be.instanceOf(ValidationError);
  });
});

describe('domain: concurrent writers of the same new row', () => {
  let ds: DataSource;
  before(async () => {
    ds = await openTestDataSource();
    await resetDatabase(ds);
  });
  after(async () => closeTestDataSource(ds));

  it('10 concurrent ingestions of the same contract and month store it once (deadlock victims are retried)', async () => {
    const { order } = await anOrder(ds);
    await recordCustomerDecision(ds, order.id, 'CONFIRMED', null, { actor: 'cm' });
    const rc = await draftRevenueContract(ds, { orderId: order.id, title: '协议', amount: 1 }, { actor: 'cm' });
    const round = await openCountersignRound(ds, { contractType: 'REVENUE', contractId: rc.id, processInstanceKey: '77' }, { actor: 's' });
    await recordCountersignDecision(ds, { roundId: round.id, step: 'DEPT_MANAGER', decision: 'APPROVE' }, { actor: 'dm' });
    await recordCountersignDecision(ds, { roundId: round.id, step: 'CENTER', decision: 'APPROVE' }, { actor: 'c' });
    await issueCountersignForm(ds, round.id, { actor: 's' });
    await recordRevenueSigning(ds, rc.id, '2026-09-01', { actor: 'a' });
    const item = { revenueContractId: rc.id, month: '2026-12', openedAccounts: 10, activeAccounts: 5 };
    const results = await Promise.all(Array.from({ length: 10 }, () => ingestUsage(ds, [item], { actor: 'platform' })));
    expect(results.reduce((s, r) => s + r.inserted, 0)).to.equal(1);
    expect(results.reduce((s, r) => s + r.unchanged, 0)).to.equal(9);
    expect(await ds.getRepository(AccountUsageMonthlyEntity).countBy({ month: '2026-12' })).to.equal(1);
  });
});
