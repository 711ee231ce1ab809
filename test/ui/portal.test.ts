/**
 * The AP partner portal in a real browser (issue #19): an order with AP alpha is carried by the staff
 * (through the API, as the provisioning browser test does it through the workbench) to its
 * implementation request; ap-alpha signs in, lands on its portal, sees the request and its due date
 * (from the pinned business clock), submits the payment basis with attachment references (a server
 * field error shown on its field first), sees the contract admin's send-back and its reason,
 * resubmits, and sees it accepted. The staff case page shows the attachment references. ap-beta
 * sees nothing of alpha's in the browser and gets 404 from the API for alpha's ids.
 * UI_SCREENSHOTS=1 also writes docs/screenshots/portal.png.
 */
import { expect } from 'chai';
import path from 'node:path';
import type { E2E } from '../process/support/system';
import * as d from '../process/support/driver';
import { browserSuite } from './support/suite';
import { nav, signIn, WAIT } from './support/workbench';

const SHOTS = process.env.UI_SCREENSHOTS ? path.resolve(__dirname, '../../docs/screenshots') : null;
const REASON = '缺少验收截图';

/** the check is recorded by a worker after the task completes: wait until the partner's own API shows it, then the page */
async function basisStatus(e: E2E, contractNo: string, status: string) {
  await d.waitFor(async () => {
    const o = await e.api.get(d.AP_USER, '/api/portal/overview');
    return o.requests.some(
      (r: { expenseContractNo: string; paymentBasis: { status: string } | null }) =>
        r.expenseContractNo === contractNo && r.paymentBasis?.status === status,
    );
  }, `payment basis of ${contractNo} ${status}`);
}

describe('ui: the AP partner portal, from implementation request to accepted payment basis', function () {
  this.timeout(300_000);
  const s = browserSuite({ otherPartners: [{ name: '示例AP 贝塔', code: 'beta' }] }); // clock pinned at CLOCK_START

  it('ap-alpha submits, is sent back with a reason, resubmits and sees it accepted; ap-beta sees none of it', async () => {
    const { e, page } = s;
    const base = e.sys.apiUrl;
    const o = await d.createOrder(e, { ap: true });
    const { no, req } = await d.untilApRequest(e, o);
    const contractNo = req.body.expenseContractNo as string;

    // alpha lands on its portal after signing in
    await signIn(page, base, d.AP_USER);
    await page.getByRole('heading', { level: 1, name: 'AP 门户 · 示例AP 阿尔法' }).waitFor({ timeout: WAIT });
    const card = page.locator(`[data-testid="implementation-request"][data-contract-no="${contractNo}"]`);
    await card.waitFor({ timeout: WAIT });
    expect(await page.getByTestId('business-today').textContent()).to.equal('业务日期：2026年9月1日');
    expect(await card.getByTestId('request-status').textContent()).to.equal('已请求 AP 实施');
    // requested on the pinned day, SLA P10D: due ten days later, counted from the server's clock
    expect(await card.getByTestId('due').textContent()).to.match(/^2026年9月11日 \d\d:\d\d（还剩 10 天）$/);
    expect(await card.textContent()).to.include(o.orderNo);
    const main = (await page.locator('main').textContent())!;
    expect(main).to.not.include('36,000'); // the order's (revenue) amount is never shown

    // a server field error lands on its field
    const form = card.getByTestId('payment-basis-form');
    await form.getByLabel('申请金额（元）').fill('8000');
    await form.getByLabel('完成日期').fill('2026-09-25');
    await form.getByRole('button', { name: '提交' }).click();
    await form.locator('.field').filter({ hasText: '实施说明' }).locator('.field-error').waitFor({ timeout: WAIT });
    expect(await form.getByLabel('实施说明').getAttribute('aria-invalid')).to.equal('true');

    await form.getByLabel('实施说明').fill('外包平台已完成配置，账号已开通');
    await form.getByLabel('已实施账号数').fill('100');
    await form.getByLabel('附件引用').fill('https://ap-alpha.example/acceptance.pdf\n验收单-001');
    await form.getByRole('button', { name: '提交' }).click();
    await card.getByTestId('payment-basis-status').filter({ hasText: '已提交，待核对' }).waitFor({ timeout: WAIT });
    expect(await card.getByTestId('payment-basis-form').count()).to.equal(0);

    // the contract admin sends it back with a reason; alpha sees the reason and resubmits
    await e.api.step(d.ADMIN, 'check-payment-basis', no, { paymentBasisDecision: 'SENT_BACK', paymentBasisOpinion: REASON }, WAIT);
    await basisStatus(e, contractNo, 'SENT_BACK');
    await nav(page, '#/portal');
    await card.getByTestId('send-back-reason').waitFor({ timeout: WAIT });
    expect(await card.getByTestId('send-back-reason').textContent()).to.include(REASON);
    expect(await card.getByTestId('payment-basis-status').textContent()).to.equal('已退回');
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'portal.png'), fullPage: true });
    const again = card.getByTestId('payment-basis-form');
    expect(await again.getByLabel('实施说明').inputValue()).to.equal('外包平台已完成配置，账号已开通');
    await again.getByLabel('附件引用').fill('https://ap-alpha.example/acceptance.pdf\nhttps://ap-alpha.example/screenshots.zip');
    await again.getByRole('button', { name: '重新提交' }).click();
    await card.getByTestId('payment-basis-status').filter({ hasText: '已提交，待核对' }).waitFor({ timeout: WAIT });

    // accepted: alpha sees it so
    await d.checkPaymentBasis(e, no, 'ACCEPTED');
    await basisStatus(e, contractNo, 'ACCEPTED');
    await nav(page, '#/portal');
    await card.getByTestId('payment-basis-status').filter({ hasText: '已通过' }).waitFor({ timeout: WAIT });
    expect(await card.getByTestId('request-status').textContent()).to.equal('支付依据已通过');
    expect(await card.getByTestId('send-back-reason').count()).to.equal(0);
    expect(await card.getByTestId('attachments').textContent()).to.include('screenshots.zip');

    // the staff case page lists the payment basis with its attachment references
    await signIn(page, base, d.ADMIN);
    await nav(page, `#/orders/${o.id}`);
    const refs = page.getByRole('list', { name: '附件引用' });
    await refs.waitFor({ timeout: WAIT });
    expect(await refs.textContent()).to.include('https://ap-alpha.example/screenshots.zip');

    // beta: nothing of alpha's in the browser, 404 from the API for alpha's ids
    await signIn(page, base, 'ap-beta');
    await page.getByRole('heading', { level: 1, name: 'AP 门户 · 示例AP 贝塔' }).waitFor({ timeout: WAIT });
    const betaMain = (await page.locator('main').textContent())!;
    expect(betaMain).to.include('暂无实施请求');
    for (const s of [contractNo, o.orderNo, '阿尔法', 'ap-alpha.example']) expect(betaMain).to.not.include(s);
    const alphaView = await e.api.get(d.AP_USER, '/api/portal/overview');
    const request = alphaView.requests.find((r: { expenseContractNo: string }) => r.expenseContractNo === contractNo);
    for (const p of [
      `/api/portal/requests/${request.expenseContractId}`,
      `/api/contracts/${request.expenseContractId}`,
      `/api/payment-bases/${request.paymentBasis.id}`,
    ]) {
      const res = await e.api.call('ap-beta', 'GET', p);
      expect(res.status, p).to.equal(404);
    }
    const submit = await e.api.call('ap-beta', 'POST', '/api/payment-bases', {
      submissionId: 'beta-try',
      expenseContractId: request.expenseContractId,
      amount: 1,
      completedOn: '2026-09-25',
      description: 'x',
    });
    expect(submit.status).to.equal(404);
  });
});
