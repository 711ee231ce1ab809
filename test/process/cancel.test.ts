/**
 * Cancelling an order cancels its process instance through the outbox (cancel-process-instance).
 * First the dispatcher's rules against a recording Zeebe client and the real database (NOT_FOUND is
 * done, an unknown key is retried, a start not yet sent never goes out), then end to end: API → outbox
 * → dispatcher → engine, the instance TERMINATED and its task gone from GET /api/tasks.
 */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { ProcessCommandEntity, type ProcessCommand } from '../../db/entities/index';
import { attachOrderProcessInstance, cancelOrder } from '../../domain/orders';
import { markDispatched, markFailed } from '../../domain/outbox';
import { startDispatcher, type DispatchClient, type RunningDispatcher } from '../../app/dispatcher';
import { closeTestDataSource, openTestDataSource, resetDatabase } from '../support/db';
import { anOrder } from '../support/fixtures';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

class RecordingZeebe implements DispatchClient {
  published: string[] = [];
  cancelled: string[] = [];
  cancelError: unknown = null;
  async publishMessage(req: { name: string; correlationKey: string }) {
    this.published.push(req.correlationKey);
    return { key: String(this.published.length) };
  }
  async createProcessInstance(): Promise<{ processInstanceKey: string }> {
    throw new Error('not used here');
  }
  async cancelProcessInstance(key: string) {
    this.cancelled.push(key);
    if (this.cancelError) throw this.cancelError;
  }
}
const grpcError = (code: number, name: string) =>
  Object.assign(new Error(`${code} ${name}: Command 'CANCEL' rejected`), { code, details: `${name}` });

describe('process: dispatcher cancels process instances (recording client, real database)', function () {
  this.timeout(20_000);
  let ds: DataSource;
  let zeebe: RecordingZeebe;
  let dispatcher: RunningDispatcher | undefined;
  const ctx = (reason = '客户取消') => ({ actor: 'zhang.san', reason });
  const row = (dedupeKey: string) => ds.getRepository(ProcessCommandEntity).findOneByOrFail({ dedupeKey });
  const start = () => {
    dispatcher = startDispatcher({ dataSource: ds, zeebe, idleMs: 10, maxBackOffMs: 100 });
    return dispatcher;
  };
  /** an order whose start message already went out */
  const startedOrder = async () => {
    const o = await anOrder(ds);
    await markDispatched(ds, o.command.id, { messageKey: 'earlier' });
    return o;
  };

  before(async () => {
    ds = await openTestDataSource();
  });
  beforeEach(async () => {
    await resetDatabase(ds);
    zeebe = new RecordingZeebe();
  });
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = undefined;
  });
  after(async () => closeTestDataSource(ds));

  it('key known: CancelProcessInstance with it, once; the row records the key', async () => {
    const { order } = await startedOrder();
    await attachOrderProcessInstance(ds, order.id, '2251799813685500');
    await cancelOrder(ds, order.id, ctx());
    await start().idle(5000);
    expect(zeebe.cancelled).to.deep.equal(['2251799813685500']);
    expect(zeebe.published).to.deep.equal([]);
    const r = await row(`cancel:${order.orderNo}`);
    expect(r.dispatchedAt).to.not.equal(null);
    expect(r.result).to.deep.equal({ processInstanceKey: '2251799813685500' });
  });

  it('NOT_FOUND (instance already ended or cancelled) counts as done; UNAVAILABLE is retried', async () => {
    const a = await startedOrder();
    await attachOrderProcessInstance(ds, a.order.id, '2251799813685501');
    await cancelOrder(ds, a.order.id, ctx());
    zeebe.cancelError = grpcError(5, 'NOT_FOUND');
    await start().idle(5000);
    expect((await row(`cancel:${a.order.orderNo}`)).result).to.deep.equal({ processInstanceKey: '2251799813685501', notFound: true });
    await dispatcher!.stop();

    const b = await startedOrder();
    await attachOrderProcessInstance(ds, b.order.id, '2251799813685502');
    await cancelOrder(ds, b.order.id, ctx());
    zeebe.cancelError = grpcError(14, 'UNAVAILABLE');
    start();
    const failing = await d.waitFor(
      async () => {
        const r = await row(`cancel:${b.order.orderNo}`);
        return r.attempts >= 2 ? r : null;
      },
      'the cancel failing while the gateway is unavailable',
      5000,
    );
    expect(failing.dispatchedAt).to.equal(null);
    expect(failing.lastError).to.match(/UNAVAILABLE/);
    zeebe.cancelError = null;
    dispatcher!.kick();
    await dispatcher!.idle(5000);
    expect((await row(`cancel:${b.order.orderNo}`)).result).to.deep.equal({ processInstanceKey: '2251799813685502' });
  });

  it('key not known yet (start sent, instance not located): retried, not dropped, until the key is on the order', async () => {
    const { order } = await startedOrder();
    await cancelOrder(ds, order.id, ctx());
    start();
    const waiting = await d.waitFor(
      async () => {
        const r = await row(`cancel:${order.orderNo}`);
        return r.attempts >= 2 ? r : null;
      },
      'the cancel retried while the key is unknown',
      5000,
    );
    expect(waiting.dispatchedAt).to.equal(null);
    expect(waiting.lastError).to.match(/not known yet/);
    expect(zeebe.cancelled).to.deep.equal([]);
    // the dispatcher (or its start-up sweep) records the key: the next attempt reads it from the order
    await attachOrderProcessInstance(ds, order.id, '2251799813685503');
    dispatcher!.kick();
    await dispatcher!.idle(5000);
    expect(zeebe.cancelled).to.deep.equal(['2251799813685503']);
    expect((await row(`cancel:${order.orderNo}`)).result).to.deep.equal({ processInstanceKey: '2251799813685503' });
  });

  it('start not sent yet (both due in one batch): the start is never published', async () => {
    const { order, command } = await anOrder(ds);
    await cancelOrder(ds, order.id, ctx());
    await start().idle(5000);
    expect(zeebe.published).to.deep.equal([]);
    expect(zeebe.cancelled).to.deep.equal([]);
    const s: ProcessCommand = await row(command.dedupeKey);
    expect(s.dispatchedAt).to.not.equal(null);
    expect((s.result as { superseded?: string }).superseded).to.match(/cancelled before its start was sent/);
    expect((await row(`cancel:${order.orderNo}`)).result).to.deep.equal({ startSuperseded: true });
  });

  it('start waiting for its retry (gateway was down): the cancel withdraws it and it never goes out', async () => {
    const { order, command } = await anOrder(ds);
    await markFailed(ds, command.id, '[14] UNAVAILABLE', { retryInMs: 300 });
    await cancelOrder(ds, order.id, ctx());
    await start().idle(5000);
    const s = await row(command.dedupeKey);
    expect(s.dispatchedAt).to.not.equal(null);
    expect((s.result as { superseded?: string }).superseded).to.match(new RegExp(`${order.orderNo} cancelled before its start was sent`));
    // well past the start's retry time: still nothing published
    await new Promise((r) => setTimeout(r, 500));
    dispatcher!.kick();
    await dispatcher!.idle(5000);
    expect(zeebe.published).to.deep.equal([]);
    expect((await row(`cancel:${order.orderNo}`)).result).to.deep.equal({ startSuperseded: true });
  });
});

describe('process: cancelling an order ends its instance (end to end)', function () {
  this.timeout(120_000);
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(async () => e?.stop());

  it('cancel through the API: the instance is TERMINATED and its task leaves GET /api/tasks', async () => {
    const o = await d.createOrder(e);
    const task = await e.api.waitTask(d.CM, 'confirm-order-with-customer', { orderNo: o.orderNo }, d.WAIT);
    const pik = await d.orderInstanceKey(e, o.id);
    expect(task.processInstanceKey).to.equal(pik);

    const cancelled = await e.api.post(d.CM, `/api/orders/${o.id}/cancel`, { reason: '客户取消采购' });
    expect(cancelled.status).to.equal('CANCELLED');

    // REST v2 (8.8+): a cancelled instance is TERMINATED (Operate's v1 API called it CANCELED); no end event reached
    const end = await d.instanceEnd(e, pik);
    expect(end.state).to.equal('TERMINATED');
    expect(end.endEvents).to.deep.equal([]);
    const ut = await e.rest('GET', `/v2/user-tasks/${task.key}`);
    expect(ut.status).to.equal(200);
    expect(ut.body.state).to.equal('CANCELED');
    await d.waitFor(
      async () => !(await e.api.tasks(d.CM)).some((t) => t.processInstanceKey === pik),
      `task of ${o.orderNo} gone from /api/tasks`,
    );
    expect((await e.api.tasks(d.CM, { processInstanceKey: pik })).length).to.equal(0);

    const cmd = await e.ds.getRepository(ProcessCommandEntity).findOneByOrFail({ dedupeKey: `cancel:${o.orderNo}` });
    expect(cmd.dispatchedAt).to.not.equal(null);
    expect(cmd.result).to.deep.equal({ processInstanceKey: pik });
    const refused = await e.api.call(d.CM, 'POST', `/api/orders/${o.id}/cancel`, { reason: '再次取消' });
    expect(refused.status).to.equal(409);
  });
});
