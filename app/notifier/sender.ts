/**
 * The notification sender: fans out notification_outbox into deliveries (domain/notifications/fan-out.ts)
 * and mails the e-mail deliveries (domain/notifications/email-queue.ts) through the Mailer, in a loop.
 *
 * - At most once per notification, recipient and channel in the database (unique rows, one transaction).
 * - E-mail: claimed with a lease and its Message-ID stored first; sent; marked SENT (idempotent). An
 *   error of the send → retry with back-off (backOffBaseMs · 2^attempts, ≤ backOffMaxMs), FAILED with its
 *   error after maxAttempts or at once on a 5xx answer (listed at GET /api/notification-deliveries).
 *   An error of the MARK (database gone, or the process dies there) leaves the row leased: after the lease
 *   the mail goes again with the same Message-ID (the one window where a duplicate can arise, see
 *   email-queue.ts).
 * - Times here are technical (wall clock): leases and back-off, not business dates.
 */
import { IsNull, LessThanOrEqual, type DataSource } from 'typeorm';
import { NotificationDeliveryEntity, NotificationEntity, type NotificationDelivery } from '../../db/entities/index';
import { claimEmails, markEmailFailed, markEmailSent } from '../../domain/notifications/email-queue';
import { fanOutPending } from '../../domain/notifications/fan-out';
import { findUser } from '../../domain/notifications/directory';
import { renderNotification } from '../../domain/notifications/templates';
import { isPermanentSmtpError, type Mailer } from './mailer';

export interface SenderLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** counters the sender moves (app/observability/notifications.ts) */
export interface SenderMetrics {
  sent(channel: 'in-app' | 'email', n?: number): void;
  failed(channel: 'email'): void;
}

export interface SenderOptions {
  dataSource: DataSource;
  /** null: in-app only (SMTP_URL unset) */
  mailer: Mailer | null;
  baseUrl: string;
  log?: SenderLog;
  metrics?: SenderMetrics;
  /** pause when nothing is due (ms, default 500) */
  idleMs?: number;
  /** lease of a claimed e-mail (ms, default 60 s): a re-send after a crash waits this long */
  leaseMs?: number;
  maxAttempts?: number;
  backOffBaseMs?: number;
  backOffMaxMs?: number;
  /** called after the SMTP server accepted a mail and before it is marked SENT (tests put a crash here) */
  afterSend?: (d: NotificationDelivery) => Promise<void>;
}

export interface RunningSender {
  kick(): void;
  /** resolves when nothing is left to fan out and no e-mail is due or in flight */
  idle(timeoutMs?: number): Promise<void>;
  stats(): { fannedOut: number; sent: number; retried: number; failed: number; lastError: string | null };
  stop(): Promise<void>;
}

const silent: SenderLog = { info() {}, warn() {}, error() {} };
const errText = (e: unknown) => String((e as Error)?.message ?? e);

export function startSender(opts: SenderOptions): RunningSender {
  const ds = opts.dataSource;
  const log = opts.log ?? silent;
  const idleMs = opts.idleMs ?? 500;
  const leaseMs = opts.leaseMs ?? 60_000;
  const policy = { maxAttempts: opts.maxAttempts ?? 8, baseMs: opts.backOffBaseMs ?? 2000, maxMs: opts.backOffMaxMs ?? 600_000 };
  const stats = { fannedOut: 0, sent: 0, retried: 0, failed: 0, lastError: null as string | null };
  let stopped = false;
  let busy = false;
  let wake: (() => void) | null = null;

  async function mail(d: NotificationDelivery): Promise<void> {
    const mailer = opts.mailer!;
    let sent = false;
    try {
      const n = await ds.getRepository(NotificationEntity).findOneBy({ id: d.notificationId });
      if (!n) throw new Error(`notification ${d.notificationId} not found`);
      const name = (await findUser(ds, d.recipient))?.displayName ?? d.recipient;
      const text = renderNotification(n.template, n.refs, { recipientName: name, baseUrl: opts.baseUrl });
      await mailer.send({ to: d.address!, subject: text.subject, text: text.body, messageId: d.messageId! });
      sent = true;
      if (opts.afterSend) await opts.afterSend(d);
      if (await markEmailSent(ds, d.id)) {
        stats.sent++;
        opts.metrics?.sent('email');
      }
    } catch (e) {
      stats.lastError = errText(e);
      if (sent) {
        // accepted by the server, not recorded: the lease runs out and the same Message-ID goes again
        log.error(
          { deliveryId: d.id, messageId: d.messageId, err: stats.lastError },
          'e-mail sent but not marked; it is re-sent with the same Message-ID after the lease',
        );
        return;
      }
      const status = await markEmailFailed(ds, d.id, stats.lastError, { ...policy, permanent: isPermanentSmtpError(e) }).catch((err) => {
        log.error({ deliveryId: d.id, err: errText(err) }, 'could not record the failed e-mail (the lease will run out and it is retried)');
        return 'PENDING' as const;
      });
      if (status === 'FAILED') {
        stats.failed++;
        opts.metrics?.failed('email');
        log.error({ deliveryId: d.id, to: d.address, err: stats.lastError }, 'e-mail notification failed for good');
      } else {
        stats.retried++;
        log.warn({ deliveryId: d.id, to: d.address, err: stats.lastError }, 'e-mail notification not delivered; will retry');
      }
    }
  }

  async function round(): Promise<number> {
    let work = 0;
    for (;;) {
      const r = await fanOutPending(ds, { email: !!opts.mailer });
      if (!r.notifications) break;
      work += r.notifications;
      stats.fannedOut += r.notifications;
      // in-app rows count as sent when written (they are the inbox); e-mails when the server took them
      if (r.inApp) opts.metrics?.sent('in-app', r.inApp);
    }
    if (opts.mailer) {
      const batch = await claimEmails(ds, 20, { leaseMs, messageIdDomain: opts.mailer.messageIdDomain });
      for (const d of batch) await mail(d);
      work += batch.length;
    }
    return work;
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => ((wake = null), resolve()), ms);
      wake = () => (clearTimeout(t), (wake = null), resolve());
    });

  const loop = (async () => {
    while (!stopped) {
      busy = true;
      let n = 0;
      try {
        n = await round();
      } catch (e) {
        stats.lastError = errText(e);
        log.error({ err: stats.lastError }, 'notification round failed (database?); retrying');
      }
      busy = false;
      if (!n && !stopped) await sleep(idleMs);
    }
  })();

  return {
    kick: () => wake?.(),
    async idle(timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const pending = await ds.getRepository(NotificationEntity).count({ where: { sentAt: IsNull() } });
        const due = opts.mailer
          ? await ds
              .getRepository(NotificationDeliveryEntity)
              .count({ where: { channel: 'email', status: 'PENDING', nextAttemptAt: LessThanOrEqual(new Date()) } })
          : 0;
        if (!pending && !due && !busy) return;
        wake?.();
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`notification sender: work still pending after ${timeoutMs} ms (last error: ${stats.lastError ?? 'none'})`);
    },
    stats: () => ({ ...stats }),
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
