/** workers/runtime/once.ts: one effect per key under sequential and concurrent redelivery; the stored variables read back as returned. */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { ProcessedJobEntity } from '../../db/entities/index';
import { nextNumber } from '../../domain/numbering';
import { guardOnly, once, storedResult } from '../../workers/runtime/once';
import { closeTestDataSource, openTestDataSource, resetDatabase } from '../support/db';

const at = new Date('2026-11-20T02:00:00.123Z');
const lastValue = async (ds: DataSource) => {
  const rows: { last_value: number | string }[] = await ds.query(
    "SELECT last_value FROM document_sequence WHERE document_type = 'service-request'",
  );
  return rows.length ? Number(rows[0].last_value) : 0;
};

describe('workers: runtime once (processed_job)', () => {
  let ds: DataSource;
  before(async () => {
    ds = await openTestDataSource({ poolSize: 20 });
  });
  beforeEach(async () => resetDatabase(ds));
  after(async () => closeTestDataSource(ds));

  it('runs the work once per key; a redelivery gets the stored variables back exactly (JSON: unicode, quotes, nesting, null)', async () => {
    let runs = 0;
    const vars = { requestNo: '', note: `引号 'x' "y" \\ ? 😀`, nested: { list: [1, 2.5, null, true, false, ''] }, nothing: null, n: 0 };
    const work = async (em: Parameters<Parameters<typeof once>[4]>[0]) => {
      runs++;
      return { ...vars, requestNo: await nextNumber(em, 'service-request', 2026) };
    };
    const first = await once(ds, 'test.job', 'key-1', at, work);
    const second = await once(ds, 'test.job', 'key-1', at, work);
    expect(runs).to.equal(1);
    expect(first.requestNo).to.match(/^[A-Z]+-2026-0*1$/);
    expect({ ...first, requestNo: '' }).to.deep.equal(vars);
    expect(second).to.deep.equal(first);
    expect(await storedResult(ds, 'test.job', 'key-1')).to.deep.equal(first);
    const row = await ds.getRepository(ProcessedJobEntity).findOneByOrFail({ jobType: 'test.job', idempotencyKey: 'key-1' });
    expect(row.result).to.deep.equal(first);
    expect(row.processedAt.toISOString()).to.equal(at.toISOString());
    expect(await lastValue(ds)).to.equal(1);
  });

  it('guardOnly (no look-up before the transaction): a redelivery, one after the other or at once, meets the guard row and gets the stored variables; the work ran once', async () => {
    let runs = 0;
    const work = async (em: Parameters<Parameters<typeof once>[4]>[0]) => {
      runs++;
      return { requestNo: await nextNumber(em, 'service-request', 2026) };
    };
    const first = await once(ds, 'test.job', guardOnly('key-g'), at, work);
    const again = await once(ds, 'test.job', guardOnly('key-g'), at, work);
    const racing = await Promise.all([1, 2, 3].map(() => once(ds, 'test.job', guardOnly('key-g'), at, work)));
    expect(runs).to.equal(1);
    expect(again).to.deep.equal(first);
    for (const r of racing) expect(r).to.deep.equal(first);
    expect(await lastValue(ds)).to.equal(1);
  });

  it('an unknown key has no stored result; empty variables are stored as such', async () => {
    expect(await storedResult(ds, 'test.job', 'nope')).to.equal(null);
    expect(await once(ds, 'test.job', 'empty', at, async () => ({}))).to.deep.equal({});
    expect(await storedResult(ds, 'test.job', 'empty')).to.deep.equal({});
    expect(await storedResult(ds.manager, 'test.job', 'empty')).to.deep.equal({});
  });

  it('concurrent deliveries of one key: one effect, one number, every delivery gets its variables', async () => {
    let runs = 0;
    const deliveries = await Promise.all(
      Array.from({ length: 8 }, () =>
        once(ds, 'test.job', 'key-c', at, async (em) => {
          runs++;
          return { requestNo: await nextNumber(em, 'service-request', 2026) };
        }),
      ),
    );
    expect(new Set(deliveries.map((d) => d.requestNo)).size).to.equal(1);
    expect(await lastValue(ds)).to.equal(1);
    expect(await ds.getRepository(ProcessedJobEntity).countBy({ jobType: 'test.job' })).to.equal(1);
    // the guard row comes first: the other deliveries wait on its key (MySQL) or are serialised (SQLite), never run the work
    expect(runs).to.equal(1);
  });

  it('work that throws leaves no processed_job row and no number; the next delivery runs it', async () => {
    let err: unknown;
    try {
      await once(ds, 'test.job', 'key-f', at, async (em) => {
        await nextNumber(em, 'service-request', 2026);
        throw new Error('boom');
      });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).to.equal('boom');
    expect(await storedResult(ds, 'test.job', 'key-f')).to.equal(null);
    expect(await lastValue(ds)).to.equal(0);
    const ok = await once(ds, 'test.job', 'key-f', at, async (em) => ({ requestNo: await nextNumber(em, 'service-request', 2026) }));
    expect(ok.requestNo).to.match(/-2026-0*1$/);
  });
});
