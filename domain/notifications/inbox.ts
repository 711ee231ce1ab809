/**
 * The in-app inbox: a person's in-app deliveries, unread first, newest first, with the text of their
 * template and the link to their case; marking read; the admins' view of the e-mail deliveries that
 * failed (or still wait) with their error.
 */
import { In, IsNull, Not } from 'typeorm';
import { NotificationDeliveryEntity, NotificationEntity, type Notification, type NotificationDelivery } from '../../db/entities/index';
import type { Db } from '../../db/transaction';
import type { Page, PageOf } from '../paging';
import { findUser } from './directory';
import { caseOf, renderNotification, type CaseRef } from './templates';

export interface InboxItem {
  id: string;
  template: string;
  title: string;
  body: string;
  link: string;
  case: CaseRef | null;
  refs: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

export interface InboxOptions {
  baseUrl: string;
}

async function notificationsOf(db: Db, rows: NotificationDelivery[]): Promise<Map<string, Notification>> {
  if (!rows.length) return new Map();
  const ns = await db.getRepository(NotificationEntity).find({ where: { id: In([...new Set(rows.map((r) => r.notificationId))]) } });
  return new Map(ns.map((n) => [n.id, n]));
}

function item(d: NotificationDelivery, n: Notification | undefined, name: string, opts: InboxOptions): InboxItem {
  const refs = n?.refs ?? {};
  let text = { subject: n?.template ?? '', body: '', link: opts.baseUrl };
  try {
    if (n) text = renderNotification(n.template, refs, { recipientName: name, baseUrl: opts.baseUrl });
  } catch {
    // a template without its file (the templates test prevents it): the inbox still lists the entry
  }
  return {
    id: d.id,
    template: n?.template ?? '',
    title: text.subject,
    body: text.body,
    link: text.link,
    case: caseOf(refs),
    refs,
    createdAt: new Date(d.createdAt).toISOString(),
    readAt: d.readAt ? new Date(d.readAt).toISOString() : null,
  };
}

const mine = (username: string) => ({ recipient: username, channel: 'in-app' as const });

export async function unreadCount(db: Db, username: string): Promise<number> {
  return db.getRepository(NotificationDeliveryEntity).count({ where: { ...mine(username), readAt: IsNull() } });
}

/** unread first (newest first), then read (newest first); `unread` counts all unread ones */
export async function listInbox(
  db: Db,
  username: string,
  page: Page,
  opts: InboxOptions & { unreadOnly?: boolean },
): Promise<PageOf<InboxItem> & { unread: number }> {
  const repo = db.getRepository(NotificationDeliveryEntity);
  const order = { createdAt: 'DESC' as const, id: 'DESC' as const };
  const unread = await unreadCount(db, username);
  const read = opts.unreadOnly ? 0 : await repo.count({ where: { ...mine(username), readAt: Not(IsNull()) } });
  const rows: NotificationDelivery[] = [];
  if (page.offset < unread)
    rows.push(...(await repo.find({ where: { ...mine(username), readAt: IsNull() }, order, skip: page.offset, take: page.limit })));
  const rest = page.limit - rows.length;
  if (!opts.unreadOnly && rest > 0)
    rows.push(
      ...(await repo.find({
        where: { ...mine(username), readAt: Not(IsNull()) },
        order,
        skip: Math.max(0, page.offset - unread),
        take: rest,
      })),
    );
  const ns = await notificationsOf(db, rows);
  const name = (await findUser(db, username))?.displayName ?? username;
  return {
    items: rows.map((d) => item(d, ns.get(d.notificationId), name, opts)),
    total: unread + read,
    limit: page.limit,
    offset: page.offset,
    unread,
  };
}

/** marks one of MY in-app notifications read (again: unchanged); null when it is not mine or unknown */
export async function markRead(db: Db, username: string, id: string, at: Date, opts: InboxOptions): Promise<InboxItem | null> {
  const repo = db.getRepository(NotificationDeliveryEntity);
  await repo.update({ id, ...mine(username), readAt: IsNull() }, { readAt: at });
  const d = await repo.findOneBy({ id, ...mine(username) });
  if (!d) return null;
  const ns = await notificationsOf(db, [d]);
  return item(d, ns.get(d.notificationId), (await findUser(db, username))?.displayName ?? username, opts);
}

export async function markAllRead(db: Db, username: string, at: Date): Promise<number> {
  const res = await db.getRepository(NotificationDeliveryEntity).update({ ...mine(username), readAt: IsNull() }, { readAt: at });
  return res.affected ?? 0;
}

export interface DeliveryReport {
  id: string;
  notificationId: string;
  template: string;
  recipient: string;
  channel: string;
  address: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** the admins' list: e-mail deliveries of a status (FAILED by default), newest first */
export async function listDeliveries(db: Db, status: 'FAILED' | 'PENDING' | 'SENT', page: Page): Promise<PageOf<DeliveryReport>> {
  const [rows, total] = await db
    .getRepository(NotificationDeliveryEntity)
    .findAndCount({ where: { channel: 'email', status }, order: { createdAt: 'DESC', id: 'DESC' }, skip: page.offset, take: page.limit });
  const ns = await notificationsOf(db, rows);
  return {
    items: rows.map((d) => ({
      id: d.id,
      notificationId: d.notificationId,
      template: ns.get(d.notificationId)?.template ?? '',
      recipient: d.recipient,
      channel: d.channel,
      address: d.address,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      messageId: d.messageId,
      createdAt: new Date(d.createdAt).toISOString(),
      sentAt: d.sentAt ? new Date(d.sentAt).toISOString() : null,
    })),
    total,
    limit: page.limit,
    offset: page.offset,
  };
}
