/**
 * The outbox dispatcher against the real engine: an outage of the gateway loses nothing (commands stay
 * pending with their error and back-off, and go out when it is back), a command sent again after a
 * crash between publish and markDispatched starts nothing twice, and the instance key lands on the
 * order.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { BusinessOrderEntity, ProcessCommandEntity } from '../../db/entities/index';
import { createOrder } from '../../domain/orders';
import { createCustomer } from '../../domain/parties';
import { startEngine, type RunningEngine } from '../../engine/index';
import { loadConfig } from '../../platform/config/index';
import { startDispatcher, type RunningDispatcher } from '../../app/dispatcher';
import { deployProcesses } from '../../app/deploy';
import { PROCESSES_DIR, zeebeClient } from '../../app/system';
import { waitFor } from '../../app/api-client';
import { closeTestDataSource, openTestDataSource, resetDatabase } from '../support/db';

describe('process: outbox dispatcher (at-least-once, idempotent)', function () {
  this.timeout(60_000);
  let ds: DataSource;
  let engine: RunningEngine;
  let dataDir: string;
  let dispatcher: RunningDispatcher;
  let customerId: string;
  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  const ctx = () => ({ actor: 'customer-manager', reason: 'test', at: new Date() });
  const order = (n: number) =>
    createOrder(
      ds,
      {
        customerId,
        modules: ['learning-management'],
        accounts: n,
        openingDate: '2026-12-01',
        termMonths: 12,
        amount: 100 * n,
        apInvolved: false,
      },
      ctx(),
    );
  const rest = async (p: string, body: unknown) =>
    (
      await fetch(engine.restAddress + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    ).json() as Promise<any>;
  const instancesOf = async (orderNo: string) => {
    const vars = await rest('/v2/variables/search', { filter: { name: 'orderNo', value: JSON.stringify(orderNo) }, page: { limit: 50 } });
    return [
      ...new Set(
        (vars.items as { processInstanceKey: string; scopeKey: string }[])
          .filter((v) => v.scopeKey === v.processInstanceKey)
          .map((v) => v.processInstanceKey),
      ),
    ];
  };

  before(async () => {
    ds = await openTestDataSource();
    await resetDatabase(ds);
    customerId = (await createCustomer(ds, { name: '调度测试客户' }, ctx())).id;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-dispatch-'));
    engine = await startEngine({ grpcPort: 0, restPort: 0, dataDir, host: '127.0.0.1' });
    const deployer = zeebeClient(`grpc://${engine.grpcAddress}`, engine.restAddress, config);
    await deployProcesses(deployer, PROCESSES_DIR);
    await deployer.close();
  });
  after(async () => {
    await dispatcher?.stop();
    await engine?.stop();
    await closeTestDataSource(ds);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('gateway down: commands stay pending with the error and a back-off; back up: each goes out once and the instance key lands on the order', async () => {
    const { grpcPort, restPort } = engine;
    await engine.stop();
    const client = zeebeClient(`grpc://127.0.0.1:${grpcPort}`, `http://127.0.0.1:${restPort}`, config, { retry: false });
    dispatcher = startDispatcher({
      dataSource: ds,
      zeebe: client as never,
      restAddress: `http://127.0.0.1:${restPort}`,
      idleMs: 20,
      maxBackOffMs: 500,
    });
    const a = await order(11);
    const b = await order(12);
    const failing = await waitFor(
      async () => {
        const rows = await ds.getRepository(ProcessCommandEntity).find();
        return rows.length === 2 && rows.every((r) => r.attempts >= 2 && r.lastError && !r.dispatchedAt) ? rows : null;
      },
      'both commands failing while the gateway is down',
      20_000,
    );
    expect(failing.every((r) => r.nextAttemptAt.getTime() > r.createdAt.getTime())).to.equal(true);

    engine = await startEngine({ grpcPort, restPort, dataDir, host: '127.0.0.1' });
    await dispatcher.idle(20_000);
    for (const o of [a.order, b.order]) {
      const keys = await instancesOf(o.orderNo);
      expect(keys, `instances of ${o.orderNo}`).to.have.length(1);
      const row = await waitFor(async () => {
        const r = await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: o.id });
        return r.processInstanceKey ? r : null;
      }, `the instance key on ${o.orderNo}`);
      expect(row.processInstanceKey).to.equal(keys[0]);
    }
    const rows = await ds.getRepository(ProcessCommandEntity).find();
    expect(rows.every((r) => r.dispatchedAt && r.lastError)).to.equal(true);
  });

  it('a command sent again (crash before markDispatched) starts nothing twice', async () => {
    const c = await order(13);
    await dispatcher.idle(10_000);
    const first = await ds.getRepository(ProcessCommandEntity).findOneByOrFail({ id: c.command.id });
    expect(first.dispatchedAt).to.not.equal(null);
    // as if the dispatcher had died after publishing: the row is pending again
    await ds
      .getRepository(ProcessCommandEntity)
      .update({ id: c.command.id }, { dispatchedAt: null, claimedUntil: null, nextAttemptAt: new Date() });
    dispatcher.kick();
    await dispatcher.idle(10_000);
    const again = await ds.getRepository(ProcessCommandEntity).findOneByOrFail({ id: c.command.id });
    expect(again.dispatchedAt).to.not.equal(null);
    expect(again.result).to.deep.equal({ duplicate: true });
    expect(await instancesOf(c.order.orderNo)).to.have.length(1);
  });
});
