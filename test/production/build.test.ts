/**
 * The image, replayed without Docker: the Dockerfile's build stage (its COPY lines into a temporary
 * context, `npm run build` there) and its runtime stage (its COPY --from=build lines, package.json, and
 * only the production packages of package-lock.json: no tsx, no typescript), then the compiled entry
 * points run with plain node exactly as docker-compose.yml's commands name them, against a temporary
 * SQLite file and the compiled local engine (app/entry/all-in-one.js, which forks engine-child.js).
 *
 * Everything is built and run under one temporary folder: the project's dist/ is neither read nor written.
 */
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROCESS } from '../../domain/vocabulary';
import { ROOT, parseCompose, readComposeText } from './support/compose';
import { instructions, readDockerfile, stageNamed, stagesOf, type Instruction } from './support/dockerfile';

const stages = stagesOf(instructions(readDockerfile()));
const buildStage = stageNamed(stages, 'build')!;
const runtimeStage = stages[stages.length - 1];
const compose = parseCompose(readComposeText());
const command = (service: string) => compose.services[service].command as string[];

/** `COPY <src>... <dest>` relative to WORKDIR /app (the only WORKDIR of the Dockerfile). */
function copyArgs(i: Instruction): { from: string | null; sources: string[]; dest: string } {
  const parts = i.args.split(/\s+/);
  const from = parts[0].startsWith('--from=') ? parts.shift()!.slice('--from='.length) : null;
  const dest = parts.pop()!;
  return { from, sources: parts, dest };
}

/** Replays COPY: several sources, or a destination ending in '/', go into the destination folder. */
function replayCopy(srcRoot: string, dstRoot: string, i: Instruction): void {
  const { sources, dest } = copyArgs(i);
  for (const src of sources) {
    const from = path.join(srcRoot, src.replace(/^\/app\//, ''));
    const into = sources.length > 1 || dest.endsWith('/') ? path.join(dstRoot, dest, path.basename(src)) : path.join(dstRoot, dest);
    fs.cpSync(from, into, { recursive: true });
  }
}

/** node_modules with what `npm ci --omit=dev` installs at the top level: links to the project's packages. */
function productionModules(dir: string): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; link?: boolean }>;
  };
  const names: string[] = [];
  for (const [key, meta] of Object.entries(lock.packages)) {
    const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key);
    if (!m || meta.dev) continue;
    const real = path.join(ROOT, 'node_modules', m[1]);
    if (!fs.existsSync(real)) continue; // an optional package of another platform
    fs.mkdirSync(path.dirname(path.join(dir, m[1])), { recursive: true });
    fs.symlinkSync(real, path.join(dir, m[1]), 'dir');
    names.push(m[1]);
  }
  return names;
}

const children: ChildProcess[] = [];

/** Starts `node <args>` in cwd with only the given environment (no NODE_OPTIONS, no loader inherited from mocha). */
function node(cwd: string, args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

function waitFor(p: { child: ChildProcess; output: () => string }, re: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = re.exec(p.output());
      if (m) done(() => resolve(m));
    };
    const onExit = (code: number | null) => done(() => reject(new Error(`exited with ${code} before ${re}:\n${p.output()}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`no ${re} within ${ms} ms:\n${p.output()}`))), ms);
    const done = (f: () => void) => {
      clearTimeout(timer);
      p.child.stdout!.off('data', check);
      p.child.stderr!.off('data', check);
      p.child.off('exit', onExit);
      f();
    };
    p.child.stdout!.on('data', check);
    p.child.stderr!.on('data', check);
    p.child.once('exit', onExit);
    check();
  });
}

function exited(child: ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pid ${child.pid} still running after ${ms} ms`)), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const cmdline = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));

describe('production: npm run build (the whole of tsconfig.build.json, what bench:api and bench:e2e run)', function () {
  this.timeout(60_000);
  // The image copies only some folders, so the test below would not see a break in the others (a bench
  // importing a test helper that needs mocha's globals did exactly that once).
  it('compiles every non-test source with only the node types', () => {
    const tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, `tsc -p tsconfig.build.json:\n${r.stdout}\n${r.stderr}`).to.equal(0);
  });
});

describe('production: the compiled image (Dockerfile build and runtime stages, replayed without Docker)', function () {
  this.timeout(120_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-build-test-'));
  const context = path.join(tmp, 'build'); // the build stage's /app
  const image = path.join(tmp, 'image'); // the runtime stage's /app
  const prodModules = path.join(tmp, 'production_modules');
  let engine: { grpc: string; rest: string; pid: number };
  let system: ReturnType<typeof node>;

  before(function () {
    // build stage: its COPY lines from the project, all dependencies (npm ci), then its RUN npm run build
    fs.mkdirSync(context);
    for (const i of buildStage.filter((i) => i.keyword === 'COPY')) replayCopy(ROOT, context, i);
    expect(buildStage.some((i) => i.keyword === 'RUN' && i.args === 'npm run build')).to.equal(true);
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(context, 'node_modules'), 'dir');
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const r = spawnSync('npm', ['run', 'build'], { cwd: context, env, encoding: 'utf8' });
    expect(r.status, `npm run build:\n${r.stdout}\n${r.stderr}`).to.equal(0);

    // production packages only, for the image and for running the build stage's own output
    fs.mkdirSync(prodModules);
    const names = productionModules(prodModules);
    expect(names).to.include.members(['express', 'typeorm', '@camunda8/sdk']);
    expect(names).to.not.include.members(['tsx', 'typescript', 'mocha']);
    fs.rmSync(path.join(context, 'node_modules'));
    fs.symlinkSync(prodModules, path.join(context, 'node_modules'), 'dir');

    // runtime stage: its COPY lines (project files and the build stage's dist/), node_modules from deps
    fs.mkdirSync(image);
    for (const i of runtimeStage.filter((i) => i.keyword === 'COPY')) {
      const { from } = copyArgs(i);
      if (from === 'deps') fs.symlinkSync(prodModules, path.join(image, 'node_modules'), 'dir');
      else replayCopy(from === 'build' ? context : ROOT, image, i);
    }
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => exited(c, 10_000).catch(() => c.kill('SIGKILL'))));
    if (engine?.pid && alive(engine.pid)) process.kill(engine.pid, 'SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the image holds compiled JavaScript and the files the code reads, no TypeScript, and no tsx to load it with', () => {
    const files = (fs.readdirSync(path.join(image, 'dist'), { recursive: true }) as string[]).map((f) => f.split(path.sep).join('/'));
    expect(files.filter((f) => f.endsWith('.ts'))).to.deep.equal([]);
    for (const s of ['migrate', 'deploy', 'api', 'workers']) expect(files, s).to.include(command(s)[1].replace(/^dist\//, ''));
    const bpmn = fs.readdirSync(path.join(ROOT, 'processes')).filter((f) => f.endsWith('.bpmn'));
    const forms = fs.readdirSync(path.join(ROOT, 'processes', 'forms'));
    expect(bpmn.length).to.be.greaterThan(0);
    for (const f of bpmn) expect(files).to.include(`processes/${f}`);
    for (const f of forms) expect(files).to.include(`processes/forms/${f}`);
    for (const f of fs.readdirSync(path.join(ROOT, 'processes', 'element-templates')))
      expect(files).to.include(`processes/element-templates/${f}`);
    const r = spawnSync(process.execPath, ['-e', "require.resolve('tsx')"], { cwd: image, env: { PATH: process.env.PATH ?? '' } });
    expect(r.status, 'tsx resolves in the image').to.not.equal(0);
  });

  it('the compiled system (app/entry/all-in-one.js) starts its engine child as engine-child.js with plain node and becomes ready', async () => {
    system = node(context, ['dist/app/entry/all-in-one.js'], {
      NODE_ENV: 'development',
      AUTH_MODE: 'local',
      LOG_LEVEL: 'warn',
      PORT: '0',
      ENGINE_GRPC_PORT: '0',
      ENGINE_REST_PORT: '0',
      ENGINE_DATA_DIR: path.join(tmp, 'engine-data'),
      DATABASE_URL: `sqlite:${path.join(tmp, 'system.sqlite')}`,
    });
    const m = await waitFor(
      system,
      /API\s+http:\/\/localhost:(\d+)\/api[\s\S]*engine\s+gRPC (\S+)\s+REST (\S+)\s+\(local engine, pid (\d+)/,
      60_000,
    );
    engine = { grpc: m[2], rest: m[3], pid: Number(m[4]) };
    expect(cmdline(system.child.pid!)).to.deep.equal([process.execPath, 'dist/app/entry/all-in-one.js']);
    expect(cmdline(engine.pid)).to.deep.equal([process.execPath, path.join(context, 'dist', 'app', 'entry', 'engine-child.js')]);
    const res = await fetch(`http://127.0.0.1:${m[1]}/health/ready`);
    expect(res.status, await res.clone().text()).to.equal(200);
    expect(((await res.json()) as { status: string }).status).to.equal('ok');
  });

  it("runs docker-compose.yml's migrate, deploy, api and workers commands in the image against that engine", async () => {
    expect(engine, 'the system started').to.not.equal(undefined);
    const db = `sqlite:${path.join(tmp, 'image.sqlite')}`;
    const env = {
      NODE_ENV: 'development',
      AUTH_MODE: 'local',
      DATABASE_URL: db,
      PORT: '0',
      ZEEBE_GRPC_ADDRESS: `grpc://${engine.grpc}`,
      ZEEBE_REST_ADDRESS: engine.rest,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
    };
    const [cmd, ...migrateArgs] = command('migrate');
    expect(cmd).to.equal('node');
    const migrate = node(image, migrateArgs, env);
    expect(await exited(migrate.child, 30_000), migrate.output()).to.equal(0);
    expect(migrate.output()).to.match(/applied: .*InitialSchema/);

    const deploy = node(image, [...command('deploy').slice(1), '--wait=20'], env);
    const api = node(image, command('api').slice(1), env);
    const workers = node(image, command('workers').slice(1), env);
    const ready = async (p: ReturnType<typeof node>, re: RegExp) => {
      const port = Number((await waitFor(p, re, 30_000))[1]);
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(res.status, `${p.child.spawnargs.join(' ')}: ${await res.text()}\n${p.output()}`).to.equal(200);
    };
    await Promise.all([
      ready(api, /"port":(\d+),"msg":"api listening/),
      ready(workers, /"port":(\d+),"msg":"health and metrics on port/),
      exited(deploy.child, 45_000).then((code) => expect(code, deploy.output()).to.equal(0)),
    ]);
    for (const id of Object.values(PROCESS)) expect(deploy.output(), id).to.include(id);
    for (const p of [api, workers]) expect(cmdline(p.child.pid!).join(' ')).to.not.include('tsx');
  });

  it('SIGTERM stops the compiled system and its engine child', async () => {
    expect(system, 'the system started').to.not.equal(undefined);
    system.child.kill('SIGTERM');
    expect(await exited(system.child, 30_000), system.output()).to.equal(0);
    expect(alive(engine.pid), 'engine child still running').to.equal(false);
  });
});
