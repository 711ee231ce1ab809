/**
 * The AP partner portal's API (issue #19): every portal answer carries exactly the allow-list's
 * fields and never a revenue figure; a partner reads only its own requests (another partner's id is a
 * 404 on the portal and on the record routes); the portal's send-back reason and submit rule are the
 * domain's. Runs on SQLite and, with DATABASE_URL, on MariaDB.
 */
import { expect } from 'chai';
import { recordPaymentBasisCheck } from '../../domain/payment-bases';
import { CHECK_FIELDS, FORBIDDEN_FIELDS, OVERVIEW_FIELDS, PAYMENT_BASIS_FIELDS, REQUEST_FIELDS } from '../../api/portal/allow-list';
import { PORTAL_ROUTES } from '../../api/portal/routes';
import { startApi, type ApiHarness } from './harness';
import { AP_ALPHA, AP_BETA, seedWorld, type World } from './fixtures';

/** every key of every object in the answer, with its path */
function keysOf(v: unknown, path = ''): { path: string; key: string; value: unknown }[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => keysOf(x, `${path}/${i}`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [{ path, key: k, value: x }, ...keysOf(x, `${path}/${k}`)]);
  return [];
}
const sorted = (a: readonly string[]) => [...a].sort();

describe('api: AP partner portal', function () {
  let api: ApiHarness;
  let w: World;
  let alpha: string, beta: string, ca: string, cm: string;
  before(async () => {
    api = await startApi();
    w = await seedWorld(api.ds);
    [alpha, beta, ca, cm] = await Promise.all(['ap-alpha', 'ap-beta', 'contract-admin', 'customer-manager'].map((u) => api.token(u)));
  });
  after(async () => api?.close());

  const submit = (token: string, over: Record<string, unknown> = {}) =>
    api.request('POST', '/api/payment-bases', {
      token,
      body: {
        submissionId: `s-${Math.random().toString(36).slice(2)}`,
        expenseContractId: w.expenseA,
        amount: 24000,
        completedOn: '2026-10-20',
        description: '已完成实施',
        attachments: ['https://ap-alpha.example/acceptance.pdf', 'file:验收单-001'],
        ...over,
      },
    });

  it('the overview lists alpha its own request with the due date from the business clock, and nothing of beta', async () => {
    const res = await api.request('GET', '/api/portal/overview', { token: alpha });
    expect(res.status, res.text).to.equal(200);
    expect(res.json.apPartnerId).to.equal(AP_ALPHA);
    expect(res.json.requests.map((r: any) => r.expenseContractId)).to.deep.equal([w.expenseA]);
    const r = res.json.requests[0];
    expect(r.orderNo).to.equal(w.orderANo);
    expect(r.status).to.equal('IMPLEMENTATION_REQUESTED');
    expect(r.canSubmit).to.equal(true);
    expect(r.expenseAmount).to.equal(24000);
    // P10D after the request
    expect(Date.parse(r.dueAt) - Date.parse(r.requestedAt)).to.equal(10 * 86_400_000);
    expect(res.text).not.to.include(w.expenseB);
    expect(res.text).not.to.include(w.revenueANo);
    expect(res.text).not.to.include(w.revenueA);
  });

  it('cross-partner: beta gets 404 for alpha’s request on the portal and on the record routes', async () => {
    const own = await api.request('GET', `/api/portal/requests/${w.expenseB}`, { token: beta });
    expect(own.status, own.text).to.equal(200);
    for (const path of [
      `/api/portal/requests/${w.expenseA}`,
      `/api/contracts/${w.expenseA}`,
      `/api/portal/overview?apPartnerId=${AP_ALPHA}`,
    ]) {
      const res = await api.request('GET', path, { token: beta });
      expect(res.status, `${path}: ${res.text}`).to.equal(404);
    }
    const overview = await api.request('GET', '/api/portal/overview', { token: beta });
    expect(overview.json.requests.map((r: any) => r.expenseContractId)).to.deep.equal([w.expenseB]);
    const post = await submit(beta);
    expect(post.status, post.text).to.equal(404);
  });

  it('send-back: the reason is on the portal, the form reopens; the resubmission is accepted and shown so', async () => {
    const first = await submit(alpha);
    expect(first.status, first.text).to.equal(201);
    const pbId = first.json.id as string;
    let r = (await api.request('GET', `/api/portal/requests/${w.expenseA}`, { token: alpha })).json;
    expect(r.canSubmit).to.equal(false);
    expect(r.paymentBasis.status).to.equal('SUBMITTED');
    expect(r.paymentBasis.attachments).to.deep.equal(['https://ap-alpha.example/acceptance.pdf', 'file:验收单-001']);
    // submitting again now is what the API refuses (the portal's canSubmit said so)
    expect((await submit(alpha)).status).to.equal(409);

    await recordPaymentBasisCheck(api.ds, pbId, 'SENT_BACK', '验收单缺少客户签章', { actor: 'contract-admin' });
    r = (await api.request('GET', `/api/portal/requests/${w.expenseA}`, { token: alpha })).json;
    expect(r.canSubmit).to.equal(true);
    expect(r.paymentBasis.status).to.equal('SENT_BACK');
    expect(r.paymentBasis.sendBack.opinion).to.equal('验收单缺少客户签章');

    const again = await submit(alpha, { attachments: ['https://ap-alpha.example/acceptance-signed.pdf'] });
    expect(again.status, again.text).to.equal(201);
    await recordPaymentBasisCheck(api.ds, pbId, 'ACCEPTED', null, { actor: 'contract-admin' });
    r = (await api.request('GET', `/api/portal/requests/${w.expenseA}`, { token: alpha })).json;
    expect(r.status).to.equal('PAYMENT_BASIS_ACCEPTED');
    expect(r.paymentBasis.status).to.equal('ACCEPTED');
    expect(r.paymentBasis.version).to.equal(2);
    expect(r.paymentBasis.sendBack).to.equal(null);
    expect(r.paymentBasis.checks.map((c: any) => c.decision)).to.deep.equal(['SENT_BACK', 'ACCEPTED']);
    expect(r.overdue).to.equal(false);
  });

  it('the allow-list holds on every portal route: exactly its fields, no revenue field at any depth', async () => {
    const answers: Record<string, unknown> = {};
    for (const spec of PORTAL_ROUTES) {
      const path = '/api' + spec.path.replace(':id', w.expenseA);
      const res = await api.request(spec.method.toUpperCase(), path, { token: alpha });
      expect(res.status, `${spec.id}: ${res.text}`).to.equal(200);
      answers[spec.id] = res.json;
    }
    expect(Object.keys(answers)).to.have.length(PORTAL_ROUTES.length);
    const requests = [answers.portalRequest, ...(answers.portalOverview as any).requests];
    expect(sorted(Object.keys(answers.portalOverview as object))).to.deep.equal(sorted(OVERVIEW_FIELDS));
    for (const r of requests) {
      expect(sorted(Object.keys(r))).to.deep.equal(sorted(REQUEST_FIELDS));
      expect(sorted(Object.keys(r.paymentBasis))).to.deep.equal(sorted(PAYMENT_BASIS_FIELDS));
      for (const c of r.paymentBasis.checks) expect(sorted(Object.keys(c))).to.deep.equal(sorted(CHECK_FIELDS));
    }
    for (const [id, body] of Object.entries(answers)) {
      const bad = keysOf(body).filter((k) => (FORBIDDEN_FIELDS as readonly string[]).includes(k.key));
      expect(bad, id).to.deep.equal([]);
      // no revenue figure by value either: the revenue contract's number, id and the order amount (120000)
      const text = JSON.stringify(body);
      expect(text, id).not.to.include(w.revenueANo);
      expect(text, id).not.to.include(w.revenueA);
      expect(
        keysOf(body).filter((k) => k.value === 120000),
        id,
      ).to.deep.equal([]);
    }
  });

  it('staff read a partner portal by naming it; an AP cannot name another; a role outside the list is 403', async () => {
    const staff = await api.request('GET', `/api/portal/overview?apPartnerId=${AP_BETA}`, { token: ca });
    expect(staff.status, staff.text).to.equal(200);
    expect(staff.json.requests.map((r: any) => r.expenseContractId)).to.deep.equal([w.expenseB]);
    const missing = await api.request('GET', '/api/portal/overview', { token: ca });
    expect(missing.status).to.equal(400);
    expect(missing.json.errors[0].pointer).to.equal('/apPartnerId');
    expect((await api.request('GET', '/api/portal/overview', { token: cm })).status).to.equal(403);
  });
});
