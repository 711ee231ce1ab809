/**
 * What the outbox gauges read (ot_outbox_backlog, ot_outbox_oldest_age_seconds): the commands in
 * process_command_outbox not yet dispatched to Zeebe (domain/outbox.ts), whether due now or waiting for
 * a retry after a failed attempt — both are work Zeebe has not seen yet.
 *
 * domain/outbox.ts `pendingCommandCount` counts only the rows due now (what the dispatcher may claim);
 * a backlog that is backing off because Zeebe is down is exactly what an operator must see, so these
 * queries count every undispatched row.
 */
import { IsNull, type DataSource } from 'typeorm';
import { ProcessCommandEntity } from '../../db/entities/index';
import type { OutboxProbe } from '../../platform/observability/metrics';

export interface OutboxStats {
  /** commands not yet dispatched */
  backlog: number;
  /** createdAt of the oldest one; null when there is none */
  oldestCreatedAt: Date | null;
  /** its age in seconds at `now`; null when there is none */
  oldestAgeSeconds: number | null;
}

export async function outboxStats(ds: DataSource, now: Date = new Date()): Promise<OutboxStats> {
  const repo = ds.getRepository(ProcessCommandEntity);
  const [backlog, oldest] = await Promise.all([
    repo.count({ where: { dispatchedAt: IsNull() } }),
    repo.findOne({ where: { dispatchedAt: IsNull() }, order: { createdAt: 'ASC' }, select: { id: true, createdAt: true } }),
  ]);
  if (!oldest) return { backlog, oldestCreatedAt: null, oldestAgeSeconds: null };
  const created = new Date(oldest.createdAt);
  return { backlog, oldestCreatedAt: created, oldestAgeSeconds: Math.max(0, (now.getTime() - created.getTime()) / 1000) };
}

/**
 * The probe for createMetrics / setOutboxProbe: one read of the outbox per scrape (the two gauges ask
 * in the same tick and share it).
 */
export function outboxProbe(ds: DataSource, clock: () => Date = () => new Date()): OutboxProbe {
  let reading: Promise<OutboxStats> | null = null;
  const read = (): Promise<OutboxStats> => {
    reading ??= outboxStats(ds, clock()).finally(() => {
      reading = null;
    });
    return reading;
  };
  return {
    backlog: async () => (await read()).backlog,
    oldestAgeSeconds: async () => (await read()).oldestAgeSeconds,
  };
}
