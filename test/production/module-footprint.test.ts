/**
 * What the API/workers process loads. The SDK's index (`@camunda8/sdk`, the Camunda8 class) pulls in every
 * client of the SDK and the orchestration-cluster API with its zod schemas, ~10 MB more heap than the
 * gRPC client alone (platform/camunda/zeebe-client.ts). A top-level import of it anywhere on app/system's import graph
 * would bring that back unnoticed; this test notices. Likewise the local engine's modules (FEEL, BPMN reader, ~4 MB
 * of heap when loaded), which app/system imports only when the engine runs in its process.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** the node_modules files a fresh node process has loaded after requiring `entry` (a path from the repo root) */
function loadedBy(entry: string): string[] {
  const script = `require(${JSON.stringify(path.join(ROOT, entry))}); console.log(JSON.stringify(Object.keys(require.cache)))`;
  const out = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return (JSON.parse(out.trim().split('\n').pop()!) as string[]).filter((f) => f.includes('node_modules'));
}

describe('production: modules the API/workers process loads', function () {
  this.timeout(60_000);

  it("app/system loads the SDK's gRPC client, not the SDK's index with every other client", () => {
    const files = loadedBy('app/system.ts');
    expect(
      files.some((f) => f.includes('/@camunda8/sdk/dist/zeebe/')),
      'the gRPC client',
    ).to.equal(true);
    expect(
      files.filter((f) => f.endsWith('/@camunda8/sdk/dist/index.js')),
      "the SDK's index",
    ).to.deep.equal([]);
    expect(
      files.filter((f) => f.includes('/@camunda8/orchestration-cluster-api/')).slice(0, 1),
      'the orchestration-cluster API',
    ).to.deep.equal([]);
    expect(files.filter((f) => /\/node_modules\/zod\//.test(f)).slice(0, 1), 'zod').to.deep.equal([]);
  });

  it("app/system leaves the local engine's modules to the engine's process (loaded only for an engine in this one)", () => {
    const files = loadedBy('app/system.ts');
    for (const pkg of ['feelin', 'temporal-polyfill', 'bpmn-moddle', 'zeebe-bpmn-moddle', 'cron-parser', 'find-my-way']) {
      expect(files.filter((f) => f.includes(`/node_modules/${pkg}/`)).slice(0, 1), pkg).to.deep.equal([]);
    }
  });
});
