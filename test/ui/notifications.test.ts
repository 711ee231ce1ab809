/**
 * The notification bell in a real browser, against the whole system (engine, workers, announcer, sender,
 * API): a new task for the customer manager shows in the bell's count and list; following its link opens
 * the task page (and marks it read); "标为已读" and "全部标为已读" lower the count; the e-mail setting is
 * saved; and every kind of link a notification can carry opens a page the router knows.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { caseOf } from '../../domain/notifications/templates';
import { startE2E, type E2E } from '../process/support/system';
import * as d from '../process/support/driver';
import { buildUi, launch, type Browser } from './support/browser';
import { nav, signIn, WAIT } from './support/workbench';

/** follow a link's hash route; home redirects (to 待办), so wait for whatever route it settles on */
async function open(page: Page, hash: string) {
  await page.evaluate((h) => {
    const w = globalThis as any;
    w.document.body.dataset.ready = '';
    if (w.location.hash === h) w.dispatchEvent(new w.HashChangeEvent('hashchange'));
    else w.location.hash = h;
  }, hash);
  await page.waitForFunction(
    () => {
      const w = globalThis as any;
      return w.document.body.dataset.ready !== '' && w.document.body.dataset.ready === w.location.hash;
    },
    undefined,
    { timeout: WAIT },
  );
}

const badge = async (page: Page) => Number(await page.getByTestId('unread-count').textContent());

/** the header's count after a navigation (it is refreshed on every route), until it satisfies ok */
async function countUntil(page: Page, ok: (n: number) => boolean, what: string): Promise<number> {
  const until = Date.now() + WAIT;
  for (;;) {
    await nav(page, '#/inbox');
    // the count arrives after the route rendered: give it its request
    await page.waitForLoadState('networkidle').catch(() => undefined);
    const n = await badge(page);
    if (ok(n)) return n;
    if (Date.now() > until) throw new Error(`bell count ${n}: ${what} not seen within ${WAIT} ms`);
    await page.waitForTimeout(200);
  }
}

describe('ui: the notification bell 通知', function () {
  this.timeout(180_000);
  let e: E2E;
  let browser: Browser;
  let page: Page;
  let base: string;
  before(async () => {
    buildUi();
    e = await startE2E();
    base = e.sys.apiUrl;
    browser = await launch();
    page = await browser.page();
  });
  after(async () => {
    await browser?.close();
    await e?.stop();
  });

  const serverCount = async () => (await e.api.ok(d.CM, 'GET', '/api/notifications/unread-count')).unread as number;

  it('a new task for the customer manager shows in the bell; its link opens the task page; marking read lowers the count', async () => {
    await signIn(page, base, d.CM);
    const before = await countUntil(page, (n) => n === 0 || n > 0, 'a count');
    expect(before).to.equal(await serverCount());

    const o = await d.createOrder(e);
    const title = `新的待办任务：客户确认业务订单（${o.orderNo}）`;
    const withIt = await countUntil(page, (n) => n > before, 'the new task');
    expect(withIt).to.equal(await serverCount());

    // the dropdown lists it, unread, first among the unread
    await page.getByRole('button', { name: /^通知/ }).click();
    const entry = page.locator('#bell-panel li', { hasText: title });
    await entry.waitFor({ timeout: WAIT });
    expect(await entry.getAttribute('class')).to.equal('unread');
    expect(await page.locator('#bell-panel li').first().getAttribute('class')).to.equal('unread');

    // following the link opens the task page of that task and marks it read
    const task = await e.api.waitTask(d.CM, 'confirm-order-with-customer', { orderNo: o.orderNo });
    await entry.getByRole('link', { name: title }).click();
    await page.waitForFunction((h) => (globalThis as any).document.body.dataset.ready === h, `#/tasks/${task.key}`, { timeout: WAIT });
    await page.locator('.fjs-container').waitFor({ timeout: WAIT });
    expect(await page.locator('h1').textContent()).to.contain('客户确认业务订单');
    expect(await badge(page)).to.equal(withIt - 1);

    // a second order: its entry marked read from the dropdown lowers the count by one
    const o2 = await d.createOrder(e);
    const title2 = `新的待办任务：客户确认业务订单（${o2.orderNo}）`;
    const n2 = await countUntil(page, (n) => n >= withIt, 'the second task');
    await page.getByRole('button', { name: /^通知/ }).click();
    const entry2 = page.locator('#bell-panel li', { hasText: title2 });
    await entry2.getByRole('button', { name: '标为已读' }).click();
    await page.locator('#bell-panel li.read', { hasText: title2 }).waitFor({ timeout: WAIT });
    expect(await badge(page)).to.equal(n2 - 1);
    expect(await serverCount()).to.equal(n2 - 1);
    await page.keyboard.press('Escape');
    expect(await page.locator('#bell-panel').isHidden()).to.equal(true);
  });

  it('the notifications page: all read at once, the count goes to 0; the e-mail setting is saved', async () => {
    await signIn(page, base, d.CM);
    await nav(page, '#/notifications');
    expect(await page.locator('li.notification').count()).to.be.greaterThan(0);
    if (await serverCount()) {
      await page.getByRole('button', { name: '全部标为已读' }).first().click();
      await page.locator('.notice.ok').filter({ hasText: '条通知标为已读' }).waitFor({ timeout: WAIT });
    }
    expect(await serverCount()).to.equal(0);
    await page.locator('[data-testid="unread-count"][hidden]').waitFor({ state: 'attached', timeout: WAIT });
    expect(await badge(page)).to.equal(0);

    const box = page.getByLabel('同时通过邮件接收通知');
    expect(await box.isChecked()).to.equal(true);
    await box.uncheck();
    await page.getByRole('button', { name: '保存设置' }).click();
    await page.locator('.notice.ok').filter({ hasText: '仅在系统内通知' }).waitFor({ timeout: WAIT });
    expect((await e.api.ok(d.CM, 'GET', '/api/notifications/settings')).emailOptIn).to.equal(false);
    await box.check();
    await page.getByRole('button', { name: '保存设置' }).click();
    await page.locator('.notice.ok').filter({ hasText: '发送到邮箱' }).waitFor({ timeout: WAIT });
    expect((await e.api.ok(d.CM, 'GET', '/api/notifications/settings')).emailOptIn).to.equal(true);
  });

  it('every kind of link a notification carries opens a page the router knows', async () => {
    const o = await d.createOrder(e);
    const task = await e.api.waitTask(d.CM, 'confirm-order-with-customer', { orderNo: o.orderNo });
    const samples = [
      { userTaskKey: task.key, orderNo: o.orderNo },
      { orderId: o.id, orderNo: o.orderNo },
      { orderNo: o.orderNo },
      { taskOrderId: 't', taskOrderNo: 'XZ-1', orderId: o.id },
      { paymentBasisNo: 'ZF-1', expenseContractNo: 'ZC-1', orderId: o.id },
      { changeOrderNo: 'BG-1', orderId: o.id },
      { month: '2026-11', reportId: 'r' },
      { expenseContractNo: 'ZC-1', apPartnerId: 'p' },
      { calendarYear: '2027' },
      { incidentKey: '1', processInstanceKey: String(task.processInstanceKey ?? '1') },
    ];
    await signIn(page, base, 'admin');
    for (const refs of samples) {
      const path = caseOf(refs)!.path;
      await open(page, path);
      expect(await page.locator('h1').textContent(), path).to.not.equal('找不到页面');
    }
    // and the case link really opens the order's case
    await nav(page, caseOf({ orderId: o.id })!.path);
    expect(await page.locator('h1').textContent()).to.contain(o.orderNo);
  });
});
