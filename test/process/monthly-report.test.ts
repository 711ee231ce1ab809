/**
 * account-usage-monthly-report 账号月度报表 end to end: the timer start at 01:00 Beijing time on the 1st
 * (the engine's clock pinned in the second half of November 2026, then moved),
 * the report from the usage ingested through the API, reviewed and published by the contract admin;
 * a review not done by the 4th is escalated after it, the task staying open.
 */
import { expect } from 'chai';
import { MonthlyReportEntity } from '../../db/entities/index';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

describe('process: account-usage-monthly-report 账号月度报表', function () {
  this.timeout(120_000);
  let e: E2E;
  let contractNo: string;
  before(async () => {
    // before deployment, so the cron's first due date counts from here: 2026-12-01 01:00 Asia/Shanghai
    e = await startE2E({ clockStart: '2026-11-16T09:00:00+08:00' });
    const o = await d.createOrder(e, { accounts: 100 });
    await d.provision(e, o, { deliveredOn: '2026-10-20' });
    [{ contractNo }] = await d.revenueContracts(e, o.id);
  });
  after(async () => e?.stop());

  it('on the 1st the report of last month is generated from the ingested usage; the contract admin publishes it', async () => {
    const ingest = await e.api.post(d.ADMIN, '/api/account-monitoring/usage', {
      items: [{ revenueContractNo: contractNo, month: '2026-11', openedAccounts: 110, activeAccounts: 85 }],
    });
    expect(ingest).to.include({ inserted: 1, updated: 0, unchanged: 0 });
    expect(await e.ds.getRepository(MonthlyReportEntity).count()).to.equal(0);
    // 01:00 on the 1st in Beijing is 17:00 UTC on the 30th, whatever the host's time zone
    await e.clockSet('2026-12-01T00:59:59+08:00');
    await new Promise((r) => setTimeout(r, 300));
    expect(await e.ds.getRepository(MonthlyReportEntity).count()).to.equal(0);
    await e.clockSet('2026-12-01T01:00:01+08:00');
    const t = await e.api.waitTask(d.ADMIN, 'review-monthly-report', { reportMonth: '2026-11' }, d.WAIT);
    expect(t.dueDate && Date.parse(t.dueDate)).to.equal(Date.parse('2026-12-04T23:59:59+08:00'));
    const draft = await e.api.get(d.ADMIN, '/api/account-monitoring/reports/2026-11');
    expect(draft.status).to.not.equal('PUBLISHED');
    const line = (
      draft.rows as { contractNo: string; contracted: number; opened: number; active: number; utilisation: number; overQuota: number }[]
    ).find((r) => r.contractNo === contractNo)!;
    expect(line).to.include({ contracted: 100, opened: 110, active: 85, utilisation: 0.85, overQuota: 10 });
    await e.api.complete(d.ADMIN, t, { reportDecision: 'PUBLISH', reportNote: '11月报表' });
    const pub = await d.waitFor(async () => {
      const r = await e.api.get(d.ADMIN, '/api/account-monitoring/reports/2026-11');
      return r.status === 'PUBLISHED' ? r : null;
    }, 'the November report published');
    expect(pub.publishedBy).to.equal('contract-admin');
    const csv = await e.api.call(d.ADMIN, 'GET', '/api/account-monitoring/reports/2026-11/csv');
    expect(String(csv.body)).to.contain(contractNo);
    expect(
      (await d.notifications(e, 'monthly-report-late')).filter((n) => (n.refs as { month?: string }).month === '2026-11'),
    ).to.have.length(0);
  });

  it('a review not done by the 4th is escalated after it; the task stays open, then the report is published', async () => {
    await e.clockSet('2027-01-01T02:00:00Z');
    const t = await e.api.waitTask(d.ADMIN, 'review-monthly-report', { reportMonth: '2026-12' }, d.WAIT);
    await e.clockSet('2027-01-04T23:00:00+08:00');
    await new Promise((r) => setTimeout(r, 300));
    const late = async () =>
      (await d.notifications(e, 'monthly-report-late')).filter((n) => (n.refs as { month?: string }).month === '2026-12');
    expect(await late()).to.have.length(0);
    await e.clockSet('2027-01-05T00:00:01+08:00');
    const esc = await d.waitFor(async () => {
      const n = await late();
      return n.length ? n : null;
    }, 'the late-report escalation');
    expect(esc.map((n) => n.recipientRole)).to.deep.equal(['dept-manager']);
    const still = await e.api.waitTask(d.ADMIN, 'review-monthly-report', { reportMonth: '2026-12' }, d.WAIT);
    expect(still.key).to.equal(t.key);
    await e.api.complete(d.ADMIN, still, { reportDecision: 'PUBLISH', reportNote: '逾期发布' });
    await d.waitFor(async () => {
      const r = await e.api.get(d.ADMIN, '/api/account-monitoring/reports/2026-12');
      return r.status === 'PUBLISHED' ? r : null;
    }, 'the December report published');
    expect(await late()).to.have.length(1);
  });
});
