/**
 * The workbench task page in a real browser, against the whole system (engine, workers, database):
 * - the form shows the case (issue #20): 订单概要 of a real task, which no input field is bound to, with the
 *   AP by its name and code, never its UUID (the task API hands form-js what the form's text blocks read);
 * - a refused completion shows "未能提交：<reason>" and the task stays open: separation of duties (the drafter
 *   reviewing their own contract, refused by the API's check of the rule) and a completing listener's
 *   denial (422 completion-denied, the listener's reason).
 * The drafter must also be a department manager, which the demo users are not: this file serves the system's
 * UI and API from a second app over the same engine and database, with the customer manager given both hats.
 */
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createApp } from '../../api/app';
import { createLocalAuth, DEMO_STAFF_USERS } from '../../api/auth';
import { createHealth } from '../../api/health';
import { createStore } from '../../api/store';
import { createWorkbench, serveUi } from '../../api/workbench/index';
import type { ApiServices } from '../../api/services';
import { CountersignDecisionEntity } from '../../db/entities/index';
import { startE2E, type E2E } from '../process/support/system';
import * as d from '../process/support/driver';
import { denyingTaskModel } from '../support/denying-task';
import { buildUi, launch, type Browser } from './support/browser';
import { findTask, radio, signIn, text, WAIT } from './support/workbench';

const SHOTS = process.env.UI_SCREENSHOTS ? path.resolve(__dirname, '../../docs/screenshots') : null;

/** a process of this test only: one task with a form and a completing listener the test answers */
const DENIAL_FORM = {
  id: 'ui-denial-note',
  type: 'default',
  schemaVersion: 19,
  components: [
    { type: 'text', id: 'Text_case', text: '="**案件：** " + caseTitle' },
    { type: 'textfield', key: 'note', id: 'Field_note', label: '说明', validate: { required: true, maxLength: 200 } },
  ],
};
const DENIAL_MODEL = denyingTaskModel({
  processId: 'ui-task-denial',
  name: '拒绝测试',
  taskId: 'note-task',
  taskName: '填写说明',
  listenerType: 'test.ui-denial',
  formId: 'ui-denial-note',
});

describe('ui: the task page shows the case and a refused completion', function () {
  this.timeout(240_000);
  let e: E2E;
  let browser: Browser;
  let server: http.Server;
  let base: string;
  let page: Page;
  before(async () => {
    buildUi();
    e = await startE2E();
    const users = DEMO_STAFF_USERS.map((u) => (u.username === d.CM ? { ...u, roles: [...u.roles, 'dept-manager' as const] } : u));
    const services = {
      auth: createLocalAuth({ secret: 'ui-task-page-secret-0123456789', users }),
      store: createStore(e.ds, e.sys.clock),
      health: createHealth(e.ds),
      tasks: e.sys.tasks,
      workbench: createWorkbench(e.ds, e.sys.restAddress, { now: () => e.sys.clock.now() }),
    } as ApiServices;
    server = http.createServer(createApp(services, { ui: serveUi() }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launch();
    page = await browser.page();
  });
  after(async () => {
    server?.closeAllConnections();
    server?.close();
    await browser?.close();
    await e?.stop();
  });

  const taskState = async (key: string) =>
    (await e.rest('POST', '/v2/user-tasks/search', { filter: { userTaskKey: key } })).body.items[0] as {
      state: string;
      assignee?: string;
    };
  const openTask = async (elementId: string, no: string) => {
    const row = await findTask(page, elementId, no);
    await row.getByRole('link', { name: '办理' }).click();
    const form = page.locator('.fjs-container');
    await form.waitFor({ timeout: WAIT });
    return form;
  };

  it('订单概要 of a real task names the customer and the AP by name and code, not its UUID', async () => {
    const o = await d.createOrder(e, { ap: true });
    expect(o.apPartnerId).to.equal(e.partner.id);
    await signIn(page, base, d.CM);
    const form = await openTask('confirm-order-with-customer', o.orderNo);
    const summary = form.locator('.fjs-form-field-text').filter({ hasText: '订单概要' });
    await summary.waitFor({ timeout: WAIT });
    const shown = ((await summary.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(shown).to.contain(`AP：${e.partner.name}（${e.partner.code}）`);
    expect(shown).to.contain(`账号数 ${o.accounts}`);
    expect(await form.textContent()).to.not.contain(e.partner.id);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'task-order-summary.png'), fullPage: true });
  });

  it('the drafter reviewing their own contract: 未能提交 with the rule, the task stays open, nothing recorded', async () => {
    const o = await d.createOrder(e);
    const no = { orderNo: o.orderNo };
    await d.confirm(e, no);
    await d.draftRevenue(e, no);
    await signIn(page, base, d.CM);
    // the review waits in 未认领 of the drafter (also a department manager): claiming it is refused with the rule
    const row = await findTask(page, 'dept-manager-review', o.orderNo, WAIT, { claim: false });
    const key = (await row.getAttribute('data-task'))!;
    await row.getByRole('button', { name: '认领' }).click();
    const refused = page.locator('.notice.error').filter({ hasText: '操作失败：' });
    await refused.waitFor({ timeout: WAIT });
    // the rule in Chinese first (ui/src/labels.ts RULE_TEXT by the problem's `rule`), the API's text after it
    expect(await refused.textContent())
      .to.contain('合同起草人不能审核自己起草的合同')
      .and.contain('cannot review it');
    expect((await taskState(key)).assignee ?? null).to.equal(null);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'inbox-claim-refused.png'), fullPage: true });
    // opened anyway (办理 without claiming) and submitted: refused before the workbench's claim
    await row.getByRole('link', { name: '办理' }).click();
    const form = page.locator('.fjs-container');
    await form.waitFor({ timeout: WAIT });
    await radio(form, '同意');
    await text(form, '审核意见说明', '同意');
    await page.getByRole('button', { name: '提交' }).click();
    const alert = page.getByRole('alert').filter({ hasText: '未能提交：' });
    await alert.waitFor({ timeout: WAIT });
    expect(await alert.textContent())
      .to.contain('未能提交：合同起草人不能审核自己起草的合同')
      .and.contain('cannot review it');
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'task-refused.png'), fullPage: true });
    // still on the task page with the form as filled in, the submit button back
    expect(page.url()).to.match(/#\/task/);
    expect(await form.getByRole('radio', { name: '同意', exact: true }).isChecked()).to.equal(true);
    expect(await page.getByRole('button', { name: '提交' }).isDisabled()).to.equal(false);
    // open and unassigned for someone else: the rule is checked before the workbench claims the task
    expect(await taskState(key)).to.deep.include({ state: 'CREATED' });
    expect((await taskState(key)).assignee ?? null).to.equal(null);
    expect(await e.ds.getRepository(CountersignDecisionEntity).count()).to.equal(0);
  });

  it("a completing listener's denial (422): 未能提交 with its reason, the task stays open", async () => {
    await e.sys.zeebe.deployResources([
      { name: 'ui-task-denial.bpmn', process: Buffer.from(DENIAL_MODEL) },
      { name: 'ui-denial-note.form', form: Buffer.from(JSON.stringify(DENIAL_FORM)) },
    ]);
    const pi = await e.sys.zeebe.createProcessInstance({
      bpmnProcessId: 'ui-task-denial',
      variables: { orderNo: 'YW-TEST-DENIAL', caseTitle: '拒绝测试案件' },
    });
    await signIn(page, base, d.CM);
    const form = await openTask('note-task', 'YW-TEST-DENIAL');
    // the form's text block reads a variable no field is bound to
    expect(await form.textContent()).to.contain('拒绝测试案件');
    const key = page.url().split('/').pop()!;
    await text(form, '说明', '开通日期待定');
    await page.getByRole('button', { name: '提交' }).click();
    // the listener's job, answered as a worker's business rule would
    const job = await d.waitFor(async () => {
      const r = await e.rest('POST', '/v2/jobs/activation', { type: 'test.ui-denial', maxJobsToActivate: 1, timeout: 30_000 });
      return r.body.jobs?.[0] ?? null;
    }, 'the listener job');
    expect(job.variables).to.include({ note: '开通日期待定' });
    const reason = '客户尚未确认开通日期，不能提交';
    const answered = await e.rest('POST', `/v2/jobs/${job.jobKey}/completion`, {
      result: { type: 'userTask', denied: true, deniedReason: reason },
    });
    expect(answered.status).to.equal(204);
    await page
      .getByRole('alert')
      .filter({ hasText: `未能提交：${reason}` })
      .waitFor({ timeout: WAIT });
    expect(page.url()).to.match(/#\/task/);
    expect(await form.getByLabel('说明', { exact: false }).inputValue()).to.equal('开通日期待定');
    expect((await taskState(key)).state).to.equal('CREATED');
    const instance = await e.rest('GET', `/v2/process-instances/${pi.processInstanceKey}`);
    expect(instance.body.state).to.equal('ACTIVE');
  });
});
