/**
 * 通知 (#/notifications): all my notifications, unread first, paged, each with its text and the way to its
 * case or task; mark one or all read; and my setting: whether they also come by e-mail (to the address
 * the user directory holds for me).
 */
import { h, field } from '../dom';
import { dateTime } from '../format';
import { notice, page } from '../shell';
import type { Me } from '../user';
import { getSettings, listNotifications, markAllRead, markRead, putSettings, routeOf, type NotificationItem } from './api';
import { refreshBell } from './bell';

const PER_PAGE = 20;

export async function notificationsPage(_me: Me, params: URLSearchParams) {
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const unreadOnly = params.get('unread') === 'true';
  const [list, settings] = await Promise.all([
    listNotifications({ limit: PER_PAGE, offset, unread: unreadOnly }).catch((e: Error) => e),
    getSettings().catch((e: Error) => e),
  ]);
  const here = (q: { offset?: number; unread?: boolean }) => {
    const p = new URLSearchParams();
    if (q.offset) p.set('offset', String(q.offset));
    if (q.unread ?? unreadOnly) p.set('unread', 'true');
    const s = p.toString();
    return `#/notifications${s ? `?${s}` : ''}`;
  };
  const reload = () => {
    const target = here({ offset });
    if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
    else location.hash = target;
  };
  const status = h('div', { 'aria-live': 'polite' });

  const entry = (n: NotificationItem) =>
    h(
      'li',
      { class: `card notification ${n.readAt ? 'read' : 'unread'}`, 'data-notification': n.id, 'data-template': n.template },
      h('h2', {}, h('a', { href: routeOf(n), onclick: (ev: Event) => void follow(ev, n) }, n.title)),
      h('p', { class: 'notification-body' }, n.body),
      h(
        'p',
        { class: 'muted' },
        dateTime(n.createdAt),
        n.readAt ? ` · 已读（${dateTime(n.readAt)}）` : ' · 未读',
        ' ',
        n.readAt ? null : h('button', { type: 'button', class: 'link', onclick: () => void one(n) }, '标为已读'),
      ),
    );
  const follow = async (ev: Event, n: NotificationItem) => {
    ev.preventDefault();
    if (!n.readAt) await markRead(n.id).catch(() => undefined);
    location.hash = routeOf(n);
  };
  const one = async (n: NotificationItem) => {
    await markRead(n.id);
    await refreshBell();
    reload();
  };
  const all = async () => {
    const marked = await markAllRead();
    await refreshBell();
    reload();
    status.replaceChildren(notice(`已将 ${marked} 条通知标为已读`, 'ok'));
  };

  const listPart =
    list instanceof Error
      ? notice(`通知加载失败：${list.message}`, 'error')
      : h(
          'section',
          { 'aria-label': '通知列表' },
          h(
            'p',
            {},
            `共 ${list.total} 条，未读 ${list.unread} 条。`,
            ' ',
            h('a', { href: here({ unread: !unreadOnly }) }, unreadOnly ? '显示全部' : '只看未读'),
            ' ',
            list.unread ? h('button', { type: 'button', onclick: () => void all() }, '全部标为已读') : null,
          ),
          list.items.length ? h('ul', { class: 'notification-list' }, list.items.map(entry)) : h('p', { class: 'muted' }, '暂无通知'),
          h(
            'nav',
            { 'aria-label': '翻页', class: 'pager' },
            offset > 0 ? h('a', { href: here({ offset: Math.max(0, offset - PER_PAGE) }) }, '上一页') : null,
            ' ',
            offset + PER_PAGE < list.total ? h('a', { href: here({ offset: offset + PER_PAGE }) }, '下一页') : null,
          ),
        );

  let settingsPart: HTMLElement;
  if (settings instanceof Error) settingsPart = notice(`通知设置加载失败：${settings.message}`, 'error');
  else {
    const box = h('input', { type: 'checkbox', name: 'emailOptIn', checked: settings.emailOptIn, disabled: !settings.email });
    const saved = h('div', { 'aria-live': 'polite' });
    settingsPart = h(
      'form',
      {
        class: 'card narrow',
        'aria-label': '通知设置',
        onsubmit: async (ev: Event) => {
          ev.preventDefault();
          const s = await putSettings(box.checked).catch((e: Error) => e);
          saved.replaceChildren(
            s instanceof Error
              ? notice(`保存失败：${s.message}`, 'error')
              : notice(s.emailOptIn ? '已保存：通知也将发送到邮箱' : '已保存：仅在系统内通知', 'ok'),
          );
        },
      },
      h('h2', {}, '通知设置'),
      h('p', {}, `邮箱：${settings.email ?? '（未登记邮箱，无法接收邮件通知）'}`),
      field('同时通过邮件接收通知', box),
      h('button', { type: 'submit', class: 'primary' }, '保存设置'),
      saved,
    );
  }
  page('通知', status, listPart, settingsPart);
}
