/**
 * 修改业务订单 in the workbench (issue #20), in a real browser: the AP is chosen by its name from the list the
 * task's creating listener gives (order.offer-ap-partners), starting on the order's AP; its id shows nowhere;
 * unticking 涉及AP hides the choice; another partner chosen becomes the order's AP in its new version.
 */
import { expect } from 'chai';
import path from 'node:path';
import { ApPartnerEntity } from '../../db/entities/index';
import * as d from '../process/support/driver';
import { browserSuite } from './support/suite';
import { findTask, signIn, WAIT } from './support/workbench';

const SHOTS = process.env.UI_SCREENSHOTS ? path.resolve(__dirname, '../../docs/screenshots') : null;

describe('ui: 修改业务订单, the AP chosen from a list', function () {
  this.timeout(300_000);
  const s = browserSuite({ otherPartners: [{ name: '示例AP 贝塔', code: 'beta' }] });

  it("the select starts on the order's AP by name, hides with 涉及AP, and another partner chosen is the order's AP", async () => {
    const { e, page } = s;
    const beta = await e.ds.getRepository(ApPartnerEntity).findOneByOrFail({ code: 'beta' });
    const o = await d.createOrder(e, { ap: true });
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no, 'CHANGE_REQUESTED', '改由贝塔承接');
    await signIn(page, e.sys.apiUrl, d.CM);
    const row = await findTask(page, 'revise-order', o.orderNo);
    await row.getByRole('link', { name: '办理' }).click();
    const form = page.locator('.fjs-container');
    await form.waitFor({ timeout: WAIT });
    const ap = form.getByLabel('AP（涉及AP时选择）', { exact: false });
    // the order's AP, by name and code; no UUID anywhere on the form
    expect(await ap.inputValue()).to.equal(`${e.partner.name}（alpha）`);
    expect(await form.textContent()).to.not.contain(e.partner.id);
    for (const input of await form.locator('input:visible, textarea:visible').all())
      expect(await input.inputValue()).to.not.contain(e.partner.id);
    // not involving an AP: no AP to choose
    const involved = form.getByLabel('涉及AP', { exact: true });
    await involved.uncheck();
    expect(await ap.count(), 'hidden while 涉及AP is not ticked').to.equal(0);
    await involved.check();
    // the list: the partners that could take the order, the order's own among them
    await ap.click();
    const options = form.locator('.fjs-dropdownlist-item');
    await options.first().waitFor({ timeout: WAIT });
    const names = await options.allInnerTexts();
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'task-order-revision.png'), fullPage: true });
    expect(names).to.include.members([`${e.partner.name}（alpha）`, `${beta.name}（beta）`]);
    await options.filter({ hasText: '（beta）' }).first().click();
    expect(await ap.inputValue()).to.equal(`${beta.name}（beta）`);
    await form.getByLabel('修改说明', { exact: false }).fill('客户要求改由贝塔承接');
    await page.getByRole('button', { name: '提交' }).click();
    await page.locator('.notice.ok').filter({ hasText: '已提交' }).waitFor({ timeout: WAIT });
    const revised = await d.waitFor(async () => {
      const r = await d.orderRow(e, o.id);
      return r.currentVersion === 2 ? r : null;
    }, 'order version 2');
    expect([revised.apInvolved, revised.apPartnerId]).to.deep.equal([true, beta.id]);
  });
});
