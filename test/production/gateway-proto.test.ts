/**
 * The SDK gives every job worker a gRPC client of its own, and each parses the Zeebe gateway's .proto
 * again: 38 copies (~16 MB of heap) in the app process before platform/camunda/gateway-proto.ts shared one. These run
 * in a fresh node process each (the sharing is process-wide), make a client and three workers the way the
 * app and the standalone workers do (platform/camunda/zeebe-client.ts), and count the parses and the reuses. No gateway is needed: clients and workers are built before they connect.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

function run(script: string): { parsed: number; reused: number } {
  const out = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { parsed: number; reused: number };
}

// three workers, then the counts once four clients were made (the client's own is made a tick later, in
// the background) or after 5 s
const WORKERS = `
  for (const t of ['a', 'b', 'c']) zbc.createWorker({ taskType: 'proto-test-' + t, taskHandler: (job) => job.complete(), pollInterval: 60000 });
  const { gatewayProtoLoads } = require('./platform/camunda/gateway-proto');
  const until = Date.now() + 5000;
  const report = () => {
    const l = gatewayProtoLoads();
    if (l.parsed + l.reused < 4 && Date.now() < until) return setTimeout(report, 20);
    console.log(JSON.stringify(l));
    process.exit(0);
  };
  report();
`;

describe('production: one parsed gateway protocol per process', function () {
  this.timeout(60_000);

  it("platform/camunda/zeebe-client (the app's and the standalone workers' client): the client and three workers parse the gateway proto once", () => {
    const loads = run(`
      const { createZeebeClient } = require('./platform/camunda/zeebe-client');
      const zbc = createZeebeClient({ grpcAddress: '127.0.0.1:1', restAddress: 'http://127.0.0.1:1', authStrategy: 'NONE', retry: false });
      ${WORKERS}`);
    expect(loads).to.deep.equal({ parsed: 1, reused: 3 });
  });
});
