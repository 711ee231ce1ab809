/**
 * The frame of every page: the header with what the roles may open, the user and sign-out. The
 * right of the header keeps a slot (#header-tools) for the notification bell of issue #18; the AP portal,
 * operations and reports of issue #19 add their entries to NAV.
 */
import { h, mount } from './dom';
import { roleName } from './labels';
import { bell } from './notifications/bell';
import { signOut } from './oidc';
import { may, type Me } from './user';

interface NavItem {
  href: string;
  text: string;
  show: (u: Me) => boolean;
}
export const NAV: NavItem[] = [
  { href: '#/inbox', text: '待办', show: may.work },
  { href: '#/orders', text: '订单', show: may.read },
  { href: '#/new/order', text: '新建订单', show: may.createOrder },
  { href: '#/new/change', text: '新建变更单', show: may.createOrder },
  { href: '#/new/service-request', text: '新建服务请求', show: may.createServiceRequest },
  { href: '#/customers', text: '客户', show: may.read },
  { href: '#/ap-partners', text: 'AP 供应商', show: may.read },
  { href: '#/operations', text: '运维', show: may.operate },
  { href: '#/portal', text: 'AP 门户', show: may.onlyAp },
  { href: '#/reports/monthly', text: '月度报表', show: may.read },
  { href: '#/reports/overview', text: '管理概览', show: may.read },
  { href: '#/calendar', text: '工作日历', show: may.read },
];

export function renderHeader(u: Me | null) {
  const header = document.getElementById('header')!;
  if (!u) {
    mount(header, h('div', { class: 'brand' }, '在线培训业务工作台'));
    return;
  }
  const current = location.hash.split('?')[0];
  mount(
    header,
    h('div', { class: 'brand' }, '在线培训业务工作台'),
    h(
      'nav',
      { 'aria-label': '主导航' },
      h(
        'ul',
        {},
        NAV.filter((n) => n.show(u)).map((n) =>
          h('li', {}, h('a', { href: n.href, 'aria-current': current.startsWith(n.href) ? 'page' : undefined }, n.text)),
        ),
      ),
    ),
    h(
      'div',
      { class: 'who' },
      h('div', { id: 'header-tools' }, bell(u)),
      h('span', { class: 'user', 'data-testid': 'user' }, `${u.username}（${u.roles.map(roleName).join('、')}）`),
      h('button', { type: 'button', class: 'link', onclick: () => void signOut() }, '退出'),
    ),
  );
}

/** the page body: a heading (focused for screen readers and keyboard users) and content */
export function page(title: string, ...content: (Node | null)[]) {
  const main = document.getElementById('main')!;
  document.title = `${title} · 在线培训业务工作台`;
  mount(main, h('h1', {}, title), ...content);
}

export function notice(text: string, kind: 'error' | 'ok' | 'info' = 'info'): HTMLElement {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}
