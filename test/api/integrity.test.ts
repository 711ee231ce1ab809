/**
 * Issue #15 through the API on the real database: every reproduction of the issue gives its 4xx naming
 * the field and leaves every table as it was (snapshot before/after); nothing reaches a 500.
 */
import { expect } from 'chai';
import { startApi, type ApiHarness } from './harness';
import { CUSTOMER, seedWorld, snapshot, type World } from './fixtures';

const newOrder = (over: Record<string, unknown> = {}) => ({
  customerId: CUSTOMER,
  modules: ['learning-management'],
  accounts: 50,
  openingDate: '2026-11-02',
  termMonths: 12,
  amount: 100,
  apInvolved: false,
  apPartnerId: null,
  ...over,
});

describe('api: integrity of records (issue #15)', function () {
  let api: ApiHarness;
  let w: World;
  let cm: string, adm: string, alpha: string;
  before(async () => {
    api = await startApi();
    w = await seedWorld(api.ds);
    [cm, adm, alpha] = await Promise.all(['customer-manager', 'admin', 'ap-alpha'].map((u) => api.token(u)));
  });
  after(async () => api?.close());
  afterEach(() => expect(api.errors, 'no request reached a 500').to.have.length(0));

  /** each refused correction: the status, the pointers named, and no table changed */
  async function refused(kind: string, id: string, changes: Record<string, unknown>, status: number, pointers: string[] = []) {
    const before = await snapshot(api.ds);
    const res = await api.request('POST', `/api/records/${kind}/${id}/corrections`, {
      token: adm,
      body: { reason: '客户要求调整', changes },
    });
    expect(res.status, `${JSON.stringify(changes)} → ${res.text}`).to.equal(status);
    expect(res.headers['content-type']).to.contain('application/problem+json');
    if (pointers.length)
      expect(
        res.json.errors.map((e: { pointer: string }) => e.pointer),
        JSON.stringify(changes),
      ).to.have.members(pointers);
    expect(await snapshot(api.ds), `nothing changed by ${JSON.stringify(changes)}`).to.deep.equal(before);
    return res;
  }

  describe('corrections are checked against the record kind’s schema on the corrected whole', () => {
    it('business order: wrong types, impossible dates, ranges, unknown ids, nested values → 400 naming each field', async () => {
      const o = (await api.request('POST', '/api/orders', { token: cm, body: newOrder() })).json;
      await refused('business-order', o.id, { accounts: 'many' }, 400, ['/changes/accounts']);
      await refused('business-order', o.id, { amount: 'abc' }, 400, ['/changes/amount']);
      await refused('business-order', o.id, { amount: -1 }, 400, ['/changes/amount']);
      await refused('business-order', o.id, { openingDate: '2026-02-30' }, 400, ['/changes/openingDate']);
      await refused('business-order', o.id, { apInvolved: 'yes' }, 400, ['/changes/apInvolved']);
      await refused('business-order', o.id, { termMonths: null }, 400, ['/changes/termMonths']);
      await refused('business-order', o.id, { customerId: 'nope' }, 400, ['/changes/customerId']);
      await refused('business-order', o.id, { note: { a: 1 } }, 400, ['/changes/note']);
      // the whole, not the patch: AP involvement without a partner
      await refused('business-order', o.id, { apInvolved: true }, 400, ['/changes/apPartnerId']);
      await refused('business-order', o.id, { accounts: 0, amount: 'x' }, 400, ['/changes/accounts', '/changes/amount']);
      const ok = await api.request('POST', `/api/records/business-order/${o.id}/corrections`, {
        token: cm,
        body: { reason: '客户确认', changes: { accounts: 60, note: null } },
      });
      expect(ok.status, ok.text).to.equal(201);
      const read = await api.request('GET', `/api/orders/${o.id}`, { token: adm });
      expect(read.status, read.text).to.equal(200);
      expect(read.json).to.include({ accounts: 60, amount: 100, version: 2 });
    });

    it('revenue contract (a draft): the same checks; expense contract after countersign → 409 naming the rule', async () => {
      await refused('revenue-contract', w.revenueA, { amount: 'abc' }, 400, ['/changes/amount']);
      await refused('revenue-contract', w.revenueA, { amount: -1 }, 400, ['/changes/amount']);
      await refused('revenue-contract', w.revenueA, { termMonths: null }, 400, ['/changes/termMonths']);
      await refused('revenue-contract', w.revenueA, { title: '' }, 400, ['/changes/title']);
      await refused('revenue-contract', w.revenueA, { note: { a: 1 } }, 400, ['/changes/note']);
      const ok = await api.request('POST', `/api/records/revenue-contract/${w.revenueA}/corrections`, {
        token: cm,
        body: { reason: '合同金额复核', changes: { amount: 118000 } },
      });
      expect(ok.status, ok.text).to.equal(201);
      expect((await api.request('GET', `/api/contracts/${w.revenueA}`, { token: adm })).json).to.include({
        amount: 118000,
        version: ok.json.version,
      });
      const res = await refused('expense-contract', w.expenseA, { amount: 1 }, 409);
      expect(res.json.rule).to.equal('no-correction-after-countersign');
    });

    it('payment basis: completedOn must be a real date; amounts are money', async () => {
      const pb = await api.request('POST', '/api/payment-bases', {
        token: alpha,
        body: {
          submissionId: 'alpha-integrity-1',
          expenseContractId: w.expenseA,
          amount: 24000,
          completedOn: '2026-10-20',
          description: '实施完成',
        },
      });
      expect(pb.status, pb.text).to.equal(201);
      await refused('payment-basis', pb.json.id, { completedOn: 'yesterday' }, 400, ['/changes/completedOn']);
      await refused('payment-basis', pb.json.id, { completedOn: '2026-02-30' }, 400, ['/changes/completedOn']);
      await refused('payment-basis', pb.json.id, { amount: 0.001 }, 400, ['/changes/amount']);
      await refused('payment-basis', pb.json.id, { attachments: 'a.pdf' }, 400, ['/changes/attachments']);
    });

    it('change order and communication record: the same', async () => {
      const co = await api.request('POST', '/api/change-orders', {
        token: cm,
        body: { orderId: w.orderA, description: '增加20个账号', accountDelta: 20, platformChange: false, apScopeChange: false },
      });
      expect(co.status, co.text).to.equal(201);
      await refused('change-order', co.json.id, { accountDelta: 1.5 }, 400, ['/changes/accountDelta']);
      await refused('change-order', co.json.id, { effectiveDate: '2026-04-31' }, 400, ['/changes/effectiveDate']);
      await refused('change-order', co.json.id, { apPartnerId: 'nope' }, 400, ['/changes/apPartnerId']);
      const rec = await api.request('POST', '/api/customer-communication-records', {
        token: cm,
        body: { orderId: w.orderA, networkQuality: '4', serviceAttitude: '5', customerFeedback: '正常使用' },
      });
      expect(rec.status, rec.text).to.equal(201);
      await refused('customer-communication-record', rec.json.id, { networkQuality: 5 }, 400, ['/changes/networkQuality']);
      // the ratings are the form's 1–5 (domain/vocabulary RATING), not free text, on filing and on correction
      await refused('customer-communication-record', rec.json.id, { serviceAttitude: '满意' }, 400, ['/changes/serviceAttitude']);
      const free = await api.request('POST', '/api/customer-communication-records', {
        token: cm,
        body: { orderId: w.orderA, networkQuality: '良好', serviceAttitude: '6', customerFeedback: '正常使用' },
      });
      expect(free.status, free.text).to.equal(400);
      expect(free.text).to.include('networkQuality').and.to.include('serviceAttitude');
      await refused('customer-communication-record', rec.json.id, { customerFeedback: null }, 400, ['/changes/customerFeedback']);
    });
  });

  it('no correction body reaches a 500, and every read afterwards still matches its response schema', async function () {
    this.timeout(120_000);
    const o = (await api.request('POST', '/api/orders', { token: cm, body: newOrder() })).json;
    const co = (
      await api.request('POST', '/api/change-orders', {
        token: cm,
        body: { orderId: w.orderB, description: '加10个账号', accountDelta: 10, platformChange: false, apScopeChange: false },
      })
    ).json;
    const cc = (
      await api.request('POST', '/api/customer-communication-records', {
        token: cm,
        body: { orderId: w.orderB, networkQuality: '4', serviceAttitude: '5', customerFeedback: '正常' },
      })
    ).json;
    const targets: [kind: string, id: string, fields: string[], read: string][] = [
      [
        'business-order',
        o.id,
        ['customerId', 'modules', 'accounts', 'openingDate', 'termMonths', 'amount', 'apInvolved', 'apPartnerId', 'note'],
        `/api/orders/${o.id}`,
      ],
      [
        'change-order',
        co.id,
        [
          'description',
          'platformChange',
          'apScopeChange',
          'apPartnerId',
          'accountDelta',
          'modules',
          'amountDelta',
          'effectiveDate',
          'note',
        ],
        `/api/change-orders/${co.id}`,
      ],
      ['revenue-contract', w.revenueA, ['title', 'amount', 'termMonths', 'note'], `/api/contracts/${w.revenueA}`],
      [
        'customer-communication-record',
        cc.id,
        ['networkQuality', 'serviceAttitude', 'customerFeedback', 'followUp', 'contactPerson', 'note'],
        `/api/customer-communication-records/${cc.id}`,
      ],
      ['countersign-form', w.formA, ['remarks'], `/api/countersign-forms/${w.formA}`],
    ];
    const values: unknown[] = [
      null,
      '',
      'x',
      -1,
      0,
      1.005,
      1e300,
      true,
      {},
      { a: 1 },
      [],
      ['x'],
      '2026-02-30',
      '2026-13-01',
      'x'.repeat(5000),
    ];
    const statuses = new Set<number>();
    for (const [kind, id, fields, read] of targets) {
      for (const f of fields)
        for (const v of values) {
          const res = await api.request('POST', `/api/records/${kind}/${id}/corrections`, {
            token: adm,
            body: { reason: '探测', changes: { [f]: v } },
          });
          expect(res.status, `${kind} ${f}=${JSON.stringify(v).slice(0, 40)} → ${res.text.slice(0, 300)}`).to.be.oneOf([201, 400]);
          statuses.add(res.status);
        }
      const r = await api.request('GET', read, { token: adm });
      expect(r.status, `${read} after the probes: ${r.text.slice(0, 300)}`).to.equal(200);
    }
    expect([...statuses].sort()).to.deep.equal([201, 400]);
  });

  it('dates in query parameters and bodies are real calendar dates', async () => {
    for (const path of ['/api/orders?from=2026-02-30', '/api/calendar/deadline?from=2026-04-31&workingDays=1']) {
      const res = await api.request('GET', path, { token: adm });
      expect(res.status, path).to.equal(400);
      expect(res.json.errors[0].in).to.equal('query');
    }
    const body = await api.request('POST', '/api/orders', { token: cm, body: newOrder({ openingDate: '2026-02-29' }) });
    expect(body.status).to.equal(400);
    expect(body.json.errors.map((e: { pointer: string }) => e.pointer)).to.deep.equal(['/openingDate']);
  });

  describe('input that would bend a record', () => {
    it('a change order that changes nothing is a 400 naming accountDelta; nothing is written', async () => {
      const before = await snapshot(api.ds);
      const res = await api.request('POST', '/api/change-orders', {
        token: cm,
        body: {
          orderId: w.orderB,
          description: '无变化',
          accountDelta: 0,
          platformChange: false,
          apScopeChange: false,
          modules: ['learning-management'],
        },
      });
      expect(res.status, res.text).to.equal(400);
      expect(res.json.errors.map((e: { pointer: string }) => e.pointer)).to.deep.equal(['/accountDelta']);
      expect(await snapshot(api.ds)).to.deep.equal(before);
    });

    it('a lone surrogate in any text of a body (values, nested, keys) is a 400 naming where; nothing is written', async () => {
      const before = await snapshot(api.ds);
      const note = await api.request('POST', '/api/orders', {
        token: cm,
        raw: JSON.stringify(newOrder()).replace('}', ',"note":"abc\\ud800"}'),
      });
      expect(note.status, note.text).to.equal(400);
      expect(note.json.errors).to.deep.equal([
        { in: 'body', pointer: '/note', detail: 'contains a lone surrogate (not well-formed Unicode)' },
      ]);
      const low = await api.request('POST', '/api/records/business-order/' + w.orderA + '/corrections', {
        token: cm,
        raw: '{"reason":"x\\udc00y","changes":{"note":"ok"}}',
      });
      expect(low.status).to.equal(400);
      expect(low.json.errors[0].pointer).to.equal('/reason');
      const pair = await api.request('POST', '/api/service-requests', {
        token: cm,
        raw: `{"type":"CONSULTATION","orderId":"${w.orderA}","description":"x","\\ud800":1}`,
      });
      expect(pair.status).to.equal(400);
      expect(pair.json.errors[0].pointer).to.equal('/\ud800');
      expect(await snapshot(api.ds)).to.deep.equal(before);
      // a well-formed pair (an emoji) is text like any other
      const emoji = await api.request('POST', '/api/orders', { token: cm, body: newOrder({ note: '首期 \ud83d\ude00' }) });
      expect(emoji.status, emoji.text).to.equal(201);
      expect(emoji.json.note).to.equal('首期 😀');
    });
  });
});
