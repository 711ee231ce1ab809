/**
 * The notification bell in the header (issue #18): the unread count, refreshed on every navigation (the
 * header is drawn anew per route) and polled every POLL_MS while the page is open; a dropdown with my
 * latest notifications, unread first, each leading to its case or task (and marked read when followed),
 * "mark read" per entry and for all, and the way to the full list with the e-mail setting.
 */
import { h, mount } from '../dom';
import { dateTime } from '../format';
import type { Me } from '../user';
import { listNotifications, markAllRead, markRead, routeOf, unreadCount, type NotificationItem } from './api';

const POLL_MS = 30_000;
const SHOWN = 8;

let poller: number | null = null;
/** the bell of the header now on screen (the poller refreshes only that one) */
let current: { refresh: () => Promise<void>; off: AbortController } | null = null;

/** the auditor is told nothing (people.md); everybody else has a bell */
export const hasBell = (u: Me) => u.roles.some((r) => r !== 'auditor');

export function bell(u: Me): HTMLElement | null {
  if (!hasBell(u)) return null;
  const badge = h('span', { class: 'bell-count', 'data-testid': 'unread-count', hidden: true }, '0');
  const button = h(
    'button',
    { type: 'button', class: 'bell-button', 'aria-haspopup': 'true', 'aria-expanded': 'false', 'aria-controls': 'bell-panel' },
    '通知',
    badge,
  );
  const panel = h('div', { id: 'bell-panel', class: 'bell-panel', role: 'region', 'aria-label': '我的通知', hidden: true });
  const root = h('div', { class: 'bell' }, button, panel);

  const setCount = (n: number) => {
    badge.textContent = String(n);
    badge.hidden = n === 0;
    button.setAttribute('aria-label', n ? `通知，${n} 条未读` : '通知，没有未读');
  };
  const refresh = async () => {
    try {
      setCount(await unreadCount());
    } catch {
      /* a failed poll keeps the last count; the next navigation or poll tries again */
    }
  };

  const close = () => {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
  };
  const follow = async (ev: Event, n: NotificationItem) => {
    ev.preventDefault();
    close();
    if (!n.readAt) await markRead(n.id).catch(() => undefined);
    location.hash = routeOf(n);
  };
  const entry = (n: NotificationItem) =>
    h(
      'li',
      { class: n.readAt ? 'read' : 'unread', 'data-notification': n.id, 'data-template': n.template },
      h('a', { href: routeOf(n), onclick: (ev: Event) => void follow(ev, n) }, n.title),
      h('small', {}, dateTime(n.createdAt), n.readAt ? ' · 已读' : ' · 未读'),
      n.readAt ? null : h('button', { type: 'button', class: 'link', onclick: () => void markOne(n) }, '标为已读'),
    );
  const load = async () => {
    mount(panel, h('p', { class: 'muted' }, '加载中…'));
    const r = await listNotifications({ limit: SHOWN }).catch((e: Error) => e);
    if (r instanceof Error) return mount(panel, h('p', { role: 'alert' }, `通知加载失败：${r.message}`));
    setCount(r.unread);
    mount(
      panel,
      r.items.length ? h('ul', { class: 'bell-list' }, r.items.map(entry)) : h('p', { class: 'muted' }, '暂无通知'),
      h(
        'div',
        { class: 'bell-actions' },
        r.unread ? h('button', { type: 'button', class: 'link', onclick: () => void markAll() }, '全部标为已读') : null,
        h('a', { href: '#/notifications', onclick: close }, `全部通知（${r.total}）与设置`),
      ),
    );
  };
  const markOne = async (n: NotificationItem) => {
    await markRead(n.id).catch(() => undefined);
    await load();
  };
  const markAll = async () => {
    await markAllRead().catch(() => undefined);
    await load();
  };

  button.addEventListener('click', () => {
    const open = panel.hidden;
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) void load();
  });
  // the header is drawn anew per route: the previous bell's document listener goes with it
  current?.off.abort();
  const off = new AbortController();
  document.addEventListener(
    'click',
    (ev) => {
      if (!panel.hidden && !root.contains(ev.target as Node)) close();
    },
    { signal: off.signal },
  );
  // Escape closes it wherever the focus is (a re-drawn list may have taken the focused control away)
  document.addEventListener(
    'keydown',
    (ev: KeyboardEvent) => {
      if (ev.key === 'Escape' && !panel.hidden) {
        close();
        button.focus();
      }
    },
    { signal: off.signal },
  );

  setCount(0);
  current = { refresh, off };
  void refresh();
  // one interval for the page's life, whichever header is on screen
  if (poller === null) {
    poller = window.setInterval(() => {
      if (document.visibilityState === 'visible') void current?.refresh();
    }, POLL_MS);
  }
  return root;
}

/** called after a page changed what is read (the notifications page): the header's count follows */
export const refreshBell = () => current?.refresh();
