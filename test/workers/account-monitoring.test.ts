import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import {
  AccountMonitoringEntryEntity,
  AccountUsageMonthlyEntity,
  MonthlyReportEntity,
  RevenueContractEntity,
} from '../../db/entities/index';
import { JOB } from '../../domain/vocabulary';
import { handlerFor } from '../../workers/registry';
import {
  completedVars,
  deliver,
  expectIdempotent,
  fixedClock,
  makeJob,
  makeServices,
  rowCount,
  seedChangeOrder,
  seedRevenueContract,
  seedWorld,
  useTestDatabase,
} from './support/harness';

const h = (t: string) => handlerFor(t)!;

describe('workers: account-monitoring.*', function () {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d), { seedCalendar: false });

  async function signedContract(accounts: number, openingDate: string) {
    const { order } = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED', accounts, openingDate } });
    const contract = await seedRevenueContract(ds, order, { status: 'SIGNED', signedDate: '2026-02-20' });
    return { order, contract };
  }

  it('register-accounts: one INITIAL entry (accounts, opening date) per signed contract', async () => {
    const { contract } = await signedContract(200, '2026-03-01');
    const r = await expectIdempotent(
      h(JOB.accountMonitoringRegisterAccounts),
      makeJob(JOB.accountMonitoringRegisterAccounts, { revenueContractId: contract.id }),
      makeServices(ds),
      async () => ({ entries: await rowCount(ds, 'account_monitoring_entry') }),
    );
    const e = await ds
      .getRepository(AccountMonitoringEntryEntity)
      .findOneByOrFail({ id: completedVars(r.outcome).accountMonitoringEntryId });
    expect(e).to.include({ kind: 'INITIAL', accounts: 200, openingDate: '2026-03-01', rootContractId: contract.id });
    const draft = await seedRevenueContract(ds, (await seedWorld(ds)).order);
    const out = await deliver(
      h(JOB.accountMonitoringRegisterAccounts),
      makeJob(JOB.accountMonitoringRegisterAccounts, { revenueContractId: draft.id }),
      makeServices(ds),
    );
    expect(out).to.include({ kind: 'fail', retries: 0 });
  });

  it("register-accounts as the signing task's second listener: the contract admin who signed enters the entry; on an old version's service task the system", async () => {
    const listener = (contractId: string, variables: Record<string, unknown>, assignee?: string) =>
      makeJob(
        JOB.accountMonitoringRegisterAccounts,
        { revenueContractId: contractId, ...variables },
        {
          elementId: 'sign-revenue-contract',
          customHeaders: { 'io.camunda.zeebe:userTaskKey': '42', ...(assignee ? { 'io.camunda.zeebe:assignee': assignee } : {}) },
        },
      );
    const entryOf = async (contractId: string) =>
      ds.getRepository(AccountMonitoringEntryEntity).findOneByOrFail({ revenueContractId: contractId });
    const a = (await signedContract(200, '2026-03-01')).contract;
    await deliver(h(JOB.accountMonitoringRegisterAccounts), listener(a.id, { completedBy: 'admin-li' }), makeServices(ds));
    expect((await entryOf(a.id)).enteredBy).to.equal('admin-li');
    const b = (await signedContract(100, '2026-03-01')).contract;
    await deliver(h(JOB.accountMonitoringRegisterAccounts), listener(b.id, {}, 'admin-wang'), makeServices(ds));
    expect((await entryOf(b.id)).enteredBy).to.equal('admin-wang');
    const c = (await signedContract(50, '2026-03-01')).contract;
    await deliver(
      h(JOB.accountMonitoringRegisterAccounts),
      makeJob(JOB.accountMonitoringRegisterAccounts, { revenueContractId: c.id }, { elementId: 'register-accounts' }),
      makeServices(ds),
    );
    expect((await entryOf(c.id)).enteredBy).to.equal('system:worker');
  });

  it('apply-account-delta: one DELTA entry per signed supplement, counted on the root contract', async () => {
    const { order, contract } = await signedContract(200, '2026-03-01');
    await deliver(
      h(JOB.accountMonitoringRegisterAccounts),
      makeJob(JOB.accountMonitoringRegisterAccounts, { revenueContractId: contract.id }),
      makeServices(ds),
    );
    const change = await seedChangeOrder(ds, order, { status: 'CONTRACT_SIGNED', accountDelta: -30 });
    const sup = await seedRevenueContract(ds, order, {
      kind: 'SUPPLEMENT',
      parentContractId: contract.id,
      changeOrderId: change.id,
      status: 'SIGNED',
    });
    const r = await expectIdempotent(
      h(JOB.accountMonitoringApplyAccountDelta),
      makeJob(JOB.accountMonitoringApplyAccountDelta, { revenueContractId: sup.id, changeOrderId: change.id, accountDelta: -30 }),
      makeServices(ds),
      async () => ({ entries: await rowCount(ds, 'account_monitoring_entry') }),
    );
    expect(completedVars(r.outcome).contractedAccounts).to.equal(170);
    const e = await ds.getRepository(AccountMonitoringEntryEntity).findOneByOrFail({ revenueContractId: sup.id });
    expect(e).to.include({ kind: 'DELTA', accounts: -30, rootContractId: contract.id, changeOrderId: change.id });
  });

  describe('generate-monthly-report', () => {
    async function world() {
      const a = await signedContract(200, '2026-03-01');
      const b = await signedContract(50, '2026-02-15');
      const later = await signedContract(80, '2026-04-01'); // opens after March: not in the March report
      for (const c of [a, b, later])
        await deliver(
          h(JOB.accountMonitoringRegisterAccounts),
          makeJob(JOB.accountMonitoringRegisterAccounts, { revenueContractId: c.contract.id }),
          makeServices(ds),
        );
      const now = new Date('2026-04-01T00:00:00Z');
      await ds.getRepository(AccountUsageMonthlyEntity).insert({
        id: '00000000-0000-4000-8000-00000000a001',
        revenueContractId: a.contract.id,
        month: '2026-03',
        openedAccounts: 210,
        activeAccounts: 150,
        source: 'platform',
        recordedBy: 'system:import',
        recordedAt: now,
        updatedAt: now,
      });
      await ds.getRepository(AccountUsageMonthlyEntity).insert({
        id: '00000000-0000-4000-8000-00000000a002',
        revenueContractId: a.contract.id,
        month: '2026-02',
        openedAccounts: 1,
        activeAccounts: 1,
        source: 'platform',
        recordedBy: 'system:import',
        recordedAt: now,
        updatedAt: now,
      });
      return { a, b, later };
    }

    it('month = the previous calendar month in Asia/Shanghai of the job time (00:30 on 1 April Shanghai is still 31 March UTC)', async () => {
      await world();
      const justAfter = makeServices(ds, { clock: fixedClock('2026-03-31T16:30:00Z') }); // 2026-04-01 00:30 +08:00
      expect(
        completedVars(
          await deliver(h(JOB.accountMonitoringGenerateMonthlyReport), makeJob(JOB.accountMonitoringGenerateMonthlyReport, {}), justAfter),
        ),
      ).to.include({ reportMonth: '2026-03', reportDueAt: '2026-04-04T23:59:59+08:00' });
      const justBefore = makeServices(ds, { clock: fixedClock('2026-03-31T15:59:59Z') }); // 2026-03-31 23:59:59 +08:00
      expect(
        completedVars(
          await deliver(h(JOB.accountMonitoringGenerateMonthlyReport), makeJob(JOB.accountMonitoringGenerateMonthlyReport, {}), justBefore),
        ),
      ).to.include({ reportMonth: '2026-02', reportDueAt: '2026-03-04T23:59:59+08:00' });
      const january = makeServices(ds, { clock: fixedClock('2027-01-01T01:00:00+08:00') });
      expect(
        completedVars(
          await deliver(h(JOB.accountMonitoringGenerateMonthlyReport), makeJob(JOB.accountMonitoringGenerateMonthlyReport, {}), january),
        ),
      ).to.include({ reportMonth: '2026-12', reportDueAt: '2027-01-04T23:59:59+08:00' });
    });

    it('rows per contract: contracted, opened, active, utilisation, over-quota; missing figures flagged; idempotent per month', async () => {
      const { a, b } = await world();
      const s = makeServices(ds, { clock: fixedClock('2026-04-01T01:00:00+08:00') });
      const r = await expectIdempotent(
        h(JOB.accountMonitoringGenerateMonthlyReport),
        makeJob(JOB.accountMonitoringGenerateMonthlyReport, {}),
        s,
        async () => ({ reports: await rowCount(ds, 'monthly_report') }),
      );
      // a second timer instance for the same month (another job) gets the same report
      const again = await deliver(
        h(JOB.accountMonitoringGenerateMonthlyReport),
        makeJob(JOB.accountMonitoringGenerateMonthlyReport, {}),
        s,
      );
      expect(completedVars(again)).to.deep.equal(completedVars(r.outcome));
      expect(await rowCount(ds, 'monthly_report')).to.equal(1);
      const report = await ds.getRepository(MonthlyReportEntity).findOneByOrFail({ id: completedVars(r.outcome).reportId });
      expect(report).to.include({ month: '2026-03', version: 1, status: 'DRAFT' });
      const byContract = Object.fromEntries(report.rows.map((row) => [row.revenueContractId, row]));
      expect(Object.keys(byContract)).to.have.members([a.contract.id, b.contract.id]);
      expect(byContract[a.contract.id]).to.include({
        contracted: 200,
        opened: 210,
        active: 150,
        utilisation: 0.75,
        overQuota: 10,
        missingFigures: false,
      });
      expect(byContract[b.contract.id]).to.include({
        contracted: 50,
        opened: null,
        active: null,
        utilisation: null,
        overQuota: 0,
        missingFigures: true,
      });
      expect(report.totals).to.include({ contracts: 2, contracted: 250, opened: 210, active: 150, overQuota: 10, missingFigures: 1 });
    });

    it('REGENERATE makes version 2 (v1 superseded), once; publish after review; late escalation once', async () => {
      const { b } = await world();
      const s = makeServices(ds, { clock: fixedClock('2026-04-01T01:00:00+08:00') });
      const v1 = completedVars(
        await deliver(h(JOB.accountMonitoringGenerateMonthlyReport), makeJob(JOB.accountMonitoringGenerateMonthlyReport, {}), s),
      );
      const now = new Date('2026-04-02T00:00:00Z');
      await ds.getRepository(AccountUsageMonthlyEntity).insert({
        id: '00000000-0000-4000-8000-00000000b001',
        revenueContractId: b.contract.id,
        month: '2026-03',
        openedAccounts: 40,
        activeAccounts: 20,
        source: 'platform',
        recordedBy: 'system:import',
        recordedAt: now,
        updatedAt: now,
      });
      const regen = makeJob(JOB.accountMonitoringGenerateMonthlyReport, {
        reportDecision: 'REGENERATE',
        reportId: v1.reportId,
        reportMonth: v1.reportMonth,
        reportNote: 'B合同数据已补',
      });
      const later = makeServices(ds, { clock: fixedClock('2026-04-02T10:00:00+08:00') });
      const r = await expectIdempotent(h(JOB.accountMonitoringGenerateMonthlyReport), regen, later, async () => ({
        reports: await rowCount(ds, 'monthly_report'),
      }));
      const v2 = completedVars(r.outcome);
      expect(v2).to.include({ reportMonth: '2026-03', reportVersion: 2, reportDueAt: '2026-04-04T23:59:59+08:00' });
      expect((await ds.getRepository(MonthlyReportEntity).findOneByOrFail({ id: v1.reportId })).status).to.equal('SUPERSEDED');
      const report2 = await ds.getRepository(MonthlyReportEntity).findOneByOrFail({ id: v2.reportId });
      expect(report2.rows.find((x) => x.revenueContractId === b.contract.id)).to.include({
        opened: 40,
        active: 20,
        utilisation: 0.4,
        missingFigures: false,
      });

      const esc = await expectIdempotent(
        h(JOB.accountMonitoringEscalateLateReport),
        makeJob(JOB.accountMonitoringEscalateLateReport, { reportId: v2.reportId, reportMonth: '2026-03', reportDueAt: v2.reportDueAt }),
        later,
        async () => ({ n: await rowCount(ds, 'notification_outbox', "template = 'monthly-report-late'") }),
      );
      expect(esc.counts.n).to.equal(1);
      const pub = await expectIdempotent(
        h(JOB.accountMonitoringPublishMonthlyReport),
        makeJob(JOB.accountMonitoringPublishMonthlyReport, { reportId: v2.reportId, completedBy: 'admin.chen' }),
        later,
        async () => ({ n: await rowCount(ds, 'notification_outbox', "template = 'monthly-report-published'") }),
      );
      expect(completedVars(pub.outcome)).to.deep.equal({ reportStatus: 'PUBLISHED' });
      expect(await ds.getRepository(MonthlyReportEntity).findOneByOrFail({ id: v2.reportId })).to.include({
        status: 'PUBLISHED',
        publishedBy: 'admin.chen',
      });
      expect(await ds.getRepository(RevenueContractEntity).count()).to.equal(3);
    });
  });
});
