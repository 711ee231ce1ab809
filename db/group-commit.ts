/**
 * Application-level group commit.
 *
 * Work that must serialise on one row lock held until commit (document numbers, domain/numbering.ts)
 * pays one commit (redo-log fsync on MariaDB) per item when each item has its own transaction. A
 * batcher collects the items that arrive while the previous batch commits and runs them in ONE
 * transaction (db/transaction.ts inTransaction), so N items share one lock wait and one fsync.
 *
 * - Items run in arrival order, one after another, on the batch's EntityManager.
 * - inSavepoints gives each item its own SAVEPOINT: an item that throws is rolled back to it (its rows
 *   and its sequence increment are undone, so no gap) and only its caller is rejected.
 * - An error that the savepoint cannot contain (a deadlock: the server already rolled the whole
 *   transaction back; a lost connection; a failing ROLLBACK TO SAVEPOINT; a failing commit) fails the
 *   whole batch: inTransaction retries deadlocks by re-running the whole batch, and if it still fails
 *   every caller of the batch is rejected with that error and nothing is committed.
 * - Callers are settled only after the transaction has committed (or finally failed), so a retried
 *   attempt's results are never seen. The work must have no effects outside the database.
 * - One batch in flight per batcher; with several processes the batchers wait on the same row lock.
 */
import type { EntityManager } from 'typeorm';
import { DEFERRED_INSERTS, inTransaction, insertRows, isDeadlock, rollbackToSavepoint, savepoint, type Db } from './transaction';

export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface BatcherOptions<I, O> {
  db: Db;
  /** most items per transaction */
  maxBatch: number;
  /**
   * Runs one batch inside the transaction; returns one outcome per item, in order. Throwing fails the
   * whole batch (every caller rejected, nothing committed).
   */
  run: (em: EntityManager, items: I[]) => Promise<Settled<O>[]>;
  /** observation only (tests, metrics): called with the size of every batch that starts */
  onBatch?: (size: number) => void;
}

export interface Batcher<I, O> {
  submit(item: I): Promise<O>;
  /** items waiting for the next batch */
  readonly pending: number;
}

interface Waiter<I, O> {
  item: I;
  resolve: (v: O) => void;
  reject: (e: unknown) => void;
}

export function createBatcher<I, O>(opts: BatcherOptions<I, O>): Batcher<I, O> {
  if (!Number.isInteger(opts.maxBatch) || opts.maxBatch < 1) throw new Error(`maxBatch: a positive integer, got ${opts.maxBatch}`);
  const queue: Waiter<I, O>[] = [];
  let busy = false;

  async function runBatch(batch: Waiter<I, O>[]): Promise<void> {
    opts.onBatch?.(batch.length);
    let outcomes: Settled<O>[];
    try {
      outcomes = await inTransaction(opts.db, async (em) => {
        const r = await opts.run(
          em,
          batch.map((w) => w.item),
        );
        if (r.length !== batch.length) throw new Error(`group commit: ${r.length} outcomes for ${batch.length} items`);
        return r;
      });
    } catch (e) {
      for (const w of batch) w.reject(e);
      return;
    }
    batch.forEach((w, i) => {
      const o = outcomes[i];
      if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    });
  }

  function next(): void {
    if (busy || !queue.length) return;
    busy = true;
    // setImmediate: items submitted in the same turn of the event loop join the first batch
    setImmediate(() => {
      const batch = queue.splice(0, opts.maxBatch);
      runBatch(batch)
        .catch((e) => {
          for (const w of batch) w.reject(e);
        })
        .finally(() => {
          busy = false;
          next();
        });
    });
  }

  return {
    submit(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        next();
      });
    },
    get pending() {
      return queue.length;
    },
  };
}

/**
 * Runs fn inside SAVEPOINT name of em's transaction: true when it succeeded (savepoint released), false
 * when it threw and was rolled back to the savepoint. Errors a savepoint cannot undo (deadlock: the
 * transaction is gone; or the rollback to the savepoint itself fails) are thrown.
 */
export async function inSavepoint(em: EntityManager, name: string, fn: () => Promise<void>): Promise<boolean> {
  if (!em.queryRunner?.isTransactionActive) throw new Error('inSavepoint needs an active transaction');
  await savepoint(em, name);
  try {
    await fn();
  } catch (error) {
    if (isDeadlock(error)) throw error;
    try {
      await rollbackToSavepoint(em, name);
      await em.query(`RELEASE SAVEPOINT ${name}`);
    } catch {
      throw error;
    }
    return false;
  }
  await em.query(`RELEASE SAVEPOINT ${name}`);
  return true;
}

/**
 * Runs fn for every item, in order, each inside its own SAVEPOINT of em's transaction. An item that
 * throws is rolled back to its savepoint and reported as failed; errors a savepoint cannot undo
 * (deadlock: the transaction is gone; or the rollback to the savepoint itself fails) are thrown, which
 * fails the whole batch.
 */
export async function inSavepoints<I, O>(
  em: EntityManager,
  items: I[],
  fn: (em: EntityManager, item: I, index: number) => Promise<O>,
): Promise<Settled<O>[]> {
  if (!em.queryRunner?.isTransactionActive) throw new Error('inSavepoints needs an active transaction');
  const out: Settled<O>[] = [];
  for (let i = 0; i < items.length; i++) {
    const sp = `gc_sp_${i}`;
    await savepoint(em, sp);
    try {
      const value = await fn(em, items[i], i);
      await em.query(`RELEASE SAVEPOINT ${sp}`);
      out.push({ ok: true, value });
    } catch (error) {
      if (isDeadlock(error)) throw error;
      try {
        await rollbackToSavepoint(em, sp);
        await em.query(`RELEASE SAVEPOINT ${sp}`);
      } catch {
        throw error; // the transaction is not in a state we can continue from
      }
      out.push({ ok: false, error });
    }
  }
  return out;
}

/**
 * For a batch's fast path: an EntityManager stand-in on which the domain's own write functions run
 * unchanged, but `getRepository(E).insert(row)` and `insertRows(em, E, rows)` only collect the rows; flush() then writes each
 * entity's rows with ONE multi-row INSERT (entities in first-use order, rows in call order), on the
 * real EntityManager (db/transaction.ts insertRows: built from the metadata, split only past its size
 * limits). `findOneBy` on an entity listed in assumeAbsent answers null without a query:
 * list only lookups a unique index guards (the flush then fails on a duplicate and the caller falls
 * back to the exact path). Anything else the functions try on the stand-in throws, which also sends
 * the caller to its fallback, never to a wrong result.
 */
export function deferInserts(
  em: EntityManager,
  opts: { assumeAbsent?: unknown[] } = {},
): { em: EntityManager; flush: () => Promise<void> } {
  const rows = new Map<unknown, object[]>();
  const unsupported = (what: string) => () => {
    throw new Error(`deferInserts: ${what} is not supported`);
  };
  const collect = async (entity: unknown, row: object | readonly object[]) => {
    if (!rows.has(entity)) rows.set(entity, []);
    rows.get(entity)!.push(...(Array.isArray(row) ? row : [row]));
  };
  const repo = (entity: unknown) =>
    new Proxy(
      {
        insert: async (row: object | object[]) => {
          await collect(entity, row);
          return { identifiers: [], generatedMaps: [], raw: undefined };
        },
        findOneBy: async () => {
          if (!opts.assumeAbsent?.includes(entity)) throw new Error('deferInserts: findOneBy is not supported');
          return null;
        },
      } as Record<string | symbol, unknown>,
      { get: (t, p) => (p in t ? t[p] : p === 'then' ? undefined : unsupported(`repository.${String(p)}`)) },
    );
  const stand = new Proxy(em, {
    get: (t, p) => {
      if (p === 'getRepository') return repo;
      if (p === DEFERRED_INSERTS) return collect; // insertRows(stand-in, …) collects too
      if (p === 'queryRunner' || p === 'connection') return Reflect.get(t, p);
      if (p === 'then') return undefined;
      return unsupported(`EntityManager.${String(p)}`);
    },
  });
  return {
    em: stand,
    flush: async () => {
      for (const [entity, list] of rows) await insertRows(em, entity as never, list);
      rows.clear();
    },
  };
}
