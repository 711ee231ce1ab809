/**
 * Idempotency-Key on the creating POSTs (issue #15, IETF httpapi draft) on the real database: replay,
 * 422 on another body, concurrent duplicates → one record, 24 h retention, a failed first request frees
 * the key, a claim left by a crash is taken over; the header is in the OpenAPI document.
 */
import { expect } from 'chai';
import {
  BusinessOrderEntity,
  ChangeOrderEntity,
  CustomerCommunicationRecordEntity,
  IdempotencyRecordEntity,
  ServiceRequestEntity,
} from '../../db/index';
import { ABANDONED_MS, IDEMPOTENCY_KEY_TTL_MS } from '../../domain/idempotency';
import { startApi, type ApiHarness } from './harness';
import { CUSTOMER, seedWorld, snapshot, type World } from './fixtures';

const order = (over: Record<string, unknown> = {}) => ({
  customerId: CUSTOMER,
  modules: ['learning-management'],
  accounts: 10,
  openingDate: '2026-11-02',
  termMonths: 12,
  amount: 1000,
  apInvolved: false,
  apPartnerId: null,
  ...over,
});

describe('api: Idempotency-Key on creating requests', function () {
  let api: ApiHarness;
  let w: World;
  let cm: string, adm: string;
  before(async () => {
    api = await startApi();
    w = await seedWorld(api.ds);
    [cm, adm] = await Promise.all(['customer-manager', 'admin'].map((u) => api.token(u)));
  });
  after(async () => api?.close());
  afterEach(() => expect(api.errors).to.have.length(0));

  const post = (path: string, body: unknown, key?: string, token = cm) =>
    api.request('POST', path, { token, body, headers: key === undefined ? {} : { 'idempotency-key': key } });
  const orders = () => api.ds.getRepository(BusinessOrderEntity).count();

  it('the same key and body twice: one order, the first response replayed (status, body, Location)', async () => {
    const n = await orders();
    const first = await post('/api/orders', order(), '"order-k1"');
    expect(first.status, first.text).to.equal(201);
    // the same body with its keys in another order is the same request
    const body = order();
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await post('/api/orders', reordered, '"order-k1"');
    expect(again.status).to.equal(201);
    expect(again.json).to.deep.equal(first.json);
    expect(again.headers.location).to.equal(first.headers.location);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    expect(await orders()).to.equal(n + 1);
    // without the header every POST creates (unchanged behaviour)
    await post('/api/orders', order());
    expect(await orders()).to.equal(n + 2);
  });

  it('the same key with another body is a 422 naming the header; nothing is written', async () => {
    await post('/api/orders', order(), 'order-k2');
    const before = await snapshot(api.ds);
    const other = await post('/api/orders', order({ accounts: 11 }), 'order-k2');
    expect(other.status, other.text).to.equal(422);
    expect(other.json.errors).to.deep.equal([
      { in: 'header', pointer: '/idempotency-key', detail: 'already used for a different request' },
    ]);
    // on another route too
    const elsewhere = await post('/api/service-requests', { type: 'CONSULTATION', orderId: w.orderA, description: '咨询' }, 'order-k2');
    expect(elsewhere.status).to.equal(422);
    expect(await snapshot(api.ds)).to.deep.equal(before);
  });

  it('12 concurrent duplicates: one order, every caller gets its response', async () => {
    const n = await orders();
    const res = await Promise.all(Array.from({ length: 12 }, () => post('/api/orders', order({ note: '并发' }), 'order-k3')));
    expect(res.map((r) => r.status)).to.deep.equal(Array(12).fill(201));
    expect(new Set(res.map((r) => r.json.orderNo)).size).to.equal(1);
    expect(await orders()).to.equal(n + 1);
  });

  it('keys are per user; kept 24 h, then the key is new again', async () => {
    const a = await post('/api/orders', order(), 'shared-key');
    // another user's same key is another request: the admin's correction is made, not refused as a reuse
    const corr = { reason: '管理员更正', changes: { accounts: 20 } };
    const b = await post(`/api/records/business-order/${a.json.id}/corrections`, corr, 'shared-key', adm);
    expect(b.status, b.text).to.equal(201);
    expect(b.json.version).to.equal(2);
    const repo = api.ds.getRepository(IdempotencyRecordEntity);
    const row = await repo.findOneByOrFail({ actor: 'customer-manager', idempotencyKey: 'shared-key' });
    expect(row).to.include({ state: 'DONE', responseStatus: 201, operation: 'createOrder' });
    // 23 h old: still replayed
    await repo.update(
      { actor: 'customer-manager', idempotencyKey: 'shared-key' },
      { createdAt: new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS + 3600_000) },
    );
    expect((await post('/api/orders', order(), 'shared-key')).json.orderNo).to.equal(a.json.orderNo);
    // 25 h old: forgotten, a new order
    await repo.update(
      { actor: 'customer-manager', idempotencyKey: 'shared-key' },
      { createdAt: new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS - 3600_000) },
    );
    const later = await post('/api/orders', order(), 'shared-key');
    expect(later.status).to.equal(201);
    expect(later.json.orderNo).to.not.equal(a.json.orderNo);
  });

  it('a first request that fails frees its key; a claim left by a crash is taken over after a while', async () => {
    const unknown = await post(
      '/api/change-orders',
      {
        orderId: '00000000-0000-4000-8000-000000000000',
        description: '加账号',
        accountDelta: 5,
        platformChange: false,
        apScopeChange: false,
      },
      'co-k1',
    );
    expect(unknown.status).to.equal(404);
    expect(await api.ds.getRepository(IdempotencyRecordEntity).countBy({ idempotencyKey: 'co-k1' })).to.equal(0);
    const co = await post(
      '/api/change-orders',
      { orderId: w.orderA, description: '加账号', accountDelta: 5, platformChange: false, apScopeChange: false },
      'co-k1',
    );
    expect(co.status, co.text).to.equal(201);
    const replay = await post(
      '/api/change-orders',
      { orderId: w.orderA, description: '加账号', accountDelta: 5, platformChange: false, apScopeChange: false },
      'co-k1',
    );
    expect(replay.json.changeOrderNo).to.equal(co.json.changeOrderNo);
    expect(await api.ds.getRepository(ChangeOrderEntity).countBy({ orderId: w.orderA })).to.equal(1);

    // a claim whose request died (no response stored) blocks for ABANDONED_MS, not for ever
    const repo = api.ds.getRepository(IdempotencyRecordEntity);
    const sr = { type: 'CONSULTATION', orderId: w.orderA, description: '咨询开通流程' };
    const first = await post('/api/service-requests', sr, 'sr-k1');
    await repo.update(
      { idempotencyKey: 'sr-k1' },
      { state: 'IN_PROGRESS', response: null, responseStatus: null, createdAt: new Date(Date.now() - ABANDONED_MS - 1000) },
    );
    const after = await post('/api/service-requests', sr, 'sr-k1');
    expect(after.status).to.equal(201);
    expect(after.json.requestNo).to.not.equal(first.json.requestNo);
    expect(await api.ds.getRepository(ServiceRequestEntity).countBy({ orderId: w.orderA })).to.equal(2);
  });

  it('every creating route honours it; a malformed key is a 400 naming the header', async () => {
    const rec = { orderId: w.orderB, networkQuality: '4', serviceAttitude: '5', customerFeedback: '正常' };
    const r1 = await post('/api/customer-communication-records', rec, 'cc-k1');
    const r2 = await post('/api/customer-communication-records', rec, 'cc-k1');
    expect([r1.status, r2.status]).to.deep.equal([201, 201]);
    expect(r2.json.recordNo).to.equal(r1.json.recordNo);
    expect(await api.ds.getRepository(CustomerCommunicationRecordEntity).countBy({ orderId: w.orderB })).to.equal(1);
    const corr = { reason: '客户确认', changes: { accounts: 12 } };
    const c1 = await post(`/api/records/business-order/${w.orderB}/corrections`, corr, 'fix-k1');
    const c2 = await post(`/api/records/business-order/${w.orderB}/corrections`, corr, 'fix-k1');
    expect([c1.status, c2.status, c2.json.version]).to.deep.equal([201, 201, c1.json.version]);
    for (const bad of ['', 'has space', '"unterminated', 'x'.repeat(129), '"a"b"']) {
      const res = await post('/api/orders', order(), bad);
      expect(res.status, JSON.stringify(bad)).to.equal(400);
      expect(res.json.errors[0]).to.include({ in: 'header', pointer: '/idempotency-key' });
    }
  });

  it('the OpenAPI document describes the header on each creating operation, with 422', async () => {
    const doc = (await api.request('GET', '/api/openapi.json')).json;
    const ops = Object.values(
      doc.paths as Record<
        string,
        Record<string, { operationId: string; parameters: { name: string; in: string }[]; responses: Record<string, unknown> }>
      >,
    )
      .flatMap((p) => Object.values(p))
      .filter((op) => op.parameters?.some((x) => x.name === 'Idempotency-Key' && x.in === 'header'));
    expect(ops.map((op) => op.operationId).sort()).to.deep.equal([
      'correctRecord',
      'createChangeOrder',
      'createCommunicationRecord',
      'createOrder',
      'createServiceRequest',
      'submitPaymentBasis',
    ]);
    for (const op of ops) expect(op.responses).to.have.property('422');
  });
});
