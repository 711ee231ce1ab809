#!/usr/bin/env node
// prestart / pretest hook: the README's two commands must work on a fresh clone, so install the locked
// dependencies when node_modules is missing or older than package-lock.json. A no-op otherwise (~50 ms).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');

function mtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return -1;
  }
}

if (mtime(installed) >= mtime(lock) && mtime(installed) > 0) process.exit(0);
console.log('[setup] installing dependencies from package-lock.json (npm ci) ...');
const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
