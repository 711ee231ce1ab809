/**
 * What the admins are told (people.md): "an incident appeared" and "next year's working-day calendar is
 * missing".
 *
 * Incidents: Zeebe pushes nothing to the app, so this polls the orchestration cluster's incident search
 * (POST /v2/incidents/search, state ACTIVE, creationTime ≥ the stored position − overlapMs, oldest
 * first), like the new-work announcer: the position lives in notification_cursor (`incident-appeared`),
 * each incident is one notification (dedupe key `incident-appeared:<incidentKey>`) to role admin, so a
 * restart neither repeats nor skips. An incident resolved between two polls needs nobody any more and is
 * not announced.
 *
 * The calendar check (domain/notifications/calendar-watch.ts) runs on the same tick, on the business clock.
 */
import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { NotificationCursorEntity, NotificationEntity } from '../../db/entities/index';
import type { Clock } from '../../domain/clock';
import { checkNextYearCalendar } from '../../domain/notifications/calendar-watch';
import { enqueueNotification } from '../../domain/outbox';
import { notifyOnce } from './notify-once';
import { startPollLoop, type PollLoop } from './poll-loop';
import type { SenderLog } from './sender';
import type { RestCall } from './task-announcer';

export const INCIDENT_CURSOR = 'incident-appeared';
export const incidentDedupeKey = (incidentKey: string) => `incident-appeared:${incidentKey}`;

export interface AdminWatchOptions {
  dataSource: DataSource;
  rest: RestCall;
  clock: Clock;
  intervalMs: number;
  overlapMs?: number;
  log?: SenderLog;
  onAnnounced?: () => void;
}

export interface RunningAdminWatch extends PollLoop {
  /** one incident poll now; returns how many incidents it announced */
  pollIncidents(): Promise<number>;
}

interface IncidentItem {
  incidentKey: string | number;
  processInstanceKey?: string | number;
  processDefinitionId?: string;
  elementId?: string;
  errorType?: string;
  errorMessage?: string;
  creationTime?: string;
}

export function startAdminWatch(opts: AdminWatchOptions): RunningAdminWatch {
  const ds = opts.dataSource;
  const overlap = opts.overlapMs ?? 60_000;

  async function pollIncidents(): Promise<number> {
    const cursor = await ds.getRepository(NotificationCursorEntity).findOneBy({ name: INCIDENT_CURSOR });
    const since = cursor ? new Date(new Date(cursor.position).getTime() - overlap).toISOString() : null;
    let newest = cursor?.position ?? null;
    let announced = 0;
    for (let from = 0; ; ) {
      const res = await opts.rest('/v2/incidents/search', {
        filter: { state: 'ACTIVE', ...(since ? { creationTime: { $gte: since } } : {}) },
        sort: [{ field: 'creationTime', order: 'ASC' }],
        page: { from, limit: 100 },
      });
      const items = (res.items ?? []) as IncidentItem[];
      if (!items.length) break;
      const keys = items.map((i) => incidentDedupeKey(String(i.incidentKey)));
      const known = new Set(
        (await ds.getRepository(NotificationEntity).find({ where: { dedupeKey: In(keys) }, select: { dedupeKey: true } })).map(
          (n) => n.dedupeKey,
        ),
      );
      for (const i of items) {
        if (i.creationTime && (!newest || i.creationTime > newest)) newest = i.creationTime;
        const key = incidentDedupeKey(String(i.incidentKey));
        if (known.has(key)) continue;
        const refs = {
          incidentKey: String(i.incidentKey),
          processInstanceKey: i.processInstanceKey === undefined ? null : String(i.processInstanceKey),
          processDefinitionId: i.processDefinitionId ?? null,
          elementId: i.elementId ?? null,
          errorType: i.errorType ?? null,
          // the engine's message can be long (a stack trace): the inbox and the mail carry its start
          errorMessage: (i.errorMessage ?? '').slice(0, 500),
          creationTime: i.creationTime ?? null,
        };
        const { created } = await notifyOnce(ds, (em) =>
          enqueueNotification(em, { dedupeKey: key, recipientRole: 'admin', template: 'incident-appeared', refs }, opts.clock.now()),
        );
        if (created) announced++;
      }
      if (items.length < 100) break;
      from += items.length;
    }
    if (newest && newest !== cursor?.position)
      await ds.getRepository(NotificationCursorEntity).save({ name: INCIDENT_CURSOR, position: newest, updatedAt: new Date() });
    return announced;
  }

  async function once(): Promise<number> {
    const n = (await pollIncidents()) + ((await checkNextYearCalendar(ds, opts.clock.now())) ? 1 : 0);
    if (n) opts.onAnnounced?.();
    return n;
  }

  const loop = startPollLoop('admin watch', once, opts.intervalMs, opts.log);
  return { ...loop, pollIncidents };
}
