/**
 * In a deployment without the single-command start (docker-compose: api + workers), the workers process
 * is what moves the outbox to Zeebe: a start command the API wrote is published once, with the outbox
 * dedupe key as message id, and marked dispatched.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { ProcessCommandEntity } from '../../db/entities/index';
import { initDatabase } from '../../db/index';
import { inTransaction } from '../../db/transaction';
import { enqueueCommand } from '../../domain/outbox';
import { MESSAGE } from '../../domain/vocabulary';
import { startStandalone, type Standalone } from '../../app/entry/workers';
import { FakeGateway } from './support/fake-gateway';
import { resetDatabase } from './support/harness';

async function until<T>(what: string, probe: () => Promise<T | null | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('workers: the standalone process dispatches the outbox', function () {
  this.timeout(30_000);
  let dir: string;
  let ds: DataSource;
  let gw: FakeGateway;
  let sys: Standalone | undefined;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-dispatch-'));
    const url = process.env.DATABASE_URL || `sqlite:${path.join(dir, 'db.sqlite')}`;
    ds = await initDatabase(url);
    await resetDatabase(ds, { seedCalendar: false });
    gw = new FakeGateway();
    gw.acceptPublish = true;
    await gw.start();
    sys = await startStandalone({
      DATABASE_URL: url,
      ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${gw.port}`,
      ZEEBE_REST_ADDRESS: 'http://127.0.0.1:9',
      // the gateway double answers ActivateJobs, not StreamActivatedJobs
      WORKER_JOB_STREAM: 'false',
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
      CAMUNDA_LOG_LEVEL: 'none',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      PORT: '0',
    });
  });
  after(async () => {
    await sys?.stop();
    await gw?.stop();
    if (ds?.isInitialized) await ds.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes a pending start command once, with the dedupe key as message id, and marks it dispatched', async () => {
    const correlationKey = 'YW-2026-004242';
    await inTransaction(ds, (em) =>
      enqueueCommand(em, { kind: 'publish-message', name: MESSAGE.orderSubmitted, correlationKey, variables: { orderNo: correlationKey } }),
    );
    const row = await until('the command marked dispatched', async () => {
      const r = await ds.getRepository(ProcessCommandEntity).findOneBy({ dedupeKey: `${MESSAGE.orderSubmitted}:${correlationKey}` });
      return r?.dispatchedAt ? r : null;
    });
    const sent = gw.published.filter((m) => m.correlationKey === correlationKey);
    expect(sent).to.have.length(1);
    expect(sent[0]).to.include({ name: MESSAGE.orderSubmitted, messageId: row.dedupeKey });
    expect(sent[0].variables).to.deep.include({ orderNo: correlationKey });
  });
});
