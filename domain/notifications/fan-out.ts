/**
 * Fan-out: a notification of notification_outbox (domain/outbox.ts enqueueNotification) becomes one
 * delivery row per person and channel in notification_delivery. A role reaches each active member (an AP
 * role only that partner's users, refs.apPartnerId); a person (recipientUser) reaches that person.
 * Channels: in-app always (the row IS the inbox entry, written SENT); e-mail too when mail is configured,
 * the user opted in and has an address (written PENDING for the sender, app/notifier).
 *
 * Exactly once: the delivery rows and notification_outbox.sent_at are written in ONE transaction, the
 * notification row locked first (MySQL: FOR UPDATE SKIP LOCKED, so two fan-outs never take the same row);
 * the unique index (notification, recipient, channel) is the last guard.
 */
import { In, IsNull } from 'typeorm';
import {
  NotificationDeliveryEntity,
  NotificationEntity,
  type AppUser,
  type Notification,
  type NotificationDelivery,
} from '../../db/entities/index';
import { inTransaction, insertRows, isMysql, type Db } from '../../db/transaction';
import { newId } from '../ids';
import { findUser, membersOf } from './directory';

export interface FanOutOptions {
  /** mail is configured (SMTP_URL set): e-mail rows are written for users who opted in */
  email: boolean;
  /** technical time: now for the sender's scheduling */
  now?: Date;
  limit?: number;
}

/** the people a notification reaches: its user, and the members of its role(s) */
export async function recipientsOf(db: Db, n: Notification): Promise<{ username: string; user: AppUser | null }[]> {
  const out = new Map<string, AppUser | null>();
  if (n.recipientUser) out.set(n.recipientUser, await findUser(db, n.recipientUser));
  const roles = [n.recipientRole, ...(Array.isArray(n.refs.alsoRoles) ? (n.refs.alsoRoles as unknown[]).map(String) : [])].filter(
    (r): r is string => !!r,
  );
  const partner = typeof n.refs.apPartnerId === 'string' ? n.refs.apPartnerId : null;
  for (const role of new Set(roles)) for (const u of await membersOf(db, role, partner)) if (!out.has(u.username)) out.set(u.username, u);
  return [...out].map(([username, user]) => ({ username, user }));
}

/** Fans out up to `limit` pending notifications; returns how many notifications and deliveries it wrote. */
export async function fanOutPending(db: Db, opts: FanOutOptions): Promise<{ notifications: number; inApp: number; email: number }> {
  const now = opts.now ?? new Date();
  return inTransaction(db, async (em) => {
    let qb = em
      .getRepository(NotificationEntity)
      .createQueryBuilder('n')
      .where('n.sentAt IS NULL')
      .orderBy('n.createdAt', 'ASC')
      .addOrderBy('n.id', 'ASC')
      .take(opts.limit ?? 50);
    if (isMysql(em.connection)) qb = qb.setLock('pessimistic_write').setOnLocked('skip_locked');
    const pending = await qb.getMany();
    if (!pending.length) return { notifications: 0, inApp: 0, email: 0 };
    const already = await em
      .getRepository(NotificationDeliveryEntity)
      .find({ where: { notificationId: In(pending.map((n) => n.id)) }, select: { notificationId: true, recipient: true, channel: true } });
    const seen = new Set(already.map((d) => `${d.notificationId}|${d.recipient}|${d.channel}`));
    const rows: NotificationDelivery[] = [];
    for (const n of pending) {
      const people = await recipientsOf(em, n);
      const row = (username: string, channel: 'in-app' | 'email', address: string | null): NotificationDelivery => ({
        id: newId(),
        notificationId: n.id,
        recipient: username,
        channel,
        address,
        status: channel === 'in-app' ? 'SENT' : 'PENDING',
        attempts: 0,
        nextAttemptAt: now,
        claimedUntil: null,
        messageId: null,
        lastError: null,
        createdAt: n.createdAt,
        sentAt: channel === 'in-app' ? now : null,
        readAt: null,
      });
      for (const p of people) {
        if (!seen.has(`${n.id}|${p.username}|in-app`)) rows.push(row(p.username, 'in-app', null));
        if (opts.email && p.user?.emailOptIn && p.user.email && !seen.has(`${n.id}|${p.username}|email`))
          rows.push(row(p.username, 'email', p.user.email));
      }
      // nobody to tell (a role without members): kept as fanned out, with the reason, for the admins' list
      const lastError = people.length
        ? null
        : `no recipient: nobody has role ${n.recipientRole ?? '-'}${n.recipientUser ? ` / user ${n.recipientUser}` : ''}`;
      await em
        .getRepository(NotificationEntity)
        .update({ id: n.id, sentAt: IsNull() }, { sentAt: now, attempts: n.attempts + 1, lastError });
    }
    if (rows.length) await insertRows(em, NotificationDeliveryEntity, rows);
    const inApp = rows.filter((r) => r.channel === 'in-app').length;
    return { notifications: pending.length, inApp, email: rows.length - inApp };
  });
}
