/**
 * The SLA on the local engine (issue #20): an order submitted on Wednesday 30 September 2026 (the engine
 * clock pinned there) starts its provisioning with the variable `sla`, and Tasklist's due date of
 * 客户确认业务订单 (3 working days) is Saturday 10 October: National Day (1–7 October) is skipped and
 * the 调休 Saturday counts, on the published PRC calendar, in Beijing time.
 */
import { expect } from 'chai';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

describe('process: the SLA due date of a user task, across National Day', function () {
  this.timeout(180_000);
  let e: E2E;
  before(async () => {
    // the SLA watch polls every 0.5 s here (a minute in production)
    e = await startE2E({ clockStart: '2026-09-30T10:00:00+08:00', notifications: { slaIntervalMs: 500 } });
  });
  after(async () => e?.stop());

  it('客户确认业务订单 is due at the end of the 3rd working day after 30 September: 10 October 23:59:59 +08:00', async () => {
    const o = await d.createOrder(e);
    const pik = await d.orderInstanceKey(e, o.id);
    const task = await d.waitFor(async () => {
      const r = await e.rest('POST', '/v2/user-tasks/search', {
        filter: { processInstanceKey: pik, elementId: 'confirm-order-with-customer' },
      });
      return (r.body.items as { dueDate?: string }[])[0] ?? null;
    }, 'confirm-order-with-customer created');
    expect(task.dueDate, 'an instant with an offset, the end of 10 October in Beijing').to.be.a('string');
    expect(new Date(task.dueDate!).toISOString()).to.equal(new Date('2026-10-10T23:59:59+08:00').toISOString());
    // the reminder of the same computation: 09:00 on the working day before (9 October)
    const vars = await e.rest('POST', '/v2/variables/search', { filter: { processInstanceKey: pik, scopeKey: pik, name: 'sla' } });
    const sla = JSON.parse((vars.body.items as { value: string }[])[0]!.value) as Record<string, { dueAt: string; remindAt: string }>;
    expect(sla.confirmOrderWithCustomer).to.deep.include({ dueAt: '2026-10-10T23:59:59+08:00', remindAt: '2026-10-09T09:00:00+08:00' });
    // the completion record has its own deadline (竣工 §6.4): not in the table's counted steps
    expect(sla).to.not.have.property('fileCompletionRecord');

    // the reminder, sent by the SLA watch from the task's due date (the model has no reminder timer any more):
    // nothing before 9 October 09:00 in Beijing, one notification to 客户经理 at it, once
    const mine = async () => (await d.notifications(e, 'sla-reminder')).filter((n) => JSON.stringify(n.refs).includes(o.orderNo));
    await e.clockSet('2026-10-09T08:59:00+08:00');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await mine(), 'not before its time').to.have.length(0);
    await e.clockSet('2026-10-09T09:00:01+08:00');
    const sent = await d.waitFor(async () => ((await mine()).length ? mine() : null), 'the SLA reminder');
    // the task is assigned to the order's customer manager: the reminder is theirs by name, not the group's
    expect(sent.map((n) => [n.recipientUser, n.recipientRole])).to.deep.equal([[o.customerManager, null]]);
    expect(sent[0]!.refs).to.deep.include({ taskName: '客户确认业务订单', dueAt: '2026-10-10T23:59:59+08:00' });
    // a reminder leaves the task open; a later poll of the watch sends nothing more
    await e.api.waitTask(d.CM, 'confirm-order-with-customer', { orderNo: o.orderNo }, d.WAIT);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await mine(), 'once').to.have.length(1);
  });

  it("a later step is due N working days after its own creation, not after the order: the watch moves the model's date", async () => {
    await e.clockSet('2026-10-12T10:00:00+08:00'); // Monday
    const o = await d.createOrder(e);
    const pik = await d.orderInstanceKey(e, o.id);
    const no = { orderNo: o.orderNo };
    await e.clockSet('2026-10-15T10:00:00+08:00'); // Thursday: the customer confirms three days later
    await d.confirm(e, no);
    const due = async () => {
      const r = await e.rest('POST', '/v2/user-tasks/search', { filter: { processInstanceKey: pik, elementId: 'draft-revenue-contract' } });
      return (r.body.items as { dueDate?: string }[])[0]?.dueDate;
    };
    // 编制协议 has 3 working days: from the 15th (Fri 16, Mon 19, Tue 20), not from the order's 12th (which gave the 15th)
    const want = new Date('2026-10-20T23:59:59+08:00').getTime();
    const got = await d.waitFor(async () => {
      const v = await due();
      return v && new Date(v).getTime() === want ? v : null;
    }, 'the due date counted from the task');
    expect(new Date(got).toISOString()).to.equal(new Date(want).toISOString());
    // in place on a second look; and past the model's date (the 15th) nothing escalates, the step has till the 20th
    await e.clockSet('2026-10-16T10:00:00+08:00');
    await new Promise((r) => setTimeout(r, 1200));
    expect(new Date((await due())!).getTime()).to.equal(want);
    const escalated = (await d.notifications(e, 'sla-overdue')).filter((n) => JSON.stringify(n.refs).includes(o.orderNo));
    expect(escalated).to.have.length(0);
  });
});
