// Signals: POST /v2/signals/broadcast (SDK CamundaRestClient) and gRPC BroadcastSignal reach signal catch
// events, boundary events (interrupting and not) and signal start events; throw and end events broadcast.
import { expect } from 'chai';
import { Ctx, elements, jobsOf, readFixture, setup, uid, variables, waitFor, waitElement, waitState } from '../helpers';
import { RestClient, sdkRest } from './clients';

describe('engine: signals', function () {
  let ctx: Ctx;
  let rest: RestClient;
  before(async () => {
    ctx = await setup();
    rest = sdkRest(ctx);
    await rest.deployResources([{ name: 'signals.bpmn', content: readFixture('signals.bpmn') }]);
  });
  after(async () => ctx?.stop());

  const startCatch = async () => {
    const pi = await rest.createProcessInstance({ processDefinitionId: 'conf-signal-catch', variables: { id: uid() } } as never);
    await waitElement(ctx, pi.processInstanceKey, 'work');
    return pi.processInstanceKey as string;
  };

  it('a broadcast (REST) triggers a non-interrupting boundary event of every waiting instance, and the task goes on', async () => {
    const [a, b] = [await startCatch(), await startCatch()];
    const res = (await rest.broadcastSignal({ signalName: 'conf-notice', variables: { notice: 'n1' } } as never)) as any;
    expect(res.signalKey).to.match(/^\d+$/);
    for (const pk of [a, b]) {
      await waitFor(async () => (await elements(ctx, pk)).noticeEnd?.includes('COMPLETED'), 'the notice path');
      expect((await elements(ctx, pk)).work).to.deep.equal(['ACTIVE']);
      expect((await variables(ctx, pk)).notice).to.equal('n1');
    }
  });

  it('an interrupting boundary event cancels the task; a catch event waits for the signal (gRPC BroadcastSignal)', async () => {
    const pk = await startCatch();
    await ctx.zbc.broadcastSignal({ signalName: 'conf-course-recalled', variables: {} });
    await waitState(ctx, pk, 'COMPLETED');
    expect((await elements(ctx, pk)).recalledEnd).to.deep.equal(['COMPLETED']);
    expect((await elements(ctx, pk)).work).to.deep.equal(['TERMINATED']);
    // past the task: the intermediate catch event
    const pk2 = await startCatch();
    const [job] = await waitFor(async () => {
      const j = await jobsOf(ctx, 'conf.signal.work', pk2);
      return j.length ? j : undefined;
    }, 'the job');
    await ctx.zbc.completeJob({ jobKey: job.key, variables: {} });
    await waitElement(ctx, pk2, 'waitSignal');
    await rest.broadcastSignal({ signalName: 'conf-course-recalled', variables: { why: 'closed' } } as never);
    await waitState(ctx, pk2, 'COMPLETED');
    expect((await variables(ctx, pk2)).why).to.equal('closed');
  });

  it('a signal start event starts an instance; its throw event (variables from input mappings) and end event broadcast', async () => {
    const waiting = await startCatch();
    await rest.broadcastSignal({ signalName: 'conf-start-by-signal', variables: { origin: 'ops' } } as never);
    // the started instance threw conf-course-recalled: the waiting instance was recalled, with the thrown variables
    await waitState(ctx, waiting, 'COMPLETED');
    expect((await elements(ctx, waiting)).recalledEnd).to.deep.equal(['COMPLETED']);
    expect((await variables(ctx, waiting)).recalledBy).to.equal('from ops');
    const started = await waitFor(async () => {
      const r = await fetch(`${ctx.rest}/v2/process-instances/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ filter: { processDefinitionId: 'conf-signal-start' } }),
      });
      const items = ((await r.json()) as any).items;
      return items.length ? items : undefined;
    }, 'the started instance');
    expect(started[0].state).to.equal('COMPLETED');
  });

  it('a broadcast with an empty name is a 400 naming it', async () => {
    const r = await fetch(`${ctx.rest}/v2/signals/broadcast`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ signalName: '' }),
    });
    expect(r.status).to.equal(400);
    expect(((await r.json()) as any).detail).to.contain('signalName');
  });
});
