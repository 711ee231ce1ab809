import type { Page } from 'playwright-core';
import { startE2E, type E2E } from '../../process/support/system';
import { buildUi, launch, type Browser } from './browser';

export interface BrowserSuite {
  e: E2E;
  browser: Browser;
  page: Page;
}

/**
 * The system and a browser page for one mocha suite (call it in the `describe`): the UI built, the e2e
 * system started with `opts`, Chromium launched before the suite's tests; both stopped after them.
 */
export function browserSuite(opts: Parameters<typeof startE2E>[0] = {}): BrowserSuite {
  const s = {} as BrowserSuite;
  before(async () => {
    buildUi();
    s.e = await startE2E(opts);
    s.browser = await launch();
    s.page = await s.browser.page();
  });
  after(async () => {
    await s.browser?.close();
    await s.e?.stop();
  });
  return s;
}
