/**
 * Idempotency keys of creating requests (幂等键), after the IETF httpapi "Idempotency-Key" draft: per
 * caller and key, the first request runs and its success is stored; the same key with the same request
 * replays that response, with another request it is refused; a duplicate that arrives while the first is
 * still running waits for it (bounded), so concurrent duplicates make one record. Keys live 24 h.
 *
 * The row is claimed by its primary key (actor, key) before the work starts: of two concurrent inserts
 * one wins on both MySQL and SQLite. A failed first request releases the key (errors are not replayed:
 * the client may correct the request and retry with the same key). A claim older than ABANDONED_MS that
 * never finished belongs to a process that died; the next request with the key takes it over.
 */
import { LessThan } from 'typeorm';
import { IdempotencyRecordEntity, type IdempotencyRecord } from '../db/entities/index';
import { findRow } from '../db/rows';
import type { Db } from '../db/transaction';
import { isUniqueViolation } from './errors';

/** how long a key is remembered (the draft asks for a documented expiry; 24 h) */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3600_000;
/** an IN_PROGRESS claim this old was left by a request that never finished (a crash) */
export const ABANDONED_MS = 2 * 60_000;

export interface IdempotentRequest {
  actor: string;
  key: string;
  operation: string;
  fingerprint: string;
}
export type IdempotencyClaim =
  | { kind: 'run' }
  | { kind: 'replay'; status: number; body: unknown; headers: Record<string, string> }
  | { kind: 'mismatch'; operation: string; firstAt: Date }
  | { kind: 'in-progress' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Claims the key for this request, or says what the earlier request with it decides. */
export async function claimIdempotencyKey(db: Db, req: IdempotentRequest, now: () => Date, waitMs = 10_000): Promise<IdempotencyClaim> {
  const repo = db.getRepository(IdempotencyRecordEntity);
  const started = Date.now();
  await repo.delete({ createdAt: LessThan(new Date(now().getTime() - IDEMPOTENCY_KEY_TTL_MS)) });
  for (;;) {
    const at = now();
    try {
      await repo.insert({
        actor: req.actor,
        idempotencyKey: req.key,
        operation: req.operation,
        fingerprint: req.fingerprint,
        state: 'IN_PROGRESS',
        responseStatus: null,
        response: null,
        createdAt: at,
        completedAt: null,
      });
      return { kind: 'run' };
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
    const row = await findRow(db, IdempotencyRecordEntity, { actor: req.actor, idempotencyKey: req.key });
    if (!row) continue; // released meanwhile: claim again
    const age = at.getTime() - new Date(row.createdAt).getTime();
    if (age > IDEMPOTENCY_KEY_TTL_MS || (row.state === 'IN_PROGRESS' && age > ABANDONED_MS)) {
      await repo.delete({ actor: req.actor, idempotencyKey: req.key, createdAt: row.createdAt });
      continue;
    }
    if (row.fingerprint !== req.fingerprint) return { kind: 'mismatch', operation: row.operation, firstAt: new Date(row.createdAt) };
    if (row.state === 'DONE') return replayOf(row);
    if (Date.now() - started > waitMs) return { kind: 'in-progress' };
    await sleep(25);
  }
}

function replayOf(row: IdempotencyRecord): IdempotencyClaim {
  const r = (row.response ?? {}) as { body?: unknown; headers?: Record<string, string> };
  return { kind: 'replay', status: row.responseStatus ?? 200, body: r.body ?? null, headers: r.headers ?? {} };
}

/** Stores the first request's success for replay. */
export async function completeIdempotencyKey(
  db: Db,
  req: IdempotentRequest,
  status: number,
  body: unknown,
  headers: Record<string, string>,
  now: () => Date,
): Promise<void> {
  await db
    .getRepository(IdempotencyRecordEntity)
    .update(
      { actor: req.actor, idempotencyKey: req.key, state: 'IN_PROGRESS' },
      { state: 'DONE', responseStatus: status, response: { body, headers } as never, completedAt: now() },
    );
}

/** The first request failed: the key is free again (nothing was created). */
export async function releaseIdempotencyKey(db: Db, req: IdempotentRequest): Promise<void> {
  await db.getRepository(IdempotencyRecordEntity).delete({ actor: req.actor, idempotencyKey: req.key, state: 'IN_PROGRESS' });
}
