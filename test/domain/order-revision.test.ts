/** The customer manager's revision of an order (domain/order-revision.ts): what the order involves may change (issue #20). */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { BusinessOrderEntity } from '../../db/entities/index';
import { ApPartnerUnavailableError } from '../../domain/errors';
import { applyOrderRevision } from '../../domain/order-revision';
import { recordCustomerDecision } from '../../domain/orders';
import { recordHistory } from '../../domain/records';
import { useTestDatabase } from '../support/db';
import { anApPartner, anOrder } from '../support/fixtures';
import { rejects } from '../support/rejects';

describe('domain: order revision (order-revision.ts)', () => {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d));
  const cm = { actor: 'zhang.san', reason: '按客户要求修改' };

  async function changeRequested(patch: Parameters<typeof anOrder>[1] = {}) {
    const { order } = await anOrder(ds, patch);
    await recordCustomerDecision(ds, order.id, 'CHANGE_REQUESTED', '改AP', { actor: 'zhang.san' });
    return order;
  }
  const row = (id: string) => ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id });

  it('adds the AP: a new version naming the partner', async () => {
    const alpha = await anApPartner(ds);
    const order = await changeRequested();
    const revised = await applyOrderRevision(ds, order.id, { apInvolved: true, apPartnerId: alpha.id }, cm);
    expect(revised).to.deep.include({ status: 'SUBMITTED', currentVersion: 2, apInvolved: true, apPartnerId: alpha.id });
    const h = await recordHistory(ds, 'business-order', order.id);
    expect(h.map((v) => [v.content.apInvolved, v.content.apPartnerId])).to.deep.equal([
      [false, null],
      [true, alpha.id],
    ]);
  });

  it('drops the AP: apInvolved false and the partner cleared, whatever partner the form still carries', async () => {
    const alpha = await anApPartner(ds);
    const order = await changeRequested({ apInvolved: true, apPartnerId: alpha.id });
    await applyOrderRevision(ds, order.id, { apInvolved: false, apPartnerId: alpha.id }, cm);
    expect(await row(order.id)).to.deep.include({ apInvolved: false, apPartnerId: null, currentVersion: 2 });
  });

  it('keeps the partner the order has when the revision names none', async () => {
    const alpha = await anApPartner(ds);
    const order = await changeRequested({ apInvolved: true, apPartnerId: alpha.id });
    await applyOrderRevision(ds, order.id, { apInvolved: true, apPartnerId: '  ', accounts: 300 }, cm);
    expect(await row(order.id)).to.deep.include({ apInvolved: true, apPartnerId: alpha.id, accounts: 300 });
  });

  it('an unknown, suspended or termless partner, or none at all, is ApPartnerUnavailableError and writes nothing', async () => {
    const suspended = await anApPartner(ds, { status: 'SUSPENDED' });
    const termless = await anApPartner(ds, { terms: null });
    const order = await changeRequested();
    for (const apPartnerId of ['no-such-partner', suspended.id, termless.id, null]) {
      const e = await rejects(applyOrderRevision(ds, order.id, { apInvolved: true, apPartnerId, accounts: 300 }, cm));
      expect(e, String(apPartnerId)).to.be.instanceOf(ApPartnerUnavailableError);
    }
    expect(await row(order.id)).to.deep.include({ currentVersion: 1, apInvolved: false, status: 'CHANGE_REQUESTED' });
    expect(await recordHistory(ds, 'business-order', order.id)).to.have.length(1);
  });
});
