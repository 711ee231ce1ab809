/**
 * The SLA of every human step, kept (domain/sla.json): when a task's reminder time comes, one reminder to
 * whoever holds it (else the group it is offered to); when its due date passes, one escalation to the
 * table's next level (escalateTo). Both on the business clock, so a pinned engine clock moves them.
 *
 * Zeebe has no timer on a user task's due date, and a timer boundary on each of the 31 tasks would double
 * the diagrams, so this polls the open user tasks (POST /v2/user-tasks/search, state CREATED) and decides
 * each from its Tasklist due date — the date people see. A later step's due date, which the model counts
 * from the phase start, is first moved to the task's own creation day + N working days (setDueDate). Each
 * notification has its dedupe key (domain/notifications/sla.ts), so polling again, a restart or a second process writes nothing twice; a
 * task completed before its time is simply no longer listed. Steps whose deadline the procedure sets
 * (竣工, the monthly report) have their own timers in the model and are left to them.
 */
import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { NotificationEntity } from '../../db/entities/index';
import { loadCalendar, type WorkingCalendar } from '../../domain/calendar';
import type { Clock } from '../../domain/clock';
import { notifySla, type SlaEvent, type SlaNotice, slaDedupeKey } from '../../domain/notifications/sla';
import { reminderOf, slaEntryOf, slaKey, slaSchedule } from '../../domain/sla';
import { ROLE_IDS, type Role } from '../../domain/vocabulary';
import { notifyOnce } from './notify-once';
import { startPollLoop, type PollLoop } from './poll-loop';
import type { SenderLog } from './sender';
import { type RestCall, taskContext } from './task-announcer';

export interface SlaWatchOptions {
  dataSource: DataSource;
  rest: RestCall;
  clock: Clock;
  intervalMs: number;
  log?: SenderLog;
  onAnnounced?: () => void;
  /**
   * Sets a task's due date (PATCH /v2/user-tasks/{key}). The model's `=sla.<task>.dueAt` is counted from the
   * start of the phase; the table counts from the task's own creation, so the watch moves a later step's due
   * date to its creation day + N working days the first time it sees the task. Absent: due dates stay.
   */
  setDueDate?: (userTaskKey: string, dueDate: string) => Promise<void>;
}

interface OpenTask {
  userTaskKey: string | number;
  elementId?: string;
  processDefinitionId?: string;
  processInstanceKey?: string | number;
  assignee?: string | null;
  candidateGroups?: string[];
  dueDate?: string | null;
  creationDate?: string;
}

const PAGE = 200;

export function startSlaWatch(opts: SlaWatchOptions): PollLoop {
  const ds = opts.dataSource;

  /** the notice a task is due now, if any: the escalation once overdue, else the reminder once its time came */
  function noticeOf(t: OpenTask, now: Date, calendar: WorkingCalendar): SlaNotice | null {
    if (!t.dueDate || !t.processDefinitionId || !t.elementId || t.processInstanceKey === undefined) return null;
    const entry = slaEntryOf(t.processDefinitionId, t.elementId);
    if (!entry || entry.deadlineVariable) return null;
    const due = new Date(t.dueDate);
    if (Number.isNaN(due.getTime())) return null;
    let event: SlaEvent;
    if (now.getTime() > due.getTime()) event = 'OVERDUE';
    else if (now.getTime() >= reminderOf(calendar, entry, due).getTime()) event = 'REMINDER';
    else return null;
    const group = (t.candidateGroups ?? []).find((g) => (ROLE_IDS as readonly string[]).includes(g)) as Role | undefined;
    if (event === 'REMINDER' && !t.assignee && !group) return null; // offered to nobody the directory knows
    return {
      slaTask: `${t.processDefinitionId}#${t.elementId}`,
      event,
      processInstanceKey: String(t.processInstanceKey),
      taskRole: group ?? entry.escalateTo,
      dueAt: t.dueDate,
      assignee: t.assignee || null,
      userTaskKey: String(t.userTaskKey),
    };
  }

  const settled = new Set<string>();
  /**
   * A counted step's due date from its own creation day, written to the task when it still has the model's
   * phase-start value (the instance's `sla` variable): a due date a person changed in Tasklist is left alone,
   * and a task once moved is not moved again.
   */
  async function rescheduleIfCounted(t: OpenTask, calendar: WorkingCalendar): Promise<void> {
    if (!opts.setDueDate || !t.creationDate || !t.processDefinitionId || !t.elementId || t.processInstanceKey === undefined) return;
    if (settled.has(String(t.userTaskKey))) return;
    const entry = slaEntryOf(t.processDefinitionId, t.elementId);
    if (!entry || entry.workingDays === undefined) return;
    const created = new Date(t.creationDate);
    if (Number.isNaN(created.getTime())) return;
    const { dueAt } = slaSchedule(calendar, entry, created);
    if (!t.dueDate || Date.parse(t.dueDate) === Date.parse(dueAt)) return;
    const res = await opts.rest('/v2/variables/search', { filter: { processInstanceKey: String(t.processInstanceKey), name: 'sla' } });
    const modelDue = ((res.items ?? []) as { value?: string }[]).some((v) => {
      try {
        const due = (JSON.parse(v.value ?? 'null') as Record<string, { dueAt?: string }> | null)?.[slaKey(t.elementId!)]?.dueAt;
        return !!due && Date.parse(due) === Date.parse(t.dueDate!);
      } catch {
        return false;
      }
    });
    if (modelDue) {
      await opts.setDueDate(String(t.userTaskKey), dueAt);
      t.dueDate = dueAt;
    }
    // decided: not looked up again by this process (a restart looks once more, and finds it decided the same way)
    if (settled.size >= 100_000) settled.clear();
    settled.add(String(t.userTaskKey));
  }

  async function once(): Promise<number> {
    const now = opts.clock.now();
    const calendar = await loadCalendar(ds);
    let written = 0;
    for (let from = 0; ; from += PAGE) {
      const res = await opts.rest('/v2/user-tasks/search', {
        filter: { state: 'CREATED' },
        sort: [{ field: 'creationDate', order: 'ASC' }],
        page: { from, limit: PAGE },
      });
      const items = (res.items ?? []) as OpenTask[];
      for (const t of items) await rescheduleIfCounted(t, calendar);
      const notices = items.map((t) => noticeOf(t, now, calendar)).filter((n): n is SlaNotice => n !== null);
      if (notices.length) {
        const known = new Set(
          (
            await ds
              .getRepository(NotificationEntity)
              .find({ where: { dedupeKey: In(notices.map(slaDedupeKey)) }, select: { dedupeKey: true } })
          ).map((n) => n.dedupeKey),
        );
        for (const n of notices) {
          if (known.has(slaDedupeKey(n))) continue;
          const ctx = await taskContext(ds, opts.rest, n.processInstanceKey);
          const full: SlaNotice = {
            ...n,
            orderId: (ctx.orderId as string) ?? null,
            orderNo: ((ctx.orderNo ?? ctx.changeOrderNo ?? ctx.requestNo) as string) ?? null,
          };
          const { created } = await notifyOnce(ds, (em) => notifySla(em, full, opts.clock.now()));
          if (created) written++;
        }
      }
      if (items.length < PAGE) break;
    }
    if (written) opts.onAnnounced?.();
    return written;
  }

  return startPollLoop('SLA watch', once, opts.intervalMs, opts.log);
}
