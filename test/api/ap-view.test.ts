/**
 * What an AP partner sees: every route an AP partner may call (read off the route table, so a new one
 * fails here until it is listed), called as one, and every field of every record it gets back checked
 * against the allow-list written out below, independently of api/<slice>/ap-view.ts. Plus the point of
 * an allow-list: a field the record gains is hidden from AP partners until someone lists it.
 */
import { expect } from 'chai';
import { ROUTES } from '../../api/routes';
import { apContract, apContractVersionData } from '../../api/contracts/ap-view';
import { apPaymentBasis } from '../../api/payment-bases/ap-view';
import { startApi, type ApiHarness } from './harness';
import { seedWorld, type World } from './fixtures';

const CONTRACT = [
  'id',
  'contractNo',
  'type',
  'kind',
  'status',
  'orderId',
  'changeOrderId',
  'parentContractId',
  'apPartnerId',
  'title',
  'amount',
  'termMonths',
  'signedDate',
  'note',
  'countersignFormNo',
  'rejectionReason',
  'version',
  'createdBy',
  'createdAt',
  'updatedAt',
];
const CONTRACT_VERSION = ['version', 'actor', 'at', 'reason', 'data'];
const CONTRACT_VERSION_DATA = ['title', 'amount', 'note'];
const PAYMENT_BASIS = [
  'id',
  'paymentBasisNo',
  'expenseContractId',
  'expenseContractNo',
  'apPartnerId',
  'status',
  'submissionId',
  'amount',
  'completedOn',
  'description',
  'accountsImplemented',
  'attachments',
  'note',
  'version',
  'submittedBy',
  'submittedAt',
  'updatedAt',
];
const PAGE = ['items', 'total', 'limit', 'offset'];

/** every route an AP partner may call: what it returns, and how this test reads it */
type Check = (w: World, pb: string) => { method: string; path: string; body?: unknown; check: (json: any) => void };
const only = (allowed: string[], what: string) => (rec: Record<string, unknown>) =>
  expect(
    Object.keys(rec).filter((k) => !allowed.includes(k)),
    `${what}: fields outside the AP allow-list`,
  ).to.deep.equal([]);
const page = (item: (r: any) => void) => (json: any) => {
  only(PAGE, 'page')(json);
  expect(json.items, 'the page holds records to check').to.not.be.empty;
  json.items.forEach(item);
};
const contract = only(CONTRACT, 'contract');
const paymentBasis = only(PAYMENT_BASIS, 'payment basis');
const noRecord = () => {};

const AP_ROUTES: Record<string, Check> = {
  whoami: () => ({ method: 'GET', path: '/api/auth/me', check: only(['username', 'roles', 'apPartnerId'], 'principal') }),
  listContracts: () => ({ method: 'GET', path: '/api/contracts', check: page(contract) }),
  getContract: (w) => ({ method: 'GET', path: `/api/contracts/${w.expenseA}`, check: contract }),
  listContractVersions: (w) => ({
    method: 'GET',
    path: `/api/contracts/${w.expenseA}/versions`,
    check: (json) => {
      expect(json).to.not.be.empty;
      for (const v of json) {
        only(CONTRACT_VERSION, 'contract version')(v);
        only(CONTRACT_VERSION_DATA, 'contract version data')(v.data);
      }
    },
  }),
  // the same submissionId again: the recorded payment basis, answered 200
  submitPaymentBasis: (w) => ({
    method: 'POST',
    path: '/api/payment-bases',
    body: { submissionId: 'ap-view-1', expenseContractId: w.expenseA, amount: 24000, completedOn: '2026-11-02', description: '实施完成' },
    check: paymentBasis,
  }),
  listPaymentBases: () => ({ method: 'GET', path: '/api/payment-bases', check: page(paymentBasis) }),
  getPaymentBasis: (_w, pb) => ({ method: 'GET', path: `/api/payment-bases/${pb}`, check: paymentBasis }),
  // no record of the procedure: the calendar, and the partner's own notifications
  computeDeadline: () => ({ method: 'GET', path: '/api/calendar/deadline?from=2026-11-02&workingDays=5', check: noRecord }),
  getCalendarYear: () => ({ method: 'GET', path: '/api/calendar/2026', check: noRecord }),
  listMyNotifications: () => ({ method: 'GET', path: '/api/notifications', check: noRecord }),
  countMyUnreadNotifications: () => ({ method: 'GET', path: '/api/notifications/unread-count', check: noRecord }),
  markAllMyNotificationsRead: () => ({ method: 'POST', path: '/api/notifications/read-all', check: noRecord }),
  markNotificationRead: () => ({ method: 'POST', path: '/api/notifications/00000000-0000-4000-8000-00000000dead/read', check: noRecord }),
  getMyNotificationSettings: () => ({ method: 'GET', path: '/api/notifications/settings', check: noRecord }),
  putMyNotificationSettings: () => ({ method: 'PUT', path: '/api/notifications/settings', check: noRecord }),
  getBusinessClock: () => ({ method: 'GET', path: '/api/business-clock', check: noRecord }),
  // the AP portal: its answers' exact fields are written out in test/api/portal.test.ts; here the leak check
  portalOverview: () => ({ method: 'GET', path: '/api/portal/overview', check: noRecord }),
  portalRequest: (w) => ({ method: 'GET', path: `/api/portal/requests/${w.expenseA}`, check: noRecord }),
};

describe('api: what an AP partner sees (allow-lists)', function () {
  this.timeout(60_000);
  let api: ApiHarness;
  let w: World;
  let token: string;
  let pb: string;

  before(async () => {
    api = await startApi();
    w = await seedWorld(api.ds);
    token = await api.token('ap-alpha');
    const res = await api.request('POST', '/api/payment-bases', {
      token,
      body: { submissionId: 'ap-view-1', expenseContractId: w.expenseA, amount: 24000, completedOn: '2026-11-02', description: '实施完成' },
    });
    expect(res.status, res.text).to.equal(201);
    pb = res.json.id;
  });
  after(() => api?.close());

  it('every route an AP partner may call is listed here', () => {
    const apRoutes = ROUTES.filter((r) => r.roles !== 'public' && r.roles.includes('ap-partner')).map((r) => r.id);
    expect(apRoutes.sort()).to.deep.equal(Object.keys(AP_ROUTES).sort());
  });

  for (const [id, call] of Object.entries(AP_ROUTES)) {
    it(`${id}: only allow-listed fields, nothing of the revenue side`, async () => {
      const { method, path, body, check } = call(w, pb);
      const res = await api.request(method, path, { token, body });
      // a write the partner may call but that this world does not allow (a second submission, an unknown
      // notification, a settings body) still must not leak: the refusal is a problem document
      if (check !== noRecord) expect(res.status, `${id} must answer with its records: ${res.text}`).to.be.below(400);
      if (res.status >= 400) expect(res.headers['content-type'], res.text).to.match(/problem\+json/);
      else check(res.json);
      // the revenue side of order A: its agreement's number and id, the order and contract amount
      for (const secret of [w.revenueANo, w.revenueA, '120000']) expect(res.text, `${id} leaks ${secret}`).to.not.include(secret);
    });
  }

  it('a field a record gains stays hidden from AP partners until it is listed', () => {
    const extra = { revenueAmount: 120000, orderAmount: 120000, revenueContractNo: 'SR-1', marginRate: 0.3 };
    const rec = { id: 'x', contractNo: 'ZC-1', type: 'EXPENSE', amount: 24000, ...extra };
    expect(apContract(rec)).to.deep.equal({ id: 'x', contractNo: 'ZC-1', type: 'EXPENSE', amount: 24000 });
    expect(apContractVersionData({ title: 't', amount: 1, note: null, ...extra })).to.deep.equal({ title: 't', amount: 1, note: null });
    expect(apPaymentBasis({ id: 'p', status: 'SUBMITTED', ...extra })).to.deep.equal({ id: 'p', status: 'SUBMITTED' });
  });
});
