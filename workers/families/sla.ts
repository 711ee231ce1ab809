/**
 * sla.notify — the reminder / escalation of a human step's SLA (domain/sla.json), raised by a
 * non-interrupting timer boundary on the user task (timeDate `=sla.<key>.remindAt` / `.dueAt`). The
 * headers say which task and which event; one notification per (instance, task, event, date).
 */
import { notifySla, type SlaEvent } from '../../domain/notifications/sla';
import { JOB, ROLE_IDS, type Role } from '../../domain/vocabulary';
import { failPermanently } from '../runtime/outcome';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { systemOnce } from '../common';

export const slaNotify = defineHandler({
  type: JOB.slaNotify,
  variables: S.obj({ dueAt: S.str }, { orderId: S.optStr, orderNo: S.optStr }),
  handle(job, services) {
    const { slaTask, slaEvent, taskRole } = job.customHeaders;
    if (!slaTask || (slaEvent !== 'REMINDER' && slaEvent !== 'OVERDUE') || !ROLE_IDS.includes(taskRole as Role)) {
      return failPermanently(
        `${job.type}: headers slaTask, slaEvent (REMINDER/OVERDUE), taskRole needed on ${job.elementId}`,
        'set the headers on the service task in the model and redeploy',
      );
    }
    const v = job.variables;
    return systemOnce(job, services, `sla:${slaEvent}:${job.processInstanceKey}:${slaTask}:${v.dueAt}`, async (em, ctx) => {
      await notifySla(
        em,
        {
          slaTask,
          event: slaEvent as SlaEvent,
          processInstanceKey: job.processInstanceKey,
          taskRole: taskRole as Role,
          dueAt: v.dueAt,
          orderId: v.orderId ?? null,
          orderNo: v.orderNo ?? null,
        },
        ctx.at ?? services.clock.now(),
      );
      return {};
    });
  },
});

export const SLA_HANDLERS = [slaNotify];
