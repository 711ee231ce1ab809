#!/usr/bin/env node
// Builds the web UI (ui/) into ui/dist with esbuild: ui/src/main.ts → app.js, ui/src/app.css (with the
// form-js and bpmn-js styles from node_modules) → app.css, the fonts they use, and index.html. Every
// asset comes from npm packages; nothing is fetched from a CDN. Runs before `npm start`, `npm run demo`
// and `npm test`; a no-op (~30 ms) when ui/dist is newer than every source and the lockfile.
// `--force` rebuilds. Type errors are the typecheck's job (npm run typecheck includes ui/tsconfig.json).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const ui = path.join(root, 'ui');
const out = path.join(ui, 'dist');
const stamp = path.join(out, '.built');

function newest(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of fs.readdirSync(p)) if (e !== 'dist') m = Math.max(m, newest(path.join(p, e)));
  return m;
}
const sources = Math.max(
  newest(ui),
  newest(path.join(root, 'domain', 'vocabulary.ts')),
  newest(path.join(root, 'package-lock.json')),
  newest(__filename),
);
const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : -1;
if (!process.argv.includes('--force') && built >= sources) process.exit(0);

const started = Date.now();
const esbuild = require('esbuild');
const staging = `${out}.build-${process.pid}`;
fs.rmSync(staging, { recursive: true, force: true });
fs.mkdirSync(staging, { recursive: true });
try {
  esbuild.buildSync({
    entryPoints: { app: path.join(ui, 'src', 'main.ts'), 'app-css': path.join(ui, 'src', 'app.css') },
    outdir: staging,
    bundle: true,
    minify: true,
    sourcemap: true,
    // ES modules split into chunks: the task form (form-js) and the diagram (bpmn-js) load when first
    // shown, so 待办 parses ~1/4 of the code (bench:inbox)
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    target: ['chrome110', 'firefox110', 'safari16'],
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
    assetNames: 'assets/[name]-[hash]',
    legalComments: 'linked',
    logLevel: 'warning',
    absWorkingDir: root,
  });
  fs.renameSync(path.join(staging, 'app-css.css'), path.join(staging, 'app.css'));
  if (fs.existsSync(path.join(staging, 'app-css.css.map')))
    fs.renameSync(path.join(staging, 'app-css.css.map'), path.join(staging, 'app.css.map'));
  for (const f of fs.readdirSync(staging)) if (f.startsWith('app-css.')) fs.rmSync(path.join(staging, f));
  fs.copyFileSync(path.join(ui, 'index.html'), path.join(staging, 'index.html'));
  fs.writeFileSync(path.join(staging, '.built'), new Date().toISOString() + '\n');
} catch (e) {
  fs.rmSync(staging, { recursive: true, force: true });
  console.error(`[ui] build failed: ${e.message}`);
  process.exit(1);
}
fs.rmSync(out, { recursive: true, force: true });
fs.renameSync(staging, out);
const size = (f) => (fs.statSync(path.join(out, f)).size / 1024).toFixed(0);
console.log(`[ui] built ui/dist in ${Date.now() - started} ms (app.js ${size('app.js')} KB, app.css ${size('app.css')} KB)`);
