/**
 * An incident end to end: the AP endpoint (a worker's dependency) is down, the implementation request
 * job fails with back-off until its retries run out and an incident is raised (the engine clock skips
 * the back-offs); the endpoint comes back, an operator gives the job a retry and resolves the incident
 * through the SDK (UpdateJobRetries, ResolveIncident), and the instance completes.
 */
import { expect } from 'chai';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

describe('process: an incident (AP endpoint unreachable) fixed and resolved', function () {
  this.timeout(120_000);
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(async () => e?.stop());

  it('job fails with retries → incident; endpoint back; UpdateJobRetries + ResolveIncident; the order completes', async () => {
    const o = await d.createOrder(e, { ap: true });
    const no = { orderNo: o.orderNo };
    const pik = await d.orderInstanceKey(e, o.id);
    await d.throughConfiguration(e, no);
    await e.ap.down();
    await d.approveBoth(e, no, 'EXPENSE');

    // the retries run out (back-offs skipped on the engine clock)
    const incident = await d.waitFor(
      async () => {
        const inc = await d.activeIncidents(e, pik);
        if (inc.length) return inc;
        await e.clockAdd('PT10M');
        return null;
      },
      'an incident on request-ap-implementation',
      30_000,
      100,
    );
    expect(incident).to.have.length(1);
    expect(incident[0].elementId).to.equal('request-ap-implementation');
    expect(incident[0].errorType).to.equal('JOB_NO_RETRIES');
    expect(incident[0].errorMessage).to.contain('unreachable');
    expect(incident[0].errorMessage).to.contain('No retries left');
    const pi = await e.rest('GET', `/v2/process-instances/${pik}`);
    expect(pi.body.hasIncident).to.equal(true);
    expect(e.ap.requests).to.have.length(0);

    // fixed: the endpoint is back; retries updated and the incident resolved through the SDK
    await e.ap.up();
    await e.sys.zeebe.updateJobRetries({ jobKey: incident[0].jobKey!, retries: 1 });
    await e.sys.zeebe.resolveIncident({ incidentKey: incident[0].incidentKey });
    const [req] = await d.apRequestFor(e, o.orderNo);
    expect(req.idempotencyKey).to.match(/^ot-impl-ZC-/);
    expect(await d.activeIncidents(e, pik)).to.have.length(0);
    const res = await d.apSubmit(e, req.body.expenseContractNo, `inc-${o.orderNo}`);
    expect(res.status).to.equal(201);
    await d.checkPaymentBasis(e, no);
    await d.deliver(e, no, '2026-09-30');
    await d.fileCompletion(e, no);
    const completed = await d.waitOrderStatus(e, o.id, 'COMPLETED');
    // delivered on the eve of National Day: 2026-10-08 is the 1st working day after it, 2026-12-29 the 60th
    expect(completed).to.include({ completionDeadline: '2026-12-29T23:59:59+08:00', deadlineProvisional: false });
    const end = await d.instanceEnd(e, pik);
    expect(end.state).to.equal('COMPLETED');
    expect(end.endEvents).to.include('order-completed');
    expect(e.ap.valid().filter((r) => r.body.orderNo === o.orderNo)).to.have.length(1);
  });
});
