import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngineProcess, type EngineProcess } from '../../app/engine-process';

describe('app/engine-process: the engine in a child process', () => {
  let dir: string;
  const started: EngineProcess[] = [];
  before(function () {
    if (process.env.ZEEBE_GRPC_ADDRESS) this.skip(); // a real Zeebe: no local engine to start
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-process-'));
  });
  afterEach(async () => {
    for (const e of started.splice(0)) await e.stop();
    delete process.env.ENGINE_MAX_HEAP_MB;
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  const start = async (extra: { maxHeapMb?: number } = {}) => {
    const e = await startEngineProcess({
      grpcPort: 0,
      restPort: 0,
      dataDir: fs.mkdtempSync(path.join(dir, 'e-')),
      testMode: true,
      ...extra,
    });
    started.push(e);
    return e;
  };

  it('caps the V8 heap of the engine process with maxHeapMb or ENGINE_MAX_HEAP_MB', async () => {
    const uncapped = await start();
    const capped = await start({ maxHeapMb: 64 });
    process.env.ENGINE_MAX_HEAP_MB = '96';
    const fromEnv = await start();
    // V8 reports old space plus the young generation (a few tens of MB) as its limit
    expect(capped.heapLimitMb).to.be.within(64, 64 + 64);
    expect(fromEnv.heapLimitMb).to.be.within(96, 96 + 64);
    expect(uncapped.heapLimitMb).to.be.above(fromEnv.heapLimitMb);
    // the capped engine answers like any other
    const topology = await fetch(`${capped.restAddress}/v2/topology`);
    expect(topology.status).to.equal(200);
  });

  it('refuses a heap size that is not a whole number of MB of at least 32, naming the variable', async () => {
    process.env.ENGINE_MAX_HEAP_MB = 'lots';
    let err: unknown;
    try {
      await start();
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/ENGINE_MAX_HEAP_MB must be a whole number of MB, at least 32 \(got "lots"\)/);
    // the option given in code wins over the environment, and is the one named when it is wrong
    let fromCode: unknown;
    try {
      await start({ maxHeapMb: 16 });
    } catch (e) {
      fromCode = e;
    }
    expect(String(fromCode)).to.match(/maxHeapMb must be a whole number of MB, at least 32 \(got "16"\)/);
  });
});
