/**
 * THE retry policy of the system's own code: what is retried, where, and how often. Two kinds of failure:
 *
 * - A transaction the database rolled back whole (a deadlock victim, a lock wait time-out, SQLite busy) is
 *   run again at once, in ONE place: db/transaction.ts inTransaction, the outermost transaction only, up to
 *   TRANSACTION_RETRY.attempts. Nothing above it (once(), the batchers, the handlers) loops again, so one job
 *   delivery runs its transaction at most that many times (it used to be once() ×3 around inTransaction ×4).
 * - Anything else transient (a REST call, the gateway, an AP's endpoint) is not retried in-process: the job
 *   fails and Zeebe retries it with back-off (workers/runtime/adapter.ts). A handler that has a fallback for
 *   the last try (the actor search, workers/runtime/actor.ts) asks isLastDelivery instead of counting itself.
 */
export interface RetryPolicy {
  /** runs in all, the first included */
  readonly attempts: number;
  readonly retryable: (e: unknown) => boolean;
  /** pause before run `attempt + 1` (attempt ≥ 1) */
  readonly pauseMs: (attempt: number) => number;
}

/** MySQL/MariaDB deadlock victim (1213) or lock wait time-out (1205), SQLite busy: rolled back, may simply run again */
export function isRolledBackTransaction(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const code = err?.driverError?.code ?? err?.code ?? '';
  const errno = err?.driverError?.errno ?? err?.errno;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || errno === 1213 || errno === 1205 || code === 'SQLITE_BUSY';
}

/** a short jittered pause: the competing transaction usually commits within milliseconds */
export const TRANSACTION_RETRY: RetryPolicy = {
  attempts: 4,
  retryable: isRolledBackTransaction,
  pauseMs: (attempt) => 5 * attempt + Math.random() * 20,
};

export async function withRetry<T>(policy: RetryPolicy, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      if (attempt >= policy.attempts || !policy.retryable(e)) throw e;
      await new Promise((r) => setTimeout(r, policy.pauseMs(attempt)));
    }
  }
}

/** Zeebe's last delivery of a job (retries left: 1): a failure now ends in an incident, so fall back if you can */
export const isLastDelivery = (job: { readonly retries: number }): boolean => job.retries <= 1;
