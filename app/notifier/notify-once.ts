import type { DataSource, EntityManager } from 'typeorm';
import { inTransaction } from '../../db/transaction';
import { isUniqueViolation } from '../../domain/errors';

/**
 * A poller's notification in its own transaction. Two pollers may decide the same notice at once (two
 * worker replicas, a restarted watch beside the old one): both find no row for the dedupe key, both insert,
 * and the unique key lets one in. The other counts the notice as already recorded instead of failing its poll.
 */
export async function notifyOnce(
  ds: DataSource,
  write: (em: EntityManager) => Promise<{ created: boolean }>,
): Promise<{ created: boolean }> {
  try {
    return await inTransaction(ds, write);
  } catch (e) {
    if (isUniqueViolation(e)) return { created: false };
    throw e;
  }
}
