// The engine clock under Camunda's clock control API: PUT /v2/clock pins it (it stands still, at any
// instant, earlier or later), POST /v2/clock/reset returns to the system clock; timers, job deadlines and
// FEEL read it; cron timers and FEEL today() follow the engine's time zone, never the host's.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEngine, type RunningEngine } from '../../engine';
import { client, clockAdd, Ctx, deploy, http, jobsOf, pinClock, setup, skipUnlessClock, waitFor } from './helpers';

const clockNow = async (ctx: { rest: string }) => {
  const r = await fetch(`${ctx.rest}/v2/clock`);
  return Date.parse(((await r.json()) as { timestamp: string }).timestamp);
};

async function instancesOf(ctx: Ctx, bpmnProcessId: string): Promise<number> {
  const r = await http(ctx, 'POST', '/v2/process-instances/search', { filter: { processDefinitionId: bpmnProcessId } });
  return r.body.page.totalItems;
}

describe('engine conformance: the clock control API (PUT /v2/clock, POST /v2/clock/reset)', function () {
  let ctx: Ctx;
  beforeEach(async () => {
    ctx = await setup();
  });
  afterEach(async () => ctx?.stop());

  it('a pinned clock stands still at the instant given, earlier or later than now, until pinned again or reset', async function () {
    skipUnlessClock(ctx, this);
    const later = Date.parse('2031-05-06T07:08:09.010Z');
    await pinClock(ctx, new Date(later).toISOString());
    await new Promise((r) => setTimeout(r, 120));
    expect(await clockNow(ctx)).to.equal(later);
    const earlier = Date.parse('2020-02-29T12:00:00Z');
    await pinClock(ctx, new Date(earlier).toISOString());
    expect(await clockNow(ctx)).to.equal(earlier);
    // the engine's own shorthand moves a pinned clock and keeps it pinned
    await clockAdd(ctx, 'P1DT1H');
    expect(await clockNow(ctx)).to.equal(earlier + 25 * 3600_000);
    const reset = await http(ctx, 'POST', '/v2/clock/reset');
    expect(reset.status).to.equal(204);
    const now = await clockNow(ctx);
    expect(Math.abs(now - Date.now())).to.be.below(2000);
  });

  it('answers 400 naming the field for a missing, negative or non-numeric timestamp, and changes nothing', async function () {
    skipUnlessClock(ctx, this);
    await pinClock(ctx, '2027-01-01T00:00:00Z');
    for (const body of [{}, { timestamp: -1 }, { timestamp: '2027-01-02' }, { timestamp: 1.5 }, { time: 1 }]) {
      const r = await http(ctx, 'PUT', '/v2/clock', body);
      expect(r.status, JSON.stringify(body)).to.equal(400);
      expect(r.body.detail).to.match(/timestamp/);
    }
    expect(await clockNow(ctx)).to.equal(Date.parse('2027-01-01T00:00:00Z'));
  });

  it('job deadlines follow the pinned clock: an activated job times out only when the clock passes its deadline', async function () {
    skipUnlessClock(ctx, this);
    await pinClock(ctx, '2027-06-01T00:00:00Z');
    await deploy(ctx, 'service-task.bpmn');
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-service-task', variables: {} });
    const [job] = await waitFor(async () => {
      const j = await jobsOf(ctx, 'conf.service', pi.processInstanceKey, 60_000);
      return j.length ? j : null;
    }, 'the job');
    // real time passes, the pinned clock does not: the job stays with its worker
    await new Promise((r) => setTimeout(r, 200));
    expect(await jobsOf(ctx, 'conf.service', pi.processInstanceKey, 60_000, 300)).to.have.length(0);
    await clockAdd(ctx, 'PT59S');
    expect(await jobsOf(ctx, 'conf.service', pi.processInstanceKey, 60_000, 300)).to.have.length(0);
    await clockAdd(ctx, 'PT2S');
    const again = await waitFor(async () => {
      const j = await jobsOf(ctx, 'conf.service', pi.processInstanceKey);
      return j.length ? j : null;
    }, 'the job again after its deadline');
    expect(again[0].key).to.equal(job.key);
  });

  it('FEEL now() and today() read the pinned clock', async function () {
    skipUnlessClock(ctx, this);
    await pinClock(ctx, '2027-02-28T23:30:00Z');
    await deploy(ctx, 'clock-feel.bpmn');
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-clock-feel', variables: {} });
    const [job] = await waitFor(async () => {
      const j = await jobsOf(ctx, 'conf.clock.feel', pi.processInstanceKey);
      return j.length ? j : null;
    }, 'the job');
    expect(job.variables).to.include({ today: '2027-02-28', now: '2027-02-28T23:30:00Z' });
  });

  it('is not there outside test mode', async function () {
    if (ctx.external) this.skip();
    const e = await startEngine({ grpcPort: 0, restPort: 0, host: '127.0.0.1' });
    try {
      for (const [method, p] of [
        ['PUT', '/v2/clock'],
        ['POST', '/v2/clock/reset'],
        ['GET', '/v2/clock'],
      ]) {
        const r = await fetch(`${e.restAddress}${p}`, {
          method,
          headers: { 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : JSON.stringify({ timestamp: 0 }),
        });
        expect(r.status, `${method} ${p}`).to.equal(404);
      }
    } finally {
      await e.stop();
    }
  });
});

describe('engine: a pinned clock survives a restart on the same data', function () {
  it('the restarted engine stands at the pinned instant', async function () {
    if (process.env.ZEEBE_GRPC_ADDRESS) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-clock-'));
    try {
      let e = await startEngine({ grpcPort: 0, restPort: 0, host: '127.0.0.1', testMode: true, dataDir: dir });
      await fetch(`${e.restAddress}/v2/clock`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ timestamp: Date.parse('2028-03-03T03:03:03Z') }),
      });
      await e.stop();
      e = await startEngine({ grpcPort: 0, restPort: 0, host: '127.0.0.1', testMode: true, dataDir: dir });
      try {
        expect(await clockNow({ rest: e.restAddress })).to.equal(Date.parse('2028-03-03T03:03:03Z'));
      } finally {
        await e.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('engine: cron timers and FEEL today() in the engine time zone, whatever the host says', function () {
  const hostTz = process.env.TZ;
  afterEach(() => {
    if (hostTz === undefined) delete process.env.TZ;
    else process.env.TZ = hostTz;
  });

  for (const host of ['UTC', 'America/New_York', 'Asia/Shanghai']) {
    it(`on a host in ${host}, an engine in Asia/Shanghai starts "0 0 1 1 * *" at 01:00 Beijing time (17:00 UTC the day before)`, async function () {
      if (process.env.ZEEBE_GRPC_ADDRESS) this.skip();
      process.env.TZ = host;
      const e: RunningEngine = await startEngine({
        grpcPort: 0,
        restPort: 0,
        host: '127.0.0.1',
        testMode: true,
        timeZone: 'Asia/Shanghai',
      });
      const zbc = client(e.grpcAddress, e.restAddress);
      const c: Ctx = { zbc, rest: e.restAddress, grpc: e.grpcAddress, external: false, engine: e, stop: async () => undefined };
      try {
        await pinClock(c, '2026-11-30T16:59:59Z');
        await deploy(c, 'timer-start-cron.bpmn');
        await new Promise((r) => setTimeout(r, 100));
        expect(await instancesOf(c, 'conf-timer-start-cron')).to.equal(0);
        await pinClock(c, '2026-11-30T17:00:00Z');
        await waitFor(async () => (await instancesOf(c, 'conf-timer-start-cron')) === 1, 'the instance at 01:00 Beijing time');
        // the next one is 2027-01-01 01:00 Beijing time, not a moment earlier
        await pinClock(c, '2026-12-31T16:59:59Z');
        await new Promise((r) => setTimeout(r, 100));
        expect(await instancesOf(c, 'conf-timer-start-cron')).to.equal(1);
        await pinClock(c, '2026-12-31T17:00:00Z');
        await waitFor(async () => (await instancesOf(c, 'conf-timer-start-cron')) === 2, 'the instance on 2027-01-01');
        // today() is the Beijing date: 2026-12-31T17:00Z is already 2027-01-01 there
        await deploy(c, 'clock-feel.bpmn');
        const pi = await zbc.createProcessInstance({ bpmnProcessId: 'conf-clock-feel', variables: {} });
        const [job] = await waitFor(async () => {
          const j = await jobsOf(c, 'conf.clock.feel', pi.processInstanceKey);
          return j.length ? j : null;
        }, 'the job');
        expect(job.variables).to.include({ today: '2027-01-01', now: '2027-01-01T01:00:00@Asia/Shanghai' });
      } finally {
        await zbc.close();
        await e.stop();
      }
    });
  }
});
