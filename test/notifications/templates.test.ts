/**
 * One template file per notification template, and every template the code raises has one: the
 * templates named in domain/ and workers/ (enqueueNotification calls) and app/notifier are exactly
 * NOTIFICATION_TEMPLATES; each renders a Chinese subject and body with the case link and the dates as
 * people read them.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { NOTIFICATION_TEMPLATES, TEMPLATE_DIR, caseOf, formatShanghai, renderNotification } from '../../domain/notifications/templates';

const ROOT = path.join(__dirname, '..', '..');
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('notifications: templates', () => {
  it('the template files are exactly the templates the code raises', () => {
    const raised = new Set<string>();
    for (const f of [...sources(path.join(ROOT, 'domain')), ...sources(path.join(ROOT, 'workers')), ...sources(path.join(ROOT, 'app'))]) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/template: '([a-z-]+)'/g)) raised.add(m[1]);
    }
    const files = fs.readdirSync(TEMPLATE_DIR).filter((f) => f.endsWith('.txt')).map((f) => f.replace(/\.txt$/, ''));
    expect([...raised].sort()).to.deep.equal([...NOTIFICATION_TEMPLATES].sort());
    expect(files.sort()).to.deep.equal([...NOTIFICATION_TEMPLATES].sort());
  });

  it('renders subject, body, link and Shanghai dates; no placeholder is left', () => {
    const refs = {
      orderNo: 'YW-2026-000001', orderId: 'o-1', changeOrderNo: null, taskOrderNo: 'XZ-2026-000001', expenseContractNo: 'ZC-2026-000001', paymentBasisNo: 'ZF-2026-000001',
      month: '2026-11', version: 2, opinion: '请补充', slaDuration: 'P10D', customerManager: 'customer-manager', taskName: '客户确认业务订单', processName: '在线培训业务开通',
      completionDeadline: '2026-12-29T23:59:59+08:00', requestedAt: '2026-09-01T01:00:00.000Z', dueAt: '2026-12-04T23:59:59+08:00', dueDate: null, deadlineProvisional: true,
    };
    for (const t of NOTIFICATION_TEMPLATES) {
      const r = renderNotification(t, refs, { recipientName: '张三', baseUrl: 'http://ot.example.test/' });
      expect(r.subject, t).to.match(/[\u4e00-\u9fff]/);
      expect(r.subject, t).to.not.contain('\n');
      expect(r.body, t).to.contain('张三，您好');
      expect(r.body, t).to.contain(r.link);
      expect(r.link, t).to.match(/^http:\/\/ot\.example\.test\/[a-z]/);
      expect(r.subject + r.body, t).to.not.match(/\{\{|\}\}|undefined|\[object/);
    }
    expect(renderNotification('completion-record-reminder', refs, { recipientName: '张三', baseUrl: 'http://x.test' }).body).to.contain('2026年12月29日 23:59').and.contain('暂定');
    expect(renderNotification('ap-sla-overdue', refs, { recipientName: '张三', baseUrl: 'http://x.test' }).body).to.contain('2026年9月1日 09:00');
    expect(formatShanghai(new Date('2026-10-08T15:59:00Z'))).to.equal('2026年10月8日 23:59');
  });

  it('links the most specific case: the task, else the record, else the order', () => {
    expect(caseOf({ userTaskKey: '22', orderNo: 'YW-1' })).to.deep.equal({ kind: 'user-task', id: '22', no: 'YW-1', path: '/tasks/22' });
    expect(caseOf({ orderId: 'o1', orderNo: 'YW-1' })?.path).to.equal('/orders/o1');
    expect(caseOf({ orderNo: 'YW-1' })?.path).to.equal('/orders?orderNo=YW-1');
    expect(caseOf({ month: '2026-11', reportId: 'r' })?.path).to.equal('/monthly-reports/2026-11');
    expect(caseOf({})).to.equal(null);
  });
});
