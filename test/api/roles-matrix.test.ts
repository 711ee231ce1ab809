/**
 * The whole roles × routes matrix. The expected cells are written out here, independently of the route
 * table (api/routes.ts), so a wrong role list in the table fails this test. Every route of the table must
 * appear here and every row here must be a route of the table.
 */
import { expect } from 'chai';
import { ROUTES } from '../../api/routes';
import { ROLE_IDS, type Role } from '../../domain/vocabulary';
import { startApi, type ApiHarness } from './harness';
import { resetApiData } from './fixtures';

const CM = 'customer-manager',
  DM = 'dept-manager',
  CR = 'center-reviewer',
  TD = 'tech-dept',
  CA = 'contract-admin',
  OPS = 'ops',
  AP = 'ap-partner',
  ADM = 'admin',
  AUD = 'auditor';
const STAFF = [CM, DM, CR, TD, CA, OPS, ADM, AUD];
const EVERYONE = [...STAFF, AP];

/** route → roles allowed. 'public' = no token needed. */
const EXPECTED: Record<string, string[] | 'public'> = {
  'POST /auth/login': 'public',
  'GET /auth/config': 'public',
  'GET /auth/me': EVERYONE,
  'POST /orders': [CM],
  'GET /orders': STAFF,
  'GET /orders/:id': STAFF,
  'POST /orders/:id/cancel': [CM, DM],
  'POST /change-orders': [CM],
  'GET /change-orders': STAFF,
  'GET /change-orders/:id': STAFF,
  'GET /contracts': EVERYONE,
  'GET /contracts/:id': EVERYONE,
  'GET /contracts/:id/versions': EVERYONE,
  'GET /countersign-forms': [CM, DM, CR, CA, ADM, AUD],
  'GET /countersign-forms/:id': [CM, DM, CR, CA, ADM, AUD],
  'GET /countersign-forms/:id/history': [CM, DM, CR, CA, ADM, AUD],
  'GET /collaboration-task-orders': [CM, DM, TD, CA, ADM, AUD],
  'GET /collaboration-task-orders/:id': [CM, DM, TD, CA, ADM, AUD],
  'POST /payment-bases': [AP],
  'GET /payment-bases': [CM, DM, CR, CA, ADM, AUD, AP],
  'GET /payment-bases/:id': [CM, DM, CR, CA, ADM, AUD, AP],
  'POST /customer-communication-records': [CM],
  'GET /customer-communication-records': STAFF,
  'GET /customer-communication-records/:id': STAFF,
  'GET /account-monitoring/entries': [CM, DM, CR, CA, ADM, AUD],
  'GET /account-monitoring/entries/:id': [CM, DM, CR, CA, ADM, AUD],
  'POST /account-monitoring/usage': [CA, ADM],
  'GET /account-monitoring/reports': [CM, DM, CR, CA, ADM, AUD],
  'GET /account-monitoring/reports/:month': [CM, DM, CR, CA, ADM, AUD],
  'GET /account-monitoring/reports/:month/csv': [CM, DM, CR, CA, ADM, AUD],
  'POST /service-requests': [CM, OPS, DM],
  'GET /service-requests': STAFF,
  'GET /service-requests/:id': STAFF,
  'GET /calendar/deadline': EVERYONE,
  'GET /calendar/:year': EVERYONE,
  'PUT /calendar/:year': [ADM],
  'POST /calendar': [ADM],
  'POST /calendar/uploads': [ADM],
  'GET /business-clock': EVERYONE,
  'GET /reports/overview': [CM, DM, CR, CA, ADM, AUD],
  'GET /records/:kind/:id/versions': STAFF,
  'POST /records/:kind/:id/corrections': [CM, CA, ADM],
  // user tasks (api/tasks.ts): work for staff, not records; the auditor has none
  'GET /tasks': [CM, DM, CR, TD, CA, OPS, ADM],
  'GET /tasks/:key': [CM, DM, CR, TD, CA, OPS, ADM],
  'POST /tasks/:key/completion': [CM, DM, CR, TD, CA, OPS, ADM],
  // repair (api/operations/incidents.ts): the system administrator only
  'GET /orders/:id/incidents': [ADM],
  'POST /incidents/:key/retry': [ADM],
  // operations 运维 (api/operations/): the system administrator only
  'GET /operations/process-definitions': [ADM],
  'GET /operations/process-instances': [ADM],
  'GET /operations/process-instances/:key': [ADM],
  'GET /operations/incidents': [ADM],
  'POST /operations/incidents/:key/repair': [ADM],
  'POST /operations/process-instances/:key/cancellation': [ADM],
  // the workbench (api/workbench/): work for staff with tasks; the case and diagram for all staff, never the AP
  'GET /workbench/inbox': [CM, DM, CR, TD, CA, OPS, ADM],
  'POST /workbench/tasks/:key/claim': [CM, DM, CR, TD, CA, OPS, ADM],
  'POST /workbench/tasks/:key/unclaim': [CM, DM, CR, TD, CA, OPS, ADM],
  'POST /workbench/tasks/:key/completion': [CM, DM, CR, TD, CA, OPS, ADM],
  'GET /workbench/cases/:ref': STAFF,
  'GET /workbench/instances/:key': STAFF,
  // customers and AP partners: staff read, the admin writes
  'GET /customers': STAFF,
  'GET /customers/:id': STAFF,
  'POST /customers': [ADM],
  'PATCH /customers/:id': [ADM],
  'GET /ap-partners': STAFF,
  'GET /ap-partners/:id': STAFF,
  'POST /ap-partners': [ADM],
  'PATCH /ap-partners/:id': [ADM],
  // notifications (api/notifications/): everyone has an inbox; the failed deliveries are for admins
  'GET /notifications': EVERYONE,
  'GET /notifications/unread-count': EVERYONE,
  'POST /notifications/read-all': [CM, DM, CR, TD, CA, OPS, ADM, AP],
  'POST /notifications/:id/read': [CM, DM, CR, TD, CA, OPS, ADM, AP],
  'GET /notifications/settings': EVERYONE,
  'PUT /notifications/settings': [CM, DM, CR, TD, CA, OPS, ADM, AP],
  'GET /notification-deliveries': [ADM],
  // the AP portal (api/portal/): the partner itself, and the staff who check payment bases or audit
  'GET /portal/overview': [AP, CA, ADM, AUD],
  'GET /portal/requests/:id': [AP, CA, ADM, AUD],
};

const SAMPLE: Record<string, string> = {
  ':id': '00000000-0000-4000-8000-000000000000',
  ':year': '2026',
  ':month': '2026-01',
  ':kind': 'business-order',
  ':key': '2251799813685249',
  ':ref': '00000000-0000-4000-8000-000000000000',
};
const concrete = (path: string) => '/api' + path.replace(/:[a-z]+/gi, (p) => SAMPLE[p] ?? 'x');
/** the user that holds a role in local mode */
const userOf = (role: Role) => (role === 'ap-partner' ? 'ap-alpha' : role);

describe('api: roles × routes matrix', function () {
  let api: ApiHarness;
  before(async () => {
    api = await startApi({ beforeAuth: resetApiData });
  });
  after(async () => api?.close());

  it('the expected matrix names exactly the routes of the table', () => {
    const table = ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
    expect(table).to.deep.equal(Object.keys(EXPECTED).sort());
  });

  it('auditor is read-only: allowed on no write route', () => {
    for (const [key, roles] of Object.entries(EXPECTED)) {
      if (!key.startsWith('GET') && roles !== 'public') expect(roles, key).not.to.include(AUD);
    }
  });

  it('every cell: allowed roles get past auth (not 401/403), the others get 403; no token → 401', async function () {
    this.timeout(120_000);
    const failures: string[] = [];
    let cells = 0;
    for (const [key, expected] of Object.entries(EXPECTED)) {
      const [method, path] = key.split(' ') as [string, string];
      const url = concrete(path);
      const body = method === 'GET' ? undefined : {};
      if (expected === 'public') {
        const res = await api.request(method, url, { body });
        if (res.status === 401 && key !== 'POST /auth/login') failures.push(`${key} anonymous: ${res.status}`);
        continue;
      }
      const anon = await api.request(method, url, { body });
      if (anon.status !== 401) failures.push(`${key} without token: ${anon.status}, expected 401`);
      for (const role of ROLE_IDS) {
        cells++;
        const token = await api.token(userOf(role));
        const res = await api.request(method, url, { token, body });
        const allowed = expected.includes(role);
        if (allowed && (res.status === 401 || res.status === 403)) failures.push(`${key} ${role}: ${res.status}, expected allowed`);
        if (!allowed && res.status !== 403) failures.push(`${key} ${role}: ${res.status}, expected 403`);
        if (res.status === 500) failures.push(`${key} ${role}: ${res.status} ${res.text}`);
        if (!allowed && !/^application\/problem\+json/.test(res.headers['content-type'] ?? ''))
          failures.push(`${key} ${role}: 403 not problem+json`);
      }
    }
    expect(cells).to.equal(Object.values(EXPECTED).filter((x) => x !== 'public').length * ROLE_IDS.length);
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });
});
