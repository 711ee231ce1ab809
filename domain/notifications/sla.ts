/**
 * The SLA notifications of a human step (domain/sla.json): the reminder before its due date goes to the
 * group the task is offered to, the escalation when it passes to the table's `escalateTo`. One per
 * (instance, task, event, date): a timer firing again after a retried job finds the key and writes nothing.
 */
import type { EntityManager } from 'typeorm';
import { SLA } from '../sla';
import type { Role } from '../vocabulary';
import { enqueueNotification } from '../outbox';

export type SlaEvent = 'REMINDER' | 'OVERDUE';

export interface SlaNotice {
  /** `<process id>#<user task id>`, a key of the SLA table */
  slaTask: string;
  event: SlaEvent;
  processInstanceKey: string;
  /** the group the task is offered to (the reminder's recipient) */
  taskRole: Role;
  dueAt: string;
  orderId?: string | null;
  orderNo?: string | null;
  /** who holds the task: the reminder goes to them rather than the whole group */
  assignee?: string | null;
  /** the task, so the notification links to it */
  userTaskKey?: string | null;
}

/** one per (event, instance, task, due instant): the watcher and the retired `sla.notify` job of an old process version find the same key */
export function slaDedupeKey(n: Pick<SlaNotice, 'event' | 'processInstanceKey' | 'slaTask' | 'dueAt'>): string {
  const t = Date.parse(n.dueAt);
  return `sla:${n.event}:${n.processInstanceKey}:${n.slaTask}:${Number.isNaN(t) ? n.dueAt : new Date(t).toISOString()}`;
}

export async function notifySla(em: EntityManager, n: SlaNotice, at: Date): Promise<{ created: boolean }> {
  const entry = SLA[n.slaTask];
  if (!entry) throw new Error(`no SLA entry ${n.slaTask}`);
  const { created } = await enqueueNotification(
    em,
    {
      dedupeKey: slaDedupeKey(n),
      ...(n.event === 'REMINDER' && n.assignee
        ? { recipientUser: n.assignee, recipientRole: null }
        : { recipientRole: n.event === 'REMINDER' ? n.taskRole : entry.escalateTo }),
      ...(n.event === 'REMINDER' ? { template: 'sla-reminder' } : { template: 'sla-overdue' }),
      refs: {
        orderId: n.orderId ?? null,
        orderNo: n.orderNo ?? null,
        taskName: entry.name,
        dueAt: n.dueAt,
        ...(n.userTaskKey ? { userTaskKey: n.userTaskKey } : {}),
      },
    },
    at,
  );
  return { created };
}
