/**
 * Notifications from the outbox to people, against the test database and a real SMTP server
 * (test/support/smtp.ts): fan-out to the members of a role and to one person, in-app and e-mail,
 * exactly once per notification, recipient and channel; retries, back-off and FAILED with the error;
 * a crash before the send and between the send and the mark.
 */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { NotificationDeliveryEntity, NotificationEntity } from '../../db/entities/index';
import { inTransaction } from '../../db/transaction';
import { enqueueNotification, type NotificationInput } from '../../domain/outbox';
import { demoEmail, upsertUsers } from '../../domain/notifications/directory';
import { claimEmails } from '../../domain/notifications/email-queue';
import { fanOutPending } from '../../domain/notifications/fan-out';
import { listDeliveries, listInbox, markRead, unreadCount } from '../../domain/notifications/inbox';
import { createSmtpMailer, type Mailer } from '../../app/notifier/mailer';
import { startSender, type RunningSender, type SenderOptions } from '../../app/notifier/sender';
import { useTestDatabase } from '../support/db';
import { anApPartner } from '../support/fixtures';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

const AT = new Date('2026-12-30T00:00:01+08:00');
const BASE = 'http://ot.example.test';

describe('notifications: fan-out and the e-mail sender', function () {
  this.timeout(30_000);
  let ds: DataSource;
  let smtp: TestSmtpServer;
  let mailer: Mailer;
  const senders: RunningSender[] = [];
  useTestDatabase((d) => (ds = d));

  before(async () => {
    smtp = await startSmtpServer();
    mailer = createSmtpMailer({ url: smtp.url, from: '在线培训业务流程系统 <no-reply@example.test>' });
  });
  after(async () => {
    mailer.close();
    await smtp.close();
  });
  beforeEach(async () => {
    smtp.mails.length = 0;
    await upsertUsers(
      ds,
      [
        {
          username: 'dept-manager',
          displayName: '部门经理（演示）',
          email: demoEmail('dept-manager'),
          roles: ['dept-manager'],
          emailOptIn: true,
        },
        { username: 'dept-manager-2', displayName: '王经理', email: 'wang@example.test', roles: ['dept-manager'], emailOptIn: false },
        {
          username: 'customer-manager',
          displayName: '客户经理（演示）',
          email: demoEmail('customer-manager'),
          roles: ['customer-manager'],
          emailOptIn: true,
        },
      ],
      AT,
    );
  });
  afterEach(async () => {
    for (const s of senders.splice(0)) await s.stop();
  });

  const notify = (n: NotificationInput) => inTransaction(ds, (em) => enqueueNotification(em, n, AT));
  const overdue = (orderNo = 'YW-2026-000123') =>
    notify({
      dedupeKey: `completion-overdue:${orderNo}`,
      recipientRole: 'dept-manager',
      template: 'completion-record-overdue',
      refs: { orderNo, completionDeadline: '2026-12-29T23:59:59+08:00', customerManager: 'customer-manager' },
    });
  const sender = (o: Partial<SenderOptions> = {}) => {
    const s = startSender({
      dataSource: ds,
      mailer,
      baseUrl: BASE,
      idleMs: 20,
      leaseMs: 60_000,
      backOffBaseMs: 50,
      backOffMaxMs: 200,
      maxAttempts: 3,
      ...o,
    });
    senders.push(s);
    return s;
  };
  const deliveries = () => ds.getRepository(NotificationDeliveryEntity).find({ order: { recipient: 'ASC', channel: 'ASC' } });

  it('a role reaches each member in-app, and by e-mail those who opted in; twice fanned out is once', async () => {
    await overdue();
    expect(await fanOutPending(ds, { email: true })).to.deep.equal({ notifications: 1, inApp: 2, email: 1 });
    expect(await fanOutPending(ds, { email: true })).to.deep.equal({ notifications: 0, inApp: 0, email: 0 });
    const rows = await deliveries();
    expect(rows.map((r) => [r.recipient, r.channel, r.status])).to.deep.equal([
      ['dept-manager', 'email', 'PENDING'],
      ['dept-manager', 'in-app', 'SENT'],
      ['dept-manager-2', 'in-app', 'SENT'],
    ]);
    expect(rows[0].address).to.equal('dept-manager@example.test');
    expect(
      (await ds.getRepository(NotificationEntity).findOneByOrFail({ dedupeKey: 'completion-overdue:YW-2026-000123' })).sentAt,
    ).to.not.equal(null);
  });

  it("a person (the order's customer manager) reaches that person only; without SMTP in-app only", async () => {
    await notify({
      dedupeKey: 'completion-reminder:o1',
      recipientUser: 'customer-manager',
      template: 'completion-record-reminder',
      refs: { orderNo: 'YW-2026-000001', completionDeadline: '2026-12-29T23:59:59+08:00', deadlineProvisional: false },
    });
    expect(await fanOutPending(ds, { email: false })).to.deep.equal({ notifications: 1, inApp: 1, email: 0 });
    expect((await deliveries()).map((r) => [r.recipient, r.channel])).to.deep.equal([['customer-manager', 'in-app']]);
  });

  it('an AP role reaches only the users of the partner the notification names; a role without members is kept with the reason', async () => {
    const alpha = await anApPartner(ds, { code: 'alpha' });
    const beta = await anApPartner(ds, { code: 'beta', name: '示例AP 贝塔' });
    await upsertUsers(
      ds,
      [
        { username: 'ap-alpha', email: demoEmail('ap-alpha'), roles: ['ap-partner'], apPartnerId: alpha.id, emailOptIn: true },
        { username: 'ap-beta', email: demoEmail('ap-beta'), roles: ['ap-partner'], apPartnerId: beta.id, emailOptIn: true },
      ],
      AT,
    );
    await notify({
      dedupeKey: 'ap-implementation-request:c1',
      recipientRole: 'ap-partner',
      template: 'ap-implementation-request',
      refs: { expenseContractId: 'c1', expenseContractNo: 'ZC-2026-000001', apPartnerId: alpha.id, slaDuration: 'P10D' },
    });
    await notify({
      dedupeKey: 'x:ops',
      recipientRole: 'ops',
      template: 'user-task-created',
      refs: { userTaskKey: '1', taskName: '处理故障' },
    });
    await fanOutPending(ds, { email: true });
    expect((await deliveries()).map((r) => [r.recipient, r.channel])).to.deep.equal([
      ['ap-alpha', 'email'],
      ['ap-alpha', 'in-app'],
    ]);
    const ops = await ds.getRepository(NotificationEntity).findOneByOrFail({ dedupeKey: 'x:ops' });
    expect(ops.sentAt).to.not.equal(null);
    expect(ops.lastError).to.match(/no recipient: nobody has role ops/);
  });

  it('mails the Chinese template with the link to the case and the Message-ID recorded before the send; the inbox shows it unread first', async () => {
    await overdue();
    await notify({
      dedupeKey: 'older',
      recipientRole: 'dept-manager',
      template: 'monthly-report-late',
      refs: { reportId: 'r1', month: '2026-11', version: 1, dueAt: '2026-12-04T23:59:59+08:00' },
    });
    const s = sender();
    const [mail] = await smtp.waitFor('dept-manager@example.test', 2);
    await s.idle();
    const m = smtp.to('dept-manager@example.test').find((x) => x.subject.includes('YW-2026-000123'))!;
    expect(m.subject).to.equal('竣工记录已逾期：YW-2026-000123');
    expect(m.text).to.contain('部门经理（演示），您好');
    expect(m.text).to.contain('2026年12月29日 23:59');
    expect(m.text).to.contain(`${BASE}/#/orders/YW-2026-000123`);
    expect(m.from).to.equal('no-reply@example.test');
    expect(mail.messageId).to.match(/^<[0-9a-f-]{36}@example\.test>$/);
    const rows = (await deliveries()).filter((r) => r.channel === 'email');
    expect(rows.map((r) => r.status)).to.deep.equal(['SENT', 'SENT']);
    expect(rows.map((r) => r.messageId).sort()).to.deep.equal(
      smtp
        .to('dept-manager@example.test')
        .map((x) => x.messageId)
        .sort(),
    );
    expect(s.stats().sent).to.equal(2);

    const inbox = await listInbox(ds, 'dept-manager', { limit: 10, offset: 0 }, { baseUrl: BASE });
    expect(inbox.unread).to.equal(2);
    const first = inbox.items[1];
    await markRead(ds, 'dept-manager', first.id, AT, { baseUrl: BASE });
    const again = await listInbox(ds, 'dept-manager', { limit: 10, offset: 0 }, { baseUrl: BASE });
    expect(again.items.map((i) => i.readAt === null)).to.deep.equal([true, false]);
    expect(again.items[1].id).to.equal(first.id);
    expect(await unreadCount(ds, 'dept-manager')).to.equal(1);
    expect(await markRead(ds, 'dept-manager-2', first.id, AT, { baseUrl: BASE })).to.equal(null);
  });

  it('a transient SMTP failure is retried with back-off; a refused address is FAILED at once with its error', async () => {
    await upsertUsers(ds, [{ username: 'gone', email: 'gone@example.test', roles: ['dept-manager'], emailOptIn: true }], AT);
    smtp.refuse('gone@example.test');
    smtp.failNext(2);
    await overdue();
    const s = sender();
    await smtp.waitFor('dept-manager@example.test', 1);
    await s.idle();
    const rows = (await deliveries()).filter((r) => r.channel === 'email');
    const ok = rows.find((r) => r.recipient === 'dept-manager')!;
    const bad = rows.find((r) => r.recipient === 'gone')!;
    expect(ok.status).to.equal('SENT');
    expect(bad.status).to.equal('FAILED');
    expect(bad.lastError).to.match(/550|mailbox unavailable/);
    expect(s.stats().retried).to.be.greaterThan(0);
    const report = await listDeliveries(ds, 'FAILED', { limit: 10, offset: 0 });
    expect(report.items.map((d) => [d.recipient, d.template, d.status])).to.deep.equal([['gone', 'completion-record-overdue', 'FAILED']]);
    expect(report.items[0].lastError).to.match(/550/);
  });

  it('an SMTP server that stays down: FAILED after maxAttempts, with the error', async () => {
    await overdue();
    await fanOutPending(ds, { email: true });
    const down = createSmtpMailer({ url: 'smtp://127.0.0.1:1', from: 'no-reply@example.test', timeoutMs: 500 });
    const s = sender({ mailer: down });
    await new Promise((r) => setTimeout(r, 1500));
    await s.stop();
    down.close();
    const row = (await deliveries()).find((r) => r.channel === 'email')!;
    expect(row.status).to.equal('FAILED');
    expect(row.attempts).to.equal(3);
    expect(row.lastError).to.match(/ECONNREFUSED|connect/);
  });

  it('a crash after the claim, before the send: nothing lost, sent once after the lease', async () => {
    await overdue();
    await fanOutPending(ds, { email: true });
    // a sender claims the mail (lease + Message-ID committed) and dies before it talks SMTP
    const [claimed] = await claimEmails(ds, 10, { leaseMs: 300, messageIdDomain: 'example.test' });
    expect(claimed.messageId).to.match(/@example\.test>$/);
    sender({ leaseMs: 300 });
    const [m] = await smtp.waitFor('dept-manager@example.test', 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.to('dept-manager@example.test')).to.have.length(1);
    expect(m.messageId).to.equal(claimed.messageId);
    expect((await deliveries()).find((r) => r.channel === 'email')!.status).to.equal('SENT');
  });

  it('a crash between the send and the mark: the mail goes again once, with the same Message-ID; then SENT and never again', async () => {
    await overdue();
    let crashes = 0;
    // the first sender "dies" right after the server accepted the mail: it never marks it
    const first = sender({
      leaseMs: 400,
      afterSend: async () => {
        crashes++;
        throw new Error('simulated crash between send and mark');
      },
    });
    await smtp.waitFor('dept-manager@example.test', 1);
    await first.stop();
    expect(crashes).to.equal(1);
    const pending = (await deliveries()).find((r) => r.channel === 'email')!;
    expect(pending.status).to.equal('PENDING');
    // the next sender takes the row when the lease ran out
    const next = sender({ leaseMs: 400 });
    await smtp.waitFor('dept-manager@example.test', 2);
    await next.idle();
    await new Promise((r) => setTimeout(r, 800));
    const mails = smtp.to('dept-manager@example.test');
    expect(mails).to.have.length(2);
    expect(new Set(mails.map((x) => x.messageId)).size).to.equal(1);
    expect(mails[0].messageId).to.equal(pending.messageId);
    const done = (await deliveries()).find((r) => r.channel === 'email')!;
    expect(done.status).to.equal('SENT');
    expect(done.attempts).to.equal(1);
    // in-app: once
    expect((await deliveries()).filter((r) => r.channel === 'in-app' && r.recipient === 'dept-manager')).to.have.length(1);
  });
});
