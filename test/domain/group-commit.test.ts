/** db/group-commit.ts through createOrderBatcher: one transaction per batch, one savepoint per create. */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { BusinessOrderEntity, CustomerEntity, ProcessCommandEntity, RecordVersionEntity } from '../../db/entities/index';
import { createBatcher } from '../../db/group-commit';
import { TRANSACTION_RETRY } from '../../platform/retry';
import { parseNumber } from '../../domain/numbering';
import { createOrder, createOrderBatcher, type CreateOrderInput, type CreatedOrder } from '../../domain/orders';
import { closeTestDataSource, openTestDataSource, resetDatabase } from '../support/db';
import { aCustomer, CM } from '../support/fixtures';

const input = (customerId: string, note: string): CreateOrderInput => ({
  customerId,
  modules: ['learning-management'],
  accounts: 10,
  openingDate: '2026-12-01',
  termMonths: 12,
  amount: 1200,
  apInvolved: false,
  note,
});
const seqOf = (no: string) => parseNumber(no)!.seq;
const settle = <T>(ps: Promise<T>[]) => Promise.allSettled(ps);
const deadlock = () => Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 });

describe('domain/group-commit (order create batcher)', () => {
  let ds: DataSource;
  let customerId: string;
  before(async () => {
    ds = await openTestDataSource({ poolSize: 30 });
  });
  beforeEach(async () => {
    await resetDatabase(ds);
    customerId = (await aCustomer(ds)).id;
  });
  after(async () => closeTestDataSource(ds));

  async function lastValue(): Promise<number> {
    const rows: { last_value: number | string }[] = await ds.query(
      "SELECT last_value FROM document_sequence WHERE document_type = 'business-order'",
    );
    return rows.length ? Number(rows[0].last_value) : 0;
  }
  async function rowsFor(note: string) {
    const orders = await ds.getRepository(BusinessOrderEntity).findBy({ note });
    return orders;
  }

  it('creates submitted together share one batch and get consecutive numbers in arrival order', async () => {
    const sizes: number[] = [];
    const fast: boolean[] = [];
    const create = createOrderBatcher(ds, { onBatch: (n) => sizes.push(n), onFastPath: (t) => fast.push(t) });
    const res = await Promise.all(Array.from({ length: 20 }, (_, i) => create(input(customerId, `n${i}`), { actor: CM })));
    expect(sizes).to.deep.equal([20]);
    expect(fast).to.deep.equal([true]); // one number block, one multi-row INSERT per table
    expect(res.map((r) => seqOf(r.order.orderNo))).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(res.map((r) => r.order.note)).to.deep.equal(Array.from({ length: 20 }, (_, i) => `n${i}`));
    expect(await ds.getRepository(BusinessOrderEntity).count()).to.equal(20);
    const cmds = await ds.getRepository(ProcessCommandEntity).find();
    expect(cmds.map((c) => (c.payload as { correlationKey: string }).correlationKey).sort()).to.deep.equal(
      res.map((r) => r.order.orderNo).sort(),
    );
    expect(await lastValue()).to.equal(20);
  });

  it('the fast path writes the same rows as createOrder (version 1, audit, start command)', async () => {
    const create = createOrderBatcher(ds);
    const [x, y] = await Promise.all([create(input(customerId, 'f0'), { actor: CM }), create(input(customerId, 'f1'), { actor: CM })]);
    const z = await createOrder(ds, input(customerId, 'f2'), { actor: CM });
    const shape = async (c: CreatedOrder) => {
      const o = (await ds.getRepository(BusinessOrderEntity).findOneByOrFail({ id: c.order.id })) as unknown as Record<string, unknown>;
      const v = await ds.getRepository(RecordVersionEntity).findBy({ recordId: c.order.id } as never);
      const cmd = await ds.getRepository(ProcessCommandEntity).findOneByOrFail({ dedupeKey: `order-submitted:${c.order.orderNo}` });
      const audits: { action: string; entity_type: string }[] = await ds.query(
        'SELECT action, entity_type FROM audit_log WHERE entity_id = ?',
        [c.order.id],
      );
      const strip = (r: Record<string, unknown>, keys: string[]) =>
        Object.fromEntries(Object.entries(r).filter(([k]) => !keys.includes(k)));
      return {
        order: strip(o, ['id', 'orderNo', 'note', 'createdAt', 'updatedAt']),
        versions: v.map((r) => ({ version: r.version, content: strip(r.content as Record<string, unknown>, ['note']) })),
        audits,
        cmd: {
          kind: cmd.kind,
          vars: Object.keys((cmd.payload as { variables: object }).variables).sort(),
          orderNo: (cmd.payload as { variables: { orderNo: string } }).variables.orderNo === c.order.orderNo,
        },
      };
    };
    const [sx, sy, sz] = [await shape(x), await shape(y), await shape(z)];
    expect(sx).to.deep.equal(sz);
    expect(sy).to.deep.equal(sz);
    expect(sx.versions).to.have.length(1);
    expect(sx.audits).to.have.length(1);
  });

  it('each result carries its own customer from the batch read, on the fast path and on the fallback', async () => {
    const other = await ds.getRepository(CustomerEntity).findOneByOrFail({ id: (await aCustomer(ds, '北京另一家公司')).id });
    const mine = await ds.getRepository(CustomerEntity).findOneByOrFail({ id: customerId });
    const fast: boolean[] = [];
    const create = createOrderBatcher(ds, {
      onFastPath: (t) => fast.push(t),
      afterInsert: async (_em, c) => {
        if (c.order.note === 'forced') throw new Error('forced');
      },
    });
    for (const notes of [
      ['c0', 'c1', 'c2'],
      ['c3', 'forced', 'c4'],
    ]) {
      const out = await settle(notes.map((n, i) => create(input(i === 1 ? other.id : customerId, n), { actor: CM })));
      for (const [i, o] of out.entries()) {
        if (notes[i] === 'forced') {
          expect(o.status).to.equal('rejected');
          continue;
        }
        const v = (o as PromiseFulfilledResult<Awaited<ReturnType<typeof create>>>).value;
        expect(v.customer, notes[i]).to.deep.equal(i === 1 ? other : mine);
        expect(v.customer.id).to.equal(v.order.customerId);
      }
    }
    expect(fast).to.deep.equal([true, false]);
  });

  it('splits at maxBatch and keeps arrival order across batches', async () => {
    const sizes: number[] = [];
    const create = createOrderBatcher(ds, { maxBatch: 3, onBatch: (n) => sizes.push(n) });
    const res = await Promise.all(Array.from({ length: 7 }, (_, i) => create(input(customerId, `m${i}`), { actor: CM })));
    expect(sizes).to.deep.equal([3, 3, 1]);
    expect(res.map((r) => seqOf(r.order.orderNo))).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
  });

  it('a failing create (forced failure, unknown customer, constraint error) rolls back only its own rows and number', async () => {
    const sizes: number[] = [];
    const fast: boolean[] = [];
    const create = createOrderBatcher(ds, {
      onBatch: (n) => sizes.push(n),
      onFastPath: (t) => fast.push(t),
      afterInsert: async (em, c: CreatedOrder) => {
        if (c.order.note === 'forced') throw new Error('forced failure after insert');
        // a real constraint error from the database: the same order id again
        if (c.order.note === 'duplicate') await em.getRepository(BusinessOrderEntity).insert({ ...c.order });
      },
    });
    const notes = ['a', 'forced', 'b', 'unknown', 'c', 'duplicate', 'd'];
    const out = await settle(
      notes.map((n) => create(input(n === 'unknown' ? '00000000-0000-4000-8000-00000000dead' : customerId, n), { actor: CM })),
    );
    expect(sizes).to.deep.equal([7]);
    expect(fast).to.deep.equal([false]); // the block was undone; one savepoint per create instead
    const ok = out.map((o, i) => ({ o, note: notes[i] })).filter((x) => x.o.status === 'fulfilled');
    expect(ok.map((x) => x.note)).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(ok.map((x) => seqOf((x.o as PromiseFulfilledResult<CreatedOrder>).value.order.orderNo))).to.deep.equal([1, 2, 3, 4]);
    const reason = (i: number) => String((out[i] as PromiseRejectedResult).reason);
    expect(reason(1)).to.match(/forced failure after insert/);
    expect(reason(3)).to.match(/customer/);
    expect(reason(5)).to.match(/unique|duplicate|constraint/i);
    for (const n of ['forced', 'unknown', 'duplicate']) expect(await rowsFor(n), n).to.have.length(0);
    const committed = await ds.getRepository(BusinessOrderEntity).find();
    expect(committed.map((o) => seqOf(o.orderNo)).sort((a, b) => a - b)).to.deep.equal([1, 2, 3, 4]);
    expect(await ds.getRepository(ProcessCommandEntity).count()).to.equal(4);
    expect(await ds.getRepository(RecordVersionEntity).countBy({ recordType: 'business-order' } as never)).to.equal(4);
    expect(await lastValue()).to.equal(4);
    // the next create continues without a gap
    const next = await create(input(customerId, 'e'), { actor: CM });
    expect(seqOf(next.order.orderNo)).to.equal(5);
  });

  it('a whole-batch failure (deadlock on every attempt) rejects every caller and commits nothing', async () => {
    let attempts = 0;
    const create = createOrderBatcher(ds, {
      afterInsert: async (_em, c) => {
        if (c.order.note === 'x2') {
          attempts++;
          throw deadlock();
        }
      },
    });
    const out = await settle(['x0', 'x1', 'x2', 'x3'].map((n) => create(input(customerId, n), { actor: CM })));
    expect(out.map((o) => o.status)).to.deep.equal(['rejected', 'rejected', 'rejected', 'rejected']);
    for (const o of out) expect(String((o as PromiseRejectedResult).reason)).to.match(/Deadlock/);
    // inTransaction re-ran the whole batch before giving up, on either driver (platform/retry.ts)
    expect(attempts).to.equal(TRANSACTION_RETRY.attempts);
    expect(await ds.getRepository(BusinessOrderEntity).count()).to.equal(0);
    expect(await ds.getRepository(ProcessCommandEntity).count()).to.equal(0);
    expect(await lastValue()).to.equal(0);
  });

  it('a deadlock retry re-runs the whole batch; callers get what the committed attempt wrote (inTransaction retries it)', async () => {
    let attempts = 0;
    const create = createOrderBatcher(ds, {
      afterInsert: async (_em, c) => {
        if (c.order.note === 'y1' && ++attempts === 1) throw deadlock();
      },
    });
    const res = await Promise.all(['y0', 'y1', 'y2'].map((n) => create(input(customerId, n), { actor: CM })));
    expect(attempts).to.equal(2);
    expect(res.map((r) => seqOf(r.order.orderNo))).to.deep.equal([1, 2, 3]);
    const stored = await ds.getRepository(BusinessOrderEntity).find();
    expect(stored.map((o) => o.id).sort()).to.deep.equal(res.map((r) => r.order.id).sort());
    expect(await ds.getRepository(ProcessCommandEntity).count()).to.equal(3);
    expect(await lastValue()).to.equal(3);
  });

  it('two batchers (as in two API processes) on one database stay gap-free', async () => {
    const a = createOrderBatcher(ds, { maxBatch: 7 });
    const b = createOrderBatcher(ds, { maxBatch: 5 });
    const res = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b)(input(customerId, `z${i}`), { actor: CM })));
    expect(res.map((r) => seqOf(r.order.orderNo)).sort((x, y) => x - y)).to.deep.equal(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(await ds.getRepository(ProcessCommandEntity).count()).to.equal(60);
  });

  it('a run that returns the wrong number of outcomes fails the batch', async () => {
    const b = createBatcher<number, number>({
      db: ds,
      maxBatch: 10,
      run: async (_em, items) => items.slice(1).map((v) => ({ ok: true as const, value: v })),
    });
    const out = await settle([b.submit(1), b.submit(2)]);
    expect(out.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
    expect(() => createBatcher<number, number>({ db: ds, maxBatch: 0, run: async () => [] })).to.throw(/maxBatch/);
  });
});
