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
import { PROCESS } from '../domain/vocabulary';

/** instance keys, with the process definition id of each when known (then only its table is read) */
export type ContextResolver = (
  processInstanceKeys: string[],
  definitions?: Map<string, string>,
) => Promise<Map<string, Record<string, unknown>>>;

export function dbTaskContext(ds: DataSource): ContextResolver {
  return async (keys, definitions) => {
    const out = new Map<string, Record<string, unknown>>();
    if (!keys.length) return out;
    const of = (process: string) => {
      const ks = definitions ? keys.filter((k) => !definitions.has(k) || definitions.get(k) === process) : keys;
      return ks.length ? { processInstanceKey: In(ks) } : null;
    };
    const none = Promise.resolve([] as never[]);
    const w = {
      order: of(PROCESS.provisioning),
      change: of(PROCESS.change),
      round: of(PROCESS.countersign),
      request: of(PROCESS.serviceRequest),
      report: of(PROCESS.monthlyReport),
    };
    const [orders, changes, rounds, requests, reports] = await Promise.all([
      w.order ? ds.getRepository(BusinessOrderEntity).find({ where: w.order, select: { processInstanceKey: true, orderNo: true } }) : none,
      w.change
        ? ds
            .getRepository(ChangeOrderEntity)
            .find({ where: w.change, select: { processInstanceKey: true, changeOrderNo: true, orderId: true } })
        : none,
      w.round
        ? ds
            .getRepository(CountersignRoundEntity)
            .find({ where: w.round, select: { processInstanceKey: true, contractNo: true, contractType: true, orderNo: true } })
        : none,
      w.request
        ? ds
            .getRepository(ServiceRequestEntity)
            .find({ where: w.request, select: { processInstanceKey: true, requestNo: true, requestType: true } })
        : none,
      w.report ? ds.getRepository(MonthlyReportEntity).find({ where: w.report, select: { processInstanceKey: true, month: true } }) : none,
    ]);
    for (const o of orders) out.set(o.processInstanceKey!, { orderNo: o.orderNo });
    if (changes.length) {
      const parents = await ds
        .getRepository(BusinessOrderEntity)
        .find({ where: { id: In([...new Set(changes.map((c) => c.orderId))]) }, select: { id: true, orderNo: true } });
      const nos = new Map(parents.map((p) => [p.id, p.orderNo]));
      for (const c of changes) out.set(c.processInstanceKey!, { changeOrderNo: c.changeOrderNo, orderNo: nos.get(c.orderId) ?? null });
    }
    for (const r of rounds)
      out.set(r.processInstanceKey!, {
        contractNo: r.contractNo,
        contractType: r.contractType,
        ...(r.orderNo ? { orderNo: r.orderNo } : {}),
      });
    for (const s of requests) out.set(s.processInstanceKey!, { requestNo: s.requestNo, requestType: s.requestType });
    for (const m of reports) if (!out.has(m.processInstanceKey!)) out.set(m.processInstanceKey!, { reportMonth: m.month });
    return out;
  };
}
