/**
 * The managers' overview (issue #19): orders by stage, completion deadlines due within the next 10
 * working days, overdue ones, and the countersign turnaround in working days. "Now" is the caller's
 * business clock; working days are the PRC calendar's (calendar.ts), counted as the deadlines are: the
 * day something starts does not count, the day it ends does.
 */
import { CountersignFormEntity, CountersignRoundEntity, BusinessOrderEntity, ChangeOrderEntity } from '../db/entities/index';
import type { Db } from '../db/transaction';
import { loadCalendar, type WorkingCalendar } from './calendar';
import { orderNumberOf, type AnyOrder, type OrderKind } from './order-lifecycle';
import { shanghaiDay } from './time';

export const DUE_SOON_WORKING_DAYS = 10;

export interface DeadlineLine {
  kind: OrderKind;
  id: string;
  orderNo: string;
  customerManager: string | null;
  completionDeadline: string;
  deadlineProvisional: boolean;
}

/** working days after `from` up to and including `to` (both YYYY-MM-DD); 0 when `to` is not after `from` */
export function workingDaysBetween(cal: WorkingCalendar, from: string, to: string): number {
  let n = 0;
  for (let t = Date.parse(`${from}T00:00:00Z`) + 86_400_000, end = Date.parse(`${to}T00:00:00Z`); t <= end; t += 86_400_000) {
    if (cal.isWorkingDay(new Date(t).toISOString().slice(0, 10))) n++;
  }
  return n;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export async function managementOverview(db: Db, now: Date) {
  const cal = await loadCalendar(db);
  const today = shanghaiDay(now);
  const horizon = cal.addWorkingDays(today, DUE_SOON_WORKING_DAYS);
  const byStage: { kind: OrderKind; status: string; count: number }[] = [];
  const dueSoon: DeadlineLine[] = [];
  const overdue: DeadlineLine[] = [];
  for (const kind of ['business-order', 'change-order'] as const) {
    const entity = kind === 'business-order' ? BusinessOrderEntity : ChangeOrderEntity;
    const repo = db.getRepository<AnyOrder>(entity as never);
    const counts = await repo
      .createQueryBuilder('o')
      .select('o.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('o.status')
      .getRawMany<{ status: string; count: string | number }>();
    for (const c of counts) byStage.push({ kind, status: c.status, count: Number(c.count) });
    const waiting = (await repo.find({ where: { status: 'DELIVERED' } as never })) as AnyOrder[];
    for (const o of waiting) {
      if (!o.completionDeadline) continue;
      const line: DeadlineLine = {
        kind,
        id: o.id,
        orderNo: orderNumberOf(o),
        customerManager: 'customerManager' in o ? o.customerManager : null,
        completionDeadline: o.completionDeadline,
        deadlineProvisional: o.deadlineProvisional,
      };
      const at = Date.parse(o.completionDeadline);
      if (at < now.getTime()) overdue.push(line);
      else if (at <= Date.parse(horizon.deadline)) dueSoon.push(line);
    }
  }
  const byDeadline = (a: DeadlineLine, b: DeadlineLine) => Date.parse(a.completionDeadline) - Date.parse(b.completionDeadline);

  // countersign: from the opening of a contract's first round to the issue of its form
  const forms = await db.getRepository(CountersignFormEntity).find();
  const rounds = await db.getRepository(CountersignRoundEntity).find();
  const firstOpened = new Map<string, Date>();
  for (const r of rounds) {
    const seen = firstOpened.get(r.contractId);
    if (!seen || r.openedAt < seen) firstOpened.set(r.contractId, r.openedAt);
  }
  const turnaround = new Map<string, number[]>();
  for (const f of forms) {
    const opened = firstOpened.get(f.contractId);
    if (!opened) continue;
    const days = workingDaysBetween(cal, shanghaiDay(opened), shanghaiDay(f.issuedAt));
    turnaround.set(f.contractType, [...(turnaround.get(f.contractType) ?? []), days]);
  }
  const summary = (xs: number[]) => ({
    count: xs.length,
    averageWorkingDays: xs.length ? round1(xs.reduce((s, x) => s + x, 0) / xs.length) : null,
    maxWorkingDays: xs.length ? Math.max(...xs) : null,
  });
  return {
    now: now.toISOString(),
    today,
    dueSoonUntil: horizon.deadline,
    byStage,
    dueSoon: dueSoon.sort(byDeadline),
    overdue: overdue.sort(byDeadline),
    countersignTurnaround: {
      all: summary([...turnaround.values()].flat()),
      byType: Object.fromEntries([...turnaround.entries()].map(([t, xs]) => [t, summary(xs)])),
    },
  };
}
