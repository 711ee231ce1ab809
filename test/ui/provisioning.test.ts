/**
 * One provisioning order with an AP carried through the workbench in a real browser, each step by the
 * role that owns it, from the customer record to the completion record: the admin adds the customer,
 * the customer manager creates the order, and every task is found in 待办, claimed where it waits in a
 * group, filled in its form-js form and submitted. The AP's payment basis goes through its API route
 * (the AP portal is issue #19). The engine clock is pinned, so the deadline is the same on every day.
 * UI_SCREENSHOTS=1 also writes the main pages to docs/screenshots/.
 */
import { expect } from 'chai';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startE2E, type E2E } from '../process/support/system';
import * as d from '../process/support/driver';
import { buildUi, launch, type Browser } from './support/browser';
import { date, doTask, findTask, nav, radio, signIn, text, WAIT } from './support/workbench';

const SHOTS = process.env.UI_SCREENSHOTS ? path.resolve(__dirname, '../../docs/screenshots') : null;
const shot = async (page: Page, name: string) => {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
};

describe('ui: a provisioning order with an AP, through the workbench only', function () {
  this.timeout(300_000);
  let e: E2E;
  let browser: Browser;
  let page: Page;
  let base: string;
  before(async () => {
    buildUi();
    e = await startE2E(); // the engine clock pinned at CLOCK_START (2026-09-01 09:00, Shanghai)
    base = e.sys.apiUrl;
    browser = await launch();
    page = await browser.page();
  });
  after(async () => {
    await browser?.close();
    await e?.stop();
  });

  it('admin adds the customer; customer manager, managers, reviewers, contract admin and tech dept each do their step; the order is completed with its record', async () => {
    // the admin adds the customer on its page
    await signIn(page, base, 'admin');
    await nav(page, '#/customers');
    await page.getByRole('link', { name: '新增客户' }).click();
    await page.getByLabel('名称').fill('浦江在线教育有限公司');
    await page.getByLabel('联系人').fill('王五');
    await page.getByLabel('客户经理（用户名）').fill('customer-manager');
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('.notice.ok').filter({ hasText: '客户已保存' }).waitFor({ timeout: WAIT });

    // the customer manager creates the order
    await signIn(page, base, d.CM);
    await nav(page, '#/new/order');
    await page.getByLabel('客户').selectOption({ label: '浦江在线教育有限公司' });
    await page.getByLabel('学习管理').check();
    await page.getByLabel('直播培训').check();
    await page.getByLabel('账号数').fill('120');
    await page.getByLabel('开通日期').fill('2026-10-08');
    await page.getByLabel('期限（月）').fill('12');
    await page.getByLabel('金额（元）').fill('36000');
    await page.getByLabel('涉及 AP 供应商').check();
    await page.getByLabel('AP 供应商', { exact: true }).selectOption({ label: e.partner.name });
    await shot(page, 'new-order');
    await page.getByRole('button', { name: '提交订单' }).click();
    const heading = page.getByRole('heading', { level: 1, name: /^案卷 YW-\d{4}-\d{6}$/ });
    await heading.waitFor({ timeout: WAIT });
    const orderNo = (await heading.textContent())!.replace('案卷 ', '');
    const orderId = /#\/orders\/([0-9a-f-]+)$/.exec(page.url())![1];

    await doTask(page, 'confirm-order-with-customer', orderNo, async (f) => {
      await radio(f, '客户确认');
      await text(f, '客户反馈', '客户确认订单内容');
    });
    await doTask(page, 'draft-revenue-contract', orderNo, async (f) => {
      await text(f, '合同名称', `在线培训服务协议 ${orderNo}`);
      await text(f, '合同金额（元）', '36000');
      await text(f, '合同期限（月）', '12');
      await text(f, '备注', '标准条款');
    });

    // the revenue contract's countersign: the department manager, then the center with the manager's opinion beside the form
    await signIn(page, base, d.DEPT);
    await doTask(page, 'dept-manager-review', orderNo, async (f, p) => {
      expect(await p.locator('aside.case').textContent()).to.include('收入合同');
      await radio(f, '同意');
      await text(f, '审核意见说明', '金额与订单一致，同意');
    });
    await signIn(page, base, d.CENTER);
    await doTask(page, 'center-review', orderNo, async (f, p) => {
      const theCase = (await p.locator('aside.case').textContent())!;
      expect(theCase).to.include('部门经理审核 · 同意 · dept-manager');
      expect(theCase).to.include('金额与订单一致，同意');
      expect(theCase).to.include('浦江在线教育有限公司');
      // states in Chinese, never the API's codes
      expect(theCase).to.include('会签中');
      expect(theCase).to.not.match(/COUNTERSIGNING|CONFIRMED|SUBMITTED/);
      await shot(p, 'task-center-review');
      await radio(f, '同意');
      await text(f, '审核意见说明', '同意');
    });

    await signIn(page, base, d.ADMIN);
    await doTask(page, 'sign-revenue-contract', orderNo, async (f) => {
      await date(f, '签订日期', '2026-09-10');
    });
    await signIn(page, base, d.TECH);
    await doTask(page, 'configure-platform', orderNo, async (f) => {
      await text(f, '配置情况回复', '已在业务平台完成配置，开通 120 个账号');
      await date(f, '配置完成日期', '2026-09-20');
    });
    await signIn(page, base, d.CM);
    await doTask(page, 'accept-configuration', orderNo, async (f) => {
      await radio(f, '通过');
      await text(f, '验收意见', '验收通过');
    });

    // the expense contract with the AP: both levels again
    await signIn(page, base, d.DEPT);
    await doTask(page, 'dept-manager-review', orderNo, async (f, p) => {
      expect(await p.locator('aside.case').textContent()).to.include('支出合同');
      await radio(f, '同意');
      await text(f, '审核意见说明', '同意');
    });
    await signIn(page, base, d.CENTER);
    await doTask(page, 'center-review', orderNo, async (f) => {
      await radio(f, '同意');
      await text(f, '审核意见说明', '同意');
    });

    // the AP: its signed implementation request arrived; it reports completion with its payment basis (API)
    const [req] = await d.apRequestFor(e, orderNo);
    const submitted = await d.apSubmit(e, req.body.expenseContractNo, `ui-${orderNo}`);
    expect(submitted.status, JSON.stringify(submitted.body)).to.equal(201);

    await signIn(page, base, d.ADMIN);
    await doTask(page, 'check-payment-basis', orderNo, async (f) => {
      await radio(f, '通过');
      await text(f, '核对意见', '支付依据齐全');
    });
    await signIn(page, base, d.CM);
    await doTask(page, 'deliver-to-customer', orderNo, async (f) => {
      await date(f, '交付日期', '2026-09-30');
      await text(f, '交付说明', '已交付客户使用');
    });
    if (SHOTS) {
      await findTask(page, 'file-completion-record', orderNo);
      await nav(page, '#/inbox?tab=assigned');
      await shot(page, 'inbox');
      await page.setViewportSize({ width: 390, height: 844 });
      await shot(page, 'inbox-phone');
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await doTask(page, 'file-completion-record', orderNo, async (f) => {
      // rated 1–5 (docs/staff.md): one radio group per rating
      await f.locator('.fjs-form-field-radio').filter({ hasText: '网络质量' }).getByRole('radio', { name: '5 很好', exact: true }).check();
      await f.locator('.fjs-form-field-radio').filter({ hasText: '服务态度' }).getByRole('radio', { name: '4 较好', exact: true }).check();
      await text(f, '客户反馈', '平台稳定，培训效果良好');
      await text(f, '后续跟进', '季度回访');
    });

    // the case page shows the completed order, its deadline, its records and the finished diagram
    const o = await d.waitOrderStatus(e, orderId, 'COMPLETED');
    await nav(page, `#/orders/${o.id}`);
    const facts = page.locator('dl.facts').first();
    expect(await facts.textContent()).to.include('已竣工');
    expect(await facts.textContent()).to.include('2026年12月29日 23:59');
    await page.locator('.djs-element.el-done[data-element-id="order-completed"]').waitFor({ timeout: WAIT });
    const body = (await page.locator('main').textContent())!;
    expect(body).to.match(/收入合同 SR-\d{4}-\d{4}/);
    expect(body).to.match(/支出合同 ZC-\d{4}-\d{4}/);
    expect(body).to.match(/协作任务单 XZ-\d{4}-\d{4}/);
    expect(body).to.match(/GT-\d{4}-\d{4}/);
    expect(body).to.include('被调用的流程');
    // the timeline and the records say what happened in Chinese: no audit action ids, no state codes
    const timeline = (await page.locator('ol.timeline').textContent())!;
    expect(timeline).to.include('AP 提交支付依据');
    expect(timeline).to.include('业务订单竣工');
    expect(timeline).to.not.match(/\b[a-z]+(-[a-z]+)*\.[a-z]+(-[a-z]+)*\b/);
    expect(body).to.not.match(/COMPLETION|COUNTERSIGNING|PAYMENT_BASIS_ACCEPTED/);
    // reasons written by code appear in their Chinese wording (ui/src/reasons.ts), not as the English ids
    expect(timeline).to.include('新建订单');
    // the workers' own writes are the system's, said so in Chinese
    expect(timeline).to.include('系统自动');
    expect(body).to.not.include('system:');
    expect(body).to.not.match(
      /order created|issued after the second approval|payment basis submitted by the AP partner|completion \(竣工\)/,
    );
    await shot(page, 'case');
    // the completion record is in the database, filed by the customer manager
    const [comm] = (await e.api.get(d.CM, `/api/customer-communication-records?orderId=${o.id}`)).items;
    expect(comm.filedBy).to.equal('customer-manager');
    expect(comm.occasion).to.equal('COMPLETION');
  });
});
