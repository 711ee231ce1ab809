/**
 * Business keys of process instances from the system of record: the instance key the dispatcher (and
 * the countersign / monthly-report workers) stored on each record → orderNo, changeOrderNo, contractNo,
 * requestNo, reportMonth. The task list shows them with every task without asking the engine for
 * variables (a variable search scans every variable of every instance on the local engine).
 */
import { In, type DataSource } from 'typeorm';
import {
  BusinessOrderEntity,
  ChangeOrderEntity,
  CountersignRoundEntity,
  MonthlyReportEntity,
  ServiceRequestEntity,
} from '../db/entities/index';

export type ContextResolver = (processInstanceKeys: string[]) => Promise<Map<string, Record<string, unknown>>>;

export function dbTaskContext(ds: DataSource): ContextResolver {
  return async (keys) => {
    const out = new Map<string, Record<string, unknown>>();
    if (!keys.length) return out;
    const where = { processInstanceKey: In(keys) };
    const [orders, changes, rounds, requests, reports] = await Promise.all([
      ds.getRepository(BusinessOrderEntity).find({ where, select: { processInstanceKey: true, orderNo: true } }),
      ds.getRepository(ChangeOrderEntity).find({ where, select: { processInstanceKey: true, changeOrderNo: true, orderId: true } }),
      ds.getRepository(CountersignRoundEntity).find({ where, select: { processInstanceKey: true, contractNo: true, contractType: true, orderNo: true } }),
      ds.getRepository(ServiceRequestEntity).find({ where, select: { processInstanceKey: true, requestNo: true, requestType: true } }),
      ds.getRepository(MonthlyReportEntity).find({ where, select: { processInstanceKey: true, month: true } }),
    ]);
    for (const o of orders) out.set(o.processInstanceKey!, { orderNo: o.orderNo });
    if (changes.length) {
      const parents = await ds.getRepository(BusinessOrderEntity).find({ where: { id: In([...new Set(changes.map((c) => c.orderId))]) }, select: { id: true, orderNo: true } });
      const nos = new Map(parents.map((p) => [p.id, p.orderNo]));
      for (const c of changes) out.set(c.processInstanceKey!, { changeOrderNo: c.changeOrderNo, orderNo: nos.get(c.orderId) ?? null });
    }
    for (const r of rounds) out.set(r.processInstanceKey!, { contractNo: r.contractNo, contractType: r.contractType, ...(r.orderNo ? { orderNo: r.orderNo } : {}) });
    for (const s of requests) out.set(s.processInstanceKey!, { requestNo: s.requestNo, requestType: s.requestType });
    for (const m of reports) if (!out.has(m.processInstanceKey!)) out.set(m.processInstanceKey!, { reportMonth: m.month });
    return out;
  };
}
