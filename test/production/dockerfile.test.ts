/**
 * Dockerfile and .dockerignore, checked without Docker: dockerfilelint (the npm registry's Dockerfile
 * linter; hadolint is in neither npm nor Debian) plus the rules it does not cover.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { run as dockerfilelint } from 'dockerfilelint';
import { ROOT, parseCompose, readComposeText } from './support/compose';
import { instructions, readDockerfile, stagesOf } from './support/dockerfile';

const dockerfile = readDockerfile();
const ins = instructions(dockerfile);
const stages = stagesOf(ins);
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
    expect(
      runs.some((r) => /\bnpm ci\b[^&|;]*--omit=dev\b/.test(r)),
      'npm ci --omit=dev',
    ).to.equal(true);
    expect(
      ins.filter((i) => i.keyword === 'RUN').some((r) => /\bnpm (install|i)\b/.test(r.args)),
      'npm install (not reproducible)',
    ).to.equal(false);
    expect(finalStage.some((i) => i.keyword === 'COPY' && /--from=deps\s+\/app\/node_modules\b/.test(i.args))).to.equal(true);
    // build tools stay out of the runtime stage
    expect(
      finalStage
        .filter((i) => i.keyword === 'RUN')
        .map((i) => i.args)
        .join('\n'),
    ).to.not.match(/g\+\+|make|python3/);
  });

  it('compiles in a build stage (npm ci with dev dependencies, then npm run build) and the runtime stage takes only dist/ from it', () => {
    const build = stages.find((s) => /\bAS\s+build\b/i.test(s[0].args));
    expect(build, 'a stage named build').to.not.equal(undefined);
    const runs = build!.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    const ci = runs.findIndex((r) => /\bnpm ci\b/.test(r));
    expect(ci, 'npm ci').to.be.greaterThanOrEqual(0);
    expect(runs[ci], 'the compiler is a dev dependency').to.not.match(/--omit=dev|--production/);
    expect(
      runs.findIndex((r) => /^npm run build$/.test(r)),
      'npm run build after npm ci',
    ).to.be.greaterThan(ci);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.build).to.equal('node scripts/build.cjs');
    const fromBuild = finalStage.filter((i) => i.keyword === 'COPY' && /--from=build\b/.test(i.args));
    expect(fromBuild.length).to.be.greaterThan(0);
    for (const c of fromBuild) expect(c.args, 'copies compiled output only').to.match(/^--from=build\s+\/app\/dist\/\S+\s+\.\/dist\/\S+$/);
    // no TypeScript sources in the runtime stage
    const sources = finalStage
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).to.deep.equal(['package.json']);
  });

  it('pins every base image to an exact tag (no latest, no ARG indirection)', () => {
    for (const s of stages) {
      const image = s[0].args.split(/\s+/)[0];
      expect(image, s[0].args).to.match(/^node:22\.\d+\.\d+-[a-z]+-slim(@sha256:[a-f0-9]{64})?$/);
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

  it('starts compiled JavaScript with plain node; tsx is a dev dependency, not installed in the image', () => {
    const cmd = finalStage.find((i) => i.keyword === 'CMD');
    expect(JSON.parse(cmd!.args)).to.deep.equal(['node', 'dist/app/entry/api.js']);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.dependencies, 'package.json dependencies').to.not.have.property('tsx');
    expect(pkg.devDependencies, 'package.json devDependencies').to.have.property('tsx');
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    expect(lock.packages['node_modules/tsx'].dev, 'package-lock: tsx left out by npm ci --omit=dev').to.equal(true);
    expect(finalStage.map((i) => i.args).join('\n')).to.not.include('tsx');
  });

  it('every compose command runs a compiled entry point with plain node, from a folder the runtime stage copies, built from an existing source', () => {
    for (const s of stages) {
      const copied = s.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
      for (const src of copied) expect(fs.existsSync(path.join(ROOT, src)), `COPY source ${src} (${s[0].args})`).to.equal(true);
    }
    const distFolders = finalStage
      .filter((i) => i.keyword === 'COPY' && /--from=build\b/.test(i.args))
      .map((i) => i.args.split(/\s+/).pop()!.replace(/^\.\//, '').replace(/\/$/, ''));
    const compose = parseCompose(readComposeText());
    for (const n of ['migrate', 'deploy', 'api', 'workers']) {
      const cmd = compose.services[n].command as string[];
      expect(cmd.length, n).to.equal(2);
      expect(cmd[0], n).to.equal('node');
      const entry = cmd[1];
      expect(entry, n).to.match(/^dist\/.+\.js$/);
      expect(
        distFolders.some((d) => entry.startsWith(`${d}/`)),
        `${n}: ${entry} is copied into the image`,
      ).to.equal(true);
      const source = entry.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect(fs.existsSync(path.join(ROOT, source)), `${n}: ${source} exists`).to.equal(true);
    }
  });

  it('.dockerignore keeps secrets, dependencies and local state out of the build context', () => {
    const ignore = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['.git', '.env', 'node_modules', 'data', 'test', 'bench']) expect(ignore, p).to.include(p);
    // nothing any stage copies from the build context is ignored (the build stage compiles engine/ too)
    const copied = ins.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(copied).to.include.members(['scripts', 'engine', 'app']);
    for (const c of copied) expect(ignore, c).to.not.include(c);
  });
});
