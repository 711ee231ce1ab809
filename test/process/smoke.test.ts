import { expect } from 'chai';
import { startE2E, type E2E } from './support/system';
import { waitFor } from '../../app/api-client';

describe('process smoke', function () {
  this.timeout(60_000);
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(async () => e?.stop());

  it('an order starts provisioning and the first task appears', async () => {
    const o = await e.api.post('customer-manager', '/api/orders', {
      customerId: e.customers[0].id,
      modules: ['learning-management'],
      accounts: 10,
      openingDate: '2026-12-01',
      termMonths: 12,
      amount: 1000,
      apInvolved: false,
      apPartnerId: null,
    });
    const t = await e.api.waitTask('customer-manager', 'confirm-order-with-customer', { orderNo: o.orderNo });
    expect(t.assignee).to.equal('customer-manager');
    const withKey = await waitFor(async () => {
      const r = await e.api.get('customer-manager', `/api/orders/${o.id}`);
      return r.processInstanceKey ? r : null;
    }, 'key');
    expect(withKey.processInstanceKey).to.equal(t.processInstanceKey);
  });
});
