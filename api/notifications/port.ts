/**
 * What the notification routes need (injected as ApiServices.notifications): the inbox of the caller,
 * the caller's e-mail setting, and the admins' view of deliveries. Built from the data source and the
 * business clock (read times are business times, like every other record time).
 */
import type { DataSource } from 'typeorm';
import type { Clock } from '../../domain/clock';
import type { Page, PageOf } from '../../domain/paging';
import { findUser, setEmailOptIn } from '../../domain/notifications/directory';
import {
  listDeliveries,
  listInbox,
  markAllRead,
  markRead,
  unreadCount,
  type DeliveryReport,
  type InboxItem,
} from '../../domain/notifications/inbox';

export interface NotificationSettings {
  username: string;
  displayName: string;
  email: string | null;
  emailOptIn: boolean;
}

export interface NotificationPort {
  inbox(username: string, page: Page, unreadOnly: boolean): Promise<PageOf<InboxItem> & { unread: number }>;
  unread(username: string): Promise<number>;
  markRead(username: string, id: string): Promise<InboxItem | null>;
  markAllRead(username: string): Promise<number>;
  settings(username: string): Promise<NotificationSettings | null>;
  setEmailOptIn(username: string, on: boolean): Promise<NotificationSettings | null>;
  deliveries(status: 'FAILED' | 'PENDING' | 'SENT', page: Page): Promise<PageOf<DeliveryReport>>;
}

export function createNotificationPort(ds: DataSource, opts: { baseUrl: string; clock: Clock }): NotificationPort {
  const settingsOf = async (username: string) => {
    const u = await findUser(ds, username);
    return u ? { username: u.username, displayName: u.displayName, email: u.email, emailOptIn: u.emailOptIn } : null;
  };
  return {
    inbox: (username, page, unreadOnly) => listInbox(ds, username, page, { baseUrl: opts.baseUrl, unreadOnly }),
    unread: (username) => unreadCount(ds, username),
    markRead: (username, id) => markRead(ds, username, id, opts.clock.now(), { baseUrl: opts.baseUrl }),
    markAllRead: (username) => markAllRead(ds, username, opts.clock.now()),
    settings: settingsOf,
    async setEmailOptIn(username, on) {
      return (await setEmailOptIn(ds, username, on, opts.clock.now())) ? settingsOf(username) : null;
    },
    deliveries: (status, page) => listDeliveries(ds, status, page),
  };
}
