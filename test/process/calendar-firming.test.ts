/**
 * Uploading next year's calendar firms up a provisional completion deadline (issue #19): the order gets
 * the new figures (with the reason in the audit log), the upload lists it, and the real BPMN re-arms
 * the completion-record task: its reminder and overdue timers fire at the new dates, not the old.
 * 2027 is made "without a published schedule" in this database (test/support/calendar-years.ts).
 */
import { expect } from 'chai';
import { withoutSchedule } from '../support/calendar-years';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

// a made-up 2027 schedule: 元旦 Fri 01-01, 春节 Mon 02-08 – Fri 02-12, worked Sat 02-20
const YEAR_2027 = {
  year: 2027,
  published: true,
  holidays: [
    { date: '2027-01-01', name: '元旦' },
    ...['08', '09', '10', '11', '12'].map((dd) => ({ date: `2027-02-${dd}`, name: '春节' })),
  ],
  workdays: [{ date: '2027-02-20', name: '春节调休' }],
  note: '测试用 2027 年安排',
};

describe('process: the calendar upload firms provisional completion deadlines 确定暂定竣工期限', function () {
  this.timeout(120_000);
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(async () => e?.stop());

  it('a change order too: its provisional deadline is firmed and its completion-record task re-created with the new due date', async () => {
    await withoutSchedule(e.ds, 2027);
    const base = await d.createOrder(e);
    await d.provision(e, base, { deliveredOn: '2026-09-30' });
    const c = await e.api.post(d.CM, '/api/change-orders', {
      orderId: base.id,
      description: '增加20个账号',
      accountDelta: 20,
      amountDelta: 6000,
      effectiveDate: '2026-11-15',
      platformChange: false,
      apScopeChange: false,
    });
    const cn = { changeOrderNo: c.changeOrderNo as string };
    await d.confirm(e, cn, 'CONFIRMED', '客户确认变更', 'confirm-change-with-customer');
    await d.draftRevenue(e, cn, 6000, 'draft-supplementary-agreement');
    await d.approveBoth(e, { orderNo: base.orderNo }, 'REVENUE');
    await d.sign(e, cn, '2026-11-02', 'sign-supplementary-agreement');
    await d.deliver(e, cn, '2026-11-20');
    const first = await e.api.waitTask(d.CM, 'file-completion-record', cn, d.WAIT);
    expect(Date.parse(String(first.dueDate))).to.equal(Date.parse('2027-02-12T23:59:59+08:00'));

    const up = await e.api.call('admin', 'POST', '/api/calendar/uploads', YEAR_2027);
    expect(up.status, JSON.stringify(up.body)).to.equal(201);
    const firmed = (up.body as { firmedOrders: { kind: string; orderNo: string; after: object }[] }).firmedOrders;
    expect(firmed.map((f) => [f.kind, f.orderNo])).to.deep.equal([['change-order', cn.changeOrderNo]]);
    const second = await d.waitFor(async () => {
      const t = await e.api.waitTask(d.CM, 'file-completion-record', cn, d.WAIT);
      return t.key !== first.key ? t : null;
    }, 'the re-created completion-record task of the change');
    expect(Date.parse(String(second.dueDate))).to.equal(Date.parse('2027-02-20T23:59:59+08:00'));
    await d.fileCompletion(e, cn);
    await d.waitChangeStatus(e, c.id, 'COMPLETED');
  });

  it('upload 2027: the deadline is computed again and stored, the task re-created, the reminder and escalation fire at the new dates only', async () => {
    await withoutSchedule(e.ds, 2027);
    const o = await d.createOrder(e);
    const no = { orderNo: o.orderNo };
    await d.provision(e, o, { deliveredOn: '2026-11-20', complete: false });
    const first = await e.api.waitTask(d.CM, 'file-completion-record', no, d.WAIT);
    // 29 working days left in 2026, then 31 weekdays of 2027 counted on weekends only (01-01 counts)
    const before = await d.orderRow(e, o.id);
    expect(before).to.include({
      completionDeadline: '2027-02-12T23:59:59+08:00',
      completionReminderAt: '2027-02-05T09:00:00+08:00',
      deadlineProvisional: true,
    });

    const up = await e.api.call('admin', 'POST', '/api/calendar/uploads', YEAR_2027);
    expect(up.status, JSON.stringify(up.body)).to.equal(201);
    // without 01-01 and 02-08..12, with Sat 02-20: the 31st working day of 2027 is 02-20; 5 back is Mon 02-15
    const firmed = (up.body as { firmedOrders: { orderNo: string; before: object; after: object }[] }).firmedOrders.find(
      (f) => f.orderNo === o.orderNo,
    );
    expect(firmed?.after).to.deep.equal({
      completionDeadline: '2027-02-20T23:59:59+08:00',
      completionReminderAt: '2027-02-15T09:00:00+08:00',
      deadlineProvisional: false,
    });
    expect(firmed?.before).to.include({ completionDeadline: '2027-02-12T23:59:59+08:00', deadlineProvisional: true });
    expect(await d.orderRow(e, o.id)).to.include({ completionDeadline: '2027-02-20T23:59:59+08:00', deadlineProvisional: false });
    const audits = await d.audits(e, 'business-order.completion-deadline', o.id);
    expect(audits.map((a) => a.reason)).to.include('calendar 2027 uploaded: the provisional deadline computed again');

    // the model took the message: a new task with the new due date replaces the first one
    const second = await d.waitFor(async () => {
      const t = await e.api.waitTask(d.CM, 'file-completion-record', no, d.WAIT);
      return t.key !== first.key ? t : null;
    }, 'the re-created completion-record task');
    expect(Date.parse(String(second.dueDate))).to.equal(Date.parse('2027-02-20T23:59:59+08:00'));
    // an upload that changes nothing firms nothing and sends no second message
    const again = await e.api.call('admin', 'PUT', '/api/calendar/2027', YEAR_2027);
    expect(again.status).to.equal(200);
    expect(
      (await e.api.tasks(d.CM, { elementId: 'file-completion-record' })).filter((t) => t.context.orderNo === o.orderNo).map((t) => t.key),
    ).to.deep.equal([second.key]);

    const byOrder = async (template: string) =>
      (await d.notifications(e, template)).filter((n) => JSON.stringify(n.refs).includes(o.orderNo));
    // past the old reminder and the old deadline: nothing fires
    await e.clockSet('2027-02-13T00:00:01+08:00');
    await new Promise((r) => setTimeout(r, 2000));
    expect(await byOrder('completion-record-reminder')).to.have.length(0);
    expect(await byOrder('completion-record-overdue')).to.have.length(0);
    // the new reminder date
    await e.clockSet('2027-02-15T09:00:01+08:00');
    await d.waitFor(async () => ((await byOrder('completion-record-reminder')).length ? true : null), 'the reminder at the new date');
    expect(await byOrder('completion-record-overdue')).to.have.length(0);
    // the new deadline passed
    await e.clockSet('2027-02-21T00:00:01+08:00');
    await d.waitFor(
      async () => ((await byOrder('completion-record-overdue')).length ? true : null),
      'the escalation after the new deadline',
    );
    await d.fileCompletion(e, no);
    await d.waitOrderStatus(e, o.id, 'COMPLETED');
  });
});
