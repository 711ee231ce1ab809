/**
 * 工作日历 in a real browser, as the admin: the page opens on the business clock's year (the engine clock
 * pinned at 2026-09-01, whatever the machine's date; CI's faketime pass moves that one), shows the
 * year's holidays and adjusted working days, refuses an upload with a weekday listed as 调休 and says
 * where, then takes the corrected 2027 and lists the order whose provisional deadline it firmed up.
 */
import { expect } from 'chai';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { withoutSchedule } from '../support/calendar-years';
import { startE2E, type E2E } from '../process/support/system';
import * as d from '../process/support/driver';
import { buildUi, launch, type Browser } from './support/browser';
import { nav, signIn, WAIT } from './support/workbench';

const doc = (workday: string) =>
  JSON.stringify({
    year: 2027,
    published: true,
    holidays: [{ date: '2027-01-01', name: '元旦' }, ...['08', '09', '10', '11', '12'].map((dd) => ({ date: `2027-02-${dd}`, name: '春节' }))],
    workdays: [{ date: workday, name: '春节调休' }],
    note: '测试用 2027 年安排',
  });

const SHOTS = process.env.UI_SCREENSHOTS ? path.resolve(__dirname, '../../docs/screenshots') : null;
const shot = async (page: Page, name: string) => {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
};

describe('ui: the working-day calendar, uploaded by the admin', function () {
  this.timeout(300_000);
  let e: E2E;
  let browser: Browser;
  let page: Page;
  before(async () => {
    buildUi();
    e = await startE2E();
    await withoutSchedule(e.ds, 2027);
    browser = await launch();
    page = await browser.page();
  });
  after(async () => {
    await browser?.close();
    await e?.stop();
  });

  it('year view from the business clock; an upload error shown on the page, then fixed; the firmed order listed', async () => {
    const o = await d.createOrder(e);
    await d.provision(e, o, { deliveredOn: '2026-11-20', complete: false });
    await e.api.waitTask(d.CM, 'file-completion-record', { orderNo: o.orderNo }, WAIT);
    expect((await d.orderRow(e, o.id)).deadlineProvisional).to.equal(true);

    await signIn(page, e.sys.apiUrl, 'admin');
    await nav(page, '#/calendar');
    // 2026 is the pinned clock's year, not the browser's
    expect(await page.getByTestId('calendar-year').textContent()).to.equal('2026 年');
    expect(await page.locator('td[data-date="2026-10-01"]').getAttribute('class')).to.contain('holiday');
    expect(await page.locator('td[data-date="2026-10-10"]').getAttribute('class')).to.contain('adjusted');
    expect(await page.locator('td[data-date="2026-09-01"]').getAttribute('class')).to.contain('today');
    expect(await page.locator('table.month').count()).to.equal(12);

    // Mon 2027-02-15 is not a weekend day: refused, the page says which entry
    await page.getByLabel('年度安排（JSON）').fill(doc('2027-02-15'));
    await page.getByRole('button', { name: '上传' }).click();
    const err = page.locator('.upload-errors li[data-pointer="/workdays/0/date"]');
    await err.waitFor({ timeout: WAIT });
    expect(await err.textContent()).to.contain('调休上班日第 1 项');
    expect((await d.orderRow(e, o.id)).deadlineProvisional).to.equal(true);

    await page.getByLabel('年度安排（JSON）').fill(doc('2027-02-20'));
    await page.getByRole('button', { name: '上传' }).click();
    const row = page.locator(`tr[data-order="${o.orderNo}"]`);
    await row.waitFor({ timeout: WAIT });
    expect(await row.textContent()).to.contain('2027年2月20日 23:59').and.to.contain('2027年2月12日 23:59').and.to.contain('已确定');
    expect(await d.orderRow(e, o.id)).to.include({ completionDeadline: '2027-02-20T23:59:59+08:00', deadlineProvisional: false });

    // the uploaded year on its page
    await nav(page, '#/calendar?year=2027');
    expect(await page.locator('td[data-date="2027-02-20"]').getAttribute('class')).to.contain('adjusted');
    expect(await page.locator('td[data-date="2027-02-08"]').getAttribute('class')).to.contain('holiday');
    await shot(page, 'calendar');
  });
});
