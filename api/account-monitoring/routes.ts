/** The routes of 账号监管 account monitoring and the monthly reports, with the roles that may call each. */
import type { Role } from '../../domain/vocabulary';
import { badRequest } from '../problem';
import { Reply, route, found, page, type RouteSpec } from '../route';
import { actorOf } from '../services';
import type { MonthlyReportDto, UsageIngestItem } from './port';
import * as S from './schemas';

const MONITORING_READERS: Role[] = ['customer-manager', 'dept-manager', 'center-reviewer', 'contract-admin', 'admin', 'auditor'];

export const ACCOUNT_MONITORING_ROUTES: RouteSpec[] = [
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
    handler: async ({ services, params }) =>
      found(await services.store.getMonitoringEntry(params.id), 'account monitoring entry', params.id),
  }),
  route<{}, {}, { items: UsageIngestItem[] }>({
    id: 'ingestUsage',
    method: 'post',
    path: '/account-monitoring/usage',
    roles: ['contract-admin', 'admin'],
    tag: 'account-monitoring',
    summary: {
      en: 'Bulk usage figures from the training platform (idempotent per contract and month)',
      zh: '培训平台批量上报账号使用量（按合同与月份幂等）',
    },
    body: S.UsageIngestBody,
    response: { status: 200, schema: S.UsageIngestResult },
    handler: async ({ services, principal, body }) => {
      const seen = new Map<string, number>();
      body.items.forEach((it, i) => {
        const key = `${it.revenueContractNo}\u0000${it.month}`;
        const prev = seen.get(key);
        if (prev !== undefined)
          throw badRequest(`items ${prev} and ${i} are both for ${it.revenueContractNo} ${it.month}`, [
            { in: 'body', pointer: `/items/${i}`, detail: 'duplicate contract and month' },
          ]);
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
    handler: async ({ services, params }) =>
      found(await services.store.getMonthlyReport(params.month), 'monthly report', params.month, '/month'),
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
];

/** CSV for Excel: UTF-8 with BOM, CRLF, fields quoted when needed, formula-looking text neutralised. */
export function reportCsv(rep: MonthlyReportDto): string {
  const header = [
    '合同编号 contract',
    '订单编号 order',
    '客户 customer',
    '合同账号数 contracted',
    '已开通 opened',
    '活跃 active',
    '使用率 utilisation',
    '超额 over quota',
    '缺数据 missing figures',
  ];
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = rep.rows.map((l) =>
    [l.contractNo, l.orderNo, l.customerName, l.contracted, l.opened, l.active, l.utilisation, l.overQuota, l.missingFigures ? 'yes' : '']
      .map(cell)
      .join(','),
  );
  return '\uFEFF' + [header.map(cell).join(','), ...lines].join('\r\n') + '\r\n';
}
