/**
 * 工作日历 in a real browser, as the admin: the page opens on the business clock's year (the engine clock
 * pinned at 2026-09-01, whatever the machine's date; CI's faketime pass moves that one), shows the
 * year's holidays and adjusted working days, refuses a line it cannot read and an upload with a weekday
 * listed as 调休 and says which line, then takes the corrected 2027 and lists the order whose provisional deadline it firmed up.
 */
import { expect } from 'chai';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { withoutSchedule } from '../support/calendar-years';
import { startE2E, type E2E } from '../process/support/system';
import * as d from '../process/support/driver';
import { buildUi, launch, type Browser } from './support/browser';
import { nav, signIn, WAIT } from './support/workbench';

// the State Council's notice as the admin pastes it: a date or a range per line, then its name
const HOLIDAYS = ['2027-01-01 元旦', '2027-02-08 至 2027-02-12 春节'].join('\n');

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

    // a line that is not a date and a name is refused on the page, before anything is sent
    await page.getByLabel('年份').fill('2027');
    await page.getByLabel('节假日（放假日期）').fill(`${HOLIDAYS}\n春节 2027-02-13`);
    await page.getByLabel('调休上班日').fill('2027-02-20 春节调休');
    await page.getByLabel('说明').fill('测试用 2027 年安排');
    await page.getByRole('button', { name: '上传' }).click();
    const unread = page.locator('.upload-errors li[data-line="holidays:3"]');
    await unread.waitFor({ timeout: WAIT });
    expect(await unread.textContent()).to.contain('节假日第 3 行');
    expect(await page.getByLabel('节假日（放假日期）').getAttribute('aria-invalid')).to.equal('true');

    // Mon 2027-02-15 is not a weekend day: refused by the server, the page says which line
    await page.getByLabel('节假日（放假日期）').fill(HOLIDAYS);
    await page.getByLabel('调休上班日').fill('# 春节调休\n2027/2/15 春节调休');
    await page.getByRole('button', { name: '上传' }).click();
    const err = page.locator('.upload-errors li[data-pointer="/workdays/0/date"]');
    await err.waitFor({ timeout: WAIT });
    expect(await err.textContent()).to.contain('调休上班日第 2 行');
    expect((await d.orderRow(e, o.id)).deadlineProvisional).to.equal(true);

    await page.getByLabel('调休上班日').fill('2027-02-20 春节调休');
    await page.getByRole('button', { name: '上传' }).click();
    const row = page.locator(`tr[data-order="${o.orderNo}"]`);
    await row.waitFor({ timeout: WAIT });
    expect(await row.textContent())
      .to.contain('2027年2月20日 23:59')
      .and.to.contain('2027年2月12日 23:59')
      .and.to.contain('已确定');
    expect(await d.orderRow(e, o.id)).to.include({ completionDeadline: '2027-02-20T23:59:59+08:00', deadlineProvisional: false });

    // the uploaded year on its page
    await nav(page, '#/calendar?year=2027');
    expect(await page.locator('td[data-date="2027-02-20"]').getAttribute('class')).to.contain('adjusted');
    // the range became one holiday per day
    for (const dd of ['08', '10', '12'])
      expect(await page.locator(`td[data-date="2027-02-${dd}"]`).getAttribute('class')).to.contain('holiday');
    expect(await page.locator('td[data-date="2027-02-13"]').getAttribute('class')).to.not.contain('holiday');
    await shot(page, 'calendar');
  });
});
