/**
 * 处理AP异常 in the workbench (issue #20), in a real browser: the customer manager sees why the AP failed, the
 * four ways out, and for 换一家AP a list of the partners that could take the order now (not the one that
 * refused); choosing one re-drafts the same expense contract for it.
 */
import { expect } from 'chai';
import path from 'node:path';
import { ApPartnerEntity } from '../../db/entities/index';
import * as d from '../process/support/driver';
import { browserSuite } from './support/suite';
import { findTask, radio, signIn, WAIT } from './support/workbench';

const SHOTS = process.env.UI_SCREENSHOTS ? path.resolve(__dirname, '../../docs/screenshots') : null;

describe('ui: 处理AP异常, the ways out and the partner list', function () {
  this.timeout(300_000);
  const s = browserSuite({ otherPartners: [{ name: '示例AP 贝塔', code: 'beta' }] });

  it('the AP refused: the reason, the choices, a select of the other partners; 换一家AP re-drafts the contract for the one chosen', async () => {
    const { e, page } = s;
    const beta = await e.ds.getRepository(ApPartnerEntity).findOneByOrFail({ code: 'beta' });
    const o = await d.createOrder(e, { ap: true });
    const no = { orderNo: o.orderNo };
    const pik = await d.orderInstanceKey(e, o.id);
    await d.confirm(e, no);
    await d.draftRevenue(e, no);
    await d.approveBoth(e, no, 'REVENUE');
    e.ap.status = 422;
    await d.sign(e, no);
    await d.configure(e, no);
    await d.accept(e, no);
    await d.approveBoth(e, no, 'EXPENSE');
    try {
      await signIn(page, e.sys.apiUrl, d.CM);
      const row = await findTask(page, 'resolve-ap-issue', o.orderNo);
      // the refusal came through AP接受请求? after the throw event (not a BPMN error)
      await d.expectApRequestRouted(e, pik, false);
      await row.getByRole('link', { name: '办理' }).click();
      const form = page.locator('.fjs-container');
      await form.waitFor({ timeout: WAIT });
      // why, read-only, and the four ways out
      expect(await form.getByLabel('异常原因', { exact: false }).inputValue()).to.contain('refused the implementation request (422)');
      for (const label of ['重新发起', '换一家AP', '不用AP，继续开通', '取消订单'])
        expect(await form.getByRole('radio', { name: label, exact: true }).count(), label).to.equal(1);
      expect(await form.getByLabel('新AP编号', { exact: false }).count(), 'hidden until 换一家AP').to.equal(0);
      await radio(form, '换一家AP');
      // the partners that could take it: beta, not alpha that refused
      await form.getByLabel('新AP编号', { exact: false }).click();
      const options = form.locator('.fjs-dropdownlist-item');
      await options.first().waitFor({ timeout: WAIT });
      const names = await options.allInnerTexts();
      expect(names).to.include(`${beta.name}（beta）`);
      expect(names.join()).to.not.contain('（alpha）');
      if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'ap-issue.png'), fullPage: true });
      await options.filter({ hasText: 'beta' }).first().click();
      await form.getByLabel('处理说明', { exact: false }).fill('阿尔法拒绝实施，改由贝塔实施');
      await page.getByRole('button', { name: '提交' }).click();
      await page.locator('.notice.ok').filter({ hasText: '已提交' }).waitFor({ timeout: WAIT });
      const ec = await d.waitFor(async () => {
        const [c] = await d.expenseContracts(e, o.id);
        return c?.apPartnerId === beta.id ? c : null;
      }, 'the expense contract for beta');
      expect(ec.apPartnerId).to.equal(beta.id);
    } finally {
      e.ap.status = 202;
    }
  });
});
