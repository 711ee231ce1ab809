/** POST /api/orders under concurrency: the store's group-commit batcher keeps numbers gap-free. */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { BusinessOrderEntity, ProcessCommandEntity, RecordVersionEntity } from '../../db/index';
import { parseNumber } from '../../domain/numbering';
import { MESSAGE } from '../../domain/vocabulary';
import { CUSTOMER } from './fixtures';
import { startApi, type ApiHarness } from './harness';

const newOrder = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  customerId: CUSTOMER,
  modules: ['learning-management'],
  accounts: 20,
  openingDate: '2026-12-01',
  termMonths: 12,
  amount: 2400,
  apInvolved: false,
  apPartnerId: null,
  ...over,
});

describe('api: concurrent order creates (group commit)', function () {
  this.timeout(60_000);
  let api: ApiHarness;
  let cm: string;
  before(async () => {
    api = await startApi();
    cm = await api.token('customer-manager');
  });
  after(async () => api?.close());

  async function lastValue(): Promise<number> {
    const rows: { last_value: number | string }[] = await api.ds.query(
      "SELECT last_value FROM document_sequence WHERE document_type = 'business-order'",
    );
    return rows.length ? Number(rows[0].last_value) : 0;
  }

  it('200 concurrent creates get exactly 1..200, each with one start command, version and its response', async () => {
    const res = await Promise.all(
      Array.from({ length: 200 }, (_, i) => api.request('POST', '/api/orders', { token: cm, body: newOrder({ note: `c${i}` }) })),
    );
    expect(res.map((r) => r.status)).to.deep.equal(Array(200).fill(201));
    const seqs = res.map((r) => parseNumber(r.json.orderNo)!.seq).sort((a, b) => a - b);
    expect(seqs).to.deep.equal(Array.from({ length: 200 }, (_, i) => i + 1));
    const stored = await api.ds.getRepository(BusinessOrderEntity).find();
    expect(stored).to.have.length(200);
    const byId = new Map(stored.map((o) => [o.id, o]));
    for (const r of res) {
      expect(byId.get(r.json.id)?.orderNo).to.equal(r.json.orderNo);
      expect(byId.get(r.json.id)?.note).to.equal(r.json.note);
    }
    const cmds = await api.ds.getRepository(ProcessCommandEntity).find();
    const keys = cmds
      .filter((c) => (c.payload as { name?: string }).name === MESSAGE.orderSubmitted)
      .map((c) => (c.payload as { correlationKey: string }).correlationKey);
    expect(keys.sort()).to.deep.equal(res.map((r) => r.json.orderNo as string).sort());
    expect(await api.ds.getRepository(RecordVersionEntity).countBy({ recordType: 'business-order', version: 1 })).to.equal(200);
    expect(await lastValue()).to.equal(200);
  });

  it('creates for unknown customers fail (404) among concurrent ones, leaving no gap', async () => {
    const before = await lastValue();
    const bodies = Array.from({ length: 60 }, (_, i) => newOrder({ note: `u${i}`, customerId: i % 5 === 2 ? randomUUID() : CUSTOMER }));
    const res = await Promise.all(bodies.map((body) => api.request('POST', '/api/orders', { token: cm, body })));
    const bad = res.filter((_, i) => i % 5 === 2);
    const good = res.filter((_, i) => i % 5 !== 2);
    expect(bad.map((r) => r.status)).to.deep.equal(Array(12).fill(404));
    expect(good.map((r) => r.status)).to.deep.equal(Array(48).fill(201));
    expect(good.map((r) => parseNumber(r.json.orderNo)!.seq).sort((a, b) => a - b)).to.deep.equal(
      Array.from({ length: 48 }, (_, i) => before + i + 1),
    );
    expect(await lastValue()).to.equal(before + 48);
    const notes = new Set((await api.ds.getRepository(BusinessOrderEntity).find()).map((o) => o.note));
    for (const [i, b] of bodies.entries()) expect(notes.has(b.note as string), String(b.note)).to.equal(i % 5 !== 2);
    expect(api.errors).to.have.length(0);
  });
});
