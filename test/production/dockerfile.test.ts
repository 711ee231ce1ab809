/**
 * Dockerfile and .dockerignore, checked without Docker: dockerfilelint (the npm registry's Dockerfile
 * linter; hadolint is in neither npm nor Debian) plus the rules it does not cover.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { run as dockerfilelint } from 'dockerfilelint';
import { ROOT, parseCompose, readComposeText } from './support/compose';

const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

/** Instructions with continuation lines joined; comments and blank lines dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buf = '';
  let start = 0;
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.trim();
    if (!buf && (line === '' || line.startsWith('#'))) return;
    if (buf && line.startsWith('#')) return;
    if (!buf) start = i + 1;
    if (line.endsWith('\\')) {
      buf += line.slice(0, -1) + ' ';
      return;
    }
    buf += line;
    const m = /^(\w+)\s*(.*)$/s.exec(buf)!;
    out.push({ line: start, keyword: m[1].toUpperCase(), args: m[2].trim() });
    buf = '';
  });
  return out;
}

const ins = instructions(dockerfile);
const stages: Instruction[][] = [];
for (const i of ins) {
  if (i.keyword === 'FROM') stages.push([]);
  if (stages.length) stages[stages.length - 1].push(i);
}
const finalStage = stages[stages.length - 1];

describe('production: Dockerfile', () => {
  it('passes dockerfilelint with no issue', () => {
    const issues = dockerfilelint(ROOT, dockerfile);
    expect(issues, JSON.stringify(issues, null, 2)).to.deep.equal([]);
  });

  it('dockerfilelint is really checking (a bad Dockerfile is reported)', () => {
    const issues = dockerfilelint(ROOT, 'FROM node\nRUN apt-get install curl\nADD http://example.invalid/x.tgz /x\n');
    expect(issues.map((i: { title: string }) => i.title)).to.include('Base Image Missing Tag');
  });

  it('is multi-stage: production dependencies are installed in a build stage and copied into the runtime stage', () => {
    expect(stages.length).to.be.greaterThanOrEqual(2);
    const deps = stages.find((s) => /\bAS\s+deps\b/i.test(s[0].args));
    expect(deps, 'a stage named deps').to.not.equal(undefined);
    const runs = deps!.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b[^&|;]*--omit=dev\b/.test(r)), 'npm ci --omit=dev').to.equal(true);
    expect(ins.filter((i) => i.keyword === 'RUN').some((r) => /\bnpm (install|i)\b/.test(r.args)), 'npm install (not reproducible)').to.equal(false);
    expect(finalStage.some((i) => i.keyword === 'COPY' && /--from=deps\s+\/app\/node_modules\b/.test(i.args))).to.equal(true);
    // build tools stay out of the runtime stage
    expect(finalStage.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n')).to.not.match(/g\+\+|make|python3/);
  });

  it('pins every base image to an exact tag (no latest, no ARG indirection)', () => {
    for (const s of stages) {
      const image = s[0].args.split(/\s+/)[0];
      expect(image, s[0].args).to.match(/^node:20\.\d+\.\d+-[a-z]+-slim(@sha256:[a-f0-9]{64})?$/);
    }
    // one Node release for every stage
    expect(new Set(stages.map((s) => s[0].args.split(/\s+/)[0])).size).to.equal(1);
  });

  it('runs as a non-root user in the final stage', () => {
    const users = finalStage.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.length, 'USER in the final stage').to.be.greaterThan(0);
    const last = users[users.length - 1].split(':')[0];
    expect(last).to.not.be.oneOf(['root', '0']);
    // and nothing runs after USER as root again
    const afterUser = finalStage.slice(finalStage.findIndex((i) => i.keyword === 'USER' && i.args === users[users.length - 1]));
    expect(afterUser.filter((i) => i.keyword === 'RUN')).to.deep.equal([]);
  });

  it('has no ADD of a URL (no ADD at all: COPY only)', () => {
    expect(ins.filter((i) => i.keyword === 'ADD')).to.deep.equal([]);
  });

  it('has a HEALTHCHECK on the readiness endpoint, and compose repeats one for every app server', () => {
    const hc = finalStage.find((i) => i.keyword === 'HEALTHCHECK');
    expect(hc, 'HEALTHCHECK').to.not.equal(undefined);
    expect(hc!.args).to.include('/health/ready');
    const compose = parseCompose(readComposeText());
    for (const n of ['api', 'workers']) expect(compose.services[n].healthcheck?.test, n).to.not.equal(undefined);
  });

  it('starts TypeScript through tsx, which must then be a production dependency', () => {
    const cmd = finalStage.find((i) => i.keyword === 'CMD');
    expect(JSON.parse(cmd!.args)).to.deep.equal(['node', '--import', 'tsx', 'api/main.ts']);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.dependencies, 'package.json dependencies').to.have.property('tsx');
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    expect(lock.packages['node_modules/tsx'].dev, 'package-lock: tsx installed by npm ci --omit=dev').to.not.equal(true);
    expect(lock.packages['node_modules/esbuild'].dev, 'package-lock: esbuild (tsx) installed by npm ci --omit=dev').to.not.equal(true);
  });

  it('copies every folder the compose commands run from, and each entry point exists', () => {
    const copied = finalStage
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const src of copied) expect(fs.existsSync(path.join(ROOT, src)), `COPY source ${src}`).to.equal(true);
    const compose = parseCompose(readComposeText());
    for (const n of ['migrate', 'deploy', 'api', 'workers']) {
      const cmd = compose.services[n].command as string[];
      expect(cmd.slice(0, 3), n).to.deep.equal(['node', '--import', 'tsx']);
      const entry = cmd[3];
      expect(copied.some((c) => entry.startsWith(`${c.replace(/\/$/, '')}/`)), `${n}: ${entry} is copied`).to.equal(true);
      expect(fs.existsSync(path.join(ROOT, entry)), `${n}: ${entry} exists`).to.equal(true);
    }
  });

  it('.dockerignore keeps secrets, dependencies and local state out of the build context', () => {
    const ignore = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['.git', '.env', 'node_modules', 'data', 'test', 'bench']) expect(ignore, p).to.include(p);
    // nothing the image copies is ignored
    const copied = finalStage.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const c of copied) expect(ignore, c).to.not.include(c);
  });
});
