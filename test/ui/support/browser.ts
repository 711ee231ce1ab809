/**
 * A real browser for the UI tests: Debian's chromium (/usr/bin/chromium, or CHROMIUM_PATH) driven by
 * playwright-core, with a fresh profile directory per launch. The UI bundle is built first (a no-op when
 * ui/dist is up to date), as `npm test` does before mocha.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '../../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function buildUi() {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-ui.cjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`UI build failed: ${r.stderr || r.stdout}`);
}

export interface Browser {
  context: BrowserContext;
  page(opts?: { width?: number; height?: number }): Promise<Page>;
  close(): Promise<void>;
}

function withoutFaketime(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== 'LD_PRELOAD' && !k.startsWith('FAKETIME')) out[k] = v;
  return out;
}

export async function launch(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: apt-get install chromium (CI's .ci/run does)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-ui-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 900 },
    // the browser is the user's machine, not the system under test: it runs without libfaketime (CI's
    // second pass moves the machine's clock with LD_PRELOAD, under which Chromium loads no page at all);
    // the business dates the pages show come from the system's pinned clock, not the browser's
    env: withoutFaketime(process.env),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const errors: string[] = [];
  context.on('weberror', (e) => errors.push(e.error().message));
  return {
    context,
    async page(opts = {}) {
      const p = await context.newPage();
      if (opts.width) await p.setViewportSize({ width: opts.width, height: opts.height ?? 900 });
      p.on('pageerror', (e) => errors.push(e.message));
      return p;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
      if (errors.length) throw new Error(`errors in the page: ${errors.join(' | ')}`);
    },
  };
}
