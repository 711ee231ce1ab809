/**
 * npm run render:diagrams — renders every processes/*.bpmn to docs/diagrams/<process-id>.svg with the
 * bpmn-js viewer in headless Chromium (playwright-core). A diagram that fails to import, or imports
 * with warnings, fails the script.
 *
 * Options: --png <dir>  also writes a PNG screenshot per diagram into <dir> (for looking at the layout).
 * Env: CHROMIUM_PATH (default /usr/bin/chromium).
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

/**
 * bpmn-js names its arrow-head markers with random ids, so every render rewrote every SVG; numbered in order of
 * appearance instead, an unchanged model renders to the same file.
 */
function stableMarkerIds(svg: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/id="(marker-[a-z0-9]+)"/g)) if (!ids.has(m[1])) ids.set(m[1], `marker-${ids.size + 1}`);
  return svg.replace(/marker-[a-z0-9]+/g, (id) => ids.get(id) ?? id);
}
import { bpmnFiles, parseBpmn } from './model';

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, 'docs', 'diagrams');
const VIEWER = require.resolve('bpmn-js/dist/bpmn-viewer.production.min.js');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface RenderResult {
  svg: string;
  warnings: string[];
  width: number;
  height: number;
}

async function main(): Promise<void> {
  const pngIdx = process.argv.indexOf('--png');
  const pngDir = pngIdx > 0 ? path.resolve(process.argv[pngIdx + 1]) : undefined;
  mkdirSync(OUT_DIR, { recursive: true });
  if (pngDir) mkdirSync(pngDir, { recursive: true });
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'render-diagrams-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ARGS,
    headless: true,
    viewport: { width: 1600, height: 1000 },
  });
  let failed = 0;
  try {
    const page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(
      '<!doctype html><html><head><meta charset="utf-8"><style>html,body,#canvas{margin:0;width:100%;height:100%;background:#fff}</style></head><body><div id="canvas"></div></body></html>',
    );
    await page.addScriptTag({ content: readFileSync(VIEWER, 'utf8') });
    for (const file of bpmnFiles()) {
      const xml = readFileSync(file, 'utf8');
      const { process: proc } = await parseBpmn(xml, file);
      try {
        const result: RenderResult = await page.evaluate(async (source: string) => {
          const w = globalThis as unknown as {
            BpmnJS: new (
              o: object,
            ) => {
              importXML(x: string): Promise<{ warnings: { message: string }[] }>;
              saveSVG(): Promise<{ svg: string }>;
              get(n: string): { zoom(v: string): void; viewbox(): { inner: { width: number; height: number } } };
              destroy(): void;
            };
            viewer?: { destroy(): void };
          };
          w.viewer?.destroy();
          const viewer = new w.BpmnJS({ container: '#canvas' });
          w.viewer = viewer;
          const { warnings } = await viewer.importXML(source);
          const canvas = viewer.get('canvas');
          canvas.zoom('fit-viewport');
          const { inner } = canvas.viewbox();
          const { svg } = await viewer.saveSVG();
          return { svg, warnings: warnings.map((x) => x.message), width: inner.width, height: inner.height };
        }, xml);
        if (result.warnings.length) throw new Error(`import warnings:\n  ${result.warnings.join('\n  ')}`);
        const out = path.join(OUT_DIR, `${proc.id}.svg`);
        const svg = stableMarkerIds(result.svg);
        writeFileSync(out, svg.endsWith('\n') ? svg : svg + '\n');
        console.log(`rendered ${path.relative(ROOT, out)} (${Math.round(result.width)}×${Math.round(result.height)})`);
        if (pngDir) {
          const scale = Math.min(1.2, 6000 / result.width);
          await page.setViewportSize({ width: Math.ceil(result.width * scale) + 40, height: Math.ceil(result.height * scale) + 40 });
          await page.evaluate(() => {
            const w = globalThis as unknown as { viewer: { get(n: string): { zoom(v: string): void; resized(): void } } };
            const canvas = w.viewer.get('canvas');
            canvas.resized();
            canvas.zoom('fit-viewport');
          });
          await page.screenshot({ path: path.join(pngDir, `${proc.id}.png`), fullPage: true });
          // wide diagrams: also tiles of 2000 px, readable at full size
          const total = Math.ceil(result.width * scale) + 40;
          for (let x = 0, i = 1; total > 2400 && x < total; x += 1800, i++) {
            await page.screenshot({
              path: path.join(pngDir, `${proc.id}-${i}.png`),
              clip: { x, y: 0, width: Math.min(2000, total - x), height: Math.ceil(result.height * scale) + 40 },
            });
          }
        }
      } catch (e) {
        failed++;
        console.error(`FAILED ${path.relative(ROOT, file)}: ${(e as Error).message}`);
      }
    }
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
