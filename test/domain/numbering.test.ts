import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { inTransaction, isMysql } from '../../db/index';
import { BusinessOrderEntity, ProcessCommandEntity } from '../../db/entities/index';
import { formatNumber, nextNumber, nextSequence, parseNumber } from '../../domain/numbering';
import { createOrder } from '../../domain/orders';
import { DOCUMENT_TYPE, type DocumentType } from '../../domain/vocabulary';
import { closeTestDataSource, openTestDataSource, resetDatabase, tracedTransaction } from '../support/db';
import { aCustomer } from '../support/fixtures';

describe('domain/numbering', () => {
  let ds: DataSource;
  before(async () => {
    ds = await openTestDataSource({ poolSize: 30 });
  });
  beforeEach(async () => resetDatabase(ds));
  after(async () => closeTestDataSource(ds));

  it('formats every document type as <PREFIX>-<YEAR>-<SEQ> and parses it back', () => {
    expect(formatNumber('business-order', 2026, 123)).to.equal('YW-2026-000123');
    expect(formatNumber('countersign-form-revenue', 2026, 7)).to.equal('HQ-SR-2026-0007');
    expect(formatNumber('countersign-form-expense', 2026, 3)).to.equal('HQ-ZC-2026-0003');
    for (const t of Object.keys(DOCUMENT_TYPE) as DocumentType[]) {
      const no = formatNumber(t, 2027, 42);
      expect(parseNumber(no), no).to.deep.equal({ documentType: t, year: 2027, seq: 42 });
    }
    expect(parseNumber('XX-2026-1')).to.equal(null);
  });

  it('numbers per type and per year, starting at 1', async () => {
    const got = await inTransaction(ds, async (em) => [
      await nextNumber(em, 'business-order', 2026),
      await nextNumber(em, 'business-order', 2026),
      await nextNumber(em, 'change-order', 2026),
      await nextNumber(em, 'business-order', 2027),
    ]);
    expect(got).to.deep.equal(['YW-2026-000001', 'YW-2026-000002', 'BG-2026-000001', 'YW-2027-000001']);
  });

  it('refuses to allocate outside a transaction (a number must commit with its record)', async () => {
    let err: unknown;
    try {
      await nextNumber(ds.manager, 'business-order', 2026);
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/inside the transaction/);
  });

  it('a rolled-back allocation leaves no gap', async () => {
    await inTransaction(ds, (em) => nextSequence(em, 'payment-basis', 2026));
    let rolledBack: number | undefined;
    try {
      await inTransaction(ds, async (em) => {
        rolledBack = await nextSequence(em, 'payment-basis', 2026);
        throw new Error('boom');
      });
    } catch (e) {
      expect((e as Error).message).to.equal('boom');
    }
    expect(rolledBack).to.equal(2);
    expect(await inTransaction(ds, (em) => nextSequence(em, 'payment-basis', 2026))).to.equal(2);
  });

  it('an order whose creation fails leaves neither a number gap nor a start command', async () => {
    const c = await aCustomer(ds);
    const base = {
      customerId: c.id,
      modules: ['live-training' as const],
      accounts: 10,
      openingDate: '2026-11-01',
      termMonths: 6,
      amount: 100,
      apInvolved: false,
    };
    const first = await createOrder(ds, base, { actor: 'cm', at: new Date('2026-11-20T02:00:00Z') });
    let err: unknown;
    try {
      await inTransaction(ds, async (em) => {
        await createOrder(em, base, { actor: 'cm', at: new Date('2026-11-20T02:00:00Z') });
        throw new Error('later step failed');
      });
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/later step failed/);
    const second = await createOrder(ds, base, { actor: 'cm', at: new Date('2026-11-20T02:00:00Z') });
    expect([first.order.orderNo, second.order.orderNo]).to.deep.equal(['YW-2026-000001', 'YW-2026-000002']);
    expect(await ds.getRepository(BusinessOrderEntity).count()).to.equal(2);
    expect(await ds.getRepository(ProcessCommandEntity).count()).to.equal(2);
  });

  it('a block (count > 1) returns its last value, on first use and after, and matches the stored row', async () => {
    const stored = async () =>
      Number(
        (
          (await ds.query(`SELECT last_value FROM document_sequence WHERE document_type = ? AND year = ?`, ['change-order', 2031])) as {
            last_value: number | string;
          }[]
        )[0].last_value,
      );
    const got = await inTransaction(ds, async (em) => [
      await nextSequence(em, 'change-order', 2031, 5),
      await nextSequence(em, 'change-order', 2031),
      await nextSequence(em, 'change-order', 2031, 3),
    ]);
    expect(got).to.deep.equal([5, 6, 9]);
    expect(await stored()).to.equal(9);
    // a rolled-back block leaves no gap either
    try {
      await inTransaction(ds, async (em) => {
        expect(await nextSequence(em, 'change-order', 2031, 4)).to.equal(13);
        throw new Error('undo');
      });
    } catch (e) {
      expect((e as Error).message).to.equal('undo');
    }
    expect(await stored()).to.equal(9);
    expect(await inTransaction(ds, (em) => nextSequence(em, 'change-order', 2031, 2))).to.equal(11);
  });

  it('allocates with ONE statement (the row lock is held until commit: no second round trip under it)', async () => {
    const { value: got, sql: seen } = await tracedTransaction(ds, async (em) => [
      await nextSequence(em, 'payment-basis', 2032),
      await nextSequence(em, 'payment-basis', 2032, 2),
    ]);
    expect(got).to.deep.equal([1, 3]);
    expect(seen).to.have.length(2);
    for (const sql of seen) expect(sql).to.match(/^INSERT INTO document_sequence/);
  });

  it('200 concurrent allocations give exactly 1..200; interleaved rollbacks leave no gap', async function () {
    this.timeout(120_000);
    const started = Date.now();
    // first use of (type, year): the sequence row itself is created under contention
    const first = await Promise.all(
      Array.from({ length: 200 }, () => inTransaction(ds, (em) => nextSequence(em, 'service-request', 2030))),
    );
    const elapsed = Date.now() - started;
    expect([...first].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 200 }, (_, i) => i + 1));
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        inTransaction(ds, async (em) => {
          const v = await nextSequence(em, 'service-request', 2030);
          if (i % 4 === 3) throw new Error('rollback');
          return v;
        }),
      ),
    );
    const ok = results.filter((r): r is PromiseFulfilledResult<number> => r.status === 'fulfilled').map((r) => r.value);
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(failed.map((f) => (f.reason as Error).message)).to.deep.equal(Array(25).fill('rollback'));
    expect([...ok].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 75 }, (_, i) => i + 201));
    expect(await inTransaction(ds, (em) => nextSequence(em, 'service-request', 2030))).to.equal(276);
    if (process.env.NUMBERING_TIMING) console.log(`      ${isMysql(ds) ? 'mysql' : 'sqlite'}: 200 concurrent allocations in ${elapsed} ms`);
  });
});
