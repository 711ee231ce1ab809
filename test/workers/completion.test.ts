import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import {
  BusinessOrderEntity,
  ChangeOrderEntity,
  CustomerCommunicationRecordEntity,
  NotificationEntity,
  RecordVersionEntity,
  ServiceRequestEntity,
} from '../../db/entities/index';
import { uploadCalendarYear } from '../../domain/calendar';
import { JOB } from '../../domain/vocabulary';
import { handlerFor } from '../../workers/registry';
import {
  completedVars,
  deliver,
  expectIdempotent,
  makeJob,
  makeServices,
  rowCount,
  seedChangeOrder,
  seedWorld,
  useTestDatabase,
} from './support/harness';
import { withoutSchedule } from '../support/calendar-years';

const h = (t: string) => handlerFor(t)!;

/**
 * Independent oracle: the State Council holiday notices for 2025 (Nov 2024) and 2026 (Nov 2025), typed in
 * here from the notices — not read from the database or the chinese-days package the calendar is seeded from.
 */
const range = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d = new Date(d.getTime() + 86_400_000))
    out.push(d.toISOString().slice(0, 10));
  return out;
};
const NOTICE = {
  holidays: new Set([
    // 2025
    '2025-01-01',
    ...range('2025-01-28', '2025-02-04'),
    ...range('2025-04-04', '2025-04-06'),
    ...range('2025-05-01', '2025-05-05'),
    ...range('2025-05-31', '2025-06-02'),
    ...range('2025-10-01', '2025-10-08'),
    // 2026
    ...range('2026-01-01', '2026-01-03'),
    ...range('2026-02-15', '2026-02-23'),
    ...range('2026-04-04', '2026-04-06'),
    ...range('2026-05-01', '2026-05-05'),
    ...range('2026-06-19', '2026-06-21'),
    ...range('2026-09-25', '2026-09-27'),
    ...range('2026-10-01', '2026-10-07'),
  ]),
  workdays: new Set([
    '2025-01-26',
    '2025-02-08',
    '2025-04-27',
    '2025-09-28',
    '2025-10-11',
    '2026-01-04',
    '2026-02-14',
    '2026-02-28',
    '2026-05-09',
    '2026-09-20',
    '2026-10-10',
  ]),
  published: new Set([2025, 2026]),
};
function oracleWorking(day: string): boolean {
  if (NOTICE.workdays.has(day)) return true;
  if (NOTICE.holidays.has(day)) return false;
  const wd = new Date(`${day}T00:00:00Z`).getUTCDay();
  return wd !== 0 && wd !== 6;
}
function oracle(deliveredOn: string, n: number, reminderBack: number) {
  const days: string[] = [];
  let provisional = false;
  for (let d = new Date(`${deliveredOn}T00:00:00Z`); days.length < n; ) {
    d = new Date(d.getTime() + 86_400_000);
    const day = d.toISOString().slice(0, 10);
    if (!NOTICE.published.has(Number(day.slice(0, 4)))) provisional = true;
    if (oracleWorking(day)) days.push(day);
  }
  return { deadline: `${days[n - 1]}T23:59:59+08:00`, reminder: `${days[n - 1 - reminderBack]}T09:00:00+08:00`, provisional };
}

describe('workers: delivery.record and completion.*', function () {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d));

  it('the oracle agrees with the domain.md example (1 working day after 2026-09-30 is 2026-10-08)', () => {
    expect(oracle('2026-09-30', 1, 0).deadline).to.equal('2026-10-08T23:59:59+08:00');
  });

  it('delivery.record → DELIVERED once; compute-deadline: 60 working days, reminder 5 working days before, +08:00, stored on the order', async () => {
    const { order } = await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED' } });
    const s = makeServices(ds);
    const d = await expectIdempotent(
      h(JOB.deliveryRecord),
      makeJob(JOB.deliveryRecord, { orderId: order.id, deliveredOn: '2026-09-18', deliveryNote: '已交付', completedBy: 'cm.li' }),
      s,
      async () => ({ a: await rowCount(ds, 'audit_log', "action = 'business-order.deliver'") }),
    );
    expect(completedVars(d.outcome)).to.deep.equal({ deliveredOn: '2026-09-18' });
    const r = await expectIdempotent(
      h(JOB.completionComputeDeadline),
      makeJob(JOB.completionComputeDeadline, { orderId: order.id, deliveredOn: '2026-09-18' }),
      s,
      async () => ({ a: await rowCount(ds, 'audit_log', "action = 'business-order.completion-deadline'") }),
    );
    const want = oracle('2026-09-18', 60, 5);
    expect(completedVars(r.outcome)).to.deep.equal({
      completionDeadline: want.deadline,
      completionReminderAt: want.reminder,
      deadlineProvisional: false,
    });
    // by hand: Sep 20 (Sun, worked) is day 1, Sep 21–24 days 2–5, Sep 25 and Oct 1–7 off, Sep 28–30 days 6–8,
    // Oct 8–9 days 9–10, Oct 10 (Sat, worked) day 11, then 9 full weeks to Dec 11 (day 56), Dec 14–17 days 57–60
    expect(want.deadline).to.equal('2026-12-17T23:59:59+08:00');
    expect(await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id })).to.include({
      status: 'DELIVERED',
      deliveredOn: '2026-09-18',
      completionDeadline: want.deadline,
      completionReminderAt: want.reminder,
      deadlineProvisional: false,
    });
  });

  const cases: [string, string][] = [
    ['2025-01-20', 'Spring Festival 2025 (Jan 26 and Feb 8 worked)'],
    ['2025-03-28', 'Qingming and Labour Day 2025 (Apr 27 worked)'],
    ['2025-05-26', 'Dragon Boat 2025'],
    ['2025-09-24', 'Mid-Autumn + National Day 2025 (Sep 28, Oct 11 worked)'],
    ['2025-12-19', 'New Year 2026 (Jan 4 worked) into Spring Festival 2026'],
    ['2026-02-10', 'Spring Festival 2026 (Feb 14, Feb 28 worked)'],
    ['2026-03-30', 'Qingming and Labour Day 2026 (May 9 worked)'],
    ['2026-06-12', 'Dragon Boat 2026'],
    ['2026-09-18', 'Mid-Autumn and National Day 2026 (Sep 20, Oct 10 worked)'],
  ];
  for (const [deliveredOn, what] of cases) {
    it(`compute-deadline across ${what}: delivered ${deliveredOn}`, async () => {
      const { order } = await seedWorld(ds, { order: { status: 'DELIVERED', deliveredOn } });
      const out = completedVars(
        await deliver(h(JOB.completionComputeDeadline), makeJob(JOB.completionComputeDeadline, { orderId: order.id }), makeServices(ds)),
      );
      const want = oracle(deliveredOn, 60, 5);
      expect(out).to.deep.equal({ completionDeadline: want.deadline, completionReminderAt: want.reminder, deadlineProvisional: false });
    });
  }

  it('into a year without a published schedule (2027): weekends only, provisional on the order; final once an admin uploads 2027', async () => {
    await withoutSchedule(ds, 2027);
    const { order } = await seedWorld(ds, { order: { status: 'DELIVERED', deliveredOn: '2026-11-20' } });
    const s = makeServices(ds);
    const out = completedVars(
      await deliver(h(JOB.completionComputeDeadline), makeJob(JOB.completionComputeDeadline, { orderId: order.id }), s),
    );
    const want = oracle('2026-11-20', 60, 5);
    expect(want.provisional).to.equal(true);
    expect(out).to.deep.equal({ completionDeadline: want.deadline, completionReminderAt: want.reminder, deadlineProvisional: true });
    expect((await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id })).deadlineProvisional).to.equal(true);
    // 2027 published (here: only New Year's Day off): the same delivery, computed again, is final and one day later
    await uploadCalendarYear(
      ds,
      { year: 2027, published: true, holidays: [{ date: '2027-01-01', name: '元旦' }], workdays: [] },
      { actor: 'admin' },
    );
    const { order: o2 } = await seedWorld(ds, { order: { status: 'DELIVERED', deliveredOn: '2026-11-20' } });
    const again = completedVars(
      await deliver(h(JOB.completionComputeDeadline), makeJob(JOB.completionComputeDeadline, { orderId: o2.id }), s),
    );
    expect(again.deadlineProvisional).to.equal(false);
    expect(new Date(again.completionDeadline).getTime()).to.be.greaterThan(new Date(out.completionDeadline).getTime());
  });

  it('send-reminder and escalate-overdue: one notification each; record-completion: GT record + COMPLETED, once', async () => {
    const { order, customerId } = await seedWorld(ds, {
      order: { status: 'DELIVERED', deliveredOn: '2026-09-18', completionDeadline: '2026-12-16T23:59:59+08:00' },
    });
    const s = makeServices(ds);
    const rem = await expectIdempotent(
      h(JOB.completionSendReminder),
      makeJob(JOB.completionSendReminder, { orderId: order.id, completionDeadline: '2026-12-16T23:59:59+08:00' }),
      s,
      async () => ({ n: await rowCount(ds, 'notification_outbox') }),
    );
    expect(rem.counts.n).to.equal(1);
    expect(await ds.getRepository(NotificationEntity).findOneByOrFail({ template: 'completion-record-reminder' })).to.include({
      recipientUser: 'cm.li',
    });
    const esc = await expectIdempotent(
      h(JOB.completionEscalateOverdue),
      makeJob(JOB.completionEscalateOverdue, { orderId: order.id, completionDeadline: '2026-12-16T23:59:59+08:00' }),
      s,
      async () => ({
        n: await rowCount(ds, 'notification_outbox'),
        a: await rowCount(ds, 'audit_log', "action = 'business-order.completion-overdue'"),
      }),
    );
    expect(esc.counts).to.deep.equal({ n: 2, a: 1 });
    expect(await ds.getRepository(NotificationEntity).findOneByOrFail({ template: 'completion-record-overdue' })).to.include({
      recipientRole: 'dept-manager',
    });

    const job = makeJob(JOB.completionRecordCompletion, {
      orderId: order.id,
      networkQuality: '4',
      serviceAttitude: '5',
      customerFeedback: '平台稳定',
      followUp: '三个月后回访',
      completedBy: 'cm.li',
    });
    const r = await expectIdempotent(h(JOB.completionRecordCompletion), job, s, async () => ({
      records: await rowCount(ds, 'customer_communication_record'),
      versions: await rowCount(ds, 'record_version', "record_type = 'customer-communication-record'"),
    }));
    const vars = completedVars(r.outcome);
    expect(vars.communicationRecordNo).to.equal('GT-2026-0001');
    expect(await ds.getRepository(CustomerCommunicationRecordEntity).findOneByOrFail({ id: vars.communicationRecordId })).to.include({
      occasion: 'COMPLETION',
      orderId: order.id,
      customerId,
      filedBy: 'cm.li',
    });
    const content = (await ds.getRepository(RecordVersionEntity).findOneByOrFail({ recordId: vars.communicationRecordId, version: 1 }))
      .content;
    expect(content).to.include({
      networkQuality: '4',
      serviceAttitude: '5',
      customerFeedback: '平台稳定',
      followUp: '三个月后回访',
      orderNo: order.orderNo,
    });
    expect((await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id })).status).to.equal('COMPLETED');
  });

  it('the change process: delivery, deadline and completion on the change order', async () => {
    const { order } = await seedWorld(ds, { order: { status: 'COMPLETED' } });
    const change = await seedChangeOrder(ds, order, { status: 'CONTRACT_SIGNED' });
    const s = makeServices(ds);
    await deliver(
      h(JOB.deliveryRecord),
      makeJob(JOB.deliveryRecord, { changeOrderId: change.id, orderId: order.id, deliveredOn: '2026-06-12', completedBy: 'cm.li' }),
      s,
    );
    const dl = completedVars(
      await deliver(
        h(JOB.completionComputeDeadline),
        makeJob(JOB.completionComputeDeadline, { changeOrderId: change.id, orderId: order.id }),
        s,
      ),
    );
    expect(dl.completionDeadline).to.equal(oracle('2026-06-12', 60, 5).deadline);
    const done = completedVars(
      await deliver(
        h(JOB.completionRecordCompletion),
        makeJob(JOB.completionRecordCompletion, { changeOrderId: change.id, orderId: order.id, networkQuality: '4', completedBy: 'cm.li' }),
        s,
      ),
    );
    expect(await ds.getRepository(CustomerCommunicationRecordEntity).findOneByOrFail({ id: done.communicationRecordId })).to.include({
      changeOrderId: change.id,
      orderId: order.id,
    });
    expect(await ds.getRepository(ChangeOrderEntity).findOneByOrFail({ id: change.id })).to.include({
      status: 'COMPLETED',
      completionDeadline: dl.completionDeadline,
    });
  });

  it('service-request.record-handling (actor of the handling task by type) and close (communication record), once each', async () => {
    const { order, customerId } = await seedWorld(ds, { order: { status: 'COMPLETED' } });
    const now = new Date('2026-07-01T02:00:00Z');
    const id = '7a000000-0000-4000-8000-000000000001';
    await ds.getRepository(ServiceRequestEntity).insert({
      id,
      requestNo: 'FW-2026-000001',
      customerId,
      orderId: order.id,
      revenueContractId: null,
      requestType: 'FAULT',
      status: 'LOGGED',
      description: '直播卡顿',
      customerManager: 'cm.li',
      reportedBy: 'cm.li',
      resolution: null,
      handledBy: null,
      handledAt: null,
      communicationRecordId: null,
      processInstanceKey: '2251799813690900',
      closedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    const asked: (string | null)[] = [];
    const s = makeServices(ds, { actors: { resolveAssignee: async (_pik, el) => (asked.push(el), 'ops.sun') } });
    const hd = await expectIdempotent(
      h(JOB.serviceRequestRecordHandling),
      makeJob(
        JOB.serviceRequestRecordHandling,
        { serviceRequestId: id, resolution: '更换出口链路', handledAt: '2026-07-01T15:00:00+08:00', requestType: 'FAULT' },
        { elementId: 'record-handling' },
      ),
      s,
      async () => ({ a: await rowCount(ds, 'audit_log', "action = 'service-request.handle'") }),
    );
    expect(completedVars(hd.outcome)).to.deep.equal({ serviceRequestStatus: 'HANDLED' });
    // the handling user task of a FAULT (concurrent first deliveries may both ask)
    expect([...new Set(asked)]).to.deep.equal(['handle-fault']);
    expect(await ds.getRepository(ServiceRequestEntity).findOneByOrFail({ id })).to.include({
      status: 'HANDLED',
      handledBy: 'ops.sun',
      resolution: '更换出口链路',
    });
    const cl = await expectIdempotent(
      h(JOB.serviceRequestClose),
      makeJob(JOB.serviceRequestClose, {
        serviceRequestId: id,
        networkQuality: '4',
        serviceAttitude: '5',
        customerFeedback: '处理及时',
        completedBy: 'cm.li',
      }),
      s,
      async () => ({ r: await rowCount(ds, 'customer_communication_record') }),
    );
    const vars = completedVars(cl.outcome);
    expect(await ds.getRepository(CustomerCommunicationRecordEntity).findOneByOrFail({ id: vars.communicationRecordId })).to.include({
      occasion: 'FAULT',
      serviceRequestId: id,
      filedBy: 'cm.li',
    });
    expect(await ds.getRepository(ServiceRequestEntity).findOneByOrFail({ id })).to.include({
      status: 'CLOSED',
      communicationRecordId: vars.communicationRecordId,
    });
  });
});
