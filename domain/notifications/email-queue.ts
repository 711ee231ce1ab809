/**
 * The e-mail deliveries' queue (notification_delivery, channel email), for the sender in app/notifier.
 *
 * Crash safety and duplicates. SMTP has no idempotency key, so:
 * 1. claimEmails leases due rows (claimed_until; MySQL FOR UPDATE SKIP LOCKED) and, in the same
 *    transaction, gives every row without one its Message-ID: it is stored BEFORE the first send;
 * 2. the sender sends with that Message-ID;
 * 3. markEmailSent sets SENT only on a PENDING row (idempotent: a repeated acknowledgement changes nothing).
 * A crash before 2 loses nothing (the lease runs out, the row is claimed again). A crash between the SMTP
 * server's acceptance and 3 makes the next claim send the mail again WITH THE SAME Message-ID: a duplicate
 * is possible only in that window, at most one per crash (a re-send waits for the lease to run out), and
 * it is the same message to the mail server and the client (both collapse equal Message-IDs). Everything
 * here is technical time (the wall clock), not the business clock.
 */
import { LessThan } from 'typeorm';
import { NotificationDeliveryEntity, type NotificationDelivery } from '../../db/entities/index';
import { inTransaction, isMysql, type Db } from '../../db/transaction';
import { newId } from '../ids';

export async function claimEmails(
  db: Db,
  limit: number,
  opts: { leaseMs: number; now?: Date; messageIdDomain: string },
): Promise<NotificationDelivery[]> {
  const now = opts.now ?? new Date();
  const until = new Date(now.getTime() + opts.leaseMs);
  return inTransaction(db, async (em) => {
    let qb = em
      .getRepository(NotificationDeliveryEntity)
      .createQueryBuilder('d')
      .where('d.channel = :ch AND d.status = :st', { ch: 'email', st: 'PENDING' })
      .andWhere('d.nextAttemptAt <= :now', { now })
      .andWhere('(d.claimedUntil IS NULL OR d.claimedUntil < :now)', { now })
      .orderBy('d.nextAttemptAt', 'ASC')
      .addOrderBy('d.id', 'ASC')
      .take(limit);
    if (isMysql(em.connection)) qb = qb.setLock('pessimistic_write').setOnLocked('skip_locked');
    const rows = await qb.getMany();
    for (const r of rows) {
      r.messageId ??= `<${newId()}@${opts.messageIdDomain}>`;
      await em.getRepository(NotificationDeliveryEntity).update({ id: r.id }, { claimedUntil: until, messageId: r.messageId });
      r.claimedUntil = until;
    }
    return rows;
  });
}

/** SENT, once: a second call (a re-send acknowledged again) changes nothing and returns false */
export async function markEmailSent(db: Db, id: string, now = new Date()): Promise<boolean> {
  const res = await db
    .getRepository(NotificationDeliveryEntity)
    .createQueryBuilder()
    .update()
    .set({ status: 'SENT', sentAt: now, claimedUntil: null, lastError: null, attempts: () => 'attempts + 1' } as never)
    .where('id = :id AND status = :st', { id, st: 'PENDING' })
    .execute();
  return (res.affected ?? 0) === 1;
}

/**
 * A failed attempt: retried after a back-off (baseMs · 2^attempts, at most maxMs), or FAILED with its
 * error when `permanent` (the server refused the address: 5xx) or after maxAttempts. Returns the status.
 */
export async function markEmailFailed(
  db: Db,
  id: string,
  error: string,
  opts: { permanent?: boolean; maxAttempts: number; baseMs: number; maxMs: number; now?: Date },
): Promise<'PENDING' | 'FAILED' | 'SENT'> {
  const now = opts.now ?? new Date();
  return inTransaction(db, async (em) => {
    const repo = em.getRepository(NotificationDeliveryEntity);
    const row = await repo.findOneBy({ id });
    if (!row || row.status !== 'PENDING') return row?.status === 'FAILED' ? 'FAILED' : 'SENT';
    const attempts = row.attempts + 1;
    const final = opts.permanent || attempts >= opts.maxAttempts;
    const delay = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempts - 1, 20));
    await repo.update(
      { id, status: 'PENDING' },
      {
        attempts,
        lastError: error.slice(0, 4000),
        claimedUntil: null,
        status: final ? 'FAILED' : 'PENDING',
        nextAttemptAt: new Date(now.getTime() + delay),
      },
    );
    return final ? 'FAILED' : 'PENDING';
  });
}

/** rows whose lease ran out while PENDING with a Message-ID: a sender died during (or right after) a send */
export async function unacknowledgedCount(db: Db, now = new Date()): Promise<number> {
  return db
    .getRepository(NotificationDeliveryEntity)
    .count({ where: { channel: 'email', status: 'PENDING', claimedUntil: LessThan(now) } });
}
