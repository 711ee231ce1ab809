/**
 * Notification metrics on the process's registry (createMetrics in metrics.ts), prefix `ot_`:
 *   ot_notifications_sent_total{channel}      counter  deliveries done: in-app rows written, e-mails the SMTP server accepted
 *   ot_notifications_failed_total{channel}    counter  e-mail deliveries given up (FAILED, listed for admins)
 *   ot_notifications_pending{stage}           gauge    read on each scrape: `fan-out` notifications not yet
 *                                                      fanned out, `email` e-mails not yet sent (due or backing off);
 *                                                      NaN while the database cannot be read
 */
import { IsNull, type DataSource } from 'typeorm';
import { Counter, Gauge } from 'prom-client';
import { NotificationDeliveryEntity, NotificationEntity } from '../../db/entities/index';
import type { AppMetrics } from '../../platform/observability/metrics';
import type { SenderMetrics } from '../notifier/sender';

export function notificationMetrics(metrics: AppMetrics, ds: DataSource): SenderMetrics {
  const registers = [metrics.registry];
  const sent = new Counter({
    name: `${metrics.prefix}notifications_sent_total`,
    help: 'Notification deliveries done, per channel (in-app written, e-mail accepted by the SMTP server).',
    labelNames: ['channel'],
    registers,
  });
  const failed = new Counter({
    name: `${metrics.prefix}notifications_failed_total`,
    help: 'E-mail notification deliveries given up after their retries (or refused for good).',
    labelNames: ['channel'],
    registers,
  });
  new Gauge({
    name: `${metrics.prefix}notifications_pending`,
    help: 'Notification work not done yet: fan-out = notifications not yet addressed to people, email = e-mails not yet sent.',
    labelNames: ['stage'],
    registers,
    async collect() {
      // a scrape must answer while the database is away (the readiness check reports that): NaN then
      try {
        const [fanOut, email] = await Promise.all([
          ds.getRepository(NotificationEntity).count({ where: { sentAt: IsNull() } }),
          ds.getRepository(NotificationDeliveryEntity).count({ where: { channel: 'email', status: 'PENDING' } }),
        ]);
        this.set({ stage: 'fan-out' }, fanOut);
        this.set({ stage: 'email' }, email);
      } catch {
        this.set({ stage: 'fan-out' }, NaN);
        this.set({ stage: 'email' }, NaN);
      }
    },
  });
  for (const channel of ['in-app', 'email']) sent.inc({ channel }, 0);
  failed.inc({ channel: 'email' }, 0);
  return {
    sent: (channel, n = 1) => sent.inc({ channel }, n),
    failed: (channel) => failed.inc({ channel }),
  };
}
