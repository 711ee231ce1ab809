/**
 * A staff cancellation writes the `cancel-process-instance` command in the transaction of the status
 * change and its audit row; supersedeCommand withdraws a start that was never sent.
 */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { AuditLogEntity, BusinessOrderEntity, ProcessCommandEntity } from '../../db/entities/index';
import { attachOrderProcessInstance, cancelOrder } from '../../domain/orders';
import { claimPending, markDispatched, supersedeCommand, type CancelProcessInstancePayload } from '../../domain/outbox';
import { useTestDatabase } from '../support/db';
import { anOrder } from '../support/fixtures';

describe('domain: order cancellation → cancel-process-instance in the outbox', () => {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d));

  const cancelRow = (orderNo: string) => ds.getRepository(ProcessCommandEntity).findOneBy({ dedupeKey: `cancel:${orderNo}` });

  it('cancelOrder writes status, audit row and the cancel command (key unknown yet) together', async () => {
    const { order } = await anOrder(ds);
    const at = new Date('2026-09-01T02:00:00Z');
    const cancelled = await cancelOrder(ds, order.id, { actor: 'zhang.san', reason: '客户预算取消', at });
    expect(cancelled.status).to.equal('CANCELLED');
    const row = await cancelRow(order.orderNo);
    expect(row, 'cancel command').to.not.equal(null);
    expect(row!.kind).to.equal('cancel-process-instance');
    expect(row!.dispatchedAt).to.equal(null);
    expect(row!.createdAt.getTime()).to.equal(at.getTime());
    expect(row!.payload as unknown as CancelProcessInstancePayload).to.deep.equal({
      recordKind: 'business-order',
      recordId: order.id,
      recordNo: order.orderNo,
      processInstanceKey: null,
    });
    const audit = await ds.getRepository(AuditLogEntity).findBy({ action: 'business-order.cancel', entityId: order.id });
    expect(audit).to.have.length(1);
    expect(audit[0].reason).to.equal('客户预算取消');
  });

  it('carries the process instance key when the order already has it', async () => {
    const { order } = await anOrder(ds);
    await attachOrderProcessInstance(ds, order.id, '2251799813685300');
    await cancelOrder(ds, order.id, { actor: 'zhang.san', reason: '重复下单' });
    const row = await cancelRow(order.orderNo);
    expect((row!.payload as unknown as CancelProcessInstancePayload).processInstanceKey).to.equal('2251799813685300');
  });

  it('a refused cancellation (no reason; already cancelled) writes no command and changes nothing', async () => {
    const { order } = await anOrder(ds);
    let err: unknown;
    try {
      await cancelOrder(ds, order.id, { actor: 'zhang.san', reason: '  ' });
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/reason/);
    expect(await cancelRow(order.orderNo)).to.equal(null);
    await cancelOrder(ds, order.id, { actor: 'zhang.san', reason: '第一次' });
    err = undefined;
    try {
      await cancelOrder(ds, order.id, { actor: 'li.si', reason: '第二次' });
    } catch (e) {
      err = e;
    }
    expect(err, 'second cancel refused').to.not.equal(undefined);
    expect(await ds.getRepository(ProcessCommandEntity).countBy({ kind: 'cancel-process-instance' })).to.equal(1);
    expect((await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: order.id })).cancelReason).to.equal('第一次');
    expect(await ds.getRepository(AuditLogEntity).countBy({ action: 'business-order.cancel', entityId: order.id })).to.equal(1);
  });

  it('supersedeCommand withdraws a pending start only while it is neither sent nor claimed', async () => {
    const a = await anOrder(ds);
    const b = await anOrder(ds);
    const c = await anOrder(ds);
    // a: pending, unclaimed → withdrawn; claimPending no longer returns it
    expect(await supersedeCommand(ds, a.command.dedupeKey, 'cancelled')).to.equal('superseded');
    expect(await supersedeCommand(ds, a.command.dedupeKey, 'again')).to.equal('superseded');
    const rowA = await ds.getRepository(ProcessCommandEntity).findOneByOrFail({ id: a.command.id });
    expect(rowA.dispatchedAt).to.not.equal(null);
    expect(rowA.result).to.deep.equal({ superseded: 'cancelled' });
    // b: claimed by a dispatcher (sending now) → in-flight; c: sent → dispatched
    const claimed = await claimPending(ds, 10, { leaseMs: 60_000 });
    expect(claimed.map((r) => r.id).sort()).to.deep.equal([b.command.id, c.command.id].sort());
    await markDispatched(ds, c.command.id, { messageKey: '1' });
    expect(await supersedeCommand(ds, b.command.dedupeKey, 'cancelled')).to.equal('in-flight');
    expect(await supersedeCommand(ds, c.command.dedupeKey, 'cancelled')).to.equal('dispatched');
    expect(await supersedeCommand(ds, 'order-submitted:YW-1999-000001', 'cancelled')).to.equal('missing');
    expect((await ds.getRepository(ProcessCommandEntity).findOneByOrFail({ id: b.command.id })).dispatchedAt).to.equal(null);
    // b's lease ran out (the dispatcher died): withdrawn
    expect(await supersedeCommand(ds, b.command.dedupeKey, 'cancelled', new Date(Date.now() + 120_000))).to.equal('superseded');
  });
});
