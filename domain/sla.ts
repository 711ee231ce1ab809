/**
 * The SLA of every human step (issue #20): ONE table, domain/sla.json (beside this file: domain/ reads no other layer), in working days on the PRC
 * working-day calendar (domain/calendar.ts). A step is due at the end (23:59:59 Beijing time) of the Nth
 * working day after the day its task was created; its reminder is at 09:00 on the working day
 * `reminderWorkingDays` before; when the due date passes it escalates to `escalateTo`. Steps whose
 * deadline the procedure itself sets (竣工 §6.4, the monthly report) name the variable carrying it.
 */
import type { WorkingCalendar } from './calendar';
import { isoAt, shanghaiDay } from './time';
import type { Role } from './vocabulary';
import table from './sla.json';

export interface SlaEntry {
  name: string;
  /** working days after the task's creation day; absent when `deadlineVariable` carries the deadline */
  workingDays?: number;
  deadlineVariable?: string;
  reminderWorkingDays: number;
  escalateTo: Role;
}

/** `<process id>#<user task id>` → its SLA */
export const SLA: Readonly<Record<string, SlaEntry>> = table.tasks as Record<string, SlaEntry>;

export interface SlaSchedule {
  /** ISO-8601 with +08:00: the task's due date (Tasklist's 截止日期) */
  dueAt: string;
  /** ISO-8601 with +08:00: when the reminder goes out */
  remindAt: string;
  /** some day counted lies in a year whose holiday schedule is not published yet (暂定) */
  provisional: boolean;
}

/** the schedule of a step created at `createdAt` (the business clock), by its SLA entry */
export function slaSchedule(calendar: WorkingCalendar, entry: SlaEntry, createdAt: Date): SlaSchedule {
  if (entry.workingDays === undefined) throw new Error(`${entry.name}: the deadline is the process variable ${entry.deadlineVariable}`);
  const due = calendar.addWorkingDays(shanghaiDay(createdAt), entry.workingDays);
  const reminder = reminderDay(calendar, entry, due.date);
  return { dueAt: due.deadline, remindAt: isoAt(reminder.date, '09:00:00'), provisional: due.provisional || reminder.provisional };
}

/** the SLA of a user task, by its process and element id */
export function slaEntryOf(processId: string, elementId: string): SlaEntry | undefined {
  return SLA[`${processId}#${elementId}`];
}

/**
 * When the reminder of a task due at `dueAt` goes out: 09:00 Beijing time on the working day
 * `reminderWorkingDays` before its due day, never before the first working day the step had (as slaSchedule).
 */
export function reminderOf(calendar: WorkingCalendar, entry: SlaEntry, dueAt: Date): Date {
  return new Date(isoAt(reminderDay(calendar, entry, shanghaiDay(dueAt)).date, '09:00:00'));
}

/** the working day `reminderWorkingDays` before the due day, never before the step's first working day */
function reminderDay(calendar: WorkingCalendar, entry: SlaEntry, dueDay: string) {
  const back = Math.min(entry.reminderWorkingDays, Math.max(0, (entry.workingDays ?? entry.reminderWorkingDays + 1) - 1));
  return calendar.subtractWorkingDays(dueDay, back);
}

/**
 * The key of a step in the process variable `sla` (a FEEL context): the task id in camelCase, because a
 * FEEL path (`sla.deptManagerReview.dueAt`) cannot hold a hyphen. Every user task's
 * `zeebe:taskSchedule dueDate` reads `=sla.<key>.dueAt`.
 */
export function slaKey(taskId: string): string {
  return taskId.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The variable `sla` of a process (or a phase of it) starting at `startedAt`: every step of `processId`
 * that the table counts, scheduled from that day. Steps whose deadline the procedure sets are left out
 * (their due date is their own variable).
 */
export function slaVariable(calendar: WorkingCalendar, processId: string, startedAt: Date): Record<string, SlaSchedule> {
  const sla: Record<string, SlaSchedule> = {};
  for (const [key, entry] of Object.entries(SLA)) {
    const [pid, taskId] = key.split('#');
    if (pid !== processId || entry.workingDays === undefined) continue;
    sla[slaKey(taskId!)] = slaSchedule(calendar, entry, startedAt);
  }
  return sla;
}
