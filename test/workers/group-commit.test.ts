/**
 * workers/runtime/batch.ts: the once() calls of one job type in flight at the same time share one
 * transaction (each in its own savepoint) — numbers stay consecutive, a failing item fails alone, a
 * duplicate key ends with the winner's result, a whole-batch failure commits nothing.
 *
 * Batches are made deterministic with a "gate": a first call whose work waits on a promise holds its
 * (single-item) batch open, the calls made meanwhile queue up (batcher.pending) and form the next batch,
 * in call order (keys passed as checked(): no look-up before the call joins the queue).
 */
import { expect } from 'chai';
import type { DataSource, EntityManager } from 'typeorm';
import { ProcessedJobEntity } from '../../db/entities/index';
import { createDataSource } from '../../db/index';
import { audit } from '../../domain/audit';
import { nextNumber } from '../../domain/numbering';
import { JOB } from '../../domain/vocabulary';
import { issueForm, openRound, recordDecision } from '../../workers/families/countersign';
import { batcherFor, configureGroupCommit, groupCommitFromEnv, groupCommitStats } from '../../workers/runtime/batch';
import { checked, once, storedResult } from '../../workers/runtime/once';
import { startWorkers } from '../../workers/start';
import { completedVars, deliver, makeJob, makeServices, seedRevenueContract, seedWorld } from './support/harness';
import { closeTestDataSource, openTestDataSource, resetDatabase, testDatabaseUrl } from '../support/db';

const at = new Date('2026-11-20T02:00:00.123Z');
const T = 'test.numbering-job';

const lastValue = async (ds: DataSource, type = 'service-request') => {
  const rows: { last_value: number | string }[] = await ds.query('SELECT last_value FROM document_sequence WHERE document_type = ?', [
    type,
  ]);
  return rows.length ? Number(rows[0].last_value) : 0;
};
const seqOf = (no: unknown) => Number(/-(\d+)$/.exec(String(no))![1]);
const guardRows = async (ds: DataSource, jobType = T) => ds.getRepository(ProcessedJobEntity).countBy({ jobType });

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

/** settles every promise; [value, undefined] or [undefined, error] in call order */
async function settle<T>(ps: Promise<T>[]): Promise<{ value?: T; error?: unknown }[]> {
  return (await Promise.allSettled(ps)).map((r) => (r.status === 'fulfilled' ? { value: r.value } : { error: r.reason }));
}

describe('workers: group commit of once() (runtime/batch.ts)', function () {
  this.timeout(30_000);
  let ds: DataSource;
  let batches: [string, number][];
  before(async () => {
    ds = await openTestDataSource({ poolSize: 20 });
  });
  beforeEach(async () => {
    await resetDatabase(ds, { seedCalendar: false });
    batches = [];
    configureGroupCommit(ds, { enabled: true, maxBatch: 32, onBatch: (type, size) => batches.push([type, size]) });
  });
  after(async () => {
    configureGroupCommit(ds, {});
    await closeTestDataSource(ds);
  });

  const numbered = (runs?: Map<string, number>, key?: string) => async (em: EntityManager) => {
    if (runs && key) runs.set(key, (runs.get(key) ?? 0) + 1);
    return { requestNo: await nextNumber(em, 'service-request', 2026), run: runs && key ? runs.get(key)! : 0 };
  };

  /** a call whose batch stays open until release(); the calls made meanwhile form the next batch */
  function gate(jobType = T) {
    let release!: () => void;
    const opened = new Promise<void>((r) => (release = r));
    const p = once(ds, jobType, checked('gate'), at, async (em) => {
      await opened;
      return { requestNo: await nextNumber(em, 'service-request', 2026) };
    });
    return { p, release };
  }

  it('40 concurrent deliveries of a numbering job: consecutive numbers, one per key, in batches of more than one', async () => {
    const runs = new Map<string, number>();
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const out = await Promise.all(keys.map((k) => once(ds, T, k, at, numbered(runs, k))));
    const seqs = out.map((o) => seqOf(o.requestNo)).sort((a, b) => a - b);
    expect(seqs).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
    expect([...runs.values()].every((n) => n === 1)).to.equal(true);
    expect(await lastValue(ds)).to.equal(40);
    expect(await guardRows(ds)).to.equal(40);
    for (let i = 0; i < 40; i++) expect(await storedResult(ds, T, keys[i])).to.deep.equal(out[i]);
    const sizes = batches.filter(([t]) => t === T).map(([, n]) => n);
    expect(sizes.reduce((a, b) => a + b, 0)).to.equal(40);
    expect(Math.max(...sizes), `batch sizes ${sizes.join(',')}`).to.be.greaterThan(1);
    expect(sizes.length).to.be.lessThan(40);
    const st = groupCommitStats(ds).get(T)!;
    expect(st.items).to.be.at.least(40);
    expect(st.largest).to.be.at.least(Math.max(...sizes));
  });

  it('a real numbering handler (countersign.issue-form) for 12 contracts at once: HQ-SR-2026-0001 … 0012, one form each', async () => {
    const services = makeServices(ds);
    const rounds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { order } = await seedWorld(ds);
      const contract = await seedRevenueContract(ds, order);
      const pik = String(2251799813691000 + i);
      const roundId = completedVars(
        await deliver(
          openRound,
          makeJob(
            JOB.countersignOpenRound,
            { contractId: contract.id, contractNo: contract.contractNo, contractType: 'REVENUE', orderNo: order.orderNo },
            { processInstanceKey: pik },
          ),
          services,
        ),
      ).countersignRoundId as string;
      for (const [step, el, who] of [
        ['DEPT_MANAGER', 'record-dept-manager-decision', 'dm.zhang'],
        ['CENTER', 'record-center-decision', 'center.wu'],
      ] as const) {
        const job = makeJob(
          JOB.countersignRecordDecision,
          { countersignRoundId: roundId, reviewDecision: 'APPROVE', reviewOpinion: '同意', completedBy: who },
          { customHeaders: { countersignStep: step }, elementId: el, processInstanceKey: pik },
        );
        completedVars(await deliver(recordDecision, job, services));
      }
      rounds.push(roundId);
    }
    batches = [];
    const jobs = rounds.map((id) => makeJob(JOB.countersignIssueForm, { countersignRoundId: id }));
    // every job delivered twice at the same time
    const out = await Promise.all([...jobs, ...jobs].map((j) => deliver(issueForm, { ...j }, services)));
    const nos = out.map((o) => completedVars(o).countersignFormNo as string);
    expect(nos.slice(12)).to.deep.equal(nos.slice(0, 12));
    expect(
      nos
        .slice(0, 12)
        .map(seqOf)
        .sort((a, b) => a - b),
    ).to.deep.equal(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(nos.every((n) => /^HQ-SR-2026-\d+$/.test(n))).to.equal(true);
    expect(Number((await ds.query('SELECT COUNT(*) AS n FROM countersign_form'))[0].n)).to.equal(12);
    expect(await lastValue(ds, 'countersign-form-revenue')).to.equal(12);
    const sizes = batches.filter(([t]) => t === JOB.countersignIssueForm).map(([, n]) => n);
    expect(Math.max(...sizes), `batch sizes ${sizes.join(',')}`).to.be.greaterThan(1);
  });

  it('one item failing in the middle of a batch: it alone fails (its number undone, no gap), the others commit', async () => {
    const g = gate();
    await until(() => batches.length === 1, 'the gate batch');
    const calls = Array.from({ length: 9 }, (_, i) =>
      once(ds, T, checked(`m${i}`), at, async (em) => {
        const no = await nextNumber(em, 'service-request', 2026);
        // the audit row is only queued (insertLater): it must go with its item, not with the batch
        await audit(em, { actor: 'tester', at }, 'test.numbered', 'test', `m${i}`);
        if (i === 4) throw new Error(`boom ${no}`);
        return { requestNo: no };
      }),
    );
    expect(batcherFor(ds, T)!.pending).to.equal(9);
    g.release();
    const [gateOut, ...rest] = await settle([g.p, ...calls]);
    expect(batches.map(([, n]) => n)).to.deep.equal([1, 9]);
    expect(seqOf(gateOut.value!.requestNo)).to.equal(1);
    expect((rest[4].error as Error).message).to.match(/^boom \S+-2026-0*6$/);
    const ok = rest.filter((_, i) => i !== 4);
    expect(ok.every((r) => r.value)).to.equal(true);
    expect(ok.map((r) => seqOf(r.value!.requestNo))).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await lastValue(ds)).to.equal(9);
    expect(await storedResult(ds, T, 'm4')).to.equal(null);
    expect(await guardRows(ds)).to.equal(9);
    const audited = (await ds.query(`SELECT entity_id AS id FROM audit_log WHERE action = 'test.numbered'`)) as { id: string }[];
    expect(audited.map((r) => r.id).sort()).to.deep.equal(['m0', 'm1', 'm2', 'm3', 'm5', 'm6', 'm7', 'm8']);
    // its redelivery runs it (next number, still no gap)
    const again = await once(ds, T, 'm4', at, numbered());
    expect(seqOf(again.requestNo)).to.equal(10);
  });

  it('duplicate keys in one batch and in the next batch: one run, one number, every caller gets the same result', async () => {
    const runs = new Map<string, number>();
    const g = gate();
    await until(() => batches.length === 1, 'the gate batch');
    const batch2 = ['a', 'dup', 'b', 'dup', 'dup', 'c'].map((k) => once(ds, T, checked(k), at, numbered(runs, k)));
    g.release();
    // joins while batch 2 is in flight: the next batch, where its guard row is already committed
    await until(() => batches.length === 2, 'batch 2');
    const batch3 = [once(ds, T, checked('dup'), at, numbered(runs, 'dup')), once(ds, T, checked('d'), at, numbered(runs, 'd'))];
    const out = await Promise.all([g.p, ...batch2, ...batch3]);
    expect(batches.map(([, n]) => n)).to.deep.equal([1, 6, 2]);
    expect(runs.get('dup')).to.equal(1);
    const dups = [out[2], out[4], out[5], out[7]];
    expect(dups.every((d) => JSON.stringify(d) === JSON.stringify(dups[0]))).to.equal(true);
    expect(out.map((o) => seqOf(o.requestNo))).to.deep.equal([1, 2, 3, 4, 3, 3, 5, 3, 6]);
    expect(await lastValue(ds)).to.equal(6);
    expect(await guardRows(ds)).to.equal(6); // gate a dup b c d
  });

  it('the work of a duplicate fails (the first of the key failed): the second delivery in the same batch runs it', async () => {
    const g = gate();
    await until(() => batches.length === 1, 'the gate batch');
    // the first delivery of x fails every time it runs (the batch runs it twice: plain, then in savepoints)
    const calls = ['x', 'x', 'y'].map((k, call) =>
      once(ds, T, checked(k), at, async (em) => {
        const no = await nextNumber(em, 'service-request', 2026);
        if (call === 0) throw new Error('first x fails');
        return { requestNo: no };
      }),
    );
    g.release();
    const r = await settle([g.p, ...calls]);
    expect((r[1].error as Error).message).to.equal('first x fails');
    expect(r.slice(2).map((s) => seqOf(s.value!.requestNo))).to.deep.equal([2, 3]);
    expect(seqOf((await storedResult(ds, T, 'x'))!.requestNo)).to.equal(2);
  });

  it('a deadlock in one item re-runs the whole batch from scratch; callers see only the committed attempt', async () => {
    const runs = new Map<string, number>();
    const g = gate();
    await until(() => batches.length === 1, 'the gate batch');
    let deadlocks = 0;
    const keys = Array.from({ length: 8 }, (_, i) => `r${i}`);
    const calls = keys.map((k, i) =>
      once(ds, T, checked(k), at, async (em) => {
        const v = await numbered(runs, k)(em);
        if (i === 5 && deadlocks === 0) {
          deadlocks++;
          throw Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 });
        }
        return v;
      }),
    );
    g.release();
    const out = await Promise.all(calls);
    await g.p;
    expect(deadlocks).to.equal(1);
    // MySQL: inTransaction re-runs the batch; SQLite (no retry there): once() resubmits every caller
    for (const [i, k] of keys.entries()) {
      expect(runs.get(k), k).to.equal(i <= 5 ? 2 : 1);
      expect(out[i].run, `${k} returns its last run`).to.equal(runs.get(k));
    }
    expect(out.map((o) => seqOf(o.requestNo)).sort((a, b) => a - b)).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await lastValue(ds)).to.equal(9);
    expect(await guardRows(ds)).to.equal(9);
    for (const [i, k] of keys.entries()) expect(await storedResult(ds, T, k)).to.deep.equal(out[i]);
  });

  it('an error a savepoint cannot contain fails the whole batch: nothing committed, every caller rejected', async () => {
    const runs = new Map<string, number>();
    const g = gate();
    await until(() => batches.length === 1, 'the gate batch');
    const calls = Array.from({ length: 6 }, (_, i) =>
      once(ds, T, checked(`w${i}`), at, async (em) => {
        const v = await numbered(runs, `w${i}`)(em);
        if (i === 3) {
          // the item's own savepoint is gone: ROLLBACK TO SAVEPOINT fails, the transaction cannot continue
          // (the first run of a batch has no savepoint per item: it fails, and the batch runs again with them)
          await em.query('RELEASE SAVEPOINT gc_sp_3').catch(() => undefined);
          throw new Error('poison');
        }
        return v;
      }),
    );
    g.release();
    const r = await settle([g.p, ...calls]);
    expect(r[0].value).to.not.equal(undefined);
    expect(r.slice(1).map((s) => (s.error as Error)?.message)).to.deep.equal(Array(6).fill('poison'));
    expect(await lastValue(ds)).to.equal(1);
    expect(await guardRows(ds)).to.equal(1);
    expect([...runs.keys()]).to.deep.equal(['w0', 'w1', 'w2', 'w3']); // w4 and w5 never ran
  });

  it('a batch of one runs without savepoints; a unique violation in it still ends with the stored result', async () => {
    let savepoint: 'none' | 'present' | undefined;
    const out = await once(ds, T, 'solo', at, async (em) => {
      // inside a savepoint of the batch this RELEASE would succeed (and the test then fail below)
      savepoint = await em.query('RELEASE SAVEPOINT gc_sp_0').then(
        () => 'present' as const,
        () => 'none' as const,
      );
      return numbered()(em);
    });
    expect(batches).to.deep.equal([[T, 1]]);
    expect(savepoint).to.equal('none');
    expect(seqOf(out.requestNo)).to.equal(1);
    // a work that hits the guard's primary key itself (as a racing delivery would): rolled back, the stored result returned
    const again = await once(ds, T, checked('solo'), at, numbered());
    expect(again).to.deep.equal(out);
    expect(await lastValue(ds)).to.equal(1);
  });

  it('a WORKER_GROUP_COMMIT value it cannot read stops startWorkers, before any worker is created', () => {
    const saved = process.env.WORKER_GROUP_COMMIT;
    let created = 0;
    const zeebe = { createWorker: () => (created++, {}) };
    process.env.WORKER_GROUP_COMMIT = 'sometimes';
    try {
      expect(() => startWorkers({ zeebe: zeebe as never, dataSource: ds })).to.throw(/WORKER_GROUP_COMMIT/);
    } finally {
      if (saved === undefined) delete process.env.WORKER_GROUP_COMMIT;
      else process.env.WORKER_GROUP_COMMIT = saved;
    }
    expect(created).to.equal(0);
  });

  it('WORKER_GROUP_COMMIT=false: one transaction per job (no batches), same results', async () => {
    expect(groupCommitFromEnv({ WORKER_GROUP_COMMIT: 'false' }).enabled).to.equal(false);
    expect(groupCommitFromEnv({}).enabled).to.equal(true);
    expect(groupCommitFromEnv({ WORKER_GROUP_COMMIT_MAX_BATCH: '8' }).maxBatch).to.equal(8);
    expect(() => groupCommitFromEnv({ WORKER_GROUP_COMMIT: 'maybe' })).to.throw(/WORKER_GROUP_COMMIT/);
    expect([...groupCommitFromEnv({ WORKER_GROUP_COMMIT_TYPES: 'a.x, b.y' }).jobTypes!]).to.deep.equal(['a.x', 'b.y']);
    expect(groupCommitFromEnv({ WORKER_GROUP_COMMIT_TYPES: 'all' }).jobTypes).to.equal(undefined);
    configureGroupCommit(ds, { enabled: true, jobTypes: new Set(['other.type']) });
    expect(batcherFor(ds, T)).to.equal(null);
    expect(batcherFor(ds, 'other.type')).to.not.equal(null);
    configureGroupCommit(ds, { enabled: false, onBatch: (t, n) => batches.push([t, n]) });
    expect(batcherFor(ds, T)).to.equal(null);
    const out = await Promise.all(Array.from({ length: 10 }, (_, i) => once(ds, T, `o${i % 5}`, at, numbered())));
    expect(batches).to.deep.equal([]);
    expect(out.slice(0, 5)).to.deep.equal(out.slice(5));
    expect(
      out
        .slice(0, 5)
        .map((o) => seqOf(o.requestNo))
        .sort((a, b) => a - b),
    ).to.deep.equal([1, 2, 3, 4, 5]);
  });

  (testDatabaseUrl() ? describe : describe.skip)('two processes (two DataSources on one MySQL database)', () => {
    let other: DataSource;
    before(async () => {
      other = createDataSource(testDatabaseUrl()!, { poolSize: 5 });
      await other.initialize();
    });
    after(async () => {
      if (other?.isInitialized) await other.destroy();
    });

    it('the same key in two concurrent batches: the second waits, rolls back to its savepoint and returns the winner’s result', async () => {
      const otherBatches: number[] = [];
      configureGroupCommit(other, { enabled: true, onBatch: (_, n) => otherBatches.push(n) });
      let release!: () => void;
      const opened = new Promise<void>((r) => (release = r));
      const runs = new Map<string, number>();
      // process 1: x numbered, then held open by the gate item
      const p1 = [
        once(ds, T, checked('x'), at, numbered(runs, 'x')),
        once(ds, T, checked('hold'), at, async () => {
          await opened;
          return {};
        }),
      ];
      await until(() => runs.get('x') === 1, 'x in process 1');
      // process 2: a batch with x in the middle; c1 waits on the number lock, x on the guard row
      const p2 = ['c1', 'x', 'c2'].map((k) => once(other, T, checked(k), at, numbered(runs, k)));
      await new Promise((r) => setTimeout(r, 100));
      release();
      const [x1, , c1, x2, c2] = await Promise.all([...p1, ...p2]);
      expect(x2).to.deep.equal(x1);
      expect(runs.get('x')).to.equal(1);
      expect([x1, c1, c2].map((o) => seqOf(o.requestNo))).to.deep.equal([1, 2, 3]);
      expect(otherBatches).to.deep.equal([3]);
      expect(await guardRows(ds)).to.equal(4);
    });
  });
});
