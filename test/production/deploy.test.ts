import { expect } from 'chai';
import { Camunda8 } from '@camunda8/sdk';
import * as grpc from '@grpc/grpc-js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  bpmnProcessIds,
  collectResources,
  deployProcesses,
  formatReport,
  isTransientDeployError,
  olderThanKnownKeys,
  parseArgs,
  restLatestLookup,
  retryTransient,
  type DeployClient,
  type LatestLookup,
  type VersionRef,
} from '../../app/deploy';
import { PROCESS } from '../../domain/vocabulary';
import { GatewayDouble } from './support/gateway-double';

const bpmn = (id: string, extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d-${id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${id}" name="n" isExecutable="true"><bpmn:startEvent id="s"/>${extra}</bpmn:process>
</bpmn:definitions>
`;
const form = (id: string, label = 'x') => JSON.stringify({ id, type: 'default', components: [{ type: 'textfield', key: 'k', label }] });

/** The real SDK gRPC client against the gateway double on loopback. */
function sdkClient(port: number) {
  const c8 = new Camunda8({
    ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${port}`,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    CAMUNDA_LOG_LEVEL: 'none',
    zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE', ZEEBE_GRPC_CLIENT_RETRY: false },
  });
  return c8.getZeebeGrpcApiClient();
}

/** Latest versions as the cluster knows them (what the REST search would answer). */
function lookupFrom(gw: GatewayDouble): LatestLookup {
  const read = (prefix: string) => async (ids: readonly string[]) => {
    const out = new Map<string, VersionRef>();
    for (const id of ids) {
      const l = gw.latest.get(`${prefix}:${id}`);
      if (l) out.set(id, { version: l.version, key: l.key });
    }
    return out;
  };
  return { processes: read('p'), forms: read('f') };
}

describe('production: app/deploy.ts', () => {
  let dir: string;
  let gw: GatewayDouble;
  let zeebe: ReturnType<typeof sdkClient>;
  beforeEach(async () => {
    gw = new GatewayDouble();
    zeebe = sdkClient(await gw.start());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-deploy-'));
    fs.mkdirSync(path.join(dir, 'forms'));
    fs.mkdirSync(path.join(dir, 'element-templates'));
    fs.writeFileSync(path.join(dir, `${PROCESS.countersign}.bpmn`), bpmn(PROCESS.countersign));
    fs.writeFileSync(path.join(dir, `${PROCESS.provisioning}.bpmn`), bpmn(PROCESS.provisioning));
    fs.writeFileSync(path.join(dir, 'forms', 'delivery.form'), form('delivery'));
    fs.writeFileSync(path.join(dir, 'forms', 'countersign-review.form'), form('countersign-review'));
    // not deployed: element templates, lint config, other files
    fs.writeFileSync(path.join(dir, 'element-templates', 't.json'), '{}');
    fs.writeFileSync(path.join(dir, '.bpmnlintrc'), '{}');
  });
  afterEach(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await zeebe.close();
    await gw.stop();
  });

  it('collects *.bpmn and forms/*.form with names relative to the folder (stable for duplicate detection)', () => {
    const got = collectResources(dir).map((c) => [c.kind, c.resource.name, c.ids.join(',')]);
    expect(got).to.deep.equal([
      ['process', 'contract-countersign.bpmn', 'contract-countersign'],
      ['process', 'online-training-provisioning.bpmn', 'online-training-provisioning'],
      ['form', 'forms/countersign-review.form', 'countersign-review'],
      ['form', 'forms/delivery.form', 'delivery'],
    ]);
  });

  it('reads executable process ids only', () => {
    const xml = `<definitions><process id="a" isExecutable="true"></process><bpmn2:process id="b"/><process id="c" isExecutable="false"/></definitions>`;
    expect(bpmnProcessIds(xml)).to.deep.equal(['a', 'b']);
  });

  it('deploys everything in ONE gRPC call, then reports unchanged on a second run and a new version for an edited model', async () => {
    const first = await deployProcesses(zeebe, dir, { lookupLatest: lookupFrom(gw) });
    expect(gw.deployCalls).to.have.length(1);
    expect(gw.deployCalls[0].find((r) => r.name === 'forms/delivery.form')?.content).to.equal(form('delivery'));
    expect(gw.deployCalls[0].map((r) => r.name)).to.have.members([
      'contract-countersign.bpmn',
      'online-training-provisioning.bpmn',
      'forms/countersign-review.form',
      'forms/delivery.form',
    ]);
    expect(first.items.map((i) => [i.kind, i.id, i.version, i.status])).to.deep.equal([
      ['process', 'contract-countersign', 1, 'first version'],
      ['process', 'online-training-provisioning', 1, 'first version'],
      ['form', 'countersign-review', 1, 'first version'],
      ['form', 'delivery', 1, 'first version'],
    ]);

    const second = await deployProcesses(zeebe, dir, { lookupLatest: lookupFrom(gw) });
    expect(gw.deployCalls).to.have.length(2);
    expect(second.items.every((i) => i.status === 'unchanged')).to.equal(true);
    expect(second.items.map((i) => i.key)).to.deep.equal(first.items.map((i) => i.key));
    expect(second.items.map((i) => i.version)).to.deep.equal([1, 1, 1, 1]);

    fs.writeFileSync(path.join(dir, `${PROCESS.provisioning}.bpmn`), bpmn(PROCESS.provisioning, '<bpmn:endEvent id="e"/>'));
    const third = await deployProcesses(zeebe, dir, { lookupLatest: lookupFrom(gw) });
    const byId = Object.fromEntries(third.items.map((i) => [i.id, i]));
    expect(byId[PROCESS.provisioning]).to.include({ version: 2, status: 'new version', previousVersion: 1 });
    expect(byId[PROCESS.provisioning].key).to.not.equal(first.items[1].key);
    expect(byId[PROCESS.countersign]).to.include({ version: 1, status: 'unchanged' });
    expect(byId.delivery).to.include({ version: 1, status: 'unchanged' });

    const lines = formatReport(third);
    expect(lines[0]).to.equal(`deployment ${third.deploymentKey} (tenant <default>)`);
    expect(lines.find((l) => l.includes(PROCESS.provisioning))).to.match(/v2\s+key \d+\s+new version \(was v1\)$/);
    expect(lines.find((l) => l.includes(PROCESS.countersign))).to.match(/v1\s+key \d+\s+unchanged$/);
  });

  it('says "deployed" (never guesses) when the previous versions cannot be read', async () => {
    await deployProcesses(zeebe, dir);
    const failing: LatestLookup = { processes: async () => Promise.reject(new Error('404 /v2/process-definitions/search')) };
    const report = await deployProcesses(zeebe, dir, { lookupLatest: failing });
    expect(report.items.map((i) => i.status)).to.deep.equal(['deployed', 'deployed', 'deployed', 'deployed']);
    expect(report.lookupError).to.equal('404 /v2/process-definitions/search');
    expect(formatReport(report).at(-1)).to.include('previous versions unknown');
    // no lookup at all: same
    expect((await deployProcesses(zeebe, dir)).items.every((i) => i.status === 'deployed')).to.equal(true);
  });

  it('passes a rejection through and deploys nothing (one atomic call)', async () => {
    // a broken model next to valid ones: the gateway rejects the whole deployment
    fs.writeFileSync(path.join(dir, 'zz-broken.bpmn'), '<bpmn:process id="zz-broken" isExecutable="true">');
    let err: Error | undefined;
    try {
      await deployProcesses(zeebe, dir);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/zz-broken\.bpmn/);
    expect(gw.deployCalls).to.have.length(1);
    expect(gw.deployCalls[0]).to.have.length(5);
    expect(gw.latest.size).to.equal(0);
  });

  it('refuses a folder without models, a form without id, and an answer missing a resource', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-deploy-empty-'));
    try {
      expect(() => collectResources(empty)).to.throw(/no \*\.bpmn file/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
    expect(() => collectResources(path.join(dir, 'nope'))).to.throw(/no processes directory/);
    fs.writeFileSync(path.join(dir, 'forms', 'bad.form'), JSON.stringify({ components: [] }));
    expect(() => collectResources(dir)).to.throw(/forms\/bad.form: the form has no "id"/);
    fs.rmSync(path.join(dir, 'forms', 'bad.form'));
    const lying: DeployClient = { deployResources: async () => ({ key: '1', deployments: [] }) };
    let err: Error | undefined;
    try {
      await deployProcesses(lying, dir);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/answered without process contract-countersign/);
  });

  it('restLatestLookup asks the search API for the highest version of each id', async () => {
    const asked: unknown[] = [];
    const lookup = restLatestLookup({
      async searchProcessDefinitions(req) {
        asked.push(req);
        return req.filter.processDefinitionId === 'a'
          ? { items: [{ processDefinitionId: 'a', version: 3, processDefinitionKey: '99' }] }
          : { items: [] };
      },
    });
    const got = await lookup.processes(['a', 'b']);
    expect([...got]).to.deep.equal([['a', { version: 3, key: '99' }]]);
    expect(asked[0]).to.deep.equal({
      filter: { processDefinitionId: 'a' },
      sort: [{ field: 'version', order: 'DESC' }],
      page: { from: 0, limit: 1 },
    });
  });

  it('deploys the real processes/ folder in one call: every process of the vocabulary and every form, unchanged the second time', async function () {
    const real = path.join(__dirname, '..', '..', 'processes');
    if (!fs.existsSync(real) || !fs.readdirSync(real).some((f) => f.endsWith('.bpmn'))) this.skip();
    const first = await deployProcesses(zeebe, real, { lookupLatest: lookupFrom(gw) });
    expect(gw.deployCalls).to.have.length(1);
    const processIds = first.items.filter((i) => i.kind === 'process').map((i) => i.id);
    expect(processIds).to.have.members(Object.values(PROCESS));
    const formFiles = fs.readdirSync(path.join(real, 'forms')).filter((f) => f.endsWith('.form'));
    expect(first.items.filter((i) => i.kind === 'form')).to.have.length(formFiles.length);
    expect(first.items.every((i) => i.status === 'first version' && i.version === 1)).to.equal(true);
    const second = await deployProcesses(zeebe, real, { lookupLatest: lookupFrom(gw) });
    expect(second.items.every((i) => i.status === 'unchanged')).to.equal(true);
  });

  it('waits out a cluster that is still starting (UNAUTHENTICATED, UNAVAILABLE) through the SDK, but not a rejected model', async () => {
    gw.deployRefusals.push(
      { code: grpc.status.UNAUTHENTICATED, details: 'user not yet initialised' },
      { code: grpc.status.UNAVAILABLE, details: 'no leader' },
    );
    const attempts: string[] = [];
    const report = await retryTransient(() => deployProcesses(zeebe, dir), {
      waitMs: 10_000,
      delayMs: 10,
      onRetry: (_n, e) => attempts.push(String((e as Error).message)),
    });
    expect(attempts).to.have.length(2);
    expect(attempts[0]).to.match(/UNAUTHENTICATED|user not yet initialised/);
    expect(report.items).to.have.length(4);
    expect(gw.deployCalls).to.have.length(1); // the refusals deployed nothing

    fs.writeFileSync(path.join(dir, 'zz-broken.bpmn'), '<bpmn:process id="zz-broken" isExecutable="true">');
    let tries = 0;
    let err: Error | undefined;
    try {
      await retryTransient(() => (tries++, deployProcesses(zeebe, dir)), { waitMs: 10_000, delayMs: 10 });
    } catch (e) {
      err = e as Error;
    }
    expect(tries).to.equal(1);
    expect(isTransientDeployError(err)).to.equal(false);
  });

  it('gives up when the cluster keeps refusing past --wait', async () => {
    let t = 0;
    let calls = 0;
    const refused = Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 });
    let err: unknown;
    try {
      await retryTransient(
        async () => {
          calls++;
          throw refused;
        },
        { waitMs: 10_000, delayMs: 2_000, now: () => t, sleep: async (ms) => void (t += ms) },
      );
    } catch (e) {
      err = e;
    }
    expect(err).to.equal(refused);
    expect(calls).to.equal(6); // at t = 0, 2, 4, 6, 8, 10 s; the next pause would pass the 10 s
    expect(isTransientDeployError(Object.assign(new Error('x'), { code: 3 }))).to.equal(false); // INVALID_ARGUMENT
    expect(isTransientDeployError(Object.assign(new Error('x'), { code: 7 }))).to.equal(false); // PERMISSION_DENIED
    expect(isTransientDeployError(new Error('16 UNAUTHENTICATED: bad credentials'))).to.equal(true);
  });

  it('reads --wait and the folder from the command line', () => {
    expect(parseArgs([], '/x/processes')).to.deep.equal({ dir: '/x/processes', waitMs: 120_000 });
    expect(parseArgs(['--wait=5', 'p'], '/x')).to.deep.equal({ dir: path.resolve('p'), waitMs: 5000 });
    expect(() => parseArgs(['--force'], '/x')).to.throw(/unknown option --force/);
  });

  it('with the production lookup (processes only), recognises unchanged forms by the key rule and never claims more', async () => {
    const processesOnly: LatestLookup = { processes: lookupFrom(gw).processes };
    const first = await deployProcesses(zeebe, dir, { lookupLatest: processesOnly });
    const status = (r: typeof first) => Object.fromEntries(r.items.map((i) => [i.id, i.status]));
    expect(status(first)).to.deep.equal({
      'contract-countersign': 'first version',
      'online-training-provisioning': 'first version',
      'countersign-review': 'deployed',
      delivery: 'deployed',
    });
    // forms go first in the deployment, so their keys lie below the processes' keys
    expect(gw.deployCalls[0].map((r) => r.name.endsWith('.form'))).to.deep.equal([true, true, false, false]);
    expect(status(await deployProcesses(zeebe, dir, { lookupLatest: processesOnly }))).to.deep.equal({
      'contract-countersign': 'unchanged',
      'online-training-provisioning': 'unchanged',
      'countersign-review': 'unchanged',
      delivery: 'unchanged',
    });
    // a changed form gets a key above every known process key: its status cannot be proven
    fs.writeFileSync(path.join(dir, 'forms', 'delivery.form'), form('delivery', 'changed label'));
    const third = await deployProcesses(zeebe, dir, { lookupLatest: processesOnly });
    expect(third.items.find((i) => i.id === 'delivery')).to.include({ version: 2, status: 'deployed' });
    expect(third.items.find((i) => i.id === 'countersign-review')).to.include({ version: 1, status: 'unchanged' });
  });

  it('olderThanKnownKeys compares keys of one partition only', () => {
    const p1 = (n: bigint) => String((1n << 51n) + n);
    const p2 = (n: bigint) => String((2n << 51n) + n);
    const older = olderThanKnownKeys([p1(100n), p1(50n), 'not-a-key']);
    expect(older(p1(99n))).to.equal(true);
    expect(older(p1(100n))).to.equal(false);
    expect(older(p1(101n))).to.equal(false);
    expect(older(p2(1n))).to.equal(false); // another partition: no known key to compare with
    expect(olderThanKnownKeys([])(p1(1n))).to.equal(false);
  });
});
