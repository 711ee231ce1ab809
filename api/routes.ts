/**
 * THE route table: every route of /api, declared once, with its roles. app.ts wires it, openapi.ts
 * publishes it, and nothing else decides who may call what.
 */
import type { Role } from '../domain/vocabulary';
import type { Principal } from './auth';
import { badRequest, notFound, unauthorized } from './problem';
import { Reply, route, type RouteSpec } from './route';
import * as S from './schemas';
import { INCIDENT_ROUTES } from './incidents';
import { TASK_ROUTES } from './tasks';
import { WORKBENCH_ROUTES } from './workbench/index';
import { NOTIFICATION_ROUTES } from './notifications/routes';
import { CALENDAR_ADMIN_ROUTES } from './calendar/routes';
import { uploadYear } from './calendar/upload';
import { REPORT_ROUTES } from './reports/routes';
import { actorOf, type ApiServices, type Row } from './services';

// ------------------------------------------------------------------ role groups
const STAFF: Role[] = ['customer-manager', 'dept-manager', 'center-reviewer', 'tech-dept', 'contract-admin', 'ops', 'admin', 'auditor'];
const ALL: Role[] = [...STAFF, 'ap-partner'];
const CONTRACT_READERS: Role[] = [...STAFF, 'ap-partner'];
const COUNTERSIGN_READERS: Role[] = ['customer-manager', 'dept-manager', 'center-reviewer', 'contract-admin', 'admin', 'auditor'];
const TASK_ORDER_READERS: Role[] = ['customer-manager', 'dept-manager', 'tech-dept', 'contract-admin', 'admin', 'auditor'];
const PAYMENT_BASIS_READERS: Role[] = ['customer-manager', 'dept-manager', 'center-reviewer', 'contract-admin', 'admin', 'auditor', 'ap-partner'];
const MONITORING_READERS: Role[] = ['customer-manager', 'dept-manager', 'center-reviewer', 'contract-admin', 'admin', 'auditor'];
const CORRECTORS: Role[] = ['customer-manager', 'contract-admin', 'admin'];

/** An AP partner user (and nothing else) sees only its own expense contracts and payment bases. */
const apScope = (p: Principal): string | null => (p.roles.length > 0 && p.roles.every((r) => r === 'ap-partner') ? (p.apPartnerId ?? '\u0000none') : null);

/** Fields an AP partner never sees on anything it can read. */
const REVENUE_FIELDS = ['revenueAmount', 'orderAmount', 'revenueContractId', 'revenueContractNo'];
function forAp(rec: Row): Row {
  const out: Row = { ...rec };
  for (const f of REVENUE_FIELDS) delete out[f];
  if (out.type === 'REVENUE') delete out.amount;
  return out;
}

function apCanSeeContract(rec: Row, ap: string): boolean {
  return rec.type === 'EXPENSE' && rec.apPartnerId === ap;
}

function found<T>(rec: T | null, what: string, id: string, pointer = '/id'): T {
  if (rec === null || rec === undefined) throw notFound(what, id, pointer);
  return rec;
}

function checkRange(from?: string, to?: string) {
  if (from && to && from > to) throw badRequest(`from ${from} is after to ${to}`, [{ in: 'query', pointer: '/to', detail: 'must not be before from' }]);
}

const page = (q: { limit: number; offset: number }) => ({ limit: q.limit, offset: q.offset });

export const ROUTES: RouteSpec[] = [
  // ---------------------------------------------------------------- auth & meta
  route<{}, {}, { username: string; password: string }>({
    id: 'login',
    method: 'post',
    path: '/auth/login',
    roles: 'public',
    tag: 'auth',
    summary: { en: 'Log in (local mode): demo user and password → bearer token', zh: '登录（本地模式）：演示用户与密码换取令牌' },
    body: S.LoginBody,
    response: { status: 200, schema: S.LoginResponse },
    handler: async ({ services, body }) => {
      const login = services.auth.login;
      if (!login) throw unauthorized('password login is disabled in OIDC mode: obtain a token from the identity provider');
      const token = await login(body.username, body.password);
      if (!token) throw unauthorized('unknown user or wrong password');
      return { token };
    },
  }),
  route({
    id: 'whoami',
    method: 'get',
    path: '/auth/me',
    roles: ALL,
    tag: 'auth',
    summary: { en: 'The calling user and roles', zh: '当前用户与角色' },
    response: { status: 200, schema: S.PrincipalSchema },
    handler: async ({ principal }) => principal,
  }),

  // ---------------------------------------------------------------- orders 业务订单
  route({
    id: 'createOrder',
    method: 'post',
    idempotent: true,
    path: '/orders',
    roles: ['customer-manager'],
    tag: 'orders',
    summary: { en: 'Create a business order and start its provisioning process', zh: '创建业务订单并启动开通流程' },
    body: S.CreateOrderBody,
    response: { status: 201, schema: S.Order },
    handler: async ({ services, principal, body }) => {
      const rec = await services.store.createOrder(actorOf(principal), body);
      return new Reply(201, rec, undefined, { location: `/api/orders/${rec.id}` });
    },
  }),
  route<{}, { status?: string; customer?: string; customerManager?: string; from?: string; to?: string; limit: number; offset: number }>({
    id: 'listOrders',
    method: 'get',
    path: '/orders',
    roles: STAFF,
    tag: 'orders',
    summary: { en: 'List business orders (filters, paging)', zh: '查询业务订单列表' },
    query: S.OrderQuery,
    response: { status: 200, schema: S.OrderPage },
    handler: async ({ services, query }) => {
      checkRange(query.from, query.to);
      const { limit, offset, ...filter } = query;
      return services.store.listOrders(filter, { limit, offset });
    },
  }),
  route<{ id: string }>({
    id: 'getOrder',
    method: 'get',
    path: '/orders/:id',
    roles: STAFF,
    tag: 'orders',
    summary: { en: 'Read a business order', zh: '查看业务订单' },
    params: S.IdParams,
    response: { status: 200, schema: S.Order },
    handler: async ({ services, params }) => found(await services.store.getOrder(params.id), 'order', params.id),
  }),
  route<{ id: string }, {}, { reason: string }>({
    id: 'cancelOrder',
    method: 'post',
    path: '/orders/:id/cancel',
    roles: ['customer-manager', 'dept-manager'],
    tag: 'orders',
    summary: { en: 'Cancel a business order', zh: '取消业务订单' },
    params: S.IdParams,
    body: S.CancelBody,
    response: { status: 200, schema: S.Order },
    handler: async ({ services, principal, params, body }) =>
      found(await services.store.cancelOrder(actorOf(principal), params.id, body.reason), 'order', params.id),
  }),

  // ---------------------------------------------------------------- change orders 变更单
  route({
    id: 'createChangeOrder',
    method: 'post',
    idempotent: true,
    path: '/change-orders',
    roles: ['customer-manager'],
    tag: 'change-orders',
    summary: { en: 'Create a change order and start the change process', zh: '创建变更单并启动变更流程' },
    body: S.CreateChangeOrderBody,
    response: { status: 201, schema: S.ChangeOrder },
    handler: async ({ services, principal, body }) => {
      const rec = await services.store.createChangeOrder(actorOf(principal), body);
      if (!rec) throw notFound('order', body.orderId, '/orderId', 'body');
      return new Reply(201, rec, undefined, { location: `/api/change-orders/${rec.id}` });
    },
  }),
  route({
    id: 'listChangeOrders',
    method: 'get',
    path: '/change-orders',
    roles: STAFF,
    tag: 'change-orders',
    summary: { en: 'List change orders', zh: '查询变更单列表' },
    query: S.ChangeOrderQuery,
    response: { status: 200, schema: S.ChangeOrderPage },
    handler: async ({ services, query }) => {
      const { limit, offset, ...filter } = query;
      return services.store.listChangeOrders(filter, { limit, offset });
    },
  }),
  route<{ id: string }>({
    id: 'getChangeOrder',
    method: 'get',
    path: '/change-orders/:id',
    roles: STAFF,
    tag: 'change-orders',
    summary: { en: 'Read a change order', zh: '查看变更单' },
    params: S.IdParams,
    response: { status: 200, schema: S.ChangeOrder },
    handler: async ({ services, params }) => found(await services.store.getChangeOrder(params.id), 'change order', params.id),
  }),

  // ---------------------------------------------------------------- contracts 合同
  route({
    id: 'listContracts',
    method: 'get',
    path: '/contracts',
    roles: CONTRACT_READERS,
    tag: 'contracts',
    summary: { en: 'List revenue and expense contracts (AP partners: their own expense contracts)', zh: '查询收入/支出合同（AP 仅见本方支出合同）' },
    query: S.ContractQuery,
    response: { status: 200, schema: S.ContractPage },
    handler: async ({ services, principal, query }) => {
      const { limit, offset, ...filter } = query;
      const ap = apScope(principal);
      if (ap === null) return services.store.listContracts(filter, { limit, offset });
      if (filter.type === 'REVENUE') return { items: [], total: 0, limit, offset };
      const res = await services.store.listContracts({ ...filter, type: 'EXPENSE', apPartnerId: ap }, { limit, offset });
      return { ...res, items: res.items.map(forAp) };
    },
  }),
  route<{ id: string }>({
    id: 'getContract',
    method: 'get',
    path: '/contracts/:id',
    roles: CONTRACT_READERS,
    tag: 'contracts',
    summary: { en: 'Read a contract', zh: '查看合同' },
    params: S.IdParams,
    response: { status: 200, schema: S.Contract },
    handler: async ({ services, principal, params }) => {
      const rec = found(await services.store.getContract(params.id), 'contract', params.id);
      const ap = apScope(principal);
      if (ap === null) return rec;
      if (!apCanSeeContract(rec, ap)) throw notFound('contract', params.id);
      return forAp(rec);
    },
  }),
  route<{ id: string }>({
    id: 'listContractVersions',
    method: 'get',
    path: '/contracts/:id/versions',
    roles: CONTRACT_READERS,
    tag: 'contracts',
    summary: { en: 'Versions of a contract (actor, time, reason)', zh: '合同版本历史' },
    params: S.IdParams,
    response: { status: 200, schema: S.RecordVersions },
    handler: async ({ services, principal, params }) => {
      const ap = apScope(principal);
      if (ap !== null) {
        const rec = await services.store.getContract(params.id);
        if (!rec || !apCanSeeContract(rec, ap)) throw notFound('contract', params.id);
      }
      const versions = found(await services.store.contractVersions(params.id), 'contract', params.id);
      return ap === null ? versions : versions.map((v) => ({ ...v, data: forAp(v.data) }));
    },
  }),

  // ---------------------------------------------------------------- countersign 合同会签单
  route({
    id: 'listCountersignForms',
    method: 'get',
    path: '/countersign-forms',
    roles: COUNTERSIGN_READERS,
    tag: 'countersign',
    summary: { en: 'List issued countersign forms', zh: '查询合同会签单' },
    query: S.CountersignQuery,
    response: { status: 200, schema: S.CountersignFormPage },
    handler: async ({ services, query }) => {
      const { limit, offset, ...filter } = query;
      return services.store.listCountersignForms(filter, { limit, offset });
    },
  }),
  route<{ id: string }>({
    id: 'getCountersignForm',
    method: 'get',
    path: '/countersign-forms/:id',
    roles: COUNTERSIGN_READERS,
    tag: 'countersign',
    summary: { en: 'Read a countersign form with every decision', zh: '查看合同会签单' },
    params: S.IdParams,
    response: { status: 200, schema: S.CountersignForm },
    handler: async ({ services, params }) => found(await services.store.getCountersignForm(params.id), 'countersign form', params.id),
  }),
  route<{ id: string }>({
    id: 'getCountersignHistory',
    method: 'get',
    path: '/countersign-forms/:id/history',
    roles: COUNTERSIGN_READERS,
    tag: 'countersign',
    summary: { en: 'All review rounds of the contract, rejected ones included', zh: '会签历史（含驳回轮次）' },
    params: S.IdParams,
    response: { status: 200, schema: S.CountersignHistory },
    handler: async ({ services, params }) => found(await services.store.countersignHistory(params.id), 'countersign form', params.id),
  }),

  // ---------------------------------------------------------------- collaboration task orders 协作任务单
  route({
    id: 'listTaskOrders',
    method: 'get',
    path: '/collaboration-task-orders',
    roles: TASK_ORDER_READERS,
    tag: 'collaboration-task-orders',
    summary: { en: 'List collaboration task orders', zh: '查询协作任务单' },
    query: S.TaskOrderQuery,
    response: { status: 200, schema: S.TaskOrderPage },
    handler: async ({ services, query }) => {
      const { limit, offset, ...filter } = query;
      return services.store.listTaskOrders(filter, { limit, offset });
    },
  }),
  route<{ id: string }>({
    id: 'getTaskOrder',
    method: 'get',
    path: '/collaboration-task-orders/:id',
    roles: TASK_ORDER_READERS,
    tag: 'collaboration-task-orders',
    summary: { en: 'Read a collaboration task order and its reply', zh: '查看协作任务单及回复' },
    params: S.IdParams,
    response: { status: 200, schema: S.TaskOrder },
    handler: async ({ services, params }) => found(await services.store.getTaskOrder(params.id), 'collaboration task order', params.id),
  }),

  // ---------------------------------------------------------------- payment bases 支付依据
  route({
    id: 'submitPaymentBasis',
    method: 'post',
    idempotent: true,
    path: '/payment-bases',
    roles: ['ap-partner'],
    tag: 'payment-bases',
    summary: { en: 'AP partner submits the payment basis of its expense contract (implementation completed)', zh: 'AP 提交支付依据（实施完成）' },
    body: S.SubmitPaymentBasisBody,
    response: { status: 201, schema: S.PaymentBasis, description: '201 when recorded, 200 when this submissionId was already recorded' },
    handler: async ({ services, principal, body }) => {
      const ap = apScope(principal);
      if (ap === null) throw notFound('expense contract', body.expenseContractId, '/expenseContractId', 'body');
      const res = await services.store.submitPaymentBasis(actorOf(principal), ap, body);
      if (!res) throw notFound('expense contract', body.expenseContractId, '/expenseContractId', 'body');
      return new Reply(res.created ? 201 : 200, res.record, undefined, { location: `/api/payment-bases/${res.record.id}` });
    },
  }),
  route({
    id: 'listPaymentBases',
    method: 'get',
    path: '/payment-bases',
    roles: PAYMENT_BASIS_READERS,
    tag: 'payment-bases',
    summary: { en: 'List payment bases (AP partners: their own)', zh: '查询支付依据（AP 仅见本方）' },
    query: S.PaymentBasisQuery,
    response: { status: 200, schema: S.PaymentBasisPage },
    handler: async ({ services, principal, query }) => {
      const { limit, offset, ...filter } = query;
      const ap = apScope(principal);
      const res = await services.store.listPaymentBases(ap === null ? filter : { ...filter, apPartnerId: ap }, { limit, offset });
      return ap === null ? res : { ...res, items: res.items.map(forAp) };
    },
  }),
  route<{ id: string }>({
    id: 'getPaymentBasis',
    method: 'get',
    path: '/payment-bases/:id',
    roles: PAYMENT_BASIS_READERS,
    tag: 'payment-bases',
    summary: { en: 'Read a payment basis', zh: '查看支付依据' },
    params: S.IdParams,
    response: { status: 200, schema: S.PaymentBasis },
    handler: async ({ services, principal, params }) => {
      const rec = found(await services.store.getPaymentBasis(params.id), 'payment basis', params.id);
      const ap = apScope(principal);
      if (ap === null) return rec;
      if (rec.apPartnerId !== ap) throw notFound('payment basis', params.id);
      return forAp(rec);
    },
  }),

  // ---------------------------------------------------------------- customer communication records 客户沟通记录表
  route({
    id: 'createCommunicationRecord',
    method: 'post',
    idempotent: true,
    path: '/customer-communication-records',
    roles: ['customer-manager'],
    tag: 'customer-communication-records',
    summary: { en: 'File a customer communication record', zh: '填写客户沟通记录表' },
    body: S.CreateCommunicationRecordBody,
    response: { status: 201, schema: S.CommunicationRecord },
    handler: async ({ services, principal, body }) => {
      const rec = await services.store.createCommunicationRecord(actorOf(principal), body);
      if (!rec) throw notFound('order or service request', body.orderId, '/orderId', 'body');
      return new Reply(201, rec, undefined, { location: `/api/customer-communication-records/${rec.id}` });
    },
  }),
  route({
    id: 'listCommunicationRecords',
    method: 'get',
    path: '/customer-communication-records',
    roles: STAFF,
    tag: 'customer-communication-records',
    summary: { en: 'List customer communication records', zh: '查询客户沟通记录表' },
    query: S.CommunicationRecordQuery,
    response: { status: 200, schema: S.CommunicationRecordPage },
    handler: async ({ services, query }) => {
      const { limit, offset, ...filter } = query;
      return services.store.listCommunicationRecords(filter, { limit, offset });
    },
  }),
  route<{ id: string }>({
    id: 'getCommunicationRecord',
    method: 'get',
    path: '/customer-communication-records/:id',
    roles: STAFF,
    tag: 'customer-communication-records',
    summary: { en: 'Read a customer communication record', zh: '查看客户沟通记录表' },
    params: S.IdParams,
    response: { status: 200, schema: S.CommunicationRecord },
    handler: async ({ services, params }) => found(await services.store.getCommunicationRecord(params.id), 'customer communication record', params.id),
  }),

  // ---------------------------------------------------------------- account monitoring 账号监管
  route({
    id: 'listMonitoringEntries',
    method: 'get',
    path: '/account-monitoring/entries',
    roles: MONITORING_READERS,
    tag: 'account-monitoring',
    summary: { en: 'List account monitoring entries', zh: '查询账号监管记录' },
    query: S.MonitoringQuery,
    response: { status: 200, schema: S.MonitoringPage },
    handler: async ({ services, query }) => {
      const { limit, offset, ...filter } = query;
      return services.store.listMonitoringEntries(filter, { limit, offset });
    },
  }),
  route<{ id: string }>({
    id: 'getMonitoringEntry',
    method: 'get',
    path: '/account-monitoring/entries/:id',
    roles: MONITORING_READERS,
    tag: 'account-monitoring',
    summary: { en: 'Read an account monitoring entry with monthly usage', zh: '查看账号监管记录及月度使用量' },
    params: S.IdParams,
    response: { status: 200, schema: S.MonitoringEntry },
    handler: async ({ services, params }) => found(await services.store.getMonitoringEntry(params.id), 'account monitoring entry', params.id),
  }),
  route<{}, {}, { items: Row[] }>({
    id: 'ingestUsage',
    method: 'post',
    path: '/account-monitoring/usage',
    roles: ['contract-admin', 'admin'],
    tag: 'account-monitoring',
    summary: { en: 'Bulk usage figures from the training platform (idempotent per contract and month)', zh: '培训平台批量上报账号使用量（按合同与月份幂等）' },
    body: S.UsageIngestBody,
    response: { status: 200, schema: S.UsageIngestResult },
    handler: async ({ services, principal, body }) => {
      const seen = new Map<string, number>();
      body.items.forEach((it, i) => {
        const key = `${it.revenueContractNo}\u0000${it.month}`;
        const prev = seen.get(key);
        if (prev !== undefined)
          throw badRequest(`items ${prev} and ${i} are both for ${it.revenueContractNo} ${it.month}`, [{ in: 'body', pointer: `/items/${i}`, detail: 'duplicate contract and month' }]);
        seen.set(key, i);
      });
      const active = body.items
        .map((it, i) => [it, i] as const)
        .filter(([it]) => (it.activeAccounts as number) > (it.openedAccounts as number))
        .map(([, i]) => ({ in: 'body' as const, pointer: `/items/${i}/activeAccounts`, detail: 'more active than opened accounts' }));
      if (active.length) throw badRequest('active accounts exceed opened accounts', active);
      return services.store.ingestUsage(actorOf(principal), body.items);
    },
  }),
  route({
    id: 'listMonthlyReports',
    method: 'get',
    path: '/account-monitoring/reports',
    roles: MONITORING_READERS,
    tag: 'account-monitoring',
    summary: { en: 'List monthly usage reports', zh: '查询月度报表' },
    query: S.ReportQuery,
    response: { status: 200, schema: S.MonthlyReportPage },
    handler: async ({ services, query }) => services.store.listMonthlyReports(page(query)),
  }),
  route<{ month: string }>({
    id: 'getMonthlyReport',
    method: 'get',
    path: '/account-monitoring/reports/:month',
    roles: MONITORING_READERS,
    tag: 'account-monitoring',
    summary: { en: 'Read the monthly usage report of a month (YYYY-MM)', zh: '查看月度报表' },
    params: S.MonthParams,
    response: { status: 200, schema: S.MonthlyReport },
    handler: async ({ services, params }) => found(await services.store.getMonthlyReport(params.month), 'monthly report', params.month, '/month'),
  }),
  route<{ month: string }>({
    id: 'exportMonthlyReportCsv',
    method: 'get',
    path: '/account-monitoring/reports/:month/csv',
    roles: MONITORING_READERS,
    tag: 'account-monitoring',
    summary: { en: 'Monthly usage report as CSV (UTF-8 with BOM, opens in Excel)', zh: '导出月度报表 CSV（UTF-8 BOM）' },
    params: S.MonthParams,
    response: { status: 200, contentType: 'text/csv; charset=utf-8', schema: { type: 'string' } },
    handler: async ({ services, params }) => {
      const rep = found(await services.store.getMonthlyReport(params.month), 'monthly report', params.month, '/month');
      return new Reply(200, reportCsv(rep), 'text/csv; charset=utf-8', {
        'content-disposition': `attachment; filename="account-usage-${params.month}.csv"`,
      });
    },
  }),

  // ---------------------------------------------------------------- service requests 投诉、故障、咨询
  route({
    id: 'createServiceRequest',
    method: 'post',
    idempotent: true,
    path: '/service-requests',
    roles: ['customer-manager', 'ops', 'dept-manager'],
    tag: 'service-requests',
    summary: { en: 'Log a complaint, fault or consultation and start its handling process', zh: '登记投诉、故障或咨询并启动处理流程' },
    body: S.CreateServiceRequestBody,
    response: { status: 201, schema: S.ServiceRequest },
    handler: async ({ services, principal, body }) => {
      const rec = await services.store.createServiceRequest(actorOf(principal), body);
      if (!rec) throw notFound('order', body.orderId, '/orderId', 'body');
      return new Reply(201, rec, undefined, { location: `/api/service-requests/${rec.id}` });
    },
  }),
  route({
    id: 'listServiceRequests',
    method: 'get',
    path: '/service-requests',
    roles: STAFF,
    tag: 'service-requests',
    summary: { en: 'List service requests', zh: '查询投诉、故障、咨询' },
    query: S.ServiceRequestQuery,
    response: { status: 200, schema: S.ServiceRequestPage },
    handler: async ({ services, query }) => {
      const { limit, offset, ...filter } = query;
      return services.store.listServiceRequests(filter, { limit, offset });
    },
  }),
  route<{ id: string }>({
    id: 'getServiceRequest',
    method: 'get',
    path: '/service-requests/:id',
    roles: STAFF,
    tag: 'service-requests',
    summary: { en: 'Read a service request', zh: '查看投诉、故障、咨询' },
    params: S.IdParams,
    response: { status: 200, schema: S.ServiceRequest },
    handler: async ({ services, params }) => found(await services.store.getServiceRequest(params.id), 'service request', params.id),
  }),

  // ---------------------------------------------------------------- calendar 工作日历
  route<{}, { from: string; workingDays: number }>({
    id: 'computeDeadline',
    method: 'get',
    path: '/calendar/deadline',
    roles: ALL,
    tag: 'calendar',
    summary: { en: 'Deadline N working days after a date (PRC calendar, Asia/Shanghai)', zh: '按工作日计算期限' },
    query: S.DeadlineQuery,
    response: { status: 200, schema: S.Deadline },
    handler: async ({ services, query }) => services.store.deadline(query.from, query.workingDays),
  }),
  route<{ year: number }>({
    id: 'getCalendarYear',
    method: 'get',
    path: '/calendar/:year',
    roles: ALL,
    tag: 'calendar',
    summary: { en: "A year's holidays and adjusted working days", zh: '查看年度节假日与调休安排' },
    params: S.YearParams,
    response: { status: 200, schema: S.CalendarYear },
    handler: async ({ services, params }) => found(await services.store.getCalendarYear(params.year), 'calendar year', String(params.year), '/year'),
  }),
  route<{ year: number }, {}, Row>({
    id: 'putCalendarYear',
    method: 'put',
    path: '/calendar/:year',
    roles: ['admin'],
    tag: 'calendar',
    summary: { en: "Replace a year's schedule (one validated document; a new version)", zh: '维护年度工作日历' },
    params: S.YearParams,
    body: S.CalendarYearBody,
    response: { status: 200, schema: S.CalendarYear, description: '201 when the year is new' },
    handler: async ({ services, principal, params, body }) => {
      if (body.year !== params.year)
        throw badRequest(`the document is for ${body.year}, the path for ${params.year}`, [{ in: 'body', pointer: '/year', detail: 'must equal the year in the path' }]);
      return saveCalendar(services, principal, body);
    },
  }),
  route<{}, {}, Row>({
    id: 'postCalendarYear',
    method: 'post',
    path: '/calendar',
    roles: ['admin'],
    tag: 'calendar',
    summary: { en: "Add (or replace) a year's schedule as one document", zh: '新增年度工作日历' },
    body: S.CalendarYearBody,
    response: { status: 201, schema: S.CalendarYear, description: '200 when the year existed' },
    handler: async ({ services, principal, body }) => saveCalendar(services, principal, body),
  }),

  // ---------------------------------------------------------------- audit 版本与更正 (§9 records)
  route<{ kind: string; id: string }>({
    id: 'listRecordVersions',
    method: 'get',
    path: '/records/:kind/:id/versions',
    roles: STAFF,
    tag: 'audit',
    summary: { en: 'Versions of a §9 record with actor, time and reason', zh: '质量记录版本历史（人、时间、原因）' },
    params: S.RecordParams,
    response: { status: 200, schema: S.RecordVersions },
    handler: async ({ services, params }) => found(await services.store.recordVersions(params.kind, params.id), params.kind, params.id),
  }),
  route<{ kind: string; id: string }, {}, { reason: string; changes: Row }>({
    id: 'correctRecord',
    method: 'post',
    idempotent: true,
    path: '/records/:kind/:id/corrections',
    roles: CORRECTORS,
    tag: 'audit',
    summary: { en: 'Correct a §9 record: a new version with a reason (never an update in place)', zh: '更正质量记录（新版本，须注明原因）' },
    params: S.RecordParams,
    body: S.CorrectionBody,
    response: { status: 201, schema: S.RecordVersion },
    handler: async ({ services, principal, params, body }) => {
      const v = found(await services.store.correctRecord(actorOf(principal), params.kind, params.id, body.reason, body.changes), params.kind, params.id);
      return new Reply(201, v);
    },
  }),

  // ---------------------------------------------------------------- tasks 待办任务 (api/tasks.ts, H7)
  ...TASK_ROUTES,

  // ---------------------------------------------------------------- incidents 故障修复 (api/incidents.ts)
  ...INCIDENT_ROUTES,

  // ---------------------------------------------------------------- the workbench (api/workbench/)
  ...WORKBENCH_ROUTES,

  // ---------------------------------------------------------------- notifications 通知 (api/notifications/)
  ...NOTIFICATION_ROUTES,

  // ---------------------------------------------------------------- calendar admin 工作日历维护 (api/calendar/)
  ...CALENDAR_ADMIN_ROUTES,

  // ---------------------------------------------------------------- reports 管理概览 (api/reports/)
  ...REPORT_ROUTES,
];


async function saveCalendar(services: ApiServices, principal: Principal, body: Row) {
  // checks, stores and firms the provisional deadlines the year changes (api/calendar/upload.ts)
  const res = await uploadYear(services, principal, body);
  return new Reply(res.created ? 201 : 200, res.record);
}

/** CSV for Excel: UTF-8 with BOM, CRLF, fields quoted when needed, formula-looking text neutralised. */
export function reportCsv(rep: Row): string {
  const header = ['合同编号 contract', '订单编号 order', '客户 customer', '合同账号数 contracted', '已开通 opened', '活跃 active', '使用率 utilisation', '超额 over quota', '缺数据 missing figures'];
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = (rep.rows as Row[]).map((l) =>
    [l.contractNo, l.orderNo, l.customerName, l.contracted, l.opened, l.active, l.utilisation, l.overQuota, l.missingFigures ? 'yes' : ''].map(cell).join(','),
  );
  return '\uFEFF' + [header.map(cell).join(','), ...lines].join('\r\n') + '\r\n';
}
