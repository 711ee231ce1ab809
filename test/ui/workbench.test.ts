/**
 * The workbench's guards in a real browser, against the whole system (engine, workers, database):
 * - two department managers on one review: the second claim and the late submission both lose with 409,
 *   shown on the page, and the task is completed once, by the one who holds it;
 * - validation: the order form's server errors under their fields, nothing created; a task form with a
 *   required field left empty is not sent and the task stays open;
 * - keyboard alone: sign in and open a task; every control of the main pages labelled, at 1280 px and 390 px;
 * - what a role may not see: the AP has no workbench and no case; the tech department has no order
 *   creation and is refused by the API if it tries; the auditor has no 待办; nobody sees another
 *   group's tasks.
 * The two managers need two users of one group, which the demo user list lacks: this file serves the
 * system's UI and API from a second app over the same engine and database, with one more local user.
 */
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { createApp } from '../../api/app';
import { CountersignDecisionEntity } from '../../db/entities/index';
import { createLocalAuth, DEMO_STAFF_USERS } from '../../api/auth';
import { createHealth } from '../../api/health';
import { createStore } from '../../api/store';
import { createWorkbench, serveUi } from '../../api/workbench/index';
import type { ApiServices } from '../../api/services';
import { startE2E, type E2E } from '../process/support/system';
import * as d from '../process/support/driver';
import { buildUi, launch, type Browser } from './support/browser';
import { findTask, nav, radio, signIn, text, WAIT } from './support/workbench';
import { createPortal } from '../../api/portal/port';

describe('ui: claim conflicts, validation on fields, what a role may not see, keyboard and labels', function () {
  this.timeout(180_000);
  let e: E2E;
  let browser: Browser;
  let server: http.Server;
  let base: string;
  before(async () => {
    buildUi();
    e = await startE2E();
    const users = [
      ...DEMO_STAFF_USERS,
      { username: 'dept-manager-2', roles: ['dept-manager' as const] },
      { username: 'ap-alpha', roles: ['ap-partner' as const], apPartnerId: e.partner.id },
    ];
    const services = {
      auth: createLocalAuth({ secret: 'ui-test-secret-0123456789', users }),
      store: createStore(e.ds, e.sys.clock),
      health: createHealth(e.ds),
      tasks: e.sys.tasks,
      workbench: createWorkbench(e.ds, e.sys.restAddress, { now: () => e.sys.clock.now() }),
      portal: createPortal(e.ds, e.sys.clock),
    } as ApiServices;
    server = http.createServer(createApp(services, { ui: serveUi() }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launch();
  });
  after(async () => {
    server?.close();
    server?.closeAllConnections();
    await browser?.close();
    await e?.stop();
  });

  it('two department managers: the second claim and the late submission get 409 on the page; the task is completed once', async () => {
    const o = await d.createOrder(e);
    await d.confirm(e, { orderNo: o.orderNo });
    await d.draftRevenue(e, { orderNo: o.orderNo });
    const a = await browser.page();
    const b = await browser.page();
    await signIn(a, base, 'dept-manager');
    await signIn(b, base, 'dept-manager-2');
    // B opens the task (still unclaimed) and fills it in; meanwhile A sees it in the group and claims it
    await nav(b, `#/inbox?tab=unassigned&orderNo=${o.orderNo}`);
    const rowB = await waitRow(b, 'dept-manager-review');
    await nav(a, `#/inbox?tab=unassigned&orderNo=${o.orderNo}`);
    const rowA = await waitRow(a, 'dept-manager-review');
    await rowB.getByRole('button', { name: '认领' }).waitFor();
    await rowA.getByRole('button', { name: '认领' }).click();
    await a.locator('.notice.ok').filter({ hasText: '已认领' }).waitFor({ timeout: WAIT });
    // B's claim from its stale list loses
    await rowB.getByRole('button', { name: '认领' }).click();
    await b.getByRole('alert').filter({ hasText: '该任务已由 dept-manager 认领' }).waitFor({ timeout: WAIT });
    // B opened the task page: it says who holds it and offers no submission
    await rowB.getByRole('link', { name: '办理' }).click();
    await b.locator('.fjs-container').waitFor({ timeout: WAIT });
    expect(await b.locator('.task-status').textContent()).to.include('已由 dept-manager 认领');
    expect(await b.getByRole('button', { name: '提交' }).isDisabled()).to.equal(true);
    // and the API refuses B's completion with 409 as well (what the page would get from a stale form)
    const keyB = await b.evaluate(() => (globalThis as any).location.hash.split('/').pop());
    const tokenB = await b.evaluate(() => (globalThis as any).sessionStorage.getItem('ot.token'));
    const res = await fetch(`${base}/api/workbench/tasks/${keyB}/completion`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenB}` },
      body: JSON.stringify({ variables: { reviewDecision: 'REJECT', reviewOpinion: '不同意' } }),
    });
    expect(res.status).to.equal(409);
    expect(((await res.json()) as { detail: string }).detail).to.include('claimed by dept-manager');
    // A completes it
    await (await findTask(a, 'dept-manager-review', o.orderNo)).getByRole('link', { name: '办理' }).click();
    const f = a.locator('.fjs-container');
    await f.waitFor({ timeout: WAIT });
    await radio(f, '同意');
    await text(f, '审核意见说明', '同意');
    await a.getByRole('button', { name: '提交' }).click();
    await a.locator('.notice.ok').filter({ hasText: '已提交' }).waitFor({ timeout: WAIT });
    const done = await e.rest('POST', '/v2/user-tasks/search', { filter: { userTaskKey: keyB } });
    expect(done.body.items[0]).to.include({ state: 'COMPLETED', assignee: 'dept-manager' });
    // the decision recorded is A's, and B left none
    const decisions = await d.waitFor(async () => {
      const rows = await e.ds.getRepository(CountersignDecisionEntity).find();
      return rows.some((x) => x.actor === 'dept-manager') ? rows : null;
    }, 'the department manager decision');
    expect(decisions.filter((x) => x.actor === 'dept-manager-2')).to.have.length(0);
    await a.close();
    await b.close();
  });

  it('validation: the order form shows the server errors under their fields and creates nothing; an empty required task field is not sent', async () => {
    const p = await browser.page();
    await signIn(p, base, d.CM);
    const before = (await e.api.get(d.CM, '/api/orders?limit=200')).total;
    await nav(p, '#/new/order');
    await p.getByLabel('账号数').fill('0');
    await p.getByLabel('金额（元）').fill('100');
    await p.getByRole('button', { name: '提交订单' }).click();
    await p.getByRole('alert').filter({ hasText: '未能保存' }).waitFor({ timeout: WAIT });
    const fieldError = (label: string) => p.locator('.field', { has: p.getByLabel(label, { exact: true }) }).locator('.field-error');
    expect(await fieldError('账号数').textContent()).to.equal('不能小于 1');
    expect(await fieldError('客户').count()).to.be.greaterThan(0);
    expect(await fieldError('开通日期').count()).to.be.greaterThan(0);
    expect(await p.getByLabel('账号数').getAttribute('aria-invalid')).to.equal('true');
    expect((await e.api.get(d.CM, '/api/orders?limit=200')).total).to.equal(before);

    // a task form: the required decision left empty
    const o = await d.createOrder(e);
    const row = await findTask(p, 'confirm-order-with-customer', o.orderNo);
    await row.getByRole('link', { name: '办理' }).click();
    const f = p.locator('.fjs-container');
    await f.waitFor({ timeout: WAIT });
    await text(f, '客户反馈', '客户尚未答复');
    await p.getByRole('button', { name: '提交' }).click();
    await p.getByRole('alert').filter({ hasText: '请先改正表单中标出的字段' }).waitFor({ timeout: WAIT });
    expect(
      await f
        .locator('.fjs-form-field', { has: p.getByRole('radio', { name: '客户确认' }) })
        .locator('.fjs-form-field-error')
        .count(),
    ).to.be.greaterThan(0);
    const open = await e.api.get(d.CM, `/api/tasks?elementId=confirm-order-with-customer`);
    expect(open.items.some((t: { context: { orderNo?: string } }) => t.context.orderNo === o.orderNo)).to.equal(true);
    await p.close();
  });

  it('what a role may not see: AP no workbench and no case, tech dept no order creation, auditor no 待办, no other group’s tasks', async () => {
    const o = await d.createOrder(e);
    const p = await browser.page();
    // the AP partner
    await signIn(p, base, 'ap-alpha');
    // its portal (test/ui/portal.test.ts), whatever the address: the case page of an order is not there
    await p.getByRole('heading', { level: 1, name: /^AP 门户 · / }).waitFor({ timeout: WAIT });
    await nav(p, `#/orders/${o.id}`);
    expect(await p.locator('h1').textContent()).to.match(/^AP 门户 · /);
    expect(await p.getByRole('navigation').count()).to.equal(1);
    expect(await p.getByRole('navigation').getByRole('link').allTextContents()).to.deep.equal(['AP 门户']);
    const apToken = await p.evaluate(() => (globalThis as any).sessionStorage.getItem('ot.token'));
    for (const path of [`/api/workbench/cases/${o.id}`, '/api/workbench/inbox', '/api/customers']) {
      const r = await fetch(base + path, { headers: { authorization: `Bearer ${apToken}` } });
      expect(r.status, path).to.equal(403);
    }
    // the tech department: no order creation in its navigation; the API refuses it on the form too
    await signIn(p, base, d.TECH);
    const techNav = await p.getByRole('navigation').textContent();
    expect(techNav).to.include('待办');
    expect(techNav).not.to.include('新建订单');
    await nav(p, '#/inbox?tab=unassigned');
    expect(await p.locator(`tr[data-element="confirm-order-with-customer"]`).count()).to.equal(0);
    await nav(p, '#/new/order');
    await p.getByRole('button', { name: '提交订单' }).click();
    await p.getByRole('alert').filter({ hasText: '无权执行此操作' }).waitFor({ timeout: WAIT });
    // the auditor reads the case but has no 待办
    await signIn(p, base, 'auditor');
    expect(await p.getByRole('navigation').textContent()).not.to.include('待办');
    await nav(p, `#/orders/${o.id}`);
    expect(await p.getByRole('heading', { level: 1 }).textContent()).to.equal(`案卷 ${o.orderNo}`);
    // customers: staff read, only the admin edits
    await nav(p, '#/customers');
    expect(await p.getByRole('link', { name: '新增客户' }).count()).to.equal(0);
    await p.close();
  });

  it('signs in and opens a task with the keyboard alone; every control of the main pages has a label, at 1280 px and at a phone width', async () => {
    const o = await d.createOrder(e);
    await d.confirm(e, { orderNo: o.orderNo });
    const p = await browser.page();
    await p.goto(`${base}/#/login`);
    await p.getByLabel('用户名').waitFor();
    await p.getByLabel('用户名').focus();
    await p.keyboard.type('customer-manager');
    await p.keyboard.press('Tab');
    await p.keyboard.type('demo');
    await p.keyboard.press('Enter');
    await p.getByTestId('user').filter({ hasText: 'customer-manager（' }).waitFor({ timeout: WAIT });
    // Tab through the inbox until the task's 办理 link has the focus, then Enter opens it
    await nav(p, `#/inbox?tab=assigned&orderNo=${o.orderNo}`);
    await waitRow(p, 'draft-revenue-contract');
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await p.keyboard.press('Tab');
      reached = await p.evaluate(() => ((globalThis as any).document.activeElement?.textContent ?? '') === '办理');
    }
    expect(reached, 'the 办理 link is reachable with Tab').to.equal(true);
    await p.keyboard.press('Enter');
    await p.locator('.fjs-container').waitFor({ timeout: WAIT });
    const unlabelled = () =>
      p.evaluate(() =>
        [...(globalThis as any).document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
          .filter(
            (el: any) =>
              !(
                el.labels?.length ||
                el.getAttribute('aria-label') ||
                el.getAttribute('aria-labelledby') ||
                (el.tagName === 'BUTTON' && el.textContent.trim())
              ),
          )
          .map((el: any) => el.outerHTML.slice(0, 120)),
      );
    for (const width of [1280, 390]) {
      await p.setViewportSize({ width, height: 900 });
      for (const hash of [`#/inbox?tab=assigned`, '#/new/order', '#/new/service-request', '#/customers', `#/orders/${o.id}`]) {
        await nav(p, hash);
        expect(await unlabelled(), `${hash} at ${width} px`).to.deep.equal([]);
        const overflow = await p.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth);
        expect(overflow, `${hash} at ${width} px scrolls sideways`).to.be.at.most(0);
      }
    }
    await p.close();
  });
});

async function waitRow(page: Page, elementId: string) {
  const row = page.locator(`tr[data-element="${elementId}"]`).first();
  const until = Date.now() + WAIT;
  while (!(await row.count())) {
    if (Date.now() > until) throw new Error(`no ${elementId} row`);
    await page.waitForTimeout(150);
    await nav(page, await page.evaluate(() => (globalThis as any).location.hash));
  }
  return row;
}
