/** The record side of the 处理AP异常 exits (domain/ap-issues.ts): another AP partner, going on without the AP, retrying, cancelling. */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { AuditLogEntity, BusinessOrderEntity, ExpenseContractEntity } from '../../db/entities/index';
import { cancelAfterApIssue, goOnWithoutAp, retryAp, switchApPartner } from '../../domain/ap-issues';
import { draftExpenseContract } from '../../domain/contracts';
import { ApPartnerUnavailableError, IllegalTransitionError, ValidationError } from '../../domain/errors';
import { transition } from '../../domain/order-status';
import { updateApPartner } from '../../domain/parties';
import { recordHistory } from '../../domain/records';
import { useTestDatabase } from '../support/db';
import { anApPartner, anOrder } from '../support/fixtures';
import { rejects } from '../support/rejects';

describe('domain: AP issue exits (ap-issues.ts)', () => {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d));
  const cm = (reason: string) => ({ actor: 'zhang.san', reason });

  it('OTHER_PARTNER: the order names the new AP in a new version; the re-drafted expense contract keeps its number, for the new partner', async () => {
    const alpha = await anApPartner(ds);
    const beta = await anApPartner(ds);
    const { order } = await anOrder(ds, { apInvolved: true, apPartnerId: alpha.id });
    const ec = await draftExpenseContract(ds, { orderId: order.id }, { actor: 'system:worker' });
    await updateApPartner(ds, alpha.id, { status: 'SUSPENDED' }, { actor: 'admin', reason: '暂停接单' });

    const out = await switchApPartner(ds, order.id, beta.id, cm('alpha 暂停接单，改由 beta 实施'));
    expect(out).to.deep.equal({ apInvolved: true, apPartnerId: beta.id, withdrawnExpenseContractId: null });
    const row = await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id });
    expect(row.apPartnerId).to.equal(beta.id);
    const versions = await recordHistory(ds, 'business-order', order.id);
    expect(versions.map((v) => v.version)).to.deep.equal([1, 2]);
    expect(versions[1].reason).to.equal('alpha 暂停接单，改由 beta 实施');
    expect(versions[1].content.apPartnerId).to.equal(beta.id);

    // a repeat (Zeebe delivers at least once) writes nothing
    await switchApPartner(ds, order.id, beta.id, cm('alpha 暂停接单，改由 beta 实施'));
    expect(await recordHistory(ds, 'business-order', order.id)).to.have.length(2);

    // staff may name the AP by its code: the same partner, nothing more written
    expect((await switchApPartner(ds, order.id, beta.code, cm('同上'))).apPartnerId).to.equal(beta.id);
    expect(await recordHistory(ds, 'business-order', order.id)).to.have.length(2);

    const again = await draftExpenseContract(ds, { orderId: order.id, apPartnerId: beta.id }, { actor: 'system:worker' });
    expect(again.contractNo).to.equal(ec.contractNo);
    expect(again.apPartnerId).to.equal(beta.id);
  });

  it('OTHER_PARTNER: an unavailable new partner is refused (the BPMN error the model catches) and nothing is written', async () => {
    const alpha = await anApPartner(ds);
    const gamma = await anApPartner(ds);
    await updateApPartner(ds, gamma.id, { status: 'SUSPENDED' }, { actor: 'admin', reason: '资质过期' });
    const { order } = await anOrder(ds, { apInvolved: true, apPartnerId: alpha.id });
    expect(await rejects(switchApPartner(ds, order.id, gamma.id, cm('换 gamma')))).to.be.instanceOf(ApPartnerUnavailableError);
    expect(await rejects(switchApPartner(ds, order.id, 'no-such-partner', cm('换一家')))).to.be.instanceOf(ApPartnerUnavailableError);
    expect(await recordHistory(ds, 'business-order', order.id)).to.have.length(1);
  });

  it('WITHOUT_AP: the expense contract is withdrawn as a new version, the order no longer involves an AP; a repeat writes nothing', async () => {
    const alpha = await anApPartner(ds);
    const { order } = await anOrder(ds, { apInvolved: true, apPartnerId: alpha.id });
    const ec = await draftExpenseContract(ds, { orderId: order.id }, { actor: 'system:worker' });

    const out = await goOnWithoutAp(ds, order.id, cm('AP均无法实施，由我方自行交付'));
    expect(out).to.deep.equal({ apInvolved: false, apPartnerId: null, withdrawnExpenseContractId: ec.id });
    const c = await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: ec.id });
    expect(c.status).to.equal('WITHDRAWN');
    const cv = await recordHistory(ds, 'expense-contract', ec.id);
    expect(cv.map((v) => v.version)).to.deep.equal([1, 2]);
    expect(cv[1].reason).to.equal('AP均无法实施，由我方自行交付');
    const o = await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id });
    expect([o.apInvolved, o.apPartnerId]).to.deep.equal([false, null]);
    expect((await recordHistory(ds, 'business-order', order.id)).map((v) => v.content.apInvolved)).to.deep.equal([true, false]);

    await goOnWithoutAp(ds, order.id, cm('AP均无法实施，由我方自行交付'));
    expect(await recordHistory(ds, 'expense-contract', ec.id)).to.have.length(2);
    expect(await recordHistory(ds, 'business-order', order.id)).to.have.length(2);
  });

  it('WITHOUT_AP before any expense contract: only the order changes; a reason is required', async () => {
    const alpha = await anApPartner(ds);
    const { order } = await anOrder(ds, { apInvolved: true, apPartnerId: alpha.id });
    expect(await rejects(goOnWithoutAp(ds, order.id, { actor: 'zhang.san', reason: ' ' }))).to.be.instanceOf(ValidationError);
    const out = await goOnWithoutAp(ds, order.id, cm('客户同意不再使用AP'));
    expect(out.withdrawnExpenseContractId).to.equal(null);
    expect(await ds.getRepository(ExpenseContractEntity).findBy({ orderId: order.id })).to.have.length(0);
  });

  it('RETRY: the order unchanged, the decision audited with its reason', async () => {
    const alpha = await anApPartner(ds);
    const { order } = await anOrder(ds, { apInvolved: true, apPartnerId: alpha.id });
    const out = await retryAp(ds, order.id, cm('已与AP协调，重新发起'));
    expect(out).to.deep.equal({ apInvolved: true, apPartnerId: alpha.id, withdrawnExpenseContractId: null });
    const rows = await ds.getRepository(AuditLogEntity).findBy({ action: 'business-order.retry-ap', entityId: order.id });
    expect(rows.map((r) => [r.actor, r.reason])).to.deep.equal([['zhang.san', '已与AP协调，重新发起']]);
    expect(await recordHistory(ds, 'business-order', order.id)).to.have.length(1);
  });

  it('CANCEL: only a signed order, CANCELLED with the prefixed reason and audited, the expense contract withdrawn; a repeat writes nothing', async () => {
    const alpha = await anApPartner(ds);
    const { order } = await anOrder(ds, { apInvolved: true, apPartnerId: alpha.id });
    const ec = await draftExpenseContract(ds, { orderId: order.id }, { actor: 'system:worker' });
    // not signed yet: this path is not the order's cancellation before signing
    const early = await rejects(cancelAfterApIssue(ds, order.id, cm('客户取消')));
    expect(early).to.be.instanceOf(IllegalTransitionError);
    expect((await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: ec.id })).status).to.equal('DRAFT');
    await ds.getRepository(BusinessOrderEntity).update({ id: order.id }, { status: 'CONTRACT_SIGNED' });
    expect(await rejects(cancelAfterApIssue(ds, order.id, cm(' ')))).to.be.instanceOf(ValidationError);

    const out = await cancelAfterApIssue(ds, order.id, cm('客户不接受延期'));
    expect(out).to.deep.include({ status: 'CANCELLED', withdrawnExpenseContractId: ec.id });
    const row = await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id });
    expect([row.status, row.cancelReason]).to.deep.equal(['CANCELLED', 'AP异常，客户经理取消订单：客户不接受延期']);
    expect((await ds.getRepository(ExpenseContractEntity).findOneByOrFail({ id: ec.id })).status).to.equal('WITHDRAWN');
    const audited = await ds.getRepository(AuditLogEntity).findBy({ action: 'business-order.cancel', entityId: order.id });
    expect(audited.map((a) => [a.reason, (a.details as { from: string }).from])).to.deep.equal([
      ['AP异常，客户经理取消订单：客户不接受延期', 'CONTRACT_SIGNED'],
    ]);
    await cancelAfterApIssue(ds, order.id, cm('客户不接受延期'));
    expect(await ds.getRepository(AuditLogEntity).findBy({ action: 'business-order.cancel', entityId: order.id })).to.have.length(1);
    expect(await recordHistory(ds, 'expense-contract', ec.id)).to.have.length(2);
    // the status table itself still refuses it: no other path cancels a signed order
    expect(() => transition({ status: 'CONTRACT_SIGNED' as const }, 'CANCELLED')).to.throw(IllegalTransitionError);
  });
});
