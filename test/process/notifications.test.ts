/**
 * Issue #18's "done when", end to end: the whole system (engine, workers, dispatcher, notification sender
 * and new-work announcer, API) with SMTP_URL at a real SMTP server started here.
 * - creating an order makes customer-manager@example.test receive a mail about the customer-confirmation
 *   task within seconds, and puts it in the customer manager's inbox (GET /api/notifications);
 * - the overdue completion escalation reaches the department manager's inbox and mailbox once, also
 *   when the sender crashes between the SMTP send and the mark (the re-send carries the same Message-ID).
 */
import { expect } from 'chai';
import { NotificationCursorEntity, NotificationDeliveryEntity, NotificationEntity } from '../../db/entities/index';
import { CURSOR_NAME, startTaskAnnouncer, type RunningAnnouncer } from '../../app/notifier/task-announcer';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

const CM_MAIL = 'customer-manager@example.test';
const DEPT_MAIL = 'dept-manager@example.test';

describe('process: notifications 通知 (in-app and e-mail)', function () {
  this.timeout(120_000);
  let e: E2E;
  let smtp: TestSmtpServer;
  /** set: the next mail to the department manager "crashes" the sender after the SMTP server took it */
  let crashNextDeptMail = false;
  let crashes = 0;
  let restarted: RunningAnnouncer | null = null;

  before(async () => {
    smtp = await startSmtpServer();
    e = await startE2E({
      env: { SMTP_URL: smtp.url, MAIL_FROM: '在线培训 <no-reply@example.test>', PUBLIC_BASE_URL: 'http://ot.example.test' },
      notifications: {
        leaseMs: 1500,
        afterSend: async (delivery) => {
          if (crashNextDeptMail && delivery.address === DEPT_MAIL) {
            crashNextDeptMail = false;
            crashes++;
            throw new Error('simulated crash between send and mark');
          }
        },
      },
    });
  });
  after(async () => {
    await restarted?.stop();
    await e?.stop();
    await smtp?.close();
  });

  it('creating an order: the customer manager gets a mail about the customer-confirmation task within seconds, and an in-app notification', async () => {
    const started = Date.now();
    const o = await d.createOrder(e);
    const subject = `新的待办任务：客户确认业务订单（${o.orderNo}）`;
    const mail = await d.waitFor(
      async () => smtp.to(CM_MAIL).find((m) => m.subject === subject),
      'the mail about the confirmation task',
      10_000,
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`      order → mail to ${CM_MAIL}: ${seconds.toFixed(2)} s`);
    expect(seconds).to.be.below(10);
    expect(mail.text).to.contain('客户确认业务订单');
    expect(mail.text).to.match(/http:\/\/ot\.example\.test\/#\/tasks\/\d+/);

    const inbox = await e.api.ok(d.CM, 'GET', '/api/notifications');
    const item = inbox.items.find(
      (i: { template: string; refs: { orderNo?: string } }) => i.template === 'user-task-created' && i.refs.orderNo === o.orderNo,
    );
    expect(item, 'in-app notification').to.exist;
    expect(item.title).to.equal(subject);
    expect(item.readAt).to.equal(null);
    expect(item.case).to.deep.include({ kind: 'user-task', no: o.orderNo });
    expect(item.refs.orderId).to.equal(o.id);
    const task = await e.api.waitTask(d.CM, 'confirm-order-with-customer', { orderNo: o.orderNo });
    expect(item.case.id).to.equal(task.key);
    expect(mail.text).to.contain(`/#/tasks/${task.key}`);

    // the announcer's poll keeps running: still one notification per task
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.to(CM_MAIL).filter((m) => m.subject === subject)).to.have.length(1);

    // a restart of the announcer (a new process: only the database remembers) neither repeats nor skips
    await e.sys.notifications.announcer!.stop();
    const cursor = await e.ds.getRepository(NotificationCursorEntity).findOneByOrFail({ name: CURSOR_NAME });
    expect(Date.parse(cursor.position)).to.be.at.least(Date.parse('2026-09-01T01:00:00Z'));
    const announced = await e.ds.getRepository(NotificationEntity).count({ where: { template: 'user-task-created' } });
    const rest = async (path: string, body: unknown) =>
      (
        await fetch(e.sys.restAddress + path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json();
    restarted = startTaskAnnouncer({
      dataSource: e.ds,
      rest,
      clock: e.sys.clock,
      intervalMs: 100,
      onAnnounced: () => e.sys.notifications.sender.kick(),
    });
    expect(await restarted.poll()).to.equal(0);
    expect(await e.ds.getRepository(NotificationEntity).count({ where: { template: 'user-task-created' } })).to.equal(announced);

    // unread count, mark read (unread first), someone else's id is not found, the admins' list
    const before = (await e.api.ok(d.CM, 'GET', '/api/notifications/unread-count')).unread;
    expect(before).to.be.greaterThan(0);
    const read = await e.api.ok(d.CM, 'POST', `/api/notifications/${item.id}/read`);
    expect(read.readAt).to.be.a('string');
    expect((await e.api.ok(d.CM, 'GET', '/api/notifications/unread-count')).unread).to.equal(before - 1);
    const page = await e.api.ok(d.CM, 'GET', '/api/notifications?limit=200');
    const flags = page.items.map((i: { readAt: string | null }) => i.readAt === null);
    // unread first: after the first read one, only read ones
    expect(flags.indexOf(false)).to.be.greaterThan(-1);
    expect(flags.slice(flags.indexOf(false)).every((f: boolean) => !f)).to.equal(true);
    expect((await e.api.call(d.DEPT, 'POST', `/api/notifications/${item.id}/read`)).status).to.equal(404);
    expect((await e.api.call(d.CM, 'GET', '/api/notifications?limit=0')).status).to.equal(400);
    expect((await e.api.call(d.CM, 'GET', '/api/notification-deliveries')).status).to.equal(403);
    expect((await e.api.call('admin', 'GET', '/api/notification-deliveries?status=SENT')).status).to.equal(200);
    expect(await e.api.ok(d.CM, 'GET', '/api/notifications/settings')).to.deep.equal({
      username: 'customer-manager',
      displayName: '客户经理（演示）',
      email: CM_MAIL,
      emailOptIn: true,
    });
  });

  it('the overdue completion escalation reaches the department manager in-app and by mail once, also across a crash of the sender', async () => {
    const o = await d.createOrder(e);
    const no = { orderNo: o.orderNo };
    await d.provision(e, o, { deliveredOn: '2026-09-30', complete: false });
    await d.waitFor(async () => ((await d.orderRow(e, o.id)).completionDeadline ? true : null), 'deadline');
    await e.api.waitTask(d.CM, 'file-completion-record', no, d.WAIT);

    crashNextDeptMail = true;
    await e.clockSet('2026-12-30T00:00:01+08:00');
    const subject = `竣工记录已逾期：${o.orderNo}`;
    const first = await d.waitFor(async () => smtp.to(DEPT_MAIL).find((m) => m.subject === subject), 'the escalation mail', 20_000);
    // the crashed attempt is sent again after the lease, with the same Message-ID, and then never again
    await d.waitFor(
      async () => (smtp.to(DEPT_MAIL).filter((m) => m.subject === subject).length >= 2 ? true : null),
      'the re-send after the crash',
      20_000,
    );
    await e.sys.notifications.sender.idle(10_000);
    await new Promise((r) => setTimeout(r, 2000));
    const mails = smtp.to(DEPT_MAIL).filter((m) => m.subject === subject);
    expect(crashes).to.equal(1);
    expect(mails).to.have.length(2);
    expect(new Set(mails.map((m) => m.messageId))).to.deep.equal(new Set([first.messageId]));
    expect(first.text).to.contain('2026年12月29日 23:59');
    expect(first.text).to.contain('客户经理：customer-manager');

    const rows = await e.ds.getRepository(NotificationDeliveryEntity).find({ where: { recipient: 'dept-manager' } });
    const email = rows.filter((r) => r.channel === 'email' && r.messageId === first.messageId);
    expect(email.map((r) => r.status)).to.deep.equal(['SENT']);

    const inbox = await e.api.ok(d.DEPT, 'GET', '/api/notifications?limit=200');
    const esc = inbox.items.filter(
      (i: { template: string; refs: { orderNo?: string } }) => i.template === 'completion-record-overdue' && i.refs.orderNo === o.orderNo,
    );
    expect(esc).to.have.length(1);
    expect(esc[0].title).to.equal(subject);
    expect(esc[0].link).to.equal(`http://ot.example.test/#/orders/${o.id}`);

    // metrics: what was sent per channel, what is pending per stage (GET /metrics of the process)
    const metrics = await e.sys.metrics.registry.metrics();
    const value = (re: RegExp) => Number(re.exec(metrics)?.[1] ?? NaN);
    expect(value(/^ot_notifications_sent_total\{[^}]*channel="email"[^}]*\} (\d+)$/m)).to.be.greaterThan(1);
    expect(value(/^ot_notifications_sent_total\{[^}]*channel="in-app"[^}]*\} (\d+)$/m)).to.be.greaterThan(1);
    expect(value(/^ot_notifications_failed_total\{[^}]*channel="email"[^}]*\} (\d+)$/m)).to.equal(0);
    expect(value(/^ot_notifications_pending\{[^}]*stage="fan-out"[^}]*\} (\d+)$/m)).to.be.at.least(0);

    await d.fileCompletion(e, no);
    await d.waitOrderStatus(e, o.id, 'COMPLETED');
  });
});
