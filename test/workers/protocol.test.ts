/**
 * Protocol level, no engine: a Zeebe gateway double on loopback (port 0) built from the proto shipped in
 * @camunda8/sdk hands jobs to the REAL start-up (startWorkers with a real SDK client and the registry)
 * through ActivateJobs, and the test asserts the CompleteJob / FailJob / ThrowError requests it receives.
 */
import { expect } from 'chai';
import { Camunda8 } from '@camunda8/sdk';
import type { DataSource } from 'typeorm';
import { JOB, JOB_TYPES, RETIRED_JOB } from '../../domain/vocabulary';
import { RENAMED_JOB_TYPES } from '../../workers/registry';
import { startWorkers, type RunningWorkers } from '../../workers/start';
import { NotificationEntity } from '../../db/entities/index';
import type { HttpRequest, HttpResponse } from '../../platform/http/client';
import { FakeGateway } from './support/fake-gateway';
import {
  closeTestDataSource,
  fixedClock,
  openTestDataSource,
  resetDatabase,
  seedExpenseContract,
  seedRevenueContract,
  seedWorld,
} from './support/harness';

describe('workers: protocol (real SDK client against a gRPC gateway double)', function () {
  this.timeout(30_000);
  let ds: DataSource;
  let gw: FakeGateway;
  let zeebe: ReturnType<Camunda8['getZeebeGrpcApiClient']>;
  let workers: RunningWorkers;
  let http: (req: HttpRequest) => Promise<HttpResponse>;
  let key = 4503599627370000;
  const nextKey = () => String(++key);

  before(async () => {
    ds = await openTestDataSource();
    await resetDatabase(ds, { seedCalendar: false });
    gw = new FakeGateway();
    const port = await gw.start();
    zeebe = new Camunda8({
      ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${port}`,
      ZEEBE_REST_ADDRESS: 'http://127.0.0.1:1',
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
      CAMUNDA_LOG_LEVEL: 'none',
    } as never).getZeebeGrpcApiClient();
    workers = startWorkers({
      zeebe,
      dataSource: ds,
      http: (req) => http(req),
      clock: fixedClock('2026-03-10T02:00:00Z'),
      // the polling protocol (ActivateJobs); job streams are tested on the local engine (test/process/job-stream.test.ts)
      tuning: { maxJobsToActivate: 4, longPollMs: 2_000, pollIntervalMs: 50, jobStream: false },
    });
  });
  after(async () => {
    await workers?.stop();
    await zeebe?.close(2000);
    await gw?.stop();
    await closeTestDataSource(ds);
  });

  it('starts one worker per job type of the registry, per old name of a renamed one and per retired one, each fetching only the variables its handler declares (+ orderNo for logs)', async () => {
    const subscribed = [...JOB_TYPES, ...Object.keys(RENAMED_JOB_TYPES), ...Object.values(RETIRED_JOB)];
    expect([...workers.jobTypes].sort()).to.deep.equal([...subscribed].sort());
    const { order } = await seedWorld(ds);
    const k = nextKey();
    gw.enqueue({
      key: k,
      type: JOB.orderCancel,
      variables: JSON.stringify({ orderId: order.id, customerFeedback: '不需要了', unrelated: 'x' }),
    });
    const ack = await gw.waitForAck(k);
    expect(ack).to.deep.equal({ rpc: 'CompleteJob', jobKey: k, variables: { orderStatus: 'CANCELLED' } });
    const seen = gw.activations.find((a) => a.type === JOB.orderCancel)!;
    // plus orderNo, fetched only for the job's log lines (workers/runtime/adapter.ts LOG_CONTEXT_VARIABLES)
    expect(seen.fetchVariable).to.have.members(['orderId', 'customerFeedback', 'cancelReason', 'orderNo']);
    // every worker polls (the order of their first polls depends on the machine's load: wait for them, bounded)
    for (const end = Date.now() + 5_000; new Set(gw.activations.map((a) => a.type)).size < subscribed.length && Date.now() < end; )
      await new Promise((r) => setTimeout(r, 20));
    expect(new Set(gw.activations.map((a) => a.type)).size).to.equal(subscribed.length);
  });

  it('custom headers reach the handler (countersignStep) and the complete carries the returned variables', async () => {
    const { order } = await seedWorld(ds);
    const k1 = nextKey();
    const contract = await seedRevenueContract(ds, order);
    gw.enqueue({
      key: k1,
      type: JOB.countersignOpenRound,
      processInstanceKey: '4503599627379001',
      variables: JSON.stringify({
        contractId: contract.id,
        contractNo: contract.contractNo,
        contractType: 'REVENUE',
        orderNo: order.orderNo,
      }),
    });
    const opened = await gw.waitForAck(k1);
    expect(opened.rpc).to.equal('CompleteJob');
    const roundId = (opened as { variables: { countersignRoundId: string } }).variables.countersignRoundId;
    const k2 = nextKey();
    gw.enqueue({
      key: k2,
      type: JOB.countersignRecordDecision,
      customHeaders: JSON.stringify({ countersignStep: 'DEPT_MANAGER' }),
      variables: JSON.stringify({
        countersignRoundId: roundId,
        reviewDecision: 'REJECT',
        reviewOpinion: '金额需复核',
        completedBy: 'dm.zhang',
      }),
    });
    expect(await gw.waitForAck(k2)).to.deep.equal({
      rpc: 'CompleteJob',
      jobKey: k2,
      variables: { countersignResult: 'REJECTED', rejectionReason: '金额需复核' },
    });
  });

  it('invalid variables → FailJob with retries 0 and a message naming the problem and what to do', async () => {
    const k = nextKey();
    gw.enqueue({ key: k, type: JOB.orderCancel, elementId: 'cancel-order', variables: JSON.stringify({ orderId: 12 }) });
    const ack = await gw.waitForAck(k);
    expect(ack).to.include({ rpc: 'FailJob', retries: 0, retryBackOff: 0 });
    expect((ack as { errorMessage: string }).errorMessage).to.match(
      /invalid variables for order\.cancel: \/orderId must be string\. No retries left — what to do: correct the variables of element cancel-order/,
    );
  });

  it("a job of an old job-type name (an instance started before the upgrade) runs the renamed type's handler", async () => {
    const { order, partner } = await seedWorld(ds, { partner: { status: 'SUSPENDED' } });
    const k = nextKey();
    expect(RENAMED_JOB_TYPES['ap-contract.draft']).to.equal(JOB.expenseContractDraft);
    gw.enqueue({
      key: k,
      type: 'ap-contract.draft',
      variables: JSON.stringify({ orderId: order.id, orderNo: order.orderNo, apPartnerId: partner.id }),
    });
    const ack = await gw.waitForAck(k);
    expect(ack).to.include({ rpc: 'ThrowError', errorCode: 'AP_PARTNER_UNAVAILABLE' });
  });

  it('a job of a retired type (sla.notify, from an instance on a process version with the reminder timer) still sends its reminder', async () => {
    const { order } = await seedWorld(ds);
    const k = nextKey();
    gw.enqueue({
      key: k,
      type: RETIRED_JOB.slaNotify,
      customHeaders: JSON.stringify({
        slaTask: 'online-training-provisioning#confirm-order-with-customer',
        slaEvent: 'REMINDER',
        taskRole: 'customer-manager',
      }),
      variables: JSON.stringify({ dueAt: '2026-10-10T23:59:59+08:00', orderId: order.id, orderNo: order.orderNo }),
    });
    const ack = await gw.waitForAck(k);
    expect(ack).to.deep.equal({ rpc: 'CompleteJob', jobKey: k, variables: {} });
    const sent = await ds.getRepository(NotificationEntity).find({ where: { template: 'sla-reminder' } });
    expect(sent.filter((n) => JSON.stringify(n.refs).includes(order.orderNo))).to.have.length(1);
  });

  it('a suspended AP partner → ThrowError AP_PARTNER_UNAVAILABLE with variables', async () => {
    const { order, partner } = await seedWorld(ds, { partner: { status: 'SUSPENDED' } });
    const k = nextKey();
    gw.enqueue({
      key: k,
      type: JOB.expenseContractDraft,
      variables: JSON.stringify({ orderId: order.id, orderNo: order.orderNo, apPartnerId: partner.id }),
    });
    const ack = await gw.waitForAck(k);
    expect(ack).to.include({ rpc: 'ThrowError', errorCode: 'AP_PARTNER_UNAVAILABLE' });
    expect((ack as { variables: { apIssue: string } }).variables.apIssue).to.match(/SUSPENDED/);
  });

  it('AP unreachable → FailJob retries-1 with exponential back-off; the AP answering 422 → CompleteJob apRequestAccepted=false (the gateway after the throw event decides); the retired type and its old name → ThrowError AP_REQUEST_REJECTED', async () => {
    const { order, partner } = await seedWorld(ds);
    const contract = await seedExpenseContract(ds, order, partner);
    http = async () => {
      throw new Error('connect ETIMEDOUT');
    };
    const k = nextKey();
    gw.enqueue({
      key: k,
      type: JOB.expenseContractRequestImplementation,
      retries: 3,
      variables: JSON.stringify({ expenseContractId: contract.id, expenseContractNo: contract.contractNo }),
    });
    const ack = await gw.waitForAck(k);
    expect(ack).to.include({ rpc: 'FailJob', retries: 2, retryBackOff: 8000 });
    expect((ack as { errorMessage: string }).errorMessage).to.match(/unreachable: connect ETIMEDOUT/);
    http = async () => ({ status: 422, body: JSON.stringify({ reason: 'contract unknown' }) });
    const k2 = nextKey();
    gw.enqueue({
      key: k2,
      type: JOB.expenseContractRequestImplementation,
      variables: JSON.stringify({ expenseContractId: contract.id }),
    });
    const ack2 = (await gw.waitForAck(k2)) as { rpc: string; variables: Record<string, unknown> };
    expect(ack2.rpc).to.equal('CompleteJob');
    expect(ack2.variables).to.deep.include({ apRequestAccepted: false, apSlaDuration: null });
    expect(ack2.variables.apRejectionReason).to.match(/\(422\): contract unknown/);
    expect(ack2.variables.apPartnerOptions).to.be.an('array');
    // instances on a process version with the service task and its error boundary: the BPMN error, under both names
    expect(RENAMED_JOB_TYPES['ap-contract.send-implementation-request']).to.equal(RETIRED_JOB.expenseContractSendImplementationRequest);
    for (const type of [RETIRED_JOB.expenseContractSendImplementationRequest, 'ap-contract.send-implementation-request']) {
      const k3 = nextKey();
      gw.enqueue({ key: k3, type, variables: JSON.stringify({ expenseContractId: contract.id }) });
      const ack3 = await gw.waitForAck(k3);
      expect(ack3, type).to.include({ rpc: 'ThrowError', errorCode: 'AP_REQUEST_REJECTED' });
      expect((ack3 as { variables: { apRejectionReason: string } }).variables.apRejectionReason, type).to.match(/contract unknown/);
    }
  });

  it('a record that does not exist → FailJob retries 0 (retrying cannot help) with what to do', async () => {
    const k = nextKey();
    gw.enqueue({
      key: k,
      type: JOB.completionSendReminder,
      retries: 2,
      variables: JSON.stringify({ orderId: '00000000-0000-4000-8000-00000000dead' }),
    });
    const ack = await gw.waitForAck(k);
    expect(ack).to.include({ rpc: 'FailJob', retries: 0 });
    expect((ack as { errorMessage: string }).errorMessage).to.match(
      /business order 00000000-0000-4000-8000-00000000dead not found.*No retries left/,
    );
  });

  it('poison payloads (non-JSON variables) never stall or crash the worker: FailJob retries 0, later jobs still run', async () => {
    const poison = Array.from({ length: 10 }, () => ({ key: nextKey(), type: JOB.orderCancel, variables: '{not json' }));
    gw.enqueue(...poison);
    for (const p of poison) {
      const ack = await gw.waitForAck(p.key);
      expect(ack).to.include({ rpc: 'FailJob', retries: 0 });
      expect((ack as { errorMessage: string }).errorMessage).to.match(/not valid JSON.*what to do/);
    }
    const { order } = await seedWorld(ds);
    const k = nextKey();
    gw.enqueue({ key: k, type: JOB.orderCancel, variables: JSON.stringify({ orderId: order.id }) });
    expect(await gw.waitForAck(k)).to.include({ rpc: 'CompleteJob' });
  });

  it('stop(): finishes the in-flight job (its CompleteJob is sent) and activates nothing afterwards', async () => {
    const { order, partner } = await seedWorld(ds);
    const contract = await seedExpenseContract(ds, order, partner);
    let release: () => void = () => {};
    const entered = new Promise<void>((resolve) => {
      http = () => {
        resolve();
        return new Promise((r) => (release = () => r({ status: 202, body: '{}' })));
      };
    });
    const k = nextKey();
    gw.enqueue({
      key: k,
      type: JOB.expenseContractRequestImplementation,
      variables: JSON.stringify({ expenseContractId: contract.id }),
    });
    await entered;
    expect(workers.inFlight()).to.equal(1);
    const stopping = workers.stop();
    const activationsAtStop = gw.activations.length;
    setTimeout(() => release(), 200);
    await stopping;
    expect(gw.acks.find((a) => a.jobKey === k)).to.deep.include({
      rpc: 'CompleteJob',
      variables: { apRequestAccepted: true, apSlaDuration: 'P7D', apRejectionReason: null, apPartnerOptions: null },
    });
    expect(workers.inFlight()).to.equal(0);
    const late = nextKey();
    gw.enqueue({ key: late, type: JOB.orderCancel, variables: JSON.stringify({ orderId: order.id }) });
    await new Promise((r) => setTimeout(r, 300));
    expect(gw.acks.find((a) => a.jobKey === late)).to.equal(undefined);
    expect(gw.activations.length - activationsAtStop).to.be.at.most(JOB_TYPES.length); // polls already in flight at stop, none new after
  });
});
