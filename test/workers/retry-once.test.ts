/**
 * Retries in one place (platform/retry.ts): a job's transaction that the database rolls back is run again
 * by inTransaction alone, TRANSACTION_RETRY.attempts times in all, whichever path once() takes (group
 * commit or a transaction of its own). Before, once() looped ×3 around inTransaction's ×4.
 */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { ProcessedJobEntity } from '../../db/entities/index';
import { TRANSACTION_RETRY } from '../../platform/retry';
import { once } from '../../workers/runtime/once';
import { closeTestDataSource, openTestDataSource, resetDatabase } from '../support/db';

const at = new Date('2026-11-20T02:00:00.123Z');
/** what mysql2 throws for a deadlock victim (through TypeORM's QueryFailedError) */
const deadlock = () =>
  Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), {
    driverError: { code: 'ER_LOCK_DEADLOCK', errno: 1213 },
  });

describe('workers: one retry policy for rolled-back transactions (platform/retry.ts)', () => {
  let ds: DataSource;
  before(async () => {
    ds = await openTestDataSource();
  });
  beforeEach(async () => resetDatabase(ds));
  after(async () => closeTestDataSource(ds));

  it(`a transaction rolled back every time runs ${TRANSACTION_RETRY.attempts} times in all, then the job fails (Zeebe retries it)`, async () => {
    let runs = 0;
    const err = await once(ds, 'test.retry', 'always', at, async () => {
      runs++;
      throw deadlock();
    }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect(runs).to.equal(TRANSACTION_RETRY.attempts);
    expect(await ds.getRepository(ProcessedJobEntity).countBy({ jobType: 'test.retry' })).to.equal(0);
  });

  it('a transaction rolled back once runs again and commits once', async () => {
    let runs = 0;
    const res = await once(ds, 'test.retry', 'once', at, async () => {
      runs++;
      if (runs === 1) throw deadlock();
      return { runs };
    });
    expect(res).to.deep.equal({ runs: 2 });
    expect(await ds.getRepository(ProcessedJobEntity).countBy({ jobType: 'test.retry', idempotencyKey: 'once' })).to.equal(1);
  });

  it('any other failure is not retried in-process', async () => {
    let runs = 0;
    await once(ds, 'test.retry', 'other', at, async () => {
      runs++;
      throw new Error('the AP endpoint is down');
    }).catch(() => undefined);
    expect(runs).to.equal(1);
  });
});
