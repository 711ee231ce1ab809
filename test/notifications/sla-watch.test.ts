/**
 * The SLA watch (app/notifier/sla-watch.ts) on the whole system, clock pinned: the department manager's
 * countersign review of an order gets its reminder at 09:00 on the working day before its Tasklist due
 * date (not a minute earlier), once; when the due date passes, one escalation to the next level
 * (domain/sla.json: center-reviewer); polling again writes nothing; a step done in time is never escalated.
 */
import { expect } from 'chai';
import { startE2E, type E2E } from '../process/support/system';
import * as d from '../process/support/driver';

describe('notifications: SLA reminders and escalations of the human steps', function () {
  this.timeout(180_000);
  let e: E2E;
  before(async () => {
    // Tuesday 1 September 2026 in Beijing
    e = await startE2E();
  });
  after(async () => e?.stop());

  const poll = () => e.sys.notifications.slaWatch!.poll();
  const of = async (template: string, orderNo: string) => (await d.notifications(e, template)).filter((n) => n.refs?.orderNo === orderNo);
  /** the order's open review, as the engine's user-task search gives it (its Tasklist due date) */
  const openReview = async (orderNo: string) => {
    const t = await e.api.waitTask(d.DEPT, 'dept-manager-review', { orderNo }, d.WAIT);
    const r = await e.rest('GET', `/v2/user-tasks/${t.key}`);
    return r.body as { userTaskKey: string; dueDate?: string };
  };

  it('部门经理审核: reminded at 09:00 the working day before, escalated to 中心审核 once overdue, each once', async () => {
    const o = await d.createOrder(e);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no);
    await d.draftRevenue(e, no);
    const task = await openReview(o.orderNo);
    // 2 working days from Tuesday 1 September: due at the end of Thursday 3 September
    expect(new Date(task.dueDate!).toISOString()).to.equal(new Date('2026-09-03T23:59:59+08:00').toISOString());

    await e.clockSet('2026-09-02T08:59:00+08:00');
    await poll();
    expect(await of('sla-reminder', o.orderNo), 'not before its time').to.have.length(0);

    await e.clockSet('2026-09-02T09:00:01+08:00');
    await poll();
    await poll();
    const reminders = await of('sla-reminder', o.orderNo);
    expect(reminders).to.have.length(1);
    expect(reminders[0]).to.include({ recipientRole: 'dept-manager', recipientUser: null });
    expect(reminders[0]!.refs).to.include({ taskName: '部门经理审核', userTaskKey: String(task.userTaskKey) });
    expect(await of('sla-overdue', o.orderNo), 'not overdue yet').to.have.length(0);

    await e.clockSet('2026-09-04T00:00:01+08:00');
    await poll();
    await poll();
    const overdue = await of('sla-overdue', o.orderNo);
    expect(overdue).to.have.length(1);
    expect(overdue[0]).to.include({ recipientRole: 'center-reviewer' });
    expect(await of('sla-reminder', o.orderNo)).to.have.length(1);
  });

  it('a step done in time is never escalated; a held task is reminded to its holder', async () => {
    await e.clockSet('2026-09-07T10:00:00+08:00'); // Monday
    const o = await d.createOrder(e);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no);
    await d.draftRevenue(e, no);
    const task = await openReview(o.orderNo);
    const claimed = await e.api.call(d.DEPT, 'POST', `/api/workbench/tasks/${task.userTaskKey}/claim`, {});
    expect(claimed.status, JSON.stringify(claimed.body)).to.be.within(200, 204);
    await e.clockAdd('P1DT23H'); // Wednesday 09:00: the reminder's time
    await poll();
    const [reminder] = await of('sla-reminder', o.orderNo);
    expect(reminder).to.include({ recipientUser: d.DEPT, recipientRole: null });
    await d.review(e, 'dept', no, 'REVENUE', 'APPROVE');
    await e.clockAdd('P3D');
    await poll();
    expect(await of('sla-overdue', o.orderNo).then((n) => n.filter((x) => x.refs?.taskName === '部门经理审核'))).to.have.length(0);
  });
});
