/**
 * Event-specific notifications (people.md "is told"), with the whole system and SMTP_URL at a real SMTP
 * server started here: a rejected contract reaches the order's customer manager with the reason; an
 * approved revenue contract reaches the contract admin to sign; a logged fault reaches ops; a complaint
 * reaches the department manager and the customer manager; the month's report, generated on the 1st,
 * reaches the contract admin. One notification per event although jobs may be delivered again.
 */
import { expect } from 'chai';
import { NotificationEntity } from '../../db/entities/index';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

const mailOf = (u: string) => `${u}@example.test`;

describe('process: event notifications (contract rejected / to sign, fault, complaint, monthly report ready)', function () {
  this.timeout(150_000);
  let e: E2E;
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startSmtpServer();
    e = await startE2E({ env: { SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'http://ot.example.test' } });
  });
  after(async () => {
    await e?.stop();
    await smtp?.close();
  });

  const mail = (user: string, subject: string, what: string) =>
    d.waitFor(async () => smtp.to(mailOf(user)).find((m) => m.subject === subject), what, 20_000);
  const count = (template: string, ref: string) =>
    e.ds
      .getRepository(NotificationEntity)
      .find({ where: { template } })
      .then((ns) => ns.filter((n) => JSON.stringify(n.refs).includes(ref)).length);
  const inboxItem = async (user: string, template: string, ref: string) =>
    (await e.api.ok(user, 'GET', '/api/notifications?limit=200')).items.find(
      (i: { template: string; refs: object }) => i.template === template && JSON.stringify(i.refs).includes(ref),
    );

  it('a rejected contract: the customer manager is told with the reason; approved: the contract admin is told to sign', async () => {
    const o = await d.createOrder(e);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no);
    await d.draftRevenue(e, no);
    await d.review(e, 'dept', no, 'REVENUE', 'REJECT', '金额与报价单不符，请核对');
    const [c] = await d.revenueContracts(e, o.id);
    const m = await mail(d.CM, `合同被退回：${c.contractNo}（${o.orderNo}）`, 'the rejection mail');
    expect(m.text)
      .to.contain('金额与报价单不符，请核对')
      .and.contain('部门经理审核')
      .and.contain('审核人：dept-manager')
      .and.contain(`http://ot.example.test/#/orders/${o.id}`);
    const item = await inboxItem(d.CM, 'contract-rejected', c.contractNo);
    expect(item.case).to.deep.include({ path: `#/orders/${o.id}` });
    expect(await count('contract-rejected', c.contractNo)).to.equal(1);

    const o2 = await d.createOrder(e);
    const no2 = { orderNo: o2.orderNo };
    await d.confirm(e, no2);
    await d.draftRevenue(e, no2);
    await d.approveBoth(e, no2, 'REVENUE');
    const [c2] = await d.revenueContracts(e, o2.id);
    const s = await mail(d.ADMIN, `收入合同待签订：${c2.contractNo}（${o2.orderNo}）`, 'the to-sign mail');
    expect(s.text).to.match(/合同会签审批表 HQ-SR-\d{4}-\d{4}/);
    await e.api.waitTask(d.ADMIN, 'sign-revenue-contract', no2, d.WAIT);
    await new Promise((r) => setTimeout(r, 500));
    expect(await count('contract-awaiting-signing', c2.contractNo)).to.equal(1);
    expect(smtp.to(mailOf(d.ADMIN)).filter((x) => x.subject === s.subject)).to.have.length(1);
  });

  it('a fault reaches ops; a complaint reaches the department manager and the customer manager; a consultation nobody by event', async () => {
    const o = await d.createOrder(e);
    const fault = await e.api.post(d.OPS, '/api/service-requests', {
      type: 'FAULT',
      orderId: o.id,
      description: '直播课堂卡顿，疑似出口带宽不足',
    });
    const f = await d.waitFor(
      async () => smtp.to(mailOf(d.OPS)).find((x) => x.subject.startsWith(`故障报修：${fault.requestNo}（`)),
      'the fault mail',
      20_000,
    );
    expect(f.text).to.contain('直播课堂卡顿，疑似出口带宽不足');
    const complaint = await e.api.post(d.CM, '/api/service-requests', {
      type: 'COMPLAINT',
      orderId: o.id,
      description: '客户投诉开通延迟',
    });
    for (const u of [d.DEPT, d.CM]) {
      const c = await d.waitFor(
        async () => smtp.to(mailOf(u)).find((x) => x.subject.startsWith(`客户投诉：${complaint.requestNo}`)),
        `the complaint mail to ${u}`,
        20_000,
      );
      expect(c.text).to.contain('客户投诉开通延迟').and.contain(`#/orders/${o.id}`);
    }
    const consult = await e.api.post(d.CM, '/api/service-requests', {
      type: 'CONSULTATION',
      orderId: o.id,
      description: '咨询SCORM课件导入方法',
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await count('service-request-fault', fault.requestNo)).to.equal(1);
    expect(await count('service-request-complaint', complaint.requestNo)).to.equal(1);
    const all = await e.ds.getRepository(NotificationEntity).find();
    expect(
      all.filter((n) => n.template.startsWith('service-request-') && JSON.stringify(n.refs).includes(consult.requestNo)),
    ).to.have.length(0);
  });

  it("on the 1st the month's report is ready: the contract admin is told once", async () => {
    await e.clockSet('2026-10-01T01:00:01+08:00');
    const m = await mail(d.ADMIN, '2026-09 账号月度报表已生成，待审核发布', 'the report-ready mail');
    expect(m.text).to.contain('5 日前');
    await e.api.waitTask(d.ADMIN, 'review-monthly-report', { reportMonth: '2026-09' }, d.WAIT);
    await new Promise((r) => setTimeout(r, 500));
    expect(await count('monthly-report-ready', '2026-09')).to.equal(1);
  });
});
