/**
 * `npm run demo`: a small realistic data set, loaded once (idempotent: a second run finds it and adds
 * nothing).
 *
 * Everything goes through the API as the demo users, with the workers running, so records carry the
 * business clock's time and the same checks as a person's clicks:
 * - three customers and two AP partners (ap-alpha, ap-beta, who sign in at once: local sign-in looks
 *   partners up), added by the admin; the partners' endpoint is the AP simulator on DEMO_AP_PORT (8091);
 * - three orders in different stages: one waiting for the customer's confirmation, one with the AP in
 *   countersign (dept-manager review), one delivered and waiting for its completion record.
 */
import { demoApPortFromEnv } from '../platform/config/env';
import { ApPartnerEntity, BusinessOrderEntity, CustomerEntity } from '../db/entities/index';
import { shanghaiDay } from '../domain/time';
import { ApiClient, waitFor } from './api-client';
import { startApSimulator, type ApSimulator } from './ap-simulator';
import type { RunningSystem } from './system';

export const DEMO_AP_SECRET = 'demo-ap-shared-secret-change-me';
const demoApPort = () => demoApPortFromEnv();

const CUSTOMERS = [
  { code: 'DEMO-C1', name: '上海浦江智能制造有限公司', contactName: '王敏', contactPhone: '021-5555-0101' },
  { code: 'DEMO-C2', name: '东方金融培训学院', contactName: '陈立', contactPhone: '021-5555-0102' },
  { code: 'DEMO-C3', name: '长宁区教育信息中心', contactName: '刘洋', contactPhone: '021-5555-0103' },
];
const PARTNERS = [
  { code: 'alpha', name: '阿尔法在线学习科技有限公司' },
  { code: 'beta', name: '贝塔直播技术有限公司' },
];

/** the customers and partners, through the admin's routes as a person would add them (idempotent by code) */
async function seedDemoParties(api: ApiClient, endpointUrl: string): Promise<void> {
  const admin = 'admin';
  const customers = new Set(
    (await api.get<{ items: { code: string | null }[] }>(admin, '/api/customers?limit=500')).items.map((c) => c.code),
  );
  for (const c of CUSTOMERS)
    if (!customers.has(c.code)) await api.post(admin, '/api/customers', { ...c, customerManager: 'customer-manager' });
  const partners = new Set((await api.get<{ items: { code: string }[] }>(admin, '/api/ap-partners?limit=500')).items.map((p) => p.code));
  for (const p of PARTNERS) {
    if (partners.has(p.code)) continue;
    await api.post(admin, '/api/ap-partners', {
      ...p,
      endpointUrl,
      hmacSecret: DEMO_AP_SECRET,
      status: 'ACTIVE',
      terms: { pricePerAccountMonth: 15, slaDuration: 'P10D', paymentDays: 30 },
    });
  }
}

const AP_PATH = '/ap/implementation-requests';
let simulator: ApSimulator | null = null;

/** Loads the orders through the API once; returns what the demo holds. */
export async function loadDemoData(sys: RunningSystem): Promise<{ created: boolean; lines: string[] }> {
  const ds = sys.dataSource;
  const api = new ApiClient(sys.apiUrl);
  // the AP endpoint of the demo partners (accepts signed requests; the AP then reports through the API)
  if (!simulator) {
    try {
      // the simulated AP reports completion with its payment basis a few seconds after each request
      simulator = await startApSimulator({
        secret: DEMO_AP_SECRET,
        port: demoApPort(),
        path: AP_PATH,
        onRequest: (r) => {
          setTimeout(
            () =>
              void reportAsAp(api, r.body, shanghaiDay(sys.clock.now())).catch((e: Error) =>
                sys.logger.warn({ err: e.message }, 'demo AP report failed'),
              ),
            3000,
          ).unref();
        },
      });
      sys.logger.info({ url: simulator.url }, 'demo AP endpoint listening');
    } catch (e) {
      sys.logger.warn({ err: (e as Error).message }, 'demo AP endpoint could not start');
    }
  }
  // the partners' endpoint: where the simulator listens (DEMO_AP_PORT=0 takes a free port), else where it should
  await seedDemoParties(api, simulator?.url ?? `http://127.0.0.1:${demoApPort()}${AP_PATH}`);
  const customers = await ds
    .getRepository(CustomerEntity)
    .find({ where: CUSTOMERS.map((c) => ({ code: c.code })), order: { code: 'ASC' } });
  const alpha = await ds.getRepository(ApPartnerEntity).findOneByOrFail({ code: 'alpha' });
  const existing = await ds.getRepository(BusinessOrderEntity).count({ where: customers.map((c) => ({ customerId: c.id })) });
  const describe = async () => {
    const orders = await ds
      .getRepository(BusinessOrderEntity)
      .find({ where: customers.map((c) => ({ customerId: c.id })), order: { orderNo: 'ASC' } });
    const byId = new Map(customers.map((c) => [c.id, c.name]));
    return orders.map((o) => `${o.orderNo}  ${o.status.padEnd(16)} ${byId.get(o.customerId)}${o.apInvolved ? ' (AP)' : ''}`);
  };
  if (existing > 0) return { created: false, lines: await describe() };

  const cm = 'customer-manager';
  const base = { modules: ['learning-management', 'virtual-classroom'], termMonths: 12, note: '演示数据' };
  // business dates from the system's clock (the engine's, when it runs in test mode), in Beijing time
  const today = shanghaiDay(sys.clock.now());
  const mk = (customerId: string, accounts: number, amount: number, ap: boolean) =>
    api.post(cm, '/api/orders', {
      ...base,
      customerId,
      accounts,
      amount,
      openingDate: today,
      apInvolved: ap,
      apPartnerId: ap ? alpha.id : null,
    });

  // 1: waiting for the customer's confirmation
  await mk(customers[0].id, 200, 48000, false);
  // 2: confirmed and drafted: in countersign (dept-manager review)
  const o2 = await mk(customers[1].id, 500, 120000, true);
  await api.step(
    cm,
    'confirm-order-with-customer',
    { orderNo: o2.orderNo },
    { customerDecision: 'CONFIRMED', customerFeedback: '同意' },
    30_000,
  );
  await api.step(
    cm,
    'draft-revenue-contract',
    { orderNo: o2.orderNo },
    { contractTitle: `在线培训服务协议 ${o2.orderNo}`, contractAmount: 120000, contractTerm: 12 },
    30_000,
  );
  // 3: delivered, waiting for the completion record
  const o3 = await mk(customers[2].id, 80, 19200, false);
  await api.step(cm, 'confirm-order-with-customer', { orderNo: o3.orderNo }, { customerDecision: 'CONFIRMED' }, 30_000);
  await api.step(
    cm,
    'draft-revenue-contract',
    { orderNo: o3.orderNo },
    { contractTitle: `在线培训服务协议 ${o3.orderNo}`, contractAmount: 19200, contractTerm: 12 },
    30_000,
  );
  await api.step(
    'dept-manager',
    'dept-manager-review',
    { orderNo: o3.orderNo },
    { reviewDecision: 'APPROVE', reviewOpinion: '同意' },
    30_000,
  );
  await api.step('center-reviewer', 'center-review', { orderNo: o3.orderNo }, { reviewDecision: 'APPROVE', reviewOpinion: '同意' }, 30_000);
  await api.step('contract-admin', 'sign-revenue-contract', { orderNo: o3.orderNo }, { signedDate: today }, 30_000);
  await api.step(
    'tech-dept',
    'configure-platform',
    { orderNo: o3.orderNo },
    { configurationReply: '已在业务平台开通 80 个账号', configuredAt: today },
    30_000,
  );
  await api.step(
    cm,
    'accept-configuration',
    { orderNo: o3.orderNo },
    { acceptanceDecision: 'ACCEPTED', acceptanceOpinion: '验收通过' },
    30_000,
  );
  await api.step(cm, 'deliver-to-customer', { orderNo: o3.orderNo }, { deliveredOn: today, deliveryNote: '已交付客户使用' }, 30_000);
  await waitFor(async () => (await api.get(cm, `/api/orders/${o3.id}`)).status === 'DELIVERED', `${o3.orderNo} delivered`, 30_000);
  return { created: true, lines: await describe() };
}

/** the AP's side: its expense contract (as the AP user) and the payment basis */
async function reportAsAp(api: ApiClient, body: Record<string, any>, completedOn: string): Promise<void> {
  const user = 'ap-alpha';
  const list = await api.get(user, '/api/contracts?type=EXPENSE&limit=200');
  const c = (list.items as { id: string; contractNo: string; amount: number }[]).find((x) => x.contractNo === body.expenseContractNo);
  if (!c) return;
  await api.post(user, '/api/payment-bases', {
    submissionId: `demo-${body.requestId}`,
    expenseContractId: c.id,
    amount: c.amount,
    completedOn,
    description: '外包平台已完成配置（演示 AP 自动回复）',
  });
}

export async function stopDemo(): Promise<void> {
  await simulator?.close();
  simulator = null;
}
