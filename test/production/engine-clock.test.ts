// The business clock of a system whose local engine runs in test mode in its own process: the app
// follows the engine's clock over REST, so a pinned engine clock is also the workers' and the API's "now".
import { expect } from 'chai';
import { startEngine, type RunningEngine } from '../../engine';
import { followEngineClock, pinEngineClock } from '../../app/engine-clock';

describe('app/engine-clock: following the local engine clock', function () {
  let e: RunningEngine;
  before(async () => {
    e = await startEngine({ grpcPort: 0, restPort: 0, host: '127.0.0.1', testMode: true });
  });
  after(async () => e?.stop());

  it('reads a pinned clock as standing still, and a reset clock as ticking with the machine', async () => {
    const at = new Date('2029-04-02T01:00:00Z');
    await pinEngineClock(e.restAddress, at);
    const clock = await followEngineClock(e.restAddress, { refreshMs: 50 });
    try {
      expect(clock.now().toISOString()).to.equal(at.toISOString());
      await new Promise((r) => setTimeout(r, 120));
      expect(clock.now().toISOString()).to.equal(at.toISOString());
      // moved on the engine: seen after the next refresh (or at once after sync())
      await pinEngineClock(e.restAddress, new Date('2029-04-03T01:00:00Z'));
      await clock.sync();
      expect(clock.now().toISOString()).to.equal('2029-04-03T01:00:00.000Z');
      const r = await fetch(`${e.restAddress}/v2/clock/reset`, { method: 'POST' });
      expect(r.status).to.equal(204);
      await clock.sync();
      const first = clock.now().getTime();
      expect(Math.abs(first - Date.now())).to.be.below(1000);
      await new Promise((r2) => setTimeout(r2, 60));
      expect(clock.now().getTime()).to.be.above(first);
    } finally {
      clock.stop();
    }
  });

  it("a failing pin names the status and the engine's answer", async () => {
    const plain = await startEngine({ grpcPort: 0, restPort: 0, host: '127.0.0.1' });
    try {
      let err: Error | null = null;
      try {
        await pinEngineClock(plain.restAddress, new Date());
      } catch (x) {
        err = x as Error;
      }
      expect(err?.message).to.match(/PUT \/v2\/clock: 404/);
    } finally {
      await plain.stop();
    }
  });
});
