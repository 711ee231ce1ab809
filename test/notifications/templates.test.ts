/**
 * One template file per notification template, and every template the code raises has one: the
 * templates named in domain/ and workers/ (enqueueNotification calls) and app/notifier are exactly
 * NOTIFICATION_TEMPLATES but the retired ones; each renders a Chinese subject and body with the case link and the dates as
 * people read them.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import {
  NOTIFICATION_TEMPLATES,
  RETIRED_NOTIFICATION_TEMPLATES,
  TEMPLATE_DIR,
  caseOf,
  formatShanghai,
  renderNotification,
} from '../../domain/notifications/templates';

const ROOT = path.join(__dirname, '..', '..');
function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('notifications: templates', () => {
  it('the template files are exactly the templates the code raises', () => {
    const raised = new Set<string>();
    for (const f of [...sources(path.join(ROOT, 'domain')), ...sources(path.join(ROOT, 'workers')), ...sources(path.join(ROOT, 'app'))]) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/template: '([a-z-]+)'/g)) raised.add(m[1]);
    }
    const files = fs
      .readdirSync(TEMPLATE_DIR)
      .filter((f) => f.endsWith('.txt'))
      .map((f) => f.replace(/\.txt$/, ''));
    // a retired template is raised nowhere and stays for the stored notifications that name it
    for (const t of RETIRED_NOTIFICATION_TEMPLATES) expect(raised.has(t), `${t} is retired`).to.equal(false);
    expect([...raised, ...RETIRED_NOTIFICATION_TEMPLATES].sort()).to.deep.equal([...NOTIFICATION_TEMPLATES].sort());
    expect(files.sort()).to.deep.equal([...NOTIFICATION_TEMPLATES].sort());
  });

  it('renders subject, body, link and Shanghai dates; no placeholder is left', () => {
    const refs = {
      orderNo: 'YW-2026-000001',
      orderId: 'o-1',
      changeOrderNo: null,
      taskOrderNo: 'XZ-2026-000001',
      expenseContractNo: 'ZC-2026-000001',
      paymentBasisNo: 'ZF-2026-000001',
      month: '2026-11',
      version: 2,
      opinion: '请补充',
      slaDuration: 'P10D',
      customerManager: 'customer-manager',
      taskName: '客户确认业务订单',
      processName: '在线培训业务开通',
      completionDeadline: '2026-12-29T23:59:59+08:00',
      requestedAt: '2026-09-01T01:00:00.000Z',
      dueAt: '2026-12-04T23:59:59+08:00',
      dueDate: null,
      deadlineProvisional: true,
    };
    for (const t of NOTIFICATION_TEMPLATES) {
      const r = renderNotification(t, refs, { recipientName: '张三', baseUrl: 'http://ot.example.test/' });
      expect(r.subject, t).to.match(/[\u4e00-\u9fff]/);
      expect(r.subject, t).to.not.contain('\n');
      expect(r.body, t).to.contain('张三，您好');
      expect(r.body, t).to.contain(r.link);
      expect(r.link, t).to.match(/^http:\/\/ot\.example\.test\/#\/[a-z]/);
      expect(r.subject + r.body, t).to.not.match(/\{\{|\}\}|undefined|\[object/);
    }
    expect(renderNotification('completion-record-reminder', refs, { recipientName: '张三', baseUrl: 'http://x.test' }).body)
      .to.contain('2026年12月29日 23:59')
      .and.contain('暂定');
    expect(renderNotification('ap-sla-overdue', refs, { recipientName: '张三', baseUrl: 'http://x.test' }).body).to.contain(
      '2026年9月1日 09:00',
    );
    expect(formatShanghai(new Date('2026-10-08T15:59:00Z'))).to.equal('2026年10月8日 23:59');
  });

  it('links the most specific case: the task, else the order of the record, else home', () => {
    expect(caseOf({ userTaskKey: '22', orderNo: 'YW-1' })).to.deep.equal({ kind: 'user-task', id: '22', no: 'YW-1', path: '#/tasks/22' });
    expect(caseOf({ orderId: 'o1', orderNo: 'YW-1' })?.path).to.equal('#/orders/o1');
    expect(caseOf({ orderNo: 'YW-1' })?.path).to.equal('#/orders/YW-1');
    expect(caseOf({ taskOrderId: 't', taskOrderNo: 'XZ-1', orderId: 'o1' })).to.deep.include({
      kind: 'collaboration-task-order',
      path: '#/orders/o1',
    });
    expect(caseOf({ expenseContractNo: 'ZC-1', orderNo: 'YW-1', apPartnerId: 'p' })?.path, 'an AP user has no case page').to.equal('#/');
    expect(caseOf({ incidentKey: '9', processInstanceKey: '77' })?.path).to.equal('#/operations/instances/77');
    expect(caseOf({ month: '2026-11', reportId: 'r' })?.path).to.equal('#/');
    expect(
      renderNotification('user-task-created', { userTaskKey: '22' }, { recipientName: 'x', baseUrl: 'http://ot.example.test/' }).link,
    ).to.equal('http://ot.example.test/#/tasks/22');
    expect(caseOf({})).to.equal(null);
  });

  it('every link a template can produce is a route the UI router (ui/src/main.ts) knows', () => {
    // the first path segment of each route is a `case '…':` of the router's switch; '' is home
    const main = fs.readFileSync(path.join(ROOT, 'ui', 'src', 'main.ts'), 'utf8');
    const known = new Set([...main.slice(main.indexOf('switch (seg[0]')).matchAll(/case '([a-z-]*)':/g)].map((m) => m[1]));
    expect(known).to.include.members(['', 'tasks', 'orders', 'instances']);
    // one refs per branch of caseOf, as the notifications' writers fill them, with and without their order
    const ids = {
      userTaskKey: '2251799813685321',
      orderId: 'b3c1e0d2-0000-4000-8000-000000000001',
      orderNo: 'YW-2026-000001',
      changeOrderNo: 'BG-2026-000001',
      changeOrderId: 'c1',
      taskOrderId: 't1',
      taskOrderNo: 'XZ-2026-000001',
      paymentBasisId: 'p1',
      paymentBasisNo: 'ZF-2026-000001',
      expenseContractId: 'e1',
      expenseContractNo: 'ZC-2026-000001',
      reportId: 'r1',
      month: '2026-11',
      incidentKey: '2251799813685999',
      processInstanceKey: '2251799813685000',
      calendarYear: '2027',
      apPartnerId: 'ap1',
    };
    const keys = Object.keys(ids) as (keyof typeof ids)[];
    const paths = new Set<string>();
    // every subset of up to three keys: covers each branch, its fall-backs and their order of precedence
    for (const a of keys)
      for (const b of keys)
        for (const c of keys) {
          const refs = { [a]: ids[a], [b]: ids[b], [c]: ids[c] };
          const k = caseOf(refs);
          for (const t of NOTIFICATION_TEMPLATES) {
            const link = renderNotification(t, refs, { recipientName: '张三', baseUrl: 'http://ot.example.test' }).link;
            expect(link, `${t} ${JSON.stringify(refs)}`).to.equal(`http://ot.example.test/${k?.path ?? '#/'}`);
          }
          paths.add(k?.path ?? '#/');
        }
    for (const p of paths) {
      // #/<page>[/<sub-page>]/<id>: the page is a case of the router, the id a plain key or number
      const m = /^#\/([^/?]*)(?:\/[a-z-]+)?(?:\/([^/?]+))?$/.exec(p);
      expect(m, `${p} is a hash route`).to.not.equal(null);
      expect(known.has(m![1]), `${p}: the router has no case '${m![1]}'`).to.equal(true);
      if (m![2]) expect(decodeURIComponent(m![2]), p).to.match(/^[\w-]+$/);
    }
    expect([...paths].map((p) => p.split('/')[1]).sort()).to.include.members(['', 'operations', 'orders', 'tasks']);
  });
});
