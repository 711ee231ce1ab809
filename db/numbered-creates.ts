/**
 * The repository behind the creation of a numbered record (a business order, …): the domain states its
 * rule once as a NumberedCreate (what a create refers to, when it is refused, how its number is drawn,
 * which rows it writes) and gets a CreateRepository whose `create` either runs each item in its own
 * transaction (`singleCreates`) or group-commits the items that arrive while a batch commits
 * (`groupCommittedCreates`). The rule reads the same either way; only this file knows about batches,
 * savepoints, number blocks and multi-row INSERTs (group-commit.ts).
 */
import type { EntityManager } from 'typeorm';
import { createBatcher, deferInserts, inSavepoint, inSavepoints, type Settled } from './group-commit';
import { inTransaction, type Db } from './transaction';

export interface NumberedCreate<I, R, O, K extends string | number = string | number> {
  /** what the items refer to, read once for all of them, inside the transaction */
  references(em: EntityManager, items: I[]): Promise<R>;
  /** why this item cannot be created (it alone fails), or undefined */
  refusal(item: I, refs: R): Error | undefined;
  /** the sequence the item's number is drawn from; items of one sequence can share one block */
  sequenceOf(item: I): K;
  /** `count` consecutive numbers of the sequence, in order, inside the transaction */
  allocate(em: EntityManager, sequence: K, count: number): Promise<string[]>;
  /** the item's rows under its number; runs unchanged on deferInserts' stand-in in a batch */
  write(em: EntityManager, item: I, number: string, refs: R): Promise<O>;
  /** entities whose lookups inside write a unique index guards (deferInserts' assumeAbsent) */
  assumeAbsent?: unknown[];
}

export interface CreateRepository<I, O> {
  create(item: I): Promise<O>;
}

/** one transaction per create */
export function singleCreates<I, R, O, K extends string | number>(db: Db, spec: NumberedCreate<I, R, O, K>): CreateRepository<I, O> {
  return {
    create: (item) =>
      inTransaction(db, async (em) => {
        const refs = await spec.references(em, [item]);
        const refused = spec.refusal(item, refs);
        if (refused) throw refused;
        const [number] = await spec.allocate(em, spec.sequenceOf(item), 1);
        return spec.write(em, item, number, refs);
      }),
  };
}

export interface GroupCommitOptions<O> {
  /** most creates per transaction (default 100) */
  maxBatch?: number;
  /** test seam: runs inside each create's savepoint after its rows are written; throwing fails that create */
  afterInsert?: (em: EntityManager, created: O) => Promise<void>;
  /** observation (tests, metrics): the size of each batch */
  onBatch?: (size: number) => void;
  /** observation (tests): whether a batch's one-block fast path committed (false: it fell back) */
  onFastPath?: (taken: boolean) => void;
}

/**
 * Creates arriving while a batch commits share the next transaction (group-commit.ts createBatcher),
 * numbered in arrival order. References are read once per batch; a refused item fails alone. When all
 * the others draw from one sequence they take one block of numbers and one multi-row INSERT per table
 * inside a savepoint; if that fails the block is rolled back and each create runs in its own savepoint
 * (the failing one rolls back alone: no gap in the numbers). Same result and errors per caller as
 * singleCreates; a whole-batch failure rejects every caller of the batch.
 */
export function groupCommittedCreates<I, R, O, K extends string | number>(
  db: Db,
  spec: NumberedCreate<I, R, O, K>,
  opts: GroupCommitOptions<O> = {},
): CreateRepository<I, O> {
  const batcher = createBatcher<I, O>({
    db,
    maxBatch: opts.maxBatch ?? 100,
    onBatch: opts.onBatch,
    run: async (em, items) => {
      const out: (Settled<O> | undefined)[] = new Array(items.length);
      const refs = await spec.references(em, items);
      items.forEach((item, i) => {
        const refused = spec.refusal(item, refs);
        if (refused) out[i] = { ok: false, error: refused };
      });
      const live = items.flatMap((item, i) => (out[i] ? [] : [{ item, i }]));
      const sequences = new Set(live.map(({ item }) => spec.sequenceOf(item)));
      let done = false;
      if (live.length >= 1 && sequences.size === 1) {
        const [sequence] = sequences;
        done = await inSavepoint(em, 'gc_block', async () => {
          const numbers = await spec.allocate(em, sequence, live.length);
          const deferred = deferInserts(em, { assumeAbsent: spec.assumeAbsent });
          const created: O[] = [];
          for (let k = 0; k < live.length; k++) created.push(await spec.write(deferred.em, live[k].item, numbers[k], refs));
          await deferred.flush();
          for (let k = 0; k < live.length; k++) {
            if (opts.afterInsert) await opts.afterInsert(em, created[k]);
            out[live[k].i] = { ok: true, value: created[k] };
          }
        });
        opts.onFastPath?.(done);
      }
      if (!done) {
        const each = await inSavepoints(
          em,
          live.map(({ item }) => item),
          async (em, item) => {
            const [number] = await spec.allocate(em, spec.sequenceOf(item), 1);
            const created = await spec.write(em, item, number, refs);
            if (opts.afterInsert) await opts.afterInsert(em, created);
            return created;
          },
        );
        for (const [k, { i }] of live.entries()) out[i] = each[k];
      }
      return out as Settled<O>[];
    },
  });
  return { create: (item) => batcher.submit(item) };
}
