/**
 * runtime/errors.ts and adapter.ts classify(): what a handler throws decides the job's outcome by the
 * error's class only. An error that merely carries the name or the fields of a typed error is technical.
 */
import { expect } from 'chai';
import { ConflictError, IllegalTransitionError, NotFoundError, StateConflictError, ValidationError } from '../../domain/errors';
import { classify, executeJob, toJobAction } from '../../workers/runtime/adapter';
import { BusinessError, NonRetryable } from '../../workers/runtime/errors';
import { DEFAULT_WORKER_SETTINGS, silentLogger, type HandlerDef, type Services } from '../../workers/runtime/job';
import { S } from '../../workers/runtime/validate';

const services = {
  settings: DEFAULT_WORKER_SETTINGS,
  dataSource: {} as never,
  clock: { now: () => new Date() },
  http: async () => ({ status: 200, body: '' }),
  actors: { resolveAssignee: async () => null },
  log: silentLogger,
} as Services;
const job = {
  key: '1',
  type: 'order.cancel',
  variables: { orderId: 'o-1' },
  customHeaders: {},
  processInstanceKey: '9',
  elementId: 'cancel-order',
  retries: 4,
};
const throwing = (e: unknown): HandlerDef => ({
  type: 'order.cancel',
  variables: S.obj({ orderId: S.str }),
  handle: () => {
    throw e;
  },
});
const actionOf = async (e: unknown) => toJobAction(await executeJob(throwing(e), job, services), job);

describe('workers: typed errors, matched by class', () => {
  it('BusinessError → the BPMN error with its code and variables', async () => {
    expect(await actionOf(new BusinessError('AP_PARTNER_UNAVAILABLE', 'suspended', { apIssue: 'suspended' }))).to.deep.equal({
      action: 'error',
      errorCode: 'AP_PARTNER_UNAVAILABLE',
      errorMessage: 'suspended',
      variables: { apIssue: 'suspended' },
    });
  });

  it('NonRetryable → an incident at once (retries 0) with its hint', async () => {
    const a = await actionOf(new NonRetryable('already closed', 'close it in Operate'));
    expect(a).to.include({ action: 'fail', retries: 0, retryBackOff: 0 });
    expect((a as { errorMessage: string }).errorMessage).to.equal(
      'order.cancel: already closed. No retries left — what to do: close it in Operate',
    );
  });

  it('domain errors that retrying cannot heal → incident at once; a plain ConflictError → retried by Zeebe', async () => {
    for (const e of [
      new NotFoundError('business-order', 'o-1'),
      new ValidationError('bad'),
      new IllegalTransitionError('order', 'CANCELLED', 'IN_SERVICE'),
      new StateConflictError('not approved'),
    ]) {
      expect(await actionOf(e), e.name).to.include({ action: 'fail', retries: 0 });
    }
    expect(classify('order.cancel', new ConflictError('stale version'))).to.equal(null);
    expect(await actionOf(new ConflictError('stale version'))).to.include({ action: 'fail', retries: 3 });
  });

  it('a look-alike (same name, hint or code, another class) is a technical failure, retried with back-off', async () => {
    const lookAlike = Object.assign(new Error('x'), {
      name: 'NonRetryable',
      hint: 'h',
      code: 'NOT_FOUND',
      errorCode: 'AP_PARTNER_UNAVAILABLE',
      details: { entity: 'order', id: '1' },
    });
    expect(classify('order.cancel', lookAlike)).to.equal(null);
    expect(await actionOf(lookAlike)).to.deep.equal({
      action: 'fail',
      errorMessage: 'order.cancel failed: x',
      retries: 3,
      retryBackOff: 4000,
    });
  });
});
