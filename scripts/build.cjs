#!/usr/bin/env node
// `npm run build [-- <outDir>]`: compiles the non-test sources with tsc (tsconfig.build.json) and copies
// the non-TS files the code reads next to its sources (processes/*.bpmn, processes/.bpmnlintrc,
// processes/forms/**, processes/element-templates/**, any future data file), so that <outDir> (default
// dist/) runs on its own with plain node: `node dist/app/entry/api.js`.
//
// - Fails (exit 1) on a type error: an image is never built from code that does not type-check.
// - Builds into a fresh sibling folder and renames it into place at the end, so a process running
//   from the previous build (a benchmark of another engineer, say) never reads a half-written file,
//   and files of deleted sources do not linger.
// - An outDir outside the project gets a `node_modules` link to the project's, so that its modules
//   resolve their dependencies (the tests build into a temporary folder).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const config = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
const outDir = path.resolve(root, process.argv[2] ?? config.compilerOptions.outDir ?? 'dist');

// Never replace the project, a folder containing it, one of its source folders, or a folder that is not
// a previous build (it would be renamed away and deleted): an existing outDir must be the configured
// one (dist/), empty, or carry the marker file this script writes.
const MARKER = '.ot-build';
const defaultOut = path.resolve(root, config.compilerOptions.outDir ?? 'dist');
const contains = (parent, child) => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};
const refuse = (why) => {
  console.error(`[build] refusing to build into ${outDir}: ${why}`);
  process.exit(2);
};
if (path.parse(outDir).root === outDir || contains(outDir, root)) refuse('it contains the project');
if (config.include.some((d) => contains(path.join(root, d), outDir))) refuse('it is inside a source folder');
if (fs.existsSync(outDir) && outDir !== defaultOut && fs.readdirSync(outDir).length > 0 && !fs.existsSync(path.join(outDir, MARKER))) {
  refuse(`it exists and is not a previous build (no ${MARKER} file)`);
}

const shown = outDir.startsWith(root + path.sep) ? path.relative(root, outDir) : outDir;
const started = Date.now();
const staging = `${outDir}.build-${process.pid}`;
fs.rmSync(staging, { recursive: true, force: true });

const tsc = path.join(path.dirname(require.resolve('typescript/package.json', { paths: [root] })), 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', staging], {
  cwd: root,
  stdio: 'inherit',
});
if (r.status !== 0) {
  fs.rmSync(staging, { recursive: true, force: true });
  console.error(`[build] tsc failed (exit ${r.status ?? r.signal}); ${shown} left as it was`);
  process.exit(1);
}

/** Every file of a source folder that tsc does not handle: not .ts (nor .d.ts), not documentation. */
function isAsset(name) {
  return !name.endsWith('.ts') && !name.endsWith('.md');
}

let copied = 0;
function copyAssets(from, to) {
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules') continue;
      copyAssets(src, dst);
    } else if (e.isFile() && isAsset(e.name)) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(src, dst);
      copied++;
    }
  }
}
for (const d of config.include) {
  const src = path.join(root, d);
  // a folder absent from the Docker build context (bench/) is simply not built
  if (fs.existsSync(src)) copyAssets(src, path.join(staging, d));
}

// the web UI (esbuild bundle, scripts/build-ui.cjs) next to the compiled API that serves it: dist/ui/dist
const ui = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-ui.cjs')], { cwd: root, stdio: 'inherit' });
if (ui.status !== 0) {
  fs.rmSync(staging, { recursive: true, force: true });
  console.error(`[build] the UI build failed; ${shown} left as it was`);
  process.exit(1);
}
fs.cpSync(path.join(root, 'ui', 'dist'), path.join(staging, 'ui', 'dist'), { recursive: true });

fs.writeFileSync(path.join(staging, MARKER), 'written by scripts/build.cjs: this folder is replaced by the next build\n');
const inside = outDir.startsWith(root + path.sep);
if (!inside) fs.symlinkSync(path.join(root, 'node_modules'), path.join(staging, 'node_modules'), 'dir');

// swap the new build in
const old = `${outDir}.old-${process.pid}`;
fs.mkdirSync(path.dirname(outDir), { recursive: true });
if (fs.existsSync(outDir)) fs.renameSync(outDir, old);
fs.renameSync(staging, outDir);
fs.rmSync(old, { recursive: true, force: true });

console.log(`[build] ${shown}: compiled, ${copied} asset files copied (${Date.now() - started} ms)`);
