import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { BusinessOrderEntity, CustomerEntity, NotificationEntity, ProcessCommandEntity } from '../../db/entities/index';
import { inTransaction } from '../../db/index';
import { createOrder } from '../../domain/orders';
import {
  claimPending,
  enqueueCommand,
  enqueueNotification,
  markDispatched,
  markFailed,
  type PublishMessagePayload,
} from '../../domain/outbox';
import { MESSAGE, PROCESS } from '../../domain/vocabulary';
import { useTestDatabase } from '../support/db';
import { aCustomer, anApPartner, anOrder } from '../support/fixtures';

describe('domain/outbox', () => {
  let ds: DataSource;
  useTestDatabase((d) => (ds = d));

  it('createOrder writes the order and its start message (process contract variables) in one transaction', async () => {
    const ap = await anApPartner(ds);
    const { order, command } = await anOrder(ds, { apInvolved: true, apPartnerId: ap.id });
    expect(command.kind).to.equal('publish-message');
    const p = command.payload as unknown as PublishMessagePayload;
    expect(p).to.deep.equal({
      name: MESSAGE.orderSubmitted,
      correlationKey: order.orderNo,
      variables: {
        orderId: order.id,
        orderNo: order.orderNo,
        customerManager: 'zhang.san',
        apInvolved: true,
        apPartnerId: ap.id,
        orderSummary: {
          customerName: (await ds.getRepository(CustomerEntity).findOneByOrFail({ id: order.customerId })).name,
          modules: order.modules,
          accounts: order.accounts,
          openingDate: order.openingDate,
          termMonths: order.termMonths,
          amount: Number(order.amount),
          apPartnerId: ap.id,
          // the forms show the partner by name and code, not its UUID
          apPartnerName: ap.name,
          apPartnerCode: ap.code,
        },
      },
      messageId: `order-submitted:${order.orderNo}`,
      timeToLive: 3_600_000,
    });
    expect(command.dedupeKey).to.equal(`order-submitted:${order.orderNo}`);
    const stored = await ds.getRepository(ProcessCommandEntity).findOneByOrFail({ id: command.id });
    expect(stored.payload).to.deep.equal(command.payload);
    expect(stored.dispatchedAt).to.equal(null);
  });

  it('an order that fails validation leaves no row and no command', async () => {
    const c = await aCustomer(ds);
    let err: unknown;
    try {
      await createOrder(
        ds,
        {
          customerId: c.id,
          modules: ['live-training'],
          accounts: 5,
          openingDate: '2026-10-01',
          termMonths: 3,
          amount: 1,
          apInvolved: true,
          apPartnerId: 'nope',
        },
        { actor: 'cm' },
      );
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/ap-partner nope not found/);
    expect(await ds.getRepository(BusinessOrderEntity).count()).to.equal(0);
    expect(await ds.getRepository(ProcessCommandEntity).count()).to.equal(0);
  });

  it('the same dedupe key is enqueued once', async () => {
    const a = await inTransaction(ds, (em) =>
      enqueueCommand(em, {
        kind: 'create-process-instance',
        bpmnProcessId: PROCESS.monthlyReport,
        variables: { m: '2026-10' },
        dedupeKey: 'report:2026-10',
      }),
    );
    const b = await inTransaction(ds, (em) =>
      enqueueCommand(em, {
        kind: 'create-process-instance',
        bpmnProcessId: PROCESS.monthlyReport,
        variables: { m: 'other' },
        dedupeKey: 'report:2026-10',
      }),
    );
    expect(a.created).to.equal(true);
    expect(b.created).to.equal(false);
    expect(b.command.id).to.equal(a.command.id);
    expect(await ds.getRepository(ProcessCommandEntity).count()).to.equal(1);
  });

  it('claimPending leases due commands oldest first; markDispatched and markFailed (back-off) move them on', async () => {
    const t0 = new Date('2026-11-25T00:00:00Z');
    for (let i = 0; i < 3; i++) {
      await inTransaction(ds, (em) =>
        enqueueCommand(
          em,
          { kind: 'publish-message', name: MESSAGE.serviceRequestLogged, correlationKey: `FW-2026-00000${i}`, variables: {} },
          new Date(t0.getTime() + i),
        ),
      );
    }
    const now = new Date(t0.getTime() + 1000);
    const first = await claimPending(ds, 2, { now, leaseMs: 30_000 });
    expect(first.map((c) => (c.payload as { correlationKey: string }).correlationKey)).to.deep.equal(['FW-2026-000000', 'FW-2026-000001']);
    const second = await claimPending(ds, 10, { now });
    expect(second.map((c) => (c.payload as { correlationKey: string }).correlationKey)).to.deep.equal(['FW-2026-000002']);
    expect(await claimPending(ds, 10, { now })).to.deep.equal([]);
    await markDispatched(ds, first[0]!.id, { ok: true }, now);
    await markDispatched(ds, first[0]!.id, { ok: true }, now); // repeated ack: no-op
    await markFailed(ds, first[1]!.id, 'UNAVAILABLE: gateway down', { now });
    const failed = await ds.getRepository(ProcessCommandEntity).findOneByOrFail({ id: first[1]!.id });
    expect(failed).to.deep.include({ attempts: 1, lastError: 'UNAVAILABLE: gateway down', claimedUntil: null, dispatchedAt: null });
    expect(failed.nextAttemptAt.getTime()).to.equal(now.getTime() + 2000);
    // not due yet; after the back-off it is claimed again; the expired lease of #3 makes it claimable too
    expect(await claimPending(ds, 10, { now: new Date(now.getTime() + 1000) })).to.deep.equal([]);
    const later = await claimPending(ds, 10, { now: new Date(now.getTime() + 31_000) });
    expect(later.map((c) => c.id).sort()).to.deep.equal([first[1]!.id, second[0]!.id].sort());
    const done = await ds.getRepository(ProcessCommandEntity).findOneByOrFail({ id: first[0]!.id });
    expect(done.dispatchedAt?.toISOString()).to.equal(now.toISOString());
    expect(done.result).to.deep.equal({ ok: true });
    expect(done.attempts).to.equal(1);
  });

  it('concurrent dispatchers never claim the same command twice', async () => {
    for (let i = 0; i < 30; i++) {
      await inTransaction(ds, (em) =>
        enqueueCommand(em, { kind: 'publish-message', name: MESSAGE.orderSubmitted, correlationKey: `K${i}`, variables: {} }),
      );
    }
    const ids: string[] = [];
    // rounds of 5 concurrent claimers (SKIP LOCKED may hand a claimer fewer rows) until all are leased
    for (let round = 0; round < 10 && ids.length < 30; round++) {
      const batches = await Promise.all([0, 1, 2, 3, 4].map(() => claimPending(ds, 10)));
      ids.push(...batches.flat().map((c) => c.id));
    }
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids.length).to.equal(30);
  });

  it('a notification is recorded once per dedupe key', async () => {
    const n = {
      dedupeKey: 'completion-reminder:o1',
      recipientUser: 'zhang.san',
      template: 'completion-reminder',
      refs: { orderNo: 'YW-2026-000001' },
    };
    const a = await inTransaction(ds, (em) => enqueueNotification(em, n));
    const b = await inTransaction(ds, (em) => enqueueNotification(em, { ...n, template: 'other' }));
    expect([a.created, b.created]).to.deep.equal([true, false]);
    expect(await ds.getRepository(NotificationEntity).count()).to.equal(1);
    let err: unknown;
    try {
      await inTransaction(ds, (em) => enqueueNotification(em, { dedupeKey: 'x', template: 't', refs: {} }));
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/recipient/);
  });
});
