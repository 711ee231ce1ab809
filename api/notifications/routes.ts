/**
 * The notification routes: the caller's in-app inbox (unread first, paged), unread count, mark read,
 * the caller's e-mail setting, and for admins the e-mail deliveries that failed with their error.
 * Registered in the route table (api/routes.ts) like the task routes.
 */
import { ROLE_IDS, type Role } from '../../domain/vocabulary';
import { notFound, ProblemError } from '../problem';
import { route, type RouteSpec } from '../route';
import type { ApiServices } from '../services';
import type { NotificationPort } from './port';
import * as S from './schemas';

const EVERYONE: Role[] = [...ROLE_IDS];
/** the auditor reads, never writes (and is told nothing: people.md) */
const RECIPIENTS: Role[] = ROLE_IDS.filter((r) => r !== 'auditor');

function port(services: ApiServices): NotificationPort {
  if (!services.notifications)
    throw new ProblemError(503, 'notifications-unavailable', 'Service unavailable', 'notifications are not configured in this process');
  return services.notifications;
}

export const NOTIFICATION_ROUTES: RouteSpec[] = [
  route<{}, { limit: number; offset: number; unread?: boolean }>({
    id: 'listMyNotifications',
    method: 'get',
    path: '/notifications',
    roles: EVERYONE,
    tag: 'notifications',
    summary: { en: "The caller's notifications: unread first, newest first, each with its case link", zh: '我的通知（未读在前）' },
    query: S.InboxQuery,
    response: { status: 200, schema: S.InboxPage },
    handler: async ({ services, principal, query }) =>
      port(services).inbox(principal.username, { limit: query.limit, offset: query.offset }, query.unread === true),
  }),
  route({
    id: 'countMyUnreadNotifications',
    method: 'get',
    path: '/notifications/unread-count',
    roles: EVERYONE,
    tag: 'notifications',
    summary: { en: "How many of the caller's notifications are unread (the header badge)", zh: '未读通知数' },
    response: { status: 200, schema: S.UnreadCount },
    handler: async ({ services, principal }) => ({ unread: await port(services).unread(principal.username) }),
  }),
  route({
    id: 'markAllMyNotificationsRead',
    method: 'post',
    path: '/notifications/read-all',
    roles: RECIPIENTS,
    tag: 'notifications',
    summary: { en: "Marks all of the caller's notifications read", zh: '全部标为已读' },
    response: { status: 200, schema: S.MarkedCount },
    handler: async ({ services, principal }) => ({ marked: await port(services).markAllRead(principal.username) }),
  }),
  route<{ id: string }>({
    id: 'markNotificationRead',
    method: 'post',
    path: '/notifications/:id/read',
    roles: RECIPIENTS,
    tag: 'notifications',
    summary: { en: "Marks one of the caller's notifications read (again: unchanged)", zh: '标为已读' },
    params: S.NotificationIdParams,
    response: { status: 200, schema: S.InboxItem },
    handler: async ({ services, principal, params }) => {
      const item = await port(services).markRead(principal.username, params.id);
      if (!item) throw notFound('notification', params.id);
      return item;
    },
  }),
  route({
    id: 'getMyNotificationSettings',
    method: 'get',
    path: '/notifications/settings',
    roles: EVERYONE,
    tag: 'notifications',
    summary: { en: "The caller's e-mail address and whether notifications also go out by e-mail", zh: '我的通知设置' },
    response: { status: 200, schema: S.Settings },
    handler: async ({ services, principal }) => {
      const s = await port(services).settings(principal.username);
      if (!s) throw notFound('user', principal.username, '/username', 'header');
      return s;
    },
  }),
  route<{}, {}, { emailOptIn: boolean }>({
    id: 'putMyNotificationSettings',
    method: 'put',
    path: '/notifications/settings',
    roles: RECIPIENTS,
    tag: 'notifications',
    summary: { en: 'Turns e-mail notifications on or off for the caller', zh: '设置是否接收邮件通知' },
    body: S.SettingsBody,
    response: { status: 200, schema: S.Settings },
    handler: async ({ services, principal, body }) => {
      const s = await port(services).setEmailOptIn(principal.username, body.emailOptIn);
      if (!s) throw notFound('user', principal.username, '/username', 'header');
      return s;
    },
  }),
  route<{}, { limit: number; offset: number; status: 'FAILED' | 'PENDING' | 'SENT' }>({
    id: 'listNotificationDeliveries',
    method: 'get',
    path: '/notification-deliveries',
    roles: ['admin'],
    tag: 'notifications',
    summary: { en: 'E-mail deliveries by status (default FAILED), with the last error of each', zh: '邮件通知投递情况（默认：失败的）' },
    query: S.DeliveryQuery,
    response: { status: 200, schema: S.DeliveryPage },
    handler: async ({ services, query }) => port(services).deliveries(query.status, { limit: query.limit, offset: query.offset }),
  }),
];
