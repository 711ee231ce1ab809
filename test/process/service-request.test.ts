/**
 * customer-service-request 投诉、故障、咨询处理 end to end: logged through the API, routed by type,
 * handled by the right role, closed with a customer communication record.
 */
import { expect } from 'chai';
import { CustomerCommunicationRecordEntity, ServiceRequestEntity } from '../../db/entities/index';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

describe('process: customer-service-request 投诉、故障、咨询处理', function () {
  this.timeout(120_000);
  let e: E2E;
  let order: d.Order;
  before(async () => {
    e = await startE2E();
    order = await d.createOrder(e);
    await d.provision(e, order, { deliveredOn: '2026-11-02' });
  });
  after(async () => e?.stop());

  const cases = [
    { type: 'FAULT', handler: d.OPS, element: 'handle-fault', by: 'ops', logger: d.OPS, description: '直播课堂卡顿，疑似出口带宽不足' },
    { type: 'COMPLAINT', handler: d.DEPT, element: 'handle-complaint', by: 'dept-manager', logger: d.CM, description: '客户投诉开通延迟' },
    {
      type: 'CONSULTATION',
      handler: d.CM,
      element: 'handle-consultation',
      by: 'customer-manager',
      logger: d.CM,
      description: '咨询SCORM课件导入方法',
    },
  ] as const;

  for (const c of cases) {
    it(`${c.type}: routed to ${c.by}, handled, closed with a communication record`, async () => {
      const sr = await e.api.post(c.logger, '/api/service-requests', { type: c.type, orderId: order.id, description: c.description });
      expect(sr.requestNo).to.match(/^FW-\d{4}-\d{6}$/);
      const no = { requestNo: sr.requestNo };
      const t = await e.api.waitTask(c.handler, c.element, no, d.WAIT);
      expect(t.context.requestType).to.equal(c.type);
      // the other routes are not taken, and nobody else can complete it
      for (const other of cases.filter((x) => x.type !== c.type)) {
        expect(
          (await e.api.tasks(other.handler, { elementId: other.element })).filter((x) => x.context.requestNo === sr.requestNo),
        ).to.have.length(0);
      }
      {
        const refused = await e.api.call(d.TECH, 'POST', `/api/tasks/${t.key}/completion`, {
          variables: { resolution: 'x', handledAt: '2026-11-10' },
        });
        expect(refused.status).to.equal(403);
      }
      await e.api.complete(c.handler, t, { resolution: `${c.type} 已处理并回复客户`, handledAt: '2026-11-10' });
      // recorded by the handling task's completing listener: already HANDLED when the completion returns
      expect(await e.api.get(d.CM, `/api/service-requests/${sr.id}`)).to.include({ status: 'HANDLED', handledBy: c.by });
      await e.api.step(
        d.CM,
        'file-communication-record',
        no,
        { networkQuality: '4', serviceAttitude: '5', customerFeedback: '问题已解决', followUp: '一周后回访' },
        d.WAIT,
      );
      const closed = await d.waitFor(async () => {
        const r = await e.api.get(d.CM, `/api/service-requests/${sr.id}`);
        return r.status === 'CLOSED' ? r : null;
      }, `service request ${sr.requestNo} closed`);
      expect(closed.handledBy).to.equal(c.by);
      expect(closed.resolution).to.equal(`${c.type} 已处理并回复客户`);
      // the dispatcher records the instance key after it finds the instance (app/dispatcher.ts, with back-off):
      // with the recordings in listeners the instance may well end before that
      const row = await d.waitFor(async () => {
        const r = await e.ds.getRepository(ServiceRequestEntity).findOneByOrFail({ id: sr.id });
        return r.processInstanceKey ? r : null;
      }, `the instance key of ${sr.requestNo}`);
      expect(row.processInstanceKey).to.match(/^\d+$/);
      const end = await d.instanceEnd(e, row.processInstanceKey!);
      expect(end).to.deep.equal({ state: 'COMPLETED', endEvents: ['service-request-closed'] });
      const recs = await e.ds.getRepository(CustomerCommunicationRecordEntity).find({ where: { serviceRequestId: sr.id } });
      expect(recs).to.have.length(1);
      expect(recs[0].occasion).to.equal(c.type);
      expect(recs[0].filedBy).to.equal('customer-manager');
      expect(closed.communicationRecordId).to.equal(recs[0].id);
      const api = await e.api.get(d.CM, `/api/customer-communication-records/${recs[0].id}`);
      expect(api).to.include({ networkQuality: '4', serviceAttitude: '5', customerFeedback: '问题已解决' });
    });
  }
});
