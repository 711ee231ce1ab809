/**
 * The operations routes (运维) on the whole system: the local engine, the real workers, the API. An order
 * stuck by a real incident (test/support/stuck-order.ts) is found by its number, shown with its message,
 * refused on bad input (400 naming the field, nothing changed), repaired (the instance goes on) and another
 * instance cancelled with its reason; every action leaves its audit row. Roles: admin only.
 */
import { expect } from 'chai';
import { startE2E, type E2E } from '../process/support/system';
import * as d from '../process/support/driver';
import {
  activeElements,
  FIXED_VALUE,
  NEXT_ELEMENT,
  STUCK_ELEMENT,
  STUCK_NAME,
  STUCK_VALUE,
  STUCK_VARIABLE,
  stuckOrder,
} from '../support/stuck-order';

describe('api: operations 运维 (admin) over the REST API v2', function () {
  this.timeout(180_000);
  let e: E2E;
  let stuck: Awaited<ReturnType<typeof stuckOrder>>;
  const as = async (user: string, method: string, path: string, body?: unknown) => e.api.raw(method, path, body, await e.api.token(user));
  before(async () => {
    e = await startE2E();
    stuck = await stuckOrder(e);
  });
  after(async () => e?.stop());

  it('every operations route is for admin only: other staff and AP get 403, no token 401', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/operations/process-definitions'],
      ['GET', `/api/operations/process-instances?orderNo=${stuck.order.orderNo}`],
      ['GET', `/api/operations/process-instances/${stuck.processInstanceKey}`],
      ['GET', '/api/operations/incidents'],
      ['POST', `/api/operations/incidents/${stuck.incidentKey}/repair`, { reason: 'x' }],
      ['POST', `/api/operations/process-instances/${stuck.processInstanceKey}/cancellation`, { reason: 'x' }],
    ];
    for (const [method, path, body] of routes) {
      for (const user of [d.CM, d.OPS, 'auditor', d.ADMIN, d.AP_USER])
        expect((await as(user, method, path, body)).status, `${user} ${method} ${path}`).to.equal(403);
      expect((await e.api.raw(method, path, body)).status, `anonymous ${method} ${path}`).to.equal(401);
    }
    expect(await d.activeIncidents(e, stuck.processInstanceKey)).to.have.length(1);
  });

  it('definitions with versions; the stuck instance found by order number, with why and where', async () => {
    const defs = await as('admin', 'GET', '/api/operations/process-definitions');
    expect(defs.status).to.equal(200);
    expect(defs.body.items.map((x: { processDefinitionId: string }) => x.processDefinitionId)).to.include.members([
      'online-training-provisioning',
      'contract-countersign',
    ]);
    expect(
      defs.body.items.find((x: { processDefinitionId: string }) => x.processDefinitionId === 'online-training-provisioning'),
    ).to.include({ latest: true });

    const found = await as('admin', 'GET', `/api/operations/process-instances?orderNo=${stuck.order.orderNo}&state=ACTIVE`);
    expect(found.status).to.equal(200);
    expect(found.body.items).to.have.length(1);
    expect(found.body.items[0]).to.include({
      processInstanceKey: stuck.processInstanceKey,
      processDefinitionId: 'online-training-provisioning',
      hasIncident: true,
    });
    expect((await as('admin', 'GET', '/api/operations/process-instances?orderNo=YW-1999-000001')).body.items).to.deep.equal([]);

    const one = await as('admin', 'GET', `/api/operations/process-instances/${stuck.processInstanceKey}`);
    expect(one.status).to.equal(200);
    expect(one.body.xml).to.contain(`id="${STUCK_ELEMENT}"`);
    expect(one.body.incidentElementIds).to.deep.equal([STUCK_ELEMENT]);
    expect(one.body.activeElementIds).to.include(STUCK_ELEMENT);
    expect(
      one.body.variables.find(
        (v: { name: string; scopeKey: string }) => v.name === STUCK_VARIABLE && v.scopeKey === stuck.processInstanceKey,
      ).value,
    ).to.equal(STUCK_VALUE);
    expect(one.body.incidents[0].errorMessage).to.contain(STUCK_VARIABLE);
    // names from the deployed model: the failed step, and the step the order waits in
    expect(one.body.incidents[0].elementName).to.equal(STUCK_NAME);
    expect(one.body.elementNames[STUCK_ELEMENT]).to.equal(STUCK_NAME);
    expect(one.body.elementNames['revise-revenue-contract']).to.be.a('string').and.not.equal('revise-revenue-contract');

    const all = await as('admin', 'GET', '/api/operations/incidents');
    expect(all.body.items.map((i: { incidentKey: string }) => i.incidentKey)).to.include(stuck.incidentKey);
    expect(all.body.items.find((i: { incidentKey: string }) => i.incidentKey === stuck.incidentKey).elementName).to.equal(STUCK_NAME);
  });

  it('bad input is a 400 naming the field and changes nothing', async () => {
    const path = `/api/operations/incidents/${stuck.incidentKey}/repair`;
    const cases: [unknown, string][] = [
      [{ variable: { name: STUCK_VARIABLE, value: FIXED_VALUE } }, '/reason'],
      [{ reason: '修正', variable: { name: STUCK_VARIABLE, value: '三千八' } }, '/variable/value'],
      [{ reason: '修正', variable: { name: 'contract amount', value: FIXED_VALUE } }, '/variable/name'],
      [{ reason: '修正', variable: { name: STUCK_VARIABLE } }, '/variable/value'],
      [{ reason: '修正', retries: 0 }, '/retries'],
    ];
    for (const [body, pointer] of cases) {
      const r = await as('admin', 'POST', path, body);
      expect(r.status, JSON.stringify(body)).to.equal(400);
      expect(
        r.body.errors.map((x: { pointer: string }) => x.pointer),
        JSON.stringify(body),
      ).to.include(pointer);
    }
    expect((await as('admin', 'GET', '/api/operations/process-instances/12a')).status).to.equal(400);
    expect((await as('admin', 'GET', '/api/operations/process-instances?state=RUNNING')).status).to.equal(400);
    expect(
      (await as('admin', 'POST', `/api/operations/process-instances/${stuck.processInstanceKey}/cancellation`, {})).body.errors[0].pointer,
    ).to.equal('/reason');
    expect(await d.activeIncidents(e, stuck.processInstanceKey)).to.have.length(1);
    expect(await d.audits(e, 'incident.retry', stuck.processInstanceKey)).to.have.length(0);
    expect(await d.audits(e, 'process-instance.cancel', stuck.processInstanceKey)).to.have.length(0);
  });

  it('repair: the variable corrected, the job retried, the incident resolved, audited; the order goes on', async () => {
    const r = await as('admin', 'POST', `/api/operations/incidents/${stuck.incidentKey}/repair`, {
      reason: '合同金额填成负数，按修改说明更正',
      variable: { name: STUCK_VARIABLE, value: FIXED_VALUE },
      retries: 1,
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.include({ incidentKey: stuck.incidentKey, state: 'RESOLVED' });
    await d.waitFor(async () => (await activeElements(e, stuck.processInstanceKey)).includes(NEXT_ELEMENT), `the order at ${NEXT_ELEMENT}`);
    const [rc] = await d.revenueContracts(e, stuck.order.id);
    expect(Number(rc.amount)).to.equal(Number(FIXED_VALUE));
    const [row] = await d.audits(e, 'incident.retry', stuck.processInstanceKey);
    expect(row).to.include({ actor: 'admin', reason: '合同金额填成负数，按修改说明更正' });
    expect(row.details).to.deep.include({
      incidentKey: stuck.incidentKey,
      elementId: STUCK_ELEMENT,
      variables: { [STUCK_VARIABLE]: JSON.parse(FIXED_VALUE), retries: 1 },
    });
    // a resolved incident is not repaired twice
    expect((await as('admin', 'POST', `/api/operations/incidents/${stuck.incidentKey}/repair`, { reason: 'again' })).status).to.be.oneOf([
      404, 409,
    ]);
  });

  it('cancel with a reason: audited, the instance terminated; a second cancel 409, an unknown instance 404', async () => {
    const r = await as('admin', 'POST', `/api/operations/process-instances/${stuck.processInstanceKey}/cancellation`, {
      reason: '客户撤回订单（电话确认）',
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.include({ processInstanceKey: stuck.processInstanceKey, state: 'ACTIVE' });
    const pi = await e.rest('GET', `/v2/process-instances/${stuck.processInstanceKey}`);
    expect(pi.body.state).to.equal('TERMINATED');
    const [row] = await d.audits(e, 'process-instance.cancel', stuck.processInstanceKey);
    expect(row).to.include({ actor: 'admin', reason: '客户撤回订单（电话确认）', entityType: 'process-instance' });
    expect(row.details).to.deep.include({ processDefinitionId: 'online-training-provisioning', orderNo: stuck.order.orderNo });
    expect(
      (await as('admin', 'POST', `/api/operations/process-instances/${stuck.processInstanceKey}/cancellation`, { reason: 'again' })).status,
    ).to.equal(409);
    expect((await as('admin', 'GET', '/api/operations/process-instances/999999999')).status).to.equal(404);
  });
});
