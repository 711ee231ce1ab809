/**
 * `npm start` twice on the same data: the system as app/entry/all-in-one.ts runs it (engine in its own process,
 * durable under a data directory), stopped in the middle of an order and started again: the open
 * order resumes where it was and completes.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../platform/config/index';
import { createCustomer } from '../../domain/parties';
import { startSystem, type RunningSystem } from '../../app/system';
import { createLogger } from '../../platform/observability/logger';
import { ApiClient } from '../../app/api-client';
import { closeTestDataSource, openTestDataSource, resetDatabase } from '../support/db';
import { WAIT, waitFor } from './support/driver';

describe('process: restart resumes open orders (engine in its own process, durable data)', function () {
  this.timeout(120_000);
  let ds: DataSource;
  let dataDir: string;
  let sys: RunningSystem | null = null;
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local', PORT: '0' });
  const start = () =>
    startSystem({
      config,
      dataSource: ds,
      engine: { grpcPort: 0, restPort: 0, dataDir, separateProcess: true },
      apiPort: 0,
      apiHost: '127.0.0.1',
      logger: createLogger({ level: 'silent' }),
      workerTuning: { pollIntervalMs: 20, longPollMs: 5000 },
      dispatcherIdleMs: 20,
    });
  before(async () => {
    ds = await openTestDataSource();
    await resetDatabase(ds);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-restart-'));
  });
  after(async () => {
    await sys?.stop();
    await closeTestDataSource(ds);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('an order stopped mid-way continues after the restart, with the same instance', async () => {
    const customer = await createCustomer(
      ds,
      { name: '重启测试客户', customerManager: 'customer-manager' },
      { actor: 'admin', reason: 'test', at: new Date() },
    );
    sys = await start();
    let api = new ApiClient(sys.apiUrl);
    const o = await api.post('customer-manager', '/api/orders', {
      customerId: customer.id,
      modules: ['virtual-classroom'],
      accounts: 30,
      openingDate: '2026-12-01',
      termMonths: 6,
      amount: 9000,
      apInvolved: false,
      apPartnerId: null,
    });
    await api.step('customer-manager', 'confirm-order-with-customer', { orderNo: o.orderNo }, { customerDecision: 'CONFIRMED' }, WAIT);
    const draft = await api.waitTask('customer-manager', 'draft-revenue-contract', { orderNo: o.orderNo }, WAIT);
    const enginePid = sys.engineProcess!.pid;
    await sys.stop();
    sys = null;
    expect(() => process.kill(enginePid, 0), 'the engine process is gone').to.throw();

    sys = await start();
    api = new ApiClient(sys.apiUrl);
    const again = await api.waitTask('customer-manager', 'draft-revenue-contract', { orderNo: o.orderNo }, WAIT);
    expect(again.key).to.equal(draft.key);
    expect(again.processInstanceKey).to.equal(draft.processInstanceKey);
    await api.complete('customer-manager', again, { contractTitle: '在线培训服务协议', contractAmount: 9000, contractTerm: 6 });
    const review = await api.waitTask('dept-manager', 'dept-manager-review', { orderNo: o.orderNo }, WAIT);
    expect(review.context.contractType).to.equal('REVENUE');
    const contracts = await waitFor(async () => {
      const r = await api.get('customer-manager', `/api/contracts?orderId=${o.id}`);
      return r.items.length ? r.items : null;
    }, 'the revenue contract registered after the restart');
    expect(contracts).to.have.length(1);
  });
});
