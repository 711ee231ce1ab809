/**
 * sla.notify (retired, domain/vocabulary.ts RETIRED_JOB) — the reminder of a human step's SLA raised by a
 * non-interrupting timer boundary on the user task, in process versions before the SLA watch took every
 * reminder over. Kept for instances still running on such a version; the dedupe key is the watch's, so a
 * task is reminded once whichever of the two comes first. One notification per (instance, task, event, date).
 */
import { notifySla, type SlaEvent } from '../../domain/notifications/sla';
import { type JobType, RETIRED_JOB, ROLE_IDS, type Role } from '../../domain/vocabulary';
import { failPermanently } from '../runtime/outcome';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { systemOnce } from '../common';

export const slaNotify = defineHandler({
  // a retired type is no JobType of this release: the registry takes it apart from REGISTRY, as the renamed ones
  type: RETIRED_JOB.slaNotify as string as JobType,
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

/** the handlers of RETIRED_JOB, taken only for instances of older process versions */
export const RETIRED_SLA_HANDLERS = [slaNotify];
