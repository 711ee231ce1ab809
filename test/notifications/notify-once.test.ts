/**
 * Two pollers deciding the same notice at once (two worker replicas, a restarted watch beside the old one):
 * both find no row for the dedupe key and both insert; the unique key lets one in, and the other poll counts
 * the notice as recorded and goes on (app/notifier/notify-once.ts) instead of failing.
 */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { NotificationEntity, type Notification } from '../../db/entities/index';
import { insertRows } from '../../db/transaction';
import { enqueueNotification } from '../../domain/outbox';
import { newId } from '../../domain/ids';
import { notifyOnce } from '../../app/notifier/notify-once';
import { useTestDatabase } from '../support/db';

describe('notifications: one notice written by two pollers at once', function () {
  this.timeout(30_000);
  let ds: DataSource;
  useTestDatabase((d) => (ds = d));

  const at = new Date('2026-12-30T09:00:00+08:00');
  const row = (): Notification => ({
    id: newId(),
    dedupeKey: 'race:1',
    recipientRole: 'admin',
    recipientUser: null,
    template: 'incident-appeared',
    refs: {},
    createdAt: at,
    sentAt: null,
    attempts: 0,
    lastError: null,
  });

  it('the loser of the race (its check saw no row, its insert meets the winner) is told it exists, without an error', async () => {
    const first = await notifyOnce(ds, (em) =>
      enqueueNotification(em, { dedupeKey: 'race:1', recipientRole: 'admin', template: 'incident-appeared', refs: {} }, at),
    );
    expect(first.created).to.equal(true);
    // the second poller looked before the first committed: it goes straight to its insert
    const second = await notifyOnce(ds, async (em) => {
      await insertRows(em, NotificationEntity, [row()]);
      return { created: true };
    });
    expect(second.created).to.equal(false);
    expect(await ds.getRepository(NotificationEntity).countBy({ dedupeKey: 'race:1' })).to.equal(1);
  });

  it('any other failure still fails the poll', async () => {
    let err: unknown;
    try {
      await notifyOnce(ds, async () => {
        throw new Error('database gone');
      });
    } catch (e) {
      err = e;
    }
    expect((err as Error)?.message).to.equal('database gone');
  });
});
