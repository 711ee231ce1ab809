/**
 * Bad input: every request below must be refused with the right 4xx as application/problem+json, the
 * offending field named by JSON pointer, and every table unchanged afterwards.
 */
import { expect } from 'chai';
import { BusinessOrderEntity } from '../../db/index';
import { compile } from '../../api/schema';
import { Problem } from '../../api/schemas';
import { startApi, type ApiHarness, type ReqOpts } from './harness';

const isProblem = compile(Problem, 'body');
import { CUSTOMER, seedWorld, snapshot, type World } from './fixtures';

const goodOrder = {
  customerId: CUSTOMER,
  modules: ['learning-management'],
  accounts: 10,
  openingDate: '2026-11-02',
  termMonths: 12,
  amount: 1200,
  apInvolved: false,
};
const UNKNOWN = '00000000-0000-4000-8000-00000000dead';

interface Case {
  name: string;
  user: string;
  method: string;
  path: string | ((w: World) => string);
  opts?: ReqOpts | ((w: World) => ReqOpts);
  status: number;
  /** [in, pointer] pairs that must appear in errors */
  fields?: [string, string][];
}

const CASES: Case[] = [
  {
    name: 'malformed JSON',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { raw: '{"customerId": "x", ' },
    status: 400,
    fields: [['body', '']],
  },
  {
    name: 'JSON with a trailing comma',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { raw: '{"a":1,}' },
    status: 400,
    fields: [['body', '']],
  },
  {
    name: 'a JSON array instead of an object',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { body: [goodOrder] },
    status: 400,
    fields: [['body', '']],
  },
  {
    name: 'a bare JSON string (strict parser)',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { raw: '"hello"' },
    status: 400,
  },
  {
    name: 'no body at all',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { headers: { 'content-type': 'application/json' } },
    status: 400,
    fields: [['body', '']],
  },
  {
    name: 'not JSON (text/plain)',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { raw: 'accounts=10', headers: { 'content-type': 'text/plain' } },
    status: 415,
    fields: [['header', '/content-type']],
  },
  {
    name: 'oversize body (300 kB)',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { body: { ...goodOrder, note: 'x'.repeat(300 * 1024) } },
    status: 413,
    fields: [['body', '']],
  },
  {
    name: 'wrong types',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { body: { ...goodOrder, accounts: 'fifty', apInvolved: 'yes', modules: 'learning-management', amount: '1200' } },
    status: 400,
    fields: [
      ['body', '/accounts'],
      ['body', '/apInvolved'],
      ['body', '/modules'],
      ['body', '/amount'],
    ],
  },
  {
    name: 'an unknown field',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { body: { ...goodOrder, status: 'COMPLETED' } },
    status: 400,
    fields: [['body', '/status']],
  },
  {
    name: 'missing required fields',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { body: { modules: ['learning-management'] } },
    status: 400,
    fields: [
      ['body', '/customerId'],
      ['body', '/accounts'],
      ['body', '/openingDate'],
      ['body', '/termMonths'],
      ['body', '/amount'],
      ['body', '/apInvolved'],
    ],
  },
  {
    name: 'apInvolved without a partner',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { body: { ...goodOrder, apInvolved: true } },
    status: 400,
    fields: [['body', '/apPartnerId']],
  },
  {
    name: 'an unknown module',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { body: { ...goodOrder, modules: ['mining'] } },
    status: 400,
    fields: [['body', '/modules/0']],
  },
  {
    name: 'negative and fractional numbers',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { body: { ...goodOrder, accounts: -1, termMonths: 1.5, amount: 1.001 } },
    status: 400,
    fields: [
      ['body', '/accounts'],
      ['body', '/termMonths'],
      ['body', '/amount'],
    ],
  },
  {
    name: 'an impossible date (2026-02-30)',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { body: { ...goodOrder, openingDate: '2026-02-30' } },
    status: 400,
    fields: [['body', '/openingDate']],
  },
  {
    name: 'a date out of range (1999-12-31)',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { body: { ...goodOrder, openingDate: '1999-12-31' } },
    status: 400,
    fields: [['body', '/openingDate']],
  },
  {
    name: 'a date with a time',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { body: { ...goodOrder, openingDate: '2026-11-02T00:00:00Z' } },
    status: 400,
    fields: [['body', '/openingDate']],
  },
  {
    name: 'an unknown customer id',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { body: { ...goodOrder, customerId: UNKNOWN } },
    status: 404,
  },
  {
    name: 'a SQL-looking customer id',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { body: { ...goodOrder, customerId: "x' OR '1'='1" } },
    status: 400,
    fields: [['body', '/customerId']],
  },
  { name: 'an unknown order id', user: 'auditor', method: 'GET', path: `/api/orders/${UNKNOWN}`, status: 404, fields: [['path', '/id']] },
  { name: 'a malformed order id', user: 'auditor', method: 'GET', path: '/api/orders/abc%20def', status: 400, fields: [['path', '/id']] },
  {
    name: 'a SQL-looking id in the path',
    user: 'auditor',
    method: 'GET',
    path: `/api/orders/${encodeURIComponent("1' OR '1'='1")}`,
    status: 400,
    fields: [['path', '/id']],
  },
  {
    name: 'an unknown query parameter',
    user: 'auditor',
    method: 'GET',
    path: '/api/orders?sort=amount',
    status: 400,
    fields: [['query', '/sort']],
  },
  {
    name: 'an unknown status filter',
    user: 'auditor',
    method: 'GET',
    path: '/api/orders?status=DELETED',
    status: 400,
    fields: [['query', '/status']],
  },
  {
    name: 'a repeated scalar parameter',
    user: 'auditor',
    method: 'GET',
    path: '/api/orders?status=SUBMITTED&status=CANCELLED',
    status: 400,
    fields: [['query', '/status']],
  },
  {
    name: 'paging out of range',
    user: 'auditor',
    method: 'GET',
    path: '/api/orders?limit=0&offset=-1',
    status: 400,
    fields: [
      ['query', '/limit'],
      ['query', '/offset'],
    ],
  },
  { name: 'limit not a number', user: 'auditor', method: 'GET', path: '/api/orders?limit=ten', status: 400, fields: [['query', '/limit']] },
  {
    name: 'an impossible from date',
    user: 'auditor',
    method: 'GET',
    path: '/api/orders?from=2026-13-01',
    status: 400,
    fields: [['query', '/from']],
  },
  {
    name: 'from after to',
    user: 'auditor',
    method: 'GET',
    path: '/api/orders?from=2026-12-01&to=2026-11-01',
    status: 400,
    fields: [['query', '/to']],
  },
  {
    name: 'deadline: impossible date',
    user: 'auditor',
    method: 'GET',
    path: '/api/calendar/deadline?from=2026-02-29&workingDays=1',
    status: 400,
    fields: [['query', '/from']],
  },
  {
    name: 'deadline: negative and missing',
    user: 'auditor',
    method: 'GET',
    path: '/api/calendar/deadline?workingDays=-1',
    status: 400,
    fields: [
      ['query', '/from'],
      ['query', '/workingDays'],
    ],
  },
  {
    name: 'calendar: year out of range',
    user: 'auditor',
    method: 'GET',
    path: '/api/calendar/1999',
    status: 400,
    fields: [['path', '/year']],
  },
  {
    name: 'report: month 13',
    user: 'contract-admin',
    method: 'GET',
    path: '/api/account-monitoring/reports/2026-13',
    status: 400,
    fields: [['path', '/month']],
  },
  {
    name: 'calendar upload: impossible date, unknown field',
    user: 'admin',
    method: 'PUT',
    path: '/api/calendar/2027',
    opts: { body: { year: 2027, published: true, holidays: [{ date: '2027-02-30' }], workdays: [], note: 'x', extra: 1 } },
    status: 400,
    fields: [
      ['body', '/holidays/0/date'],
      ['body', '/extra'],
    ],
  },
  {
    name: 'cancel without a reason',
    user: 'dept-manager',
    method: 'POST',
    path: (w) => `/api/orders/${w.orderA}/cancel`,
    opts: { body: {} },
    status: 400,
    fields: [['body', '/reason']],
  },
  {
    name: 'cancel with an empty reason',
    user: 'dept-manager',
    method: 'POST',
    path: (w) => `/api/orders/${w.orderA}/cancel`,
    opts: { body: { reason: '' } },
    status: 400,
    fields: [['body', '/reason']],
  },
  {
    name: 'cancel an unknown order',
    user: 'dept-manager',
    method: 'POST',
    path: `/api/orders/${UNKNOWN}/cancel`,
    opts: { body: { reason: 'x' } },
    status: 404,
    fields: [['path', '/id']],
  },
  {
    name: 'payment basis: bad nested attachment and a foreign field',
    user: 'ap-alpha',
    method: 'POST',
    path: '/api/payment-bases',
    opts: (w) => ({
      body: {
        submissionId: 's-1',
        expenseContractId: w.expenseA,
        amount: 1,
        completedOn: '2026-10-20',
        description: 'd',
        attachments: ['ok.pdf', ''],
        apPartnerId: 'other',
      },
    }),
    status: 400,
    fields: [
      ['body', '/attachments/1'],
      ['body', '/apPartnerId'],
    ],
  },
  {
    name: "payment basis for another partner's contract",
    user: 'ap-beta',
    method: 'POST',
    path: '/api/payment-bases',
    opts: (w) => ({ body: { submissionId: 's-2', expenseContractId: w.expenseA, amount: 1, completedOn: '2026-10-20', description: 'd' } }),
    status: 404,
    fields: [['body', '/expenseContractId']],
  },
  {
    name: 'an AP partner reading a revenue contract',
    user: 'ap-alpha',
    method: 'GET',
    path: (w) => `/api/contracts/${w.revenueA}`,
    status: 404,
    fields: [['path', '/id']],
  },
  {
    name: 'usage: month out of range, negative figures',
    user: 'contract-admin',
    method: 'POST',
    path: '/api/account-monitoring/usage',
    opts: (w) => ({ body: { items: [{ revenueContractNo: w.revenueANo, month: '2026-00', openedAccounts: -1, activeAccounts: 1 }] } }),
    status: 400,
    fields: [
      ['body', '/items/0/month'],
      ['body', '/items/0/openedAccounts'],
    ],
  },
  {
    name: 'usage: empty batch',
    user: 'contract-admin',
    method: 'POST',
    path: '/api/account-monitoring/usage',
    opts: { body: { items: [] } },
    status: 400,
    fields: [['body', '/items']],
  },
  {
    name: 'correction of an unknown record kind',
    user: 'admin',
    method: 'POST',
    path: `/api/records/invoice/${UNKNOWN}/corrections`,
    opts: { body: { reason: 'x', changes: { a: 1 } } },
    status: 400,
    fields: [['path', '/kind']],
  },
  {
    name: 'correction of an unknown record',
    user: 'admin',
    method: 'POST',
    path: `/api/records/business-order/${UNKNOWN}/corrections`,
    opts: { body: { reason: 'x', changes: { accounts: 1 } } },
    status: 404,
  },
  {
    name: 'correction without changes',
    user: 'admin',
    method: 'POST',
    path: (w) => `/api/records/business-order/${w.orderA}/corrections`,
    opts: { body: { reason: 'x', changes: {} } },
    status: 400,
    fields: [['body', '/changes']],
  },
  {
    name: 'broken percent-encoding in the path',
    user: 'auditor',
    method: 'GET',
    path: '/api/orders/%E0%A4%A',
    status: 400,
    fields: [['path', '']],
  },
  {
    name: 'a compressed body it cannot decode',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { raw: '{}', headers: { 'content-encoding': 'br' } },
    status: 400,
    fields: [['body', '']],
  },
  {
    name: 'a charset it does not read',
    user: 'customer-manager',
    method: 'POST',
    path: '/api/orders',
    opts: { raw: '{}', headers: { 'content-type': 'application/json; charset=latin1' } },
    status: 415,
  },
  { name: 'an unknown route', user: 'admin', method: 'GET', path: '/api/invoices', status: 404 },
  { name: 'a wrong method on a known path', user: 'admin', method: 'DELETE', path: (w) => `/api/orders/${w.orderA}`, status: 405 },
  {
    name: 'a token that is not a JWT',
    user: '',
    method: 'GET',
    path: '/api/orders',
    opts: { headers: { authorization: 'Bearer not.a.jwt' } },
    status: 401,
  },
];

describe('api: bad input is refused and changes nothing', function () {
  let api: ApiHarness;
  let w: World;
  before(async () => {
    api = await startApi();
    w = await seedWorld(api.ds);
  });
  after(async () => api?.close());

  for (const c of CASES) {
    it(`${c.name} → ${c.status}`, async () => {
      const before = await snapshot(api.ds);
      const path = typeof c.path === 'function' ? c.path(w) : c.path;
      const opts = typeof c.opts === 'function' ? c.opts(w) : (c.opts ?? {});
      const token = c.user ? await api.token(c.user) : undefined;
      const res = await api.request(c.method, path, { ...opts, token });
      expect(res.status, res.text).to.equal(c.status);
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(res.json).to.include({ status: c.status, instance: path });
      expect(isProblem(res.json), JSON.stringify(isProblem.errors)).to.equal(true);
      expect(res.json.type).to.be.a('string');
      expect(res.json.title).to.be.a('string');
      expect(res.json.detail).to.be.a('string');
      for (const [where, pointer] of c.fields ?? []) {
        expect(res.json.errors, `errors name ${where} ${pointer}: ${res.text}`).to.satisfy((errs: { in: string; pointer: string }[]) =>
          errs.some((e) => e.in === where && e.pointer === pointer),
        );
      }
      expect(await snapshot(api.ds)).to.deep.equal(before);
      expect(api.errors, 'nothing unexpected was logged').to.deep.equal([]);
    });
  }

  it('SQL- and script-looking text is stored verbatim and read back as data, never executed', async () => {
    const nasty = "'); DROP TABLE business_order; -- <script>alert('x')</script> \" OR 1=1 %_\\";
    const cm = await api.token('customer-manager');
    const res = await api.request('POST', '/api/orders', { token: cm, body: { ...goodOrder, note: nasty } });
    expect(res.status, res.text).to.equal(201);
    const got = await api.request('GET', `/api/orders/${res.json.id}`, { token: cm });
    expect(got.json.note).to.equal(nasty);
    expect(got.headers['content-type']).to.match(/^application\/json/);
    const row = await api.ds.getRepository(BusinessOrderEntity).findOneBy({ id: res.json.id });
    expect(row?.note).to.equal(nasty);
    expect(await api.ds.getRepository(BusinessOrderEntity).count()).to.be.greaterThan(1);
    // and in a filter: matches nothing rather than everything
    const q = await api.request('GET', `/api/orders?customerManager=${encodeURIComponent("' OR '1'='1")}`, { token: cm });
    expect(q.status).to.equal(200);
    expect(q.json.total).to.equal(0);
  });
});
