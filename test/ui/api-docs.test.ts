/** /api/docs in a real browser: swagger-ui from the npm package, served by the API process, lists the operations of /api/openapi.json. */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startE2E, type E2E } from '../process/support/system';
import { launch, type Browser } from './support/browser';

describe('ui: the OpenAPI document is browsable at /api/docs', function () {
  this.timeout(120_000);
  let e: E2E;
  let browser: Browser;
  let page: Page;
  before(async () => {
    e = await startE2E();
    browser = await launch();
    page = await browser.page();
  });
  after(async () => {
    await browser?.close();
    await e?.stop();
  });

  it('loads without any request leaving the machine and lists an operation of the route table', async () => {
    const origins = new Set<string>();
    page.on('request', (r) => origins.add(new URL(r.url()).origin));
    await page.goto(`${e.sys.apiUrl}/api/docs`);
    const op = page.locator('.opblock-summary-path').filter({ hasText: '/api/calendar/uploads' }).first();
    await op.waitFor({ timeout: 30_000 });
    expect(await page.locator('.opblock').count()).to.be.greaterThan(20);
    expect([...origins]).to.deep.equal([new URL(e.sys.apiUrl).origin]);
  });
});
