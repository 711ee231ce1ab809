/** db/transaction.ts insertLater: queued rows go in once, before COMMIT or a SAVEPOINT, and vanish with what rolls back. */
import { expect } from 'chai';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLogEntity } from '../../db/entities/index';
import { inTransaction, insertLater, rollbackToSavepoint, savepoint } from '../../db/transaction';
import { closeTestDataSource, openTestDataSource, resetDatabase, tracedTransaction } from '../support/db';

const row = (n: number) => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  at: new Date(Date.UTC(2026, 10, 26, 1, 0, 0, n)),
  actor: 'tester',
  action: `test.${n}`,
  entityType: 'test',
  entityId: String(n),
  reason: null,
  details: { n },
});

describe('db: insertLater (rows written together before COMMIT)', () => {
  let ds: DataSource;
  before(async () => {
    ds = await openTestDataSource();
  });
  after(async () => closeTestDataSource(ds));
  beforeEach(async () => resetDatabase(ds));

  const actions = async () =>
    (await ds.getRepository(AuditLogEntity).find({ where: { entityType: 'test' }, order: { action: 'ASC' } })).map((r) => r.action);

  /** the INSERT statements sent by a transaction running work, up to and including COMMIT */
  const traced = async (work: (em: EntityManager) => Promise<void>) =>
    (await tracedTransaction(ds, work)).sql.filter((q) => /^INSERT INTO/.test(q));

  it('queues inside a transaction and writes the queue as one INSERT at the end, with every value intact', async () => {
    const inserts = await traced(async (em) => {
      for (let n = 1; n <= 5; n++) await insertLater(em, AuditLogEntity, row(n));
      // not there yet inside the transaction: nothing was sent
      expect(await em.getRepository(AuditLogEntity).count({ where: { entityType: 'test' } })).to.equal(0);
    });
    expect(inserts).to.have.length(1);
    expect(await actions()).to.deep.equal(['test.1', 'test.2', 'test.3', 'test.4', 'test.5']);
    expect((await ds.getRepository(AuditLogEntity).findOneBy({ action: 'test.3' }))!.details).to.deep.equal({ n: 3 });
  });

  it('outside a transaction, or in one inTransaction did not open (nothing would flush it), the row is written at once', async () => {
    await insertLater(ds.manager, AuditLogEntity, row(7));
    expect(await actions()).to.deep.equal(['test.7']);
    await ds.transaction(async (em) => {
      await insertLater(em, AuditLogEntity, row(8));
      expect(await em.getRepository(AuditLogEntity).count({ where: { entityType: 'test' } })).to.equal(2);
    });
    expect(await actions()).to.deep.equal(['test.7', 'test.8']);
  });

  it('a SAVEPOINT writes what came before it; ROLLBACK TO drops what came after, and the transaction goes on', async () => {
    await traced(async (em) => {
      await insertLater(em, AuditLogEntity, row(1));
      await savepoint(em, 'sp_a');
      await insertLater(em, AuditLogEntity, row(2));
      await savepoint(em, 'sp_b');
      await insertLater(em, AuditLogEntity, row(3));
      await rollbackToSavepoint(em, 'sp_a'); // undoes 2 (written at sp_b) and drops 3 (still queued)
      await insertLater(em, AuditLogEntity, row(4));
    });
    expect(await actions()).to.deep.equal(['test.1', 'test.4']);
  });

  it('a transaction that fails leaves nothing queued behind, neither in the database nor for the next transaction', async () => {
    let err: unknown;
    try {
      await inTransaction(ds, async (em) => {
        await insertLater(em, AuditLogEntity, row(1));
        throw new Error('business failure');
      });
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.contain('business failure');
    await inTransaction(ds, async (em) => insertLater(em, AuditLogEntity, row(2)));
    expect(await actions()).to.deep.equal(['test.2']);
  });
});
