/** The notification routes of the API (/api/notifications…), typed for the bell and the page. */
import { get, post, qs, api } from '../api';

export interface NotificationItem {
  id: string;
  template: string;
  title: string;
  body: string;
  /** absolute link under PUBLIC_BASE_URL (for mail); the UI follows case.path, a hash route of this page */
  link: string;
  case: { kind: string; id: string | null; no: string | null; path: string } | null;
  createdAt: string;
  readAt: string | null;
}
export interface NotificationPage {
  items: NotificationItem[];
  total: number;
  unread: number;
  limit: number;
  offset: number;
}
export interface NotificationSettings {
  username: string;
  displayName: string;
  email: string | null;
  emailOptIn: boolean;
}

export const listNotifications = (q: { limit: number; offset?: number; unread?: boolean }) =>
  get<NotificationPage>(`/notifications${qs({ limit: q.limit, offset: q.offset ?? 0, unread: q.unread ? 'true' : undefined })}`);
export const unreadCount = async () => (await get<{ unread: number }>('/notifications/unread-count')).unread;
export const markRead = (id: string) => post<NotificationItem>(`/notifications/${encodeURIComponent(id)}/read`);
export const markAllRead = async () => (await post<{ marked: number }>('/notifications/read-all')).marked;
export const getSettings = () => get<NotificationSettings>('/notifications/settings');
export const putSettings = (emailOptIn: boolean) => api<NotificationSettings>('PUT', '/notifications/settings', { emailOptIn });

/** where a notification leads in this UI: its case's hash route, else home */
export const routeOf = (n: NotificationItem) => (n.case?.path?.startsWith('#/') ? n.case.path : '#/');
