/**
 * `npm run demo`'s data set (app/demo.ts) on the whole system, clock pinned: the customers and AP partners
 * are added through the admin's routes at the business clock's time (not the machine's), the partner's user
 * signs in without a restart, the three orders stand where the banner says, and a second load adds nothing.
 */
import { expect } from 'chai';
import { loadDemoData, stopDemo } from '../../app/demo';
import { ApiClient } from '../../app/api-client';
import { startSystem, type RunningSystem } from '../../app/system';
import { loadConfig } from '../../platform/config/index';
import { createLogger } from '../../platform/observability/logger';
import { closeTestDataSource, openTestDataSource, resetDatabase } from '../support/db';
import type { DataSource } from 'typeorm';

const PINNED = new Date('2027-03-15T10:00:00+08:00');

describe('app: the demo data set, through the API at the business clock', function () {
  this.timeout(180_000);
  let ds: DataSource;
  let sys: RunningSystem;
  const savedPort = process.env.DEMO_AP_PORT;
  before(async () => {
    process.env.DEMO_AP_PORT = '0';
    ds = await openTestDataSource();
    await resetDatabase(ds);
    sys = await startSystem({
      config: loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local', PORT: '0' }),
      dataSource: ds,
      engine: { grpcPort: 0, restPort: 0, testMode: true },
      apiPort: 0,
      apiHost: '127.0.0.1',
      logger: createLogger({ level: 'silent' }),
      pinClockAt: PINNED,
      workerTuning: { pollIntervalMs: 20, longPollMs: 5000 },
      dispatcherIdleMs: 20,
    });
  });
  after(async () => {
    await stopDemo();
    await sys?.stop();
    if (ds) await closeTestDataSource(ds);
    if (savedPort === undefined) delete process.env.DEMO_AP_PORT;
    else process.env.DEMO_AP_PORT = savedPort;
  });

  it('adds parties and orders once, dated by the pinned clock; the partner user signs in at once', async () => {
    const first = await loadDemoData(sys);
    expect(first.created).to.equal(true);
    expect(first.lines).to.have.length(3);
    expect(first.lines.join('\n')).to.match(/DELIVERED/);

    const api = new ApiClient(sys.apiUrl);
    const customers = (await api.get('admin', '/api/customers?limit=500')).items as { code: string; createdAt: string }[];
    expect(customers.map((c) => c.code)).to.include.members(['DEMO-C1', 'DEMO-C2', 'DEMO-C3']);
    // written at the business clock's now, which stands at the pinned instant (the machine's date is elsewhere)
    for (const c of customers) expect(Math.abs(new Date(c.createdAt).getTime() - PINNED.getTime())).to.be.below(60_000);
    const partners = (await api.get('admin', '/api/ap-partners?limit=500')).items as { code: string; createdAt: string }[];
    expect(partners.map((p) => p.code)).to.have.members(['alpha', 'beta']);
    // the partner was added after the API started: its user signs in and sees its own partner only
    const portal = await api.call('ap-beta', 'GET', '/api/contracts?type=EXPENSE');
    expect(portal.status).to.equal(200);
    const orders = (await api.get('customer-manager', '/api/orders?limit=100')).items as { openingDate: string }[];
    expect(orders).to.have.length(3);
    for (const o of orders) expect(o.openingDate).to.equal('2027-03-15');

    const again = await loadDemoData(sys);
    expect(again.created).to.equal(false);
    expect((await api.get('admin', '/api/customers?limit=500')).items).to.have.length(customers.length);
    expect((await api.get('customer-manager', '/api/orders?limit=100')).items).to.have.length(3);
  });
});
