/**
 * The staff workbench 工作台: hash routes (the API process serves one page at /), the header per role,
 * and the page of each route. An AP partner signs in to the same API and lands on its
 * portal (pages/portal/, issue #19).
 */
import { h } from './dom';
import { calendarPage } from './pages/calendar/page';
import { monthlyReportPage } from './pages/reports/monthly';
import { overviewPage } from './pages/reports/overview';
import { casePage, instancePage } from './pages/case';
import { inboxPage } from './pages/inbox';
import { loginPage } from './pages/login';
import { notificationsPage } from './notifications/page';
import { newChangePage, newOrderPage, newServiceRequestPage } from './pages/new-order';
import { ordersPage } from './pages/orders';
import { operationsPage } from './pages/operations/index';
import { AP_PARTNERS, CUSTOMERS, partyListPage, partyPage } from './pages/parties';
import { portalPage } from './pages/portal/portal';
import { taskPage } from './pages/task';
import { startSignIn } from './oidc';
import { notice, page, renderHeader } from './shell';
import { currentUser, may } from './user';

async function route() {
  const [path, query] = (location.hash.replace(/^#/, '') || '/').split('?');
  const params = new URLSearchParams(query ?? '');
  const me = await currentUser();
  renderHeader(me);
  if (!me) {
    if (path !== '/login') location.hash = '#/login';
    else
      loginPage(() => {
        location.hash = '#/';
      });
    return;
  }
  const seg = path.split('/').filter(Boolean);
  try {
    if (seg[0] === 'notifications') return await notificationsPage(me, params);
    // an AP partner has one page: its portal (api/portal/), whatever the hash
    if (may.onlyAp(me)) return await portalPage();
    switch (seg[0] ?? '') {
      case '':
      case 'login':
        location.hash = may.work(me) ? '#/inbox' : '#/orders';
        return;
      case 'inbox':
        return await inboxPage(me, params);
      case 'tasks':
        return await taskPage(me, seg[1] ?? '');
      case 'orders':
        return seg[1] ? await casePage(seg[1]) : await ordersPage(params);
      case 'instances':
        return instancePage(seg[1] ?? '');
      case 'new':
        if (seg[1] === 'order') return await newOrderPage();
        if (seg[1] === 'change') return await newChangePage();
        if (seg[1] === 'service-request') return await newServiceRequestPage(params);
        break;
      case 'operations':
        if (may.operate(me)) return await operationsPage(seg, params);
        break;
      case 'customers':
        return seg[1] ? await partyPage(me, CUSTOMERS, seg[1]) : await partyListPage(me, CUSTOMERS);
      case 'reports':
        return seg[1] === 'overview' ? await overviewPage() : await monthlyReportPage(params);
      case 'calendar':
        return await calendarPage(params, me.roles.includes('admin'));
      case 'ap-partners':
        return seg[1] ? await partyPage(me, AP_PARTNERS, seg[1]) : await partyListPage(me, AP_PARTNERS);
    }
    page('找不到页面', h('p', {}, h('a', { href: '#/' }, '返回首页')));
  } catch (e) {
    page('出错了', notice((e as Error).message, 'error'));
  } finally {
    document.getElementById('main')?.focus({ preventScroll: true });
    document.body.dataset.ready = location.hash;
  }
}

window.addEventListener('hashchange', () => void route());
void startSignIn().then(route);
