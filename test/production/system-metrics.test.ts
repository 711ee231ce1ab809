/**
 * The single-command start (app/system.ts): ONE metrics registry for the process, so GET /metrics of the
 * API shows the jobs its workers handled beside the API latency and the outbox gauges; /health/ready
 * includes the gateway (the local engine answers Topology).
 */
import { expect } from 'chai';
import { waitFor } from '../../app/api-client';
import { JOB } from '../../domain/vocabulary';
import { startE2E, type E2E } from '../process/support/system';
import { sample } from '../support/prometheus';

describe('production: the system process serves one registry (API + workers) on /metrics', function () {
  this.timeout(60_000);
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(async () => e?.stop());

  it('after a customer declines an order, /metrics shows the jobs handled per type, the API routes and the outbox', async () => {
    const o = await e.api.post('customer-manager', '/api/orders', {
      customerId: e.customers[0].id,
      modules: ['learning-management'],
      accounts: 10,
      openingDate: '2026-12-01',
      termMonths: 12,
      amount: 1000,
      apInvolved: false,
      apPartnerId: null,
    });
    await e.api.step(
      'customer-manager',
      'confirm-order-with-customer',
      { orderNo: o.orderNo },
      { customerDecision: 'DECLINED', customerFeedback: '预算取消' },
    );
    const text = await waitFor(
      async () => {
        const t = await (await fetch(`${e.sys.apiUrl}/metrics`)).text();
        return (sample(t, 'ot_jobs_handled_total', { type: JOB.orderCancel, outcome: 'complete' }) ?? 0) >= 1 ? t : null;
      },
      'order.cancel counted on the API /metrics',
      20_000,
      100,
    );
    expect(
      sample(text, 'ot_jobs_handled_total', { type: JOB.orderRecordCustomerDecision, outcome: 'complete', service: 'online-training' }),
    ).to.equal(1);
    expect(sample(text, 'ot_job_handler_duration_seconds_count', { type: JOB.orderCancel, outcome: 'complete' })).to.equal(1);
    expect(sample(text, 'ot_http_request_duration_seconds_count', { method: 'POST', route: '/api/orders', status_code: '201' })).to.equal(
      1,
    );
    expect(
      sample(text, 'ot_http_request_duration_seconds_count', { method: 'POST', route: '/api/tasks/:key/completion' }),
    ).to.be.greaterThan(0);
    expect(text).to.not.include(o.id);
    // the order's start command was dispatched: nothing waits in the outbox
    expect(sample(text, 'ot_outbox_backlog')).to.equal(0);
    expect(sample(text, 'ot_outbox_oldest_age_seconds')).to.equal(0);
  });

  it('/health/ready of the system API includes the gateway', async () => {
    const res = await fetch(`${e.sys.apiUrl}/health/ready`);
    const body = (await res.json()) as { checks: Record<string, { ok: boolean }> };
    expect(res.status, JSON.stringify(body)).to.equal(200);
    expect(body.checks).to.deep.include({ database: { ok: true }, zeebe: { ok: true } });
  });
});
