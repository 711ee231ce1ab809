/**
 * Firming provisional completion deadlines after an admin uploaded a year of the calendar.
 *
 * An order delivered late in a year may get a deadline in a year without a published schedule
 * (weekends-only, `deadlineProvisional`). Once that year is uploaded, each open order with a provisional
 * deadline is computed again (completion.ts stores the new figures with the reason) and, when the
 * figures moved, a `deadline-firmed` message is queued in the same transaction, carrying the new figures
 * as its variables (completionDeadline, completionReminderAt, deadlineProvisional). The models catch it
 * on the completion-record task, whose interrupting boundary takes them into the instance and goes
 * straight back to the task (issue #20: no compute step on that loop; the figures are computed and stored
 * here already): the BPMN timers (`=completionDeadline`, `=completionReminderAt`) and the task's due date
 * are evaluated when they are created, so only re-creating them moves them. Instances of older versions
 * still go through their compute-completion-deadline, which computes the same figures again.
 */
import { In, IsNull, Not } from 'typeorm';
import { BusinessOrderEntity, ChangeOrderEntity } from '../db/entities/index';
import { inTransaction, type Db } from '../db/transaction';
import { requireActor, type WriteContext } from './audit';
import { computeCompletionDeadline } from './completion';
import { orderNumberOf, type AnyOrder, type OrderKind } from './order-lifecycle';
import { enqueueCommand } from './outbox';
import { MESSAGE } from './vocabulary';

/** an order's deadline before and after the upload */
export interface FirmedDeadline {
  kind: OrderKind;
  id: string;
  orderNo: string;
  before: { completionDeadline: string; completionReminderAt: string | null; deadlineProvisional: boolean };
  after: { completionDeadline: string; completionReminderAt: string; deadlineProvisional: boolean };
}

/** statuses in which the completion-record task (and its timers) is still waiting */
const OPEN_WITH_DEADLINE = ['DELIVERED'] as const;
/** the message is consumed at once by a waiting task; the TTL only covers a dispatcher that is a little late */
const FIRMED_MESSAGE_TTL_MS = 600_000;

export async function firmProvisionalDeadlines(db: Db, reminderWorkingDays: number, ctx: WriteContext): Promise<FirmedDeadline[]> {
  requireActor(ctx);
  const firmed: FirmedDeadline[] = [];
  for (const kind of ['business-order', 'change-order'] as const) {
    const entity = kind === 'business-order' ? BusinessOrderEntity : ChangeOrderEntity;
    const where = { deadlineProvisional: true, completionDeadline: Not(IsNull()), status: In([...OPEN_WITH_DEADLINE]) };
    const open = (await db.getRepository<AnyOrder>(entity as never).find({ where: where as never })) as AnyOrder[];
    for (const o of open) {
      const before = {
        completionDeadline: o.completionDeadline!,
        completionReminderAt: o.completionReminderAt,
        deadlineProvisional: o.deadlineProvisional,
      };
      // one transaction per order: its new figures and its message are stored together or not at all
      const after = await inTransaction(db, async (em) => {
        const s = await computeCompletionDeadline(em, { kind, id: o.id }, reminderWorkingDays, ctx);
        const moved = s.completionDeadline !== before.completionDeadline || s.completionReminderAt !== before.completionReminderAt;
        if (moved) {
          const no = orderNumberOf(o);
          await enqueueCommand(
            em,
            {
              kind: 'publish-message',
              name: MESSAGE.deadlineFirmed,
              correlationKey: no,
              variables: {
                completionDeadline: s.completionDeadline,
                completionReminderAt: s.completionReminderAt,
                deadlineProvisional: s.deadlineProvisional,
              },
              dedupeKey: `${MESSAGE.deadlineFirmed}:${no}:${s.completionDeadline}:${s.completionReminderAt}`,
              timeToLive: FIRMED_MESSAGE_TTL_MS,
            },
            ctx.at,
          );
        }
        return moved || s.deadlineProvisional !== before.deadlineProvisional ? s : null;
      });
      if (after) firmed.push({ kind, id: o.id, orderNo: orderNumberOf(o), before, after });
    }
  }
  return firmed;
}
