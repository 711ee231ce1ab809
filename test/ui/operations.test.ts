/**
 * 运维 in a real browser, as the admin: an order stuck by a real incident (its contract revision completed
 * outside the workbench with a negative amount: the worker's variable check fails the job with no retries,
 * test/support/stuck-order.ts) is found by its order number, shown with why (the engine's
 * message) and where (the failed element marked on the diagram), repaired from the page (variable as JSON,
 * retries, reason) and goes on to the next step; a bad JSON value is refused on its field first. A second
 * instance is cancelled with a reason through the dialog and its audit row names who and why.
 */
import { expect } from 'chai';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startE2E, type E2E } from '../process/support/system';
import * as d from '../process/support/driver';
import {
  FIXED_VALUE,
  NEXT_ELEMENT,
  NEXT_NAME,
  STUCK_ELEMENT,
  STUCK_NAME,
  STUCK_VALUE,
  STUCK_VARIABLE,
  stuckOrder,
} from '../support/stuck-order';
import { buildUi, launch, type Browser } from './support/browser';
import { nav, signIn, WAIT } from './support/workbench';

// UI_SCREENSHOTS=1 writes the instance page with its incident to docs/screenshots/operations-incident.png
const SHOTS = process.env.UI_SCREENSHOTS ? path.resolve(__dirname, '../../docs/screenshots') : null;

describe('ui: operations 运维 — a stuck order found, fixed and going on; an instance cancelled with a reason', function () {
  this.timeout(300_000);
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

  it('others see no 运维; the admin finds the order by number, sees why, fixes it and watches it go on', async () => {
    const stuck = await stuckOrder(e);
    await signIn(page, base, d.CM);
    expect(await page.getByRole('link', { name: '运维' }).count()).to.equal(0);

    await signIn(page, base, 'admin');
    await page.getByRole('link', { name: '运维' }).click();
    await page.getByRole('heading', { level: 1, name: '运维' }).waitFor({ timeout: WAIT });
    // the incident list shows the engine's message
    await page.getByTestId('incidents').getByText(STUCK_VARIABLE).first().waitFor({ timeout: WAIT });
    // the step by its name in the model, its id beside it
    const listed = page.getByTestId('incidents').locator('tr', { hasText: STUCK_NAME }).first();
    expect(await listed.locator('small.element-id').textContent()).to.equal(STUCK_ELEMENT);
    await page.getByLabel('订单编号').fill(stuck.order.orderNo);
    await page.getByRole('button', { name: '查询' }).click();
    const row = page.locator(`[data-testid="instances"] tr[data-key="${stuck.processInstanceKey}"]`);
    await row.waitFor({ timeout: WAIT });
    // the order's instances: the stuck one and the countersign round that rejected the contract, ended
    expect(await page.locator('[data-testid="instances"] tbody tr').count()).to.equal(2);
    expect(await page.locator('[data-testid="instances"] tbody tr', { hasText: '有故障' }).count()).to.equal(1);
    expect(await row.textContent()).to.contain('有故障');
    await row.getByRole('link').click();

    await page.getByRole('heading', { level: 1, name: `流程实例 ${stuck.processInstanceKey}` }).waitFor({ timeout: WAIT });
    const incident = page.locator(`[data-incident="${stuck.incidentKey}"]`);
    expect(await incident.getByRole('alert').textContent()).to.contain(stuck.errorMessage);
    expect(stuck.errorMessage).to.contain(STUCK_VARIABLE);
    expect(await incident.getByRole('alert').textContent()).to.contain(STUCK_NAME);
    // the repair form opens on the variable the message names, with its value as it stands
    expect(await incident.getByLabel('变量名').inputValue()).to.equal(STUCK_VARIABLE);
    expect(await incident.getByLabel('变量值（JSON）').inputValue()).to.equal(STUCK_VALUE);
    // the failed step is marked on the diagram; the wrong value is shown among the variables
    await page.locator(`.djs-element.el-failed[data-element-id="${STUCK_ELEMENT}"]`).waitFor({ timeout: WAIT });
    expect(await page.locator(`[data-testid="variables"] tr[data-name="${STUCK_VARIABLE}"]`).first().textContent()).to.contain(STUCK_VALUE);
    expect(await page.getByTestId('instance-state').textContent()).to.contain(stuck.order.orderNo);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'operations-incident.png'), fullPage: true });

    // a value that is not JSON is refused on its field, nothing changes
    await incident.getByLabel('变量名').fill(STUCK_VARIABLE);
    await incident.getByLabel('变量值（JSON）').fill('三千八');
    await incident.getByLabel('原因').fill('合同金额填成负数，按修改说明更正');
    await incident.getByRole('button', { name: '修复并重试' }).click();
    await incident.locator('.notice.error').filter({ hasText: 'variable/value' }).waitFor({ timeout: WAIT });
    expect(await incident.getByLabel('变量值（JSON）').getAttribute('aria-invalid')).to.equal('true');
    expect(await d.activeIncidents(e, stuck.processInstanceKey)).to.have.length(1);

    await incident.getByLabel('变量值（JSON）').fill(FIXED_VALUE);
    await incident.getByRole('button', { name: '修复并重试' }).click();
    await incident.locator('.notice.ok').filter({ hasText: '已修复' }).waitFor({ timeout: WAIT });
    // the page reloads itself: the instance went on to the next step, no incident left
    await page.getByTestId('active-elements').filter({ hasText: NEXT_NAME }).waitFor({ timeout: WAIT });
    expect(await page.getByTestId('active-elements').textContent()).to.contain(NEXT_ELEMENT);
    await page.getByRole('heading', { level: 2, name: '故障（0）' }).waitFor({ timeout: WAIT });
    await page.locator(`.djs-element.el-active[data-element-id="${NEXT_ELEMENT}"]`).waitFor({ timeout: WAIT });
    const [rc] = await d.revenueContracts(e, stuck.order.id);
    expect(Number(rc.amount)).to.equal(Number(FIXED_VALUE));
    const [audit] = await d.audits(e, 'incident.retry', stuck.processInstanceKey);
    expect(audit).to.include({ actor: 'admin', reason: '合同金额填成负数，按修改说明更正' });
  });

  it('the admin cancels an instance with a reason in the dialog; an empty reason is refused; the audit names who and why', async () => {
    const o = await d.createOrder(e);
    const pik = await d.orderInstanceKey(e, o.id);
    await nav(page, `#/operations/instances/${pik}`);
    await page.getByRole('button', { name: '取消实例…' }).click();
    const dialog = page.getByRole('dialog', { name: '取消流程实例' });
    await dialog.waitFor({ timeout: WAIT });
    // the browser's own check would block an empty submit: a blank reason reaches the server and is refused there
    await dialog.getByLabel('取消原因').fill('   ');
    await dialog.getByRole('button', { name: '确认取消' }).click();
    await dialog.locator('.notice.error').filter({ hasText: 'reason' }).waitFor({ timeout: WAIT });
    expect((await e.rest('GET', `/v2/process-instances/${pik}`)).body.state).to.equal('ACTIVE');

    await dialog.getByLabel('取消原因').fill('客户来电撤回订单');
    await dialog.getByRole('button', { name: '确认取消' }).click();
    await page.locator('[data-testid="instance-state"][data-state="TERMINATED"]').waitFor({ timeout: WAIT });
    const [audit] = await d.audits(e, 'process-instance.cancel', pik);
    expect(audit).to.include({ actor: 'admin', reason: '客户来电撤回订单', entityType: 'process-instance' });
    expect(audit.details).to.deep.include({ orderNo: o.orderNo });
  });
});
