/**
 * order.* and change-order.* — customer confirmation loop of the business order 业务订单 (§6.3.1) and of
 * the change order 变更单 (§6.2). The rules are domain/order-lifecycle.ts (through domain/orders.ts and
 * domain/change-orders.ts); these handlers map the variables and run the service once per key.
 *
 *  record-customer-decision  status per decision (CONFIRMED / CHANGE_REQUESTED; DECLINED is left to
 *                            cancel), feedback, audit with the actor (key: job key, the loop makes new jobs)
 *  apply-revision            new version of the record, back to SUBMITTED (key: job key); returns what the later
 *                            gateways read: an order's apInvolved / apPartnerId and revised orderSummary (an
 *                            unavailable AP partner is the BPMN error AP_PARTNER_UNAVAILABLE, back to
 *                            修改业务订单), a change order's platformChange, apScopeChange and accountDelta
 *  cancel                    CANCELLED with the reason (key: the order)
 *  offer-ap-partners         the creating listener of 修改业务订单: the AP partners that could take the order
 *                            now (its current one among them when it still can) as `apPartnerOptions`, the
 *                            options of the form's AP select; reads and writes nothing else, so it needs no
 *                            once-guard and every creation of the task (also after AP不可用) gets today's list
 */
import type { EntityManager } from 'typeorm';
import type { BusinessOrder, ChangeOrder } from '../../db/entities/index';
import {
  applyChangeOrderRevision,
  cancelDeclinedChangeOrder,
  recordChangeCustomerDecision,
  type ChangeOrderRevision,
} from '../../domain/change-orders';
import { cancelDeclinedOrder, recordCustomerDecision } from '../../domain/orders';
import { applyOrderRevision, type OrderRevision } from '../../domain/order-revision';
import type { WriteContext } from '../../domain/audit';
import { availablePartnerOptions } from '../../domain/ap-issues';
import { ApPartnerUnavailableError } from '../../domain/errors';
import { readOrderSummary } from '../../domain/order-summary';
import { BPMN_ERROR, CUSTOMER_DECISION, JOB, SERVICE_MODULE, type CustomerDecision, type JobType } from '../../domain/vocabulary';
import type { Db } from '../../db/transaction';
import { defineHandler, type HandlerDef } from '../runtime/job';
import { bpmnError, complete } from '../runtime/outcome';
import { S } from '../runtime/validate';
import { recordOnce, systemOnce } from '../common';

type Kind = 'order' | 'change';
interface KindSpec {
  idVar: string;
  statusVar: string;
  versionVar: string;
  decide(db: Db, id: string, decision: CustomerDecision, feedback: string | null, ctx: WriteContext): Promise<BusinessOrder | ChangeOrder>;
  revise(db: Db, id: string, revision: Record<string, unknown>, ctx: WriteContext): Promise<BusinessOrder | ChangeOrder>;
  cancel(db: Db, id: string, ctx: WriteContext): Promise<BusinessOrder | ChangeOrder>;
}
const K: Record<Kind, KindSpec> = {
  order: {
    idVar: 'orderId',
    statusVar: 'orderStatus',
    versionVar: 'orderVersion',
    decide: recordCustomerDecision,
    revise: (db, id, r, ctx) => applyOrderRevision(db, id, r as OrderRevision, ctx),
    cancel: cancelDeclinedOrder,
  },
  change: {
    idVar: 'changeOrderId',
    statusVar: 'changeOrderStatus',
    versionVar: 'changeOrderVersion',
    decide: recordChangeCustomerDecision,
    revise: (db, id, r, ctx) => applyChangeOrderRevision(db, id, r as ChangeOrderRevision, ctx),
    cancel: cancelDeclinedChangeOrder,
  },
};

function recordDecision(kind: Kind, type: JobType): HandlerDef {
  const k = K[kind];
  return defineHandler({
    type,
    variables: S.obj(
      { [k.idVar]: S.str, customerDecision: S.enumOf(CUSTOMER_DECISION) },
      { customerFeedback: S.optStr, completedBy: S.optStr },
    ),
    handle(job, services) {
      const v = job.variables;
      return recordOnce(job, services, `job:${job.key}`, async (em, ctx) => {
        const o = await k.decide(em, v[k.idVar] as string, v.customerDecision, v.customerFeedback ?? null, ctx);
        return { [k.statusVar]: o.status };
      });
    },
  });
}

/** form variable → field of the revision (process-contract.md: order-revision / change-order-revision forms) */
const revisionVars = {
  order: {
    revisedAccounts: { field: 'accounts', schema: { type: 'integer', minimum: 1 } },
    revisedOpeningDate: { field: 'openingDate', schema: S.date },
    revisedModules: {
      field: 'modules',
      schema: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: Object.keys(SERVICE_MODULE) } },
    },
    revisedAmount: { field: 'amount', schema: { type: 'number', minimum: 0 } },
    revisedApInvolved: { field: 'apInvolved', schema: S.bool },
    revisedApPartnerId: { field: 'apPartnerId', schema: S.optStr },
  },
  change: {
    revisedAccountDelta: { field: 'accountDelta', schema: S.int },
    revisedEffectiveDate: { field: 'effectiveDate', schema: S.date },
    revisedModules: {
      field: 'modules',
      schema: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: Object.keys(SERVICE_MODULE) } },
    },
    revisedAmount: { field: 'amountDelta', schema: { type: 'number' } },
    revisedDescription: { field: 'description', schema: S.str },
    revisedPlatformChange: { field: 'platformChange', schema: S.bool },
    revisedApScopeChange: { field: 'apScopeChange', schema: S.bool },
  },
} as const;

/** what the revised record involves, for the gateways after it (the variables of its start message) */
async function involvement(em: EntityManager, kind: Kind, o: BusinessOrder | ChangeOrder): Promise<Record<string, unknown>> {
  if (kind === 'change') {
    const c = o as ChangeOrder;
    return { platformChange: c.platformChange, apScopeChange: c.apScopeChange, accountDelta: c.accountDelta };
  }
  const order = o as BusinessOrder;
  // the order's tasks show the revised order (domain/order-summary.ts)
  return { apInvolved: order.apInvolved, apPartnerId: order.apPartnerId, orderSummary: await readOrderSummary(em, order) };
}

function applyRevision(kind: Kind, type: JobType): HandlerDef {
  const k = K[kind];
  const vars = revisionVars[kind] as Record<string, { field: string; schema: Record<string, unknown> }>;
  const optional: Record<string, Record<string, unknown>> = { revisionNote: S.optStr, completedBy: S.optStr };
  for (const [name, d] of Object.entries(vars)) optional[name] = { anyOf: [d.schema, { type: 'null' }] };
  return defineHandler({
    type,
    variables: S.obj({ [k.idVar]: S.str }, optional),
    handle(job, services) {
      const v = job.variables;
      // absent and null form fields leave the field as it is
      const revision: Record<string, unknown> = {};
      for (const [name, d] of Object.entries(vars)) if (v[name] !== undefined && v[name] !== null) revision[d.field] = v[name];
      const note = (v.revisionNote as string | null | undefined) || null;
      if (note) revision.note = note;
      const revised = recordOnce(
        job,
        services,
        `job:${job.key}`,
        async (em, ctx) => {
          const o = await k.revise(em, v[k.idVar] as string, revision, ctx);
          return { [k.versionVar]: o.currentVersion, [k.statusVar]: o.status, ...(await involvement(em, kind, o)) };
        },
        { reason: note },
      );
      return revised.catch((e) => {
        if (!(e instanceof ApPartnerUnavailableError)) throw e;
        const why = String(e.details.why);
        return bpmnError(BPMN_ERROR.apPartnerUnavailable, why, { apIssue: why });
      });
    },
  });
}

function cancel(kind: Kind, type: JobType): HandlerDef {
  const k = K[kind];
  return defineHandler({
    type,
    variables: S.obj({ [k.idVar]: S.str }, { customerFeedback: S.optStr, cancelReason: S.optStr }),
    handle(job, services) {
      const v = job.variables;
      const id = v[k.idVar] as string;
      const reason = (v.cancelReason as string | null | undefined) ?? (v.customerFeedback as string | null | undefined) ?? null;
      return systemOnce(
        job,
        services,
        `${kind}:${id}`,
        async (em, ctx) => {
          const o = await k.cancel(em, id, ctx);
          return { [k.statusVar]: o.status };
        },
        reason,
      );
    },
  });
}

/**
 * The customer manager picks the AP by its name from a list instead of typing its id. No partner is left out
 * (unlike 处理AP异常, where the failed one is): keeping the order's AP is the usual revision.
 */
const offerApPartners = defineHandler({
  type: JOB.orderOfferApPartners,
  variables: S.obj({}),
  async handle(_job, services) {
    return complete({ apPartnerOptions: await availablePartnerOptions(services.dataSource) });
  },
});

export const ORDER_HANDLERS = [
  recordDecision('order', JOB.orderRecordCustomerDecision),
  applyRevision('order', JOB.orderApplyRevision),
  cancel('order', JOB.orderCancel),
  offerApPartners,
];
export const CHANGE_ORDER_HANDLERS = [
  recordDecision('change', JOB.changeOrderRecordCustomerDecision),
  applyRevision('change', JOB.changeOrderApplyRevision),
  cancel('change', JOB.changeOrderCancel),
];
