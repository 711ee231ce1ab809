/**
 * Job streams (workers/start.ts jobStream, WORKER_JOB_STREAM): with them on, the engine pushes each new job
 * down the stream of its type (its ACTIVATED record names the stream's worker); off, the polling workers
 * activate it. Either way the instance moves on. Plus the switch's own validation.
 */
import { expect } from 'chai';
import { jobStreamFromEnv, STREAM_WORKER_NAME } from '../../workers/start';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

/** the worker that activated the job of a confirmed order's customer decision (the confirmation task's completing listener) */
async function decisionJobWorker(e: E2E): Promise<string> {
  const o = await d.createOrder(e);
  const pik = await d.orderInstanceKey(e, o.id);
  await d.confirm(e, { orderNo: o.orderNo });
  await d.waitOrderStatus(e, o.id, 'CONFIRMED');
  const events = (await e.rest('GET', `/engine/process-instances/${pik}/events`)).body.items as {
    valueType: string;
    intent: string;
    elementId?: string;
    worker?: string;
  }[];
  const activated = events.filter(
    (ev) => ev.valueType === 'JOB' && ev.intent === 'ACTIVATED' && ev.elementId === 'confirm-order-with-customer',
  );
  expect(activated, 'one activation of the job').to.have.length(1);
  return String(activated[0].worker);
}

describe('process: job streams', function () {
  this.timeout(120_000);

  describe('on (the default)', () => {
    let e: E2E;
    before(async () => {
      e = await startE2E();
    });
    after(async () => e?.stop());

    it('a new job reaches its worker through the stream of its type', async () => {
      expect(await decisionJobWorker(e)).to.equal(STREAM_WORKER_NAME);
    });
  });

  describe('off (WORKER_JOB_STREAM=false)', () => {
    let e: E2E;
    before(async () => {
      e = await startE2E({ jobStream: false });
    });
    after(async () => e?.stop());

    it('the polling worker activates it, and the instance moves on the same way', async () => {
      const worker = await decisionJobWorker(e);
      expect(worker).to.not.equal(STREAM_WORKER_NAME);
      expect(worker).to.not.equal('');
    });
  });

  it('WORKER_JOB_STREAM reads true/false (default true) and refuses anything else', () => {
    expect(jobStreamFromEnv({})).to.equal(true);
    expect(jobStreamFromEnv({ WORKER_JOB_STREAM: 'off' })).to.equal(false);
    expect(jobStreamFromEnv({ WORKER_JOB_STREAM: ' TRUE ' })).to.equal(true);
    expect(() => jobStreamFromEnv({ WORKER_JOB_STREAM: 'sometimes' })).to.throw(/WORKER_JOB_STREAM: true or false/);
  });
});
