/**
 * The people at the workbench: sign in as a role, find a task in 待办 by its BPMN element and business
 * number (waiting, bounded, for the workers to create it), claim it when it waits in the group, fill its
 * Camunda Form as rendered by form-js and submit. Only what a person sees and clicks.
 */
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';

export const WAIT = 30_000;

/** navigate within the single page and wait until the route has rendered */
export async function nav(page: Page, hash: string) {
  // (these functions run in the page: its globals, typed loosely here as the test code has no DOM types)
  await page.evaluate((h) => {
    const w = globalThis as any;
    w.document.body.dataset.ready = '';
    if (w.location.hash === h) w.dispatchEvent(new w.HashChangeEvent('hashchange'));
    else w.location.hash = h;
  }, hash);
  await page.waitForFunction((h) => (globalThis as any).document.body.dataset.ready === h, hash, { timeout: WAIT });
}

export async function signIn(page: Page, baseUrl: string, username: string) {
  if (!page.url().startsWith(baseUrl)) await page.goto(`${baseUrl}/#/login`);
  if (await page.getByRole('button', { name: '退出' }).count()) {
    if ((await page.getByTestId('user').textContent())?.startsWith(`${username}（`)) return;
    await page.getByRole('button', { name: '退出' }).click();
  }
  await page.getByLabel('用户名').waitFor({ timeout: WAIT });
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill('demo');
  await page.getByRole('button', { name: '登录' }).click();
  await page
    .getByTestId('user')
    .filter({ hasText: `${username}（` })
    .waitFor({ timeout: WAIT });
}

/** the inbox row of the task, in 分配给我 or 组内待认领 (claimed from there unless `claim: false`), polling until the task exists */
export async function findTask(
  page: Page,
  elementId: string,
  businessNo: string,
  timeoutMs = WAIT,
  opts: { claim?: boolean } = {},
): Promise<Locator> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const tab of ['assigned', 'unassigned']) {
      await nav(page, `#/inbox?tab=${tab}&orderNo=${encodeURIComponent(businessNo)}`);
      const row = page.locator(`tr[data-element="${elementId}"]`);
      if (await row.count()) {
        if (tab === 'unassigned' && opts.claim !== false) {
          await row.first().getByRole('button', { name: '认领' }).click();
          await page.locator('.notice.ok').filter({ hasText: '已认领' }).waitFor({ timeout: WAIT });
          return page.locator(`tr[data-element="${elementId}"]`).first();
        }
        return row.first();
      }
    }
    if (Date.now() > until)
      throw new Error(
        `no task ${elementId} for ${businessNo} in the inbox of ${await page.getByTestId('user').textContent()} within ${timeoutMs} ms`,
      );
    await page.waitForTimeout(150);
  }
}

/** open the task, fill its form, submit; back in 待办 with the confirmation */
export async function doTask(page: Page, elementId: string, businessNo: string, fill: (form: Locator, page: Page) => Promise<void>) {
  const row = await findTask(page, elementId, businessNo);
  await row.getByRole('link', { name: '办理' }).click();
  const form = page.locator('.fjs-container');
  await form.waitFor({ timeout: WAIT });
  await fill(form, page);
  await page.getByRole('button', { name: '提交' }).click();
  await page.locator('.notice.ok').filter({ hasText: '已提交' }).waitFor({ timeout: WAIT });
  expect(page.url()).to.match(/#\/inbox$/);
}

export const radio = (form: Locator, label: string) => form.getByRole('radio', { name: label, exact: true }).check();
export const text = (form: Locator, label: string, value: string) => form.getByLabel(label).fill(value);
/** a form-js date field: typed in the browser locale's format (zh-CN: 2026/9/30), confirmed with Enter */
export async function date(form: Locator, label: string, iso: string) {
  const [y, m, d] = iso.split('-').map(Number);
  const input = form.getByLabel(label);
  await input.fill(`${y}/${m}/${d}`);
  await input.press('Enter');
}
