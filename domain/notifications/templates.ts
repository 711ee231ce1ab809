/**
 * What a notification says: one template file per notification template (templates/<template>.txt,
 * Mustache): its first line is the subject (the inbox title), the rest after one blank line the body.
 * Both Chinese; they get the notification's refs, the recipient's name, the link to the case and every
 * ISO date-time of the refs as people read it (`<name>Text`: 2026年10月8日 23:59, Asia/Shanghai).
 */
import fs from 'node:fs';
import path from 'node:path';
import Mustache from 'mustache';
import { BUSINESS_TIME_ZONE } from '../vocabulary';

export const TEMPLATE_DIR = path.join(__dirname, 'templates');

/** every template a notification may name (a test checks each has its file and each file a use) */
export const NOTIFICATION_TEMPLATES = [
  'user-task-created',
  'completion-record-reminder',
  'completion-record-overdue',
  'sla-reminder',
  'sla-overdue',
  'collaboration-task-order-issued',
  'collaboration-task-order-sent-back',
  'payment-basis-to-check',
  'payment-basis-sent-back',
  'ap-implementation-request',
  'ap-sla-reminder',
  'ap-sla-overdue',
  'monthly-report-published',
  'monthly-report-late',
  'incident-appeared',
  'calendar-next-year-missing',
  'contract-rejected',
  'contract-awaiting-signing',
  'monthly-report-ready',
  'service-request-fault',
  'service-request-complaint',
] as const;
export type NotificationTemplate = (typeof NOTIFICATION_TEMPLATES)[number];

/**
 * Templates the code raises no more, kept for the notifications already stored under them: the inbox
 * renders a notification when it is read, so its template must stay. `payment-basis-to-check`: the
 * contract admin hears of a submitted payment basis from the announcer's notice of 核对支付依据 (issue #20).
 */
export const RETIRED_NOTIFICATION_TEMPLATES: readonly NotificationTemplate[] = ['payment-basis-to-check'];

export interface RenderedNotification {
  subject: string;
  body: string;
  /** absolute link to the case (PUBLIC_BASE_URL + casePath) */
  link: string;
}

/** What the notification is about, for the inbox's link: the first reference found, most specific first. */
export interface CaseRef {
  kind:
    | 'user-task'
    | 'business-order'
    | 'change-order'
    | 'collaboration-task-order'
    | 'payment-basis'
    | 'expense-contract'
    | 'monthly-report'
    | 'incident'
    | 'calendar';
  id: string | null;
  no: string | null;
  /**
   * the web UI's hash route (ui/src/main.ts), relative to PUBLIC_BASE_URL: `#/tasks/<key>`, `#/orders/<id or
   * YW-no>` (the case page reads both), `#/instances/<key>`, an incident `#/operations/instances/<key>`. Records without a page of their own (task order,
   * payment basis, contract, change order) open their order's case; without an order, the home route
   * (`#/`, which leads each role to its 待办 — the AP to its page). test/notifications/templates.test.ts
   * checks every path against the router.
   */
  path: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null);
const seg = (v: string) => encodeURIComponent(v);
export const HOME_ROUTE = '#/';

export function caseOf(refs: Record<string, unknown>): CaseRef | null {
  const r = (k: string) => str(refs[k]);
  const no = r('changeOrderNo') ?? r('orderNo');
  const order = r('orderId') ?? r('orderNo');
  // an AP partner's user has no case page (revenue figures): its links lead home, to the AP page
  const orderPath = order && !r('apPartnerId') ? `#/orders/${seg(order)}` : HOME_ROUTE;
  if (r('userTaskKey')) return { kind: 'user-task', id: r('userTaskKey'), no, path: `#/tasks/${seg(r('userTaskKey')!)}` };
  if (r('incidentKey'))
    return {
      kind: 'incident',
      id: r('incidentKey'),
      no: r('errorType'),
      path: r('processInstanceKey') ? `#/operations/instances/${seg(r('processInstanceKey')!)}` : HOME_ROUTE,
    };
  if (r('calendarYear')) return { kind: 'calendar', id: null, no: r('calendarYear'), path: HOME_ROUTE };
  if (r('taskOrderId') || r('taskOrderNo'))
    return { kind: 'collaboration-task-order', id: r('taskOrderId'), no: r('taskOrderNo'), path: orderPath };
  if (r('paymentBasisId') || r('paymentBasisNo'))
    return { kind: 'payment-basis', id: r('paymentBasisId'), no: r('paymentBasisNo'), path: orderPath };
  if (r('expenseContractId') || r('expenseContractNo'))
    return { kind: 'expense-contract', id: r('expenseContractId'), no: r('expenseContractNo'), path: orderPath };
  if (r('reportId') || r('month')) return { kind: 'monthly-report', id: r('reportId'), no: r('month'), path: HOME_ROUTE };
  if (r('changeOrderNo') || r('changeOrderId'))
    return { kind: 'change-order', id: r('changeOrderId'), no: r('changeOrderNo'), path: orderPath };
  if (order) return { kind: 'business-order', id: r('orderId'), no: r('orderNo'), path: orderPath };
  return null;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: BUSINESS_TIME_ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** 2026年10月8日 23:59 (Asia/Shanghai) */
export function formatShanghai(at: Date): string {
  const p = Object.fromEntries(PARTS.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.year}年${p.month}月${p.day}日 ${p.hour}:${p.minute}`;
}

const cache = new Map<string, { subject: string; body: string }>();
function load(template: string): { subject: string; body: string } {
  let t = cache.get(template);
  if (!t) {
    if (!(NOTIFICATION_TEMPLATES as readonly string[]).includes(template)) throw new Error(`unknown notification template ${template}`);
    const text = fs.readFileSync(path.join(TEMPLATE_DIR, `${template}.txt`), 'utf8').replace(/\r\n/g, '\n');
    const nl = text.indexOf('\n');
    t = { subject: text.slice(0, nl).trim(), body: text.slice(nl + 1).replace(/^\n/, '') };
    cache.set(template, t);
  }
  return t;
}

/** Fills a template; plain text (no HTML escaping), a missing value renders empty. */
export function renderNotification(
  template: string,
  refs: Record<string, unknown>,
  opts: { recipientName: string; baseUrl: string },
): RenderedNotification {
  const t = load(template);
  const c = caseOf(refs);
  const link = `${opts.baseUrl.replace(/\/$/, '')}/${c?.path ?? HOME_ROUTE}`;
  const view: Record<string, unknown> = { ...refs, recipientName: opts.recipientName, link, caseNo: c?.no ?? null };
  for (const [k, v] of Object.entries(refs)) {
    if (typeof v === 'string' && ISO_DATE_TIME.test(v)) view[`${k}Text`] = formatShanghai(new Date(v));
  }
  const plain = { escape: (s: unknown) => String(s) };
  return { subject: Mustache.render(t.subject, view, {}, plain).trim(), body: Mustache.render(t.body, view, {}, plain), link };
}
