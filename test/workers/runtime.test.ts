import { expect } from 'chai';
import { backOffFor, createTaskHandler, executeJob, toJobAction, type SdkJob } from '../../workers/runtime/adapter';
import { RestTaskActorResolver, resolveActor } from '../../workers/runtime/actor';
import { DEFAULT_WORKER_SETTINGS, silentLogger, type HandlerDef, type Services } from '../../workers/runtime/job';
import { bpmnError, complete, fail } from '../../workers/runtime/outcome';
import { S } from '../../workers/runtime/validate';
import { ValidationError } from '../../domain/errors';

const services = {
  settings: DEFAULT_WORKER_SETTINGS,
  dataSource: {} as never,
  clock: { now: () => new Date() },
  http: async () => ({ status: 200, body: '' }),
  actors: { resolveAssignee: async () => null },
  log: silentLogger,
} as Services;
const job = (variables: unknown, retries = 5) => ({
  key: '1',
  type: 'order.cancel',
  variables: variables as Record<string, unknown>,
  customHeaders: {},
  processInstanceKey: '9',
  elementId: 'cancel-order',
  retries,
});
const def = (handle: HandlerDef['handle']): HandlerDef => ({ type: 'order.cancel', variables: S.obj({ orderId: S.str }), handle });

describe('workers: runtime adapter', () => {
  it('maps outcomes onto job actions: complete, BPMN error, fail with retries-1 and exponential back-off', () => {
    expect(toJobAction(complete({ a: 1 }), { retries: 5 })).to.deep.equal({ action: 'complete', variables: { a: 1 } });
    expect(toJobAction(bpmnError('AP_REQUEST_REJECTED', 'no', { r: 'x' }), { retries: 5 })).to.deep.equal({
      action: 'error',
      errorCode: 'AP_REQUEST_REJECTED',
      errorMessage: 'no',
      variables: { r: 'x' },
    });
    expect([5, 4, 3, 2].map((r) => backOffFor(r))).to.deep.equal([2000, 4000, 8000, 16000]);
    expect(backOffFor(-20)).to.equal(300_000);
    expect(toJobAction(fail('down'), { retries: 3 })).to.deep.equal({
      action: 'fail',
      errorMessage: 'down',
      retries: 2,
      retryBackOff: 8000,
    });
    expect(toJobAction(fail('down', 1234), { retries: 3 })).to.deep.equal({
      action: 'fail',
      errorMessage: 'down',
      retries: 2,
      retryBackOff: 1234,
    });
    const last = toJobAction(fail('down', undefined, { hint: 'call the AP' }), { retries: 1 });
    expect(last).to.deep.equal({
      action: 'fail',
      errorMessage: 'down. No retries left — what to do: call the AP',
      retries: 0,
      retryBackOff: 0,
    });
  });

  it('invalid variables fail at once (retries 0) naming the problem; a throwing handler fails with retries-1', async () => {
    let called = 0;
    const d = def(() => (called++, complete()));
    const bad = toJobAction(await executeJob(d, job({ orderId: 42 }), services), { retries: 5 });
    expect(bad).to.include({ action: 'fail', retries: 0 });
    expect((bad as { errorMessage: string }).errorMessage).to.match(
      /invalid variables for order\.cancel: \/orderId must be string.*what to do: correct the variables of element cancel-order/,
    );
    expect(called).to.equal(0);
    const sync = def(() => {
      throw new Error('ECONNREFUSED 127.0.0.1:3306');
    });
    const out = toJobAction(await executeJob(sync, job({ orderId: 'x' }, 2), services), { retries: 2 });
    expect(out).to.deep.equal({
      action: 'fail',
      errorMessage: 'order.cancel failed: ECONNREFUSED 127.0.0.1:3306',
      retries: 1,
      retryBackOff: 16000,
    });
    const lastTry = toJobAction(await executeJob(sync, job({ orderId: 'x' }, 1), services), { retries: 1 });
    expect((lastTry as { errorMessage: string }).errorMessage).to.match(
      /No retries left — what to do: check that the database .* reachable/,
    );
  });

  it('createTaskHandler acknowledges through the SDK job and survives a failing acknowledgement', async () => {
    const calls: unknown[] = [];
    const sdk = (over: Partial<SdkJob> = {}): SdkJob => ({
      key: '7',
      type: 'order.cancel',
      variables: { orderId: 'o' },
      customHeaders: {},
      processInstanceKey: '9',
      elementId: 'e',
      retries: 3,
      complete: async (v: unknown) => calls.push(['complete', v]),
      error: async (e: unknown) => calls.push(['error', e]),
      fail: async (f: unknown) => calls.push(['fail', f]),
      ...over,
    });
    const run = createTaskHandler(
      def(() => complete({ orderStatus: 'CANCELLED' })),
      services,
    );
    expect(await run(sdk())).to.equal('JOB_ACTION_ACKNOWLEDGEMENT');
    await createTaskHandler(
      def(() => fail('later', 500)),
      services,
    )(sdk());
    await createTaskHandler(
      def(() => bpmnError('E', 'm')),
      services,
    )(sdk());
    expect(calls).to.deep.equal([
      ['complete', { orderStatus: 'CANCELLED' }],
      ['fail', { errorMessage: 'later', retries: 2, retryBackOff: 500 }],
      ['error', { errorCode: 'E', errorMessage: 'm', variables: {} }],
    ]);
    const gone = sdk({
      complete: async () => {
        throw new Error('5 NOT_FOUND: job 7 not found');
      },
    });
    expect(await run(gone)).to.equal('JOB_ACTION_ACKNOWLEDGEMENT');
  });

  it("answers a user-task listener's job with a result and no variables (the handler's variables go onto the process instance first): approve, deny with the business error's message, fail as any job", async () => {
    const calls: unknown[] = [];
    const listenerJob = (): SdkJob => ({
      key: '11',
      type: 'order.cancel',
      variables: { orderId: 'o' },
      customHeaders: { 'io.camunda.zeebe:userTaskKey': '5' },
      processInstanceKey: '9',
      elementId: 'confirm-order-with-customer',
      retries: 3,
      kind: 'TASK_LISTENER',
      complete: async (v: unknown) => calls.push(['complete', v]),
      error: async (e: unknown) => calls.push(['error', e]),
      fail: async (f: unknown) => calls.push(['fail', f]),
      forward: () => calls.push(['forward']),
    });
    const answer = Object.assign(async (jobKey: string, result: unknown) => calls.push(['result', jobKey, result]), {
      setProcessVariables: async (pik: string, vars: unknown) => calls.push(['set', pik, vars]),
    });
    await createTaskHandler(
      def(() => complete({ orderStatus: 'CANCELLED' })),
      services,
      undefined,
      {},
      answer,
    )(listenerJob());
    await createTaskHandler(
      def(() => bpmnError('E', '缺少原因')),
      services,
      undefined,
      {},
      answer,
    )(listenerJob());
    await createTaskHandler(
      def(() => fail('later', 500)),
      services,
      undefined,
      {},
      answer,
    )(listenerJob());
    expect(calls).to.deep.equal([
      ['set', '9', { orderStatus: 'CANCELLED' }],
      ['result', '11', { denied: false }],
      ['forward'],
      ['result', '11', { denied: true, deniedReason: '缺少原因' }],
      ['forward'],
      ['fail', { errorMessage: 'later', retries: 2, retryBackOff: 500 }],
    ]);
    // a client that cannot send a result must not approve what the handler would deny: an incident at once
    calls.length = 0;
    await createTaskHandler(
      def(() => complete()),
      services,
    )(listenerJob());
    expect(calls).to.have.length(1);
    expect(calls[0]).to.have.nested.property('[0]', 'fail');
    expect(calls[0]).to.have.nested.property('[1].retries', 0);
    // nor when the completer says its client cannot send the result
    calls.length = 0;
    const unable = Object.assign((k: string, r: unknown) => answer(k, r), { supported: async () => false });
    await createTaskHandler(
      def(() => complete()),
      services,
      undefined,
      {},
      unable,
    )(listenerJob());
    expect(calls).to.have.length(1);
    expect(calls[0]).to.have.nested.property('[1].retries', 0);
    // the reserved header alone marks a listener's job (a client parsed without `kind`)
    calls.length = 0;
    await createTaskHandler(
      def(() => complete({ a: 1 })),
      services,
      undefined,
      {},
      answer,
    )({ ...listenerJob(), kind: undefined });
    expect(calls).to.deep.equal([['set', '9', { a: 1 }], ['result', '11', { denied: false }], ['forward']]);
    // no variables: nothing to set, the approval alone
    calls.length = 0;
    await createTaskHandler(
      def(() => complete()),
      services,
      undefined,
      {},
      answer,
    )(listenerJob());
    expect(calls).to.deep.equal([['result', '11', { denied: false }], ['forward']]);
    // variables and an answer that cannot set them: an incident, never an approval that drops them
    calls.length = 0;
    await createTaskHandler(
      def(() => complete({ a: 1 })),
      services,
      undefined,
      {},
      async (jobKey: string, result: unknown) => calls.push(['result', jobKey, result]),
    )(listenerJob());
    expect(calls).to.have.length(1);
    expect(calls[0]).to.have.nested.property('[0]', 'fail');
    expect(calls[0]).to.have.nested.property('[1].retries', 0);
    // setting them failed: no approval (the job is redelivered after its time-out)
    calls.length = 0;
    const cannotSet = Object.assign(async (jobKey: string, result: unknown) => calls.push(['result', jobKey, result]), {
      setProcessVariables: async () => {
        throw new Error('14 UNAVAILABLE');
      },
    });
    await createTaskHandler(
      def(() => complete({ a: 1 })),
      services,
      undefined,
      {},
      cannotSet,
    )(listenerJob());
    expect(calls).to.deep.equal([['forward']]);
  });

  it("denies a listener's completion whose variables break the handler's schema or a domain rule of a value (the completer corrects the form); a service task's job gets an incident", async () => {
    const calls: unknown[] = [];
    const job = (variables: Record<string, unknown>, listener: boolean): SdkJob => ({
      key: '12',
      type: 'order.cancel',
      variables,
      customHeaders: listener ? { 'io.camunda.zeebe:userTaskKey': '6' } : {},
      processInstanceKey: '9',
      elementId: 'confirm-order-with-customer',
      retries: 3,
      ...(listener ? { kind: 'TASK_LISTENER' } : {}),
      complete: async (v: unknown) => calls.push(['complete', v]),
      error: async (e: unknown) => calls.push(['error', e]),
      fail: async (f: unknown) => calls.push(['fail', f]),
      forward: () => calls.push(['forward']),
    });
    const answer = async (jobKey: string, result: unknown) => calls.push(['result', jobKey, result]);
    const ok = def(() => complete());
    await createTaskHandler(ok, services, undefined, {}, answer)(job({ orderId: 7 }, true));
    expect(calls[0]).to.have.nested.property('[2].denied', true);
    expect(calls[0]).to.have.nested.property('[2].deniedReason').that.contains('/orderId');
    calls.length = 0;
    const refuses = def(() => {
      throw new ValidationError('signedDate: YYYY-MM-DD');
    });
    await createTaskHandler(refuses, services, undefined, {}, answer)(job({ orderId: 'o' }, true));
    expect(calls[0]).to.deep.equal(['result', '12', { denied: true, deniedReason: 'signedDate: YYYY-MM-DD' }]);
    calls.length = 0;
    await createTaskHandler(ok, services, undefined, {}, answer)(job({ orderId: 7 }, false));
    expect(calls[0]).to.have.nested.property('[0]', 'fail');
    expect(calls[0]).to.have.nested.property('[1].retries', 0);
  });

  it('a creating listener cannot deny (Zeebe refuses it): a BPMN error becomes an incident with its message; completing, assigning, updating and an unknown event still deny', () => {
    const err = bpmnError('TASK_ORDER_NOT_ISSUABLE', '订单未签约，不能发出协作任务单');
    const creating = toJobAction(err, { retries: 5, listener: true, listenerEventType: 'CREATING' });
    expect(creating).to.include({ action: 'fail', retries: 0, retryBackOff: 0 });
    expect(creating).to.have.property('errorMessage').that.contains('订单未签约，不能发出协作任务单').and.contains('No retries left');
    expect(creating).to.have.property('errorMessage').that.contains("creating listener's job cannot deny");
    // so is a canceling one (nor may it deny)
    expect(toJobAction(err, { retries: 5, listener: true, listenerEventType: 'CANCELING' })).to.include({ action: 'fail', retries: 0 });
    for (const listenerEventType of ['COMPLETING', 'ASSIGNING', 'UPDATING', 'UNSPECIFIED', undefined])
      expect(toJobAction(err, { retries: 5, listener: true, listenerEventType }), String(listenerEventType)).to.deep.equal({
        action: 'deny',
        deniedReason: '订单未签约，不能发出协作任务单',
      });
    // approving and failing do not depend on the event
    expect(
      toJobAction(complete({ taskOrderNo: 'XZ-2026-0001' }), { retries: 5, listener: true, listenerEventType: 'CREATING' }),
    ).to.deep.equal({
      action: 'approve',
      variables: { taskOrderNo: 'XZ-2026-0001' },
    });
    expect(toJobAction(fail('down', 100), { retries: 5, listener: true, listenerEventType: 'CREATING' })).to.deep.equal({
      action: 'fail',
      errorMessage: 'down',
      retries: 4,
      retryBackOff: 100,
    });
  });

  it("a creating listener's job: invalid variables, a broken rule and a BPMN error fail it into an incident (never a denial); the job view carries the event", async () => {
    const calls: unknown[] = [];
    const views: unknown[] = [];
    const job = (variables: Record<string, unknown>, listenerEventType: string): SdkJob => ({
      key: '13',
      type: 'order.cancel',
      variables,
      customHeaders: { 'io.camunda.zeebe:userTaskKey': '6' },
      processInstanceKey: '9',
      elementId: 'configure-platform',
      retries: 5,
      kind: 'TASK_LISTENER',
      listenerEventType,
      complete: async (v: unknown) => calls.push(['complete', v]),
      error: async (e: unknown) => calls.push(['error', e]),
      fail: async (f: unknown) => calls.push(['fail', f]),
      forward: () => calls.push(['forward']),
    });
    const answer = Object.assign(async (jobKey: string, result: unknown) => calls.push(['result', jobKey, result]), {
      setProcessVariables: async (pik: string, vars: unknown) => calls.push(['set', pik, vars]),
    });
    const hooks = { onStart: (v: unknown) => views.push(v) };
    const run = (d: HandlerDef, j: SdkJob) => createTaskHandler(d, services, undefined, hooks, answer)(j);
    await run(
      def(() => complete()),
      job({ orderId: 7 }, 'CREATING'),
    );
    await run(
      def(() => {
        throw new ValidationError('orderNo: missing');
      }),
      job({ orderId: 'o' }, 'CREATING'),
    );
    await run(
      def(() => bpmnError('E', '不能发出')),
      job({ orderId: 'o' }, 'CREATING'),
    );
    expect(calls.map((c) => (c as unknown[])[0])).to.deep.equal(['fail', 'fail', 'fail']);
    for (const c of calls) expect(c).to.have.nested.property('[1].retries', 0);
    expect(calls[0]).to.have.nested.property('[1].errorMessage').that.contains('/orderId');
    expect(calls[1]).to.have.nested.property('[1].errorMessage').that.contains('orderNo: missing');
    expect(calls[2]).to.have.nested.property('[1].errorMessage').that.contains('不能发出');
    expect(views[0]).to.include({ listenerEventType: 'CREATING' });
    // approving: the variables onto the process instance, then the approval
    calls.length = 0;
    await run(
      def(() => complete({ taskOrderNo: 'XZ-2026-0001' })),
      job({ orderId: 'o' }, 'CREATING'),
    );
    expect(calls).to.deep.equal([['set', '9', { taskOrderNo: 'XZ-2026-0001' }], ['result', '13', { denied: false }], ['forward']]);
    // the same outcome on a completing listener's job denies
    calls.length = 0;
    await run(
      def(() => bpmnError('E', '不能发出')),
      job({ orderId: 'o' }, 'COMPLETING'),
    );
    expect(calls[0]).to.deep.equal(['result', '13', { denied: true, deniedReason: '不能发出' }]);
    // a service task's job carries no event in its view, whatever its protocol default says
    views.length = 0;
    const { kind: _kind, ...plain } = job({ orderId: 'o' }, 'ASSIGNING');
    await run(
      def(() => complete()),
      { ...plain, customHeaders: {} } as SdkJob,
    );
    expect(views[0]).to.not.have.property('listenerEventType');
  });

  it("names a listener job's actor from completedBy, else the task's assignee header, never by a search (the task is still open)", async () => {
    let searched = 0;
    const resolver = { resolveAssignee: async () => (searched++, 'someone-before') };
    const base = { processInstanceKey: '9', retries: 5, elementId: 'dept-manager-review' };
    const headers = { 'io.camunda.zeebe:userTaskKey': '5', 'io.camunda.zeebe:assignee': 'wang' };
    expect(await resolveActor(resolver, { ...base, customHeaders: headers, variables: { completedBy: 'li' } })).to.include({ actor: 'li' });
    expect(await resolveActor(resolver, { ...base, customHeaders: headers, variables: {} })).to.deep.equal({
      actor: 'wang',
      source: 'task-assignee',
    });
    const none = await resolveActor(resolver, { ...base, customHeaders: { 'io.camunda.zeebe:userTaskKey': '5' }, variables: {} });
    expect(none).to.include({ actor: 'tasklist', source: 'fallback' });
    expect(searched).to.equal(0);
  });

  it('hooks see every job start and the action taken (metrics)', async () => {
    const seen: string[] = [];
    const hooks = {
      onStart: (j: { key: string }) => seen.push(`start ${j.key}`),
      onDone: (j: { key: string }, a: { action: string } | null) => seen.push(`done ${j.key} ${a?.action}`),
    };
    const sdkJob = {
      key: '8',
      type: 'order.cancel',
      variables: { orderId: 'o' },
      customHeaders: {},
      processInstanceKey: '9',
      elementId: 'e',
      retries: 3,
      complete: async () => 0,
      error: async () => 0,
      fail: async () => 0,
    };
    await createTaskHandler(
      def(() => complete()),
      services,
      undefined,
      hooks,
    )(sdkJob);
    await createTaskHandler(
      def(() => {
        throw new Error('x');
      }),
      services,
      undefined,
      hooks,
    )({ ...sdkJob, key: '9' });
    expect(seen).to.deep.equal(['start 8', 'done 8 complete', 'start 9', 'done 9 fail']);
  });

  describe('actor resolution', () => {
    const j = (variables: Record<string, unknown>, elementId = 'record-dept-manager-decision', retries = 5) => ({
      processInstanceKey: '42',
      retries,
      elementId,
      customHeaders: {},
      variables,
    });
    it('completedBy wins; else the assignee of the completed user task (REST v2 search body); else "tasklist" with a note', async () => {
      expect(await resolveActor({ resolveAssignee: async () => 'x' }, j({ completedBy: 'dm.zhang' }))).to.deep.equal({
        actor: 'dm.zhang',
        source: 'completedBy',
      });
      const bodies: unknown[] = [];
      const rest = new RestTaskActorResolver(
        async (body) => (
          bodies.push(body),
          {
            items: [
              { assignee: 'old', completionDate: '2026-01-01T00:00:00Z' },
              { assignee: 'dm.wang', completionDate: '2026-02-01T00:00:00Z' },
            ],
          }
        ),
      );
      expect(await resolveActor(rest, j({ completedBy: null }))).to.deep.equal({ actor: 'dm.wang', source: 'user-task-search' });
      expect(bodies[0]).to.deep.equal({
        filter: { processInstanceKey: '42', elementId: 'dept-manager-review', state: 'COMPLETED' },
        sort: [{ field: 'completionDate', order: 'DESC' }],
        page: { from: 0, limit: 5 },
      });
      const none = await resolveActor(new RestTaskActorResolver(async () => ({ items: [] })), j({}));
      expect(none).to.include({ actor: 'tasklist', source: 'fallback' });
      expect(none.note).to.match(/no assignee found for completed user task dept-manager-review/);
    });
    it('a failing search is retried (throws) until the last attempt, which falls back', async () => {
      const broken = new RestTaskActorResolver(async () => {
        throw new Error('HTTP 503');
      });
      let thrown: Error | null = null;
      try {
        await resolveActor(broken, j({}, 'record-center-decision', 3));
      } catch (e) {
        thrown = e as Error;
      }
      expect(thrown?.message).to.match(/user-task search for center-review failed: HTTP 503/);
      const last = await resolveActor(broken, j({}, 'record-center-decision', 1));
      expect(last).to.include({ actor: 'tasklist', source: 'fallback' });
      expect(last.note).to.match(/HTTP 503/);
    });
  });
});
