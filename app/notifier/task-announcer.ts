/**
 * New work is announced: every user task the engine creates becomes one notification `user-task-created`
 * to its assignee, else to the members of its candidate groups (in-app; by e-mail where they opted in).
 *
 * Zeebe pushes nothing to the app when a user task is created (a `creating` task listener would, but
 * the local engine does not run listeners yet), so this polls the orchestration cluster's user-task
 * search (POST /v2/user-tasks/search, state CREATED, creationDate ≥ the stored position − overlapMs,
 * oldest first). The position lives in notification_cursor, so a restart neither repeats (each task is
 * one notification: dedupe key `user-task-created:<userTaskKey>`) nor skips (the overlap re-reads the
 * last minute, where Camunda's secondary storage may still show tasks late; re-read tasks are dropped by
 * the dedupe key). A task created and completed between two polls is not announced: there is no work.
 */
import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { BusinessOrderEntity, NotificationCursorEntity, NotificationEntity } from '../../db/entities/index';
import type { Clock } from '../../domain/clock';
import type { Role } from '../../domain/vocabulary';
import { enqueueNotification } from '../../domain/outbox';
import { notifyOnce } from './notify-once';
import type { SenderLog } from './sender';

export const CURSOR_NAME = 'user-task-created';
export const taskDedupeKey = (userTaskKey: string) => `user-task-created:${userTaskKey}`;

/** POST to the orchestration REST API (/v2/...), JSON in and out */
export type RestCall = (path: string, body: unknown) => Promise<any>;

export interface AnnouncerOptions {
  dataSource: DataSource;
  rest: RestCall;
  /** business clock: the notification's time */
  clock: Clock;
  intervalMs: number;
  /** re-read this much before the stored position (ms, default 60 s) */
  overlapMs?: number;
  log?: SenderLog;
  /** after new notifications were written (wakes the sender) */
  onAnnounced?: () => void;
}

export interface RunningAnnouncer {
  /** one poll now (tests; also what the loop runs) */
  poll(): Promise<number>;
  stop(): Promise<void>;
}

interface UserTaskItem {
  userTaskKey: string;
  name?: string;
  elementId?: string;
  assignee?: string | null;
  candidateGroups?: string[];
  creationDate?: string;
  dueDate?: string | null;
  processInstanceKey?: string;
  processDefinitionId?: string;
  processName?: string;
}

/** the business keys a notification about a task names (root scope of its instance) */
const CONTEXT = [
  'orderId',
  'orderNo',
  'changeOrderId',
  'changeOrderNo',
  'contractId',
  'contractNo',
  'contractType',
  'requestNo',
  'reportMonth',
];

/** the business keys of a task's instance (its root scope), with the order's id found by its number */
export async function taskContext(ds: DataSource, rest: RestCall, pk: string | undefined): Promise<Record<string, unknown>> {
  if (!pk) return {};
  const res = await rest('/v2/variables/search', { filter: { processInstanceKey: pk }, page: { limit: 200 } });
  const out: Record<string, unknown> = {};
  for (const v of (res.items ?? []) as { name: string; value: string; scopeKey: string; processInstanceKey: string }[]) {
    if (String(v.scopeKey) !== String(v.processInstanceKey) || !CONTEXT.includes(v.name)) continue;
    try {
      out[v.name] = JSON.parse(v.value);
    } catch {
      /* a truncated value: left out */
    }
  }
  if (!out.orderId && typeof out.orderNo === 'string') {
    const o = await ds.getRepository(BusinessOrderEntity).findOne({ where: { orderNo: out.orderNo }, select: { id: true } });
    if (o) out.orderId = o.id;
  }
  return out;
}

export function startTaskAnnouncer(opts: AnnouncerOptions): RunningAnnouncer {
  const ds = opts.dataSource;
  const overlap = opts.overlapMs ?? 60_000;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  const contextOf = (pk: string | undefined) => taskContext(ds, opts.rest, pk);

  async function once(): Promise<number> {
    const cursor = await ds.getRepository(NotificationCursorEntity).findOneBy({ name: CURSOR_NAME });
    const since = cursor ? new Date(new Date(cursor.position).getTime() - overlap).toISOString() : null;
    let announced = 0;
    let newest = cursor?.position ?? null;
    let from = 0;
    for (;;) {
      const res = await opts.rest('/v2/user-tasks/search', {
        filter: { state: 'CREATED', ...(since ? { creationDate: { $gte: since } } : {}) },
        sort: [{ field: 'creationDate', order: 'ASC' }],
        page: { from, limit: 100 },
      });
      const items = (res.items ?? []) as UserTaskItem[];
      if (!items.length) break;
      const keys = items.map((t) => taskDedupeKey(String(t.userTaskKey)));
      const known = new Set(
        (await ds.getRepository(NotificationEntity).find({ where: { dedupeKey: In(keys) }, select: { dedupeKey: true } })).map(
          (n) => n.dedupeKey,
        ),
      );
      for (const t of items) {
        if (t.creationDate && (!newest || t.creationDate > newest)) newest = t.creationDate;
        if (known.has(taskDedupeKey(String(t.userTaskKey)))) continue;
        const groups = (t.candidateGroups ?? []).filter(Boolean);
        if (!t.assignee && !groups.length) continue; // nobody named: Tasklist shows it to everyone, nobody is told
        const refs = {
          userTaskKey: String(t.userTaskKey),
          taskName: t.name ?? t.elementId ?? '',
          elementId: t.elementId ?? null,
          processDefinitionId: t.processDefinitionId ?? null,
          processName: t.processName ?? t.processDefinitionId ?? '',
          processInstanceKey: t.processInstanceKey ? String(t.processInstanceKey) : null,
          dueDate: t.dueDate ?? null,
          ...(await contextOf(t.processInstanceKey ? String(t.processInstanceKey) : undefined)),
          ...(t.assignee ? {} : { alsoRoles: groups.slice(1) }),
        };
        const { created } = await notifyOnce(ds, (em) =>
          enqueueNotification(
            em,
            {
              dedupeKey: taskDedupeKey(String(t.userTaskKey)),
              recipientUser: t.assignee || null,
              recipientRole: t.assignee ? null : (groups[0] as Role),
              template: 'user-task-created',
              refs,
            },
            opts.clock.now(),
          ),
        );
        if (created) announced++;
      }
      if (items.length < 100) break;
      from += items.length;
    }
    if (newest && newest !== cursor?.position) {
      await ds.getRepository(NotificationCursorEntity).save({ name: CURSOR_NAME, position: newest, updatedAt: new Date() });
    }
    if (announced) opts.onAnnounced?.();
    return announced;
  }

  const poll = () => (running ??= once().finally(() => (running = null)));

  const tick = async () => {
    try {
      await poll();
    } catch (e) {
      opts.log?.warn({ err: String((e as Error)?.message ?? e) }, 'new-work announcer: poll failed; retrying');
    }
    if (!stopped) timer = setTimeout(tick, opts.intervalMs);
  };
  timer = setTimeout(tick, 0);

  return {
    poll,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
