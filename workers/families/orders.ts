/**
 * order.* and change-order.* — customer confirmation loop of the business order 业务订单 (§6.3.1) and of
 * the change order 变更单 (§6.2). Both kinds share the status table of domain/order-status.ts.
 *
 *  record-customer-decision  status per decision (CONFIRMED / CHANGE_REQUESTED; DECLINED is left to
 *                            cancel), feedback, audit with the actor (key: job key, the loop makes new jobs)
 *  apply-revision            new version of the record (domain/records correctRecord), back to SUBMITTED
 *  cancel                    CANCELLED with the reason (key: the order)
 */
import type { EntityManager } from 'typeorm';
import { BusinessOrderEntity, ChangeOrderEntity, type BusinessOrder, type ChangeOrder } from '../../db/entities/index.js';
import { transition, type OrderStatus } from '../../domain/order-status.js';
import { correctRecord, findForUpdate } from '../../domain/records.js';
import { CUSTOMER_DECISION, JOB, SERVICE_MODULE, type CustomerDecision, type JobType } from '../../domain/vocabulary';
import { complete } from '../runtime/outcome';
import { defineHandler, type HandlerDef } from '../runtime/job';
import { S } from '../runtime/validate';
import { checked, once, storedResult } from '../runtime/once';
import { actorDetails, actorOf, audit, missing, SYSTEM_ACTOR } from '../common';

type Kind = 'order' | 'change';
const K = {
  order: { entity: BusinessOrderEntity, idVar: 'orderId', record: 'business-order', label: 'business order', statusVar: 'orderStatus', versionVar: 'orderVersion' },
  change: { entity: ChangeOrderEntity, idVar: 'changeOrderId', record: 'change-order', label: 'change order', statusVar: 'changeOrderStatus', versionVar: 'changeOrderVersion' },
} as const;

async function lockOrder(em: EntityManager, kind: Kind, id: string): Promise<BusinessOrder | ChangeOrder> {
  const row = await findForUpdate(em, K[kind].entity as never, { id });
  if (!row) missing(K[kind].label, id);
  return row as BusinessOrder | ChangeOrder;
}

async function setStatus(em: EntityManager, kind: Kind, row: { id: string; status: OrderStatus }, to: OrderStatus, patch: Record<string, unknown>, at: Date) {
  transition(row, to, K[kind].label);
  await em.getRepository(K[kind].entity as typeof BusinessOrderEntity).update({ id: row.id }, { ...patch, status: to, updatedAt: at } as never);
}

function recordCustomerDecision(kind: Kind, type: JobType): HandlerDef {
  const k = K[kind];
  return defineHandler<Record<string, unknown> & { customerDecision: CustomerDecision; customerFeedback?: string | null }>({
    type,
    variables: S.obj({ [k.idVar]: S.str, customerDecision: S.enumOf(CUSTOMER_DECISION) }, { customerFeedback: S.optStr, completedBy: S.optStr }),
    async handle(job, services) {
      const { dataSource, clock } = services;
      const now = clock.now();
      const v = job.variables;
      const id = v[k.idVar] as string;
      const key = `job:${job.key}`;
      const done = await storedResult(dataSource, job.type, key);
      if (done) return complete(done);
      const actor = await actorOf(job, services);
      const result = await once(dataSource, job.type, checked(key), now, async (em) => {
        const row = await lockOrder(em, kind, id);
        const feedback = v.customerFeedback ?? null;
        // DECLINED ends in cancel (next service task), which sets CANCELLED with the reason
        let status = row.status;
        if (v.customerDecision !== 'DECLINED') {
          status = v.customerDecision === 'CONFIRMED' ? 'CONFIRMED' : 'CHANGE_REQUESTED';
          await setStatus(em, kind, row, status, { customerFeedback: feedback }, now);
        } else {
          await em.getRepository(k.entity as typeof BusinessOrderEntity).update({ id }, { customerFeedback: feedback, updatedAt: now } as never);
        }
        await audit(em, now, {
          actor: actor.actor,
          action: `${k.record}.customer-decision`,
          entityType: k.record,
          entityId: id,
          reason: feedback,
          details: { decision: v.customerDecision, jobKey: job.key, ...actorDetails(actor) },
        });
        return { [k.statusVar]: status };
      });
      return complete(result);
    },
  });
}

const revisionVars = {
  order: {
    revisedAccounts: { field: 'accounts', schema: { type: 'integer', minimum: 1 } },
    revisedOpeningDate: { field: 'openingDate', schema: S.date },
    revisedModules: { field: 'modules', schema: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: Object.keys(SERVICE_MODULE) } } },
    revisedAmount: { field: 'amount', schema: { type: 'number', minimum: 0 } },
  },
  change: {
    revisedAccountDelta: { field: 'accountDelta', schema: S.int },
    revisedEffectiveDate: { field: 'effectiveDate', schema: S.date },
    revisedModules: { field: 'modules', schema: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: Object.keys(SERVICE_MODULE) } } },
    revisedAmount: { field: 'amountDelta', schema: { type: 'number' } },
    revisedDescription: { field: 'description', schema: S.str },
  },
} as const;

function applyRevision(kind: Kind, type: JobType): HandlerDef {
  const k = K[kind];
  const vars = revisionVars[kind] as Record<string, { field: string; schema: Record<string, unknown> }>;
  const optional: Record<string, Record<string, unknown>> = { revisionNote: S.optStr, completedBy: S.optStr };
  for (const [name, d] of Object.entries(vars)) optional[name] = { anyOf: [d.schema, { type: 'null' }] };
  return defineHandler<Record<string, unknown>>({
    type,
    variables: S.obj({ [k.idVar]: S.str }, optional),
    async handle(job, services) {
      const { dataSource, clock } = services;
      const now = clock.now();
      const v = job.variables;
      const id = v[k.idVar] as string;
      const key = `job:${job.key}`;
      const done = await storedResult(dataSource, job.type, key);
      if (done) return complete(done);
      const actor = await actorOf(job, services);
      const result = await once(dataSource, job.type, checked(key), now, async (em) => {
        const row = await lockOrder(em, kind, id);
        transition(row, 'SUBMITTED', k.label);
        const changes: Record<string, unknown> = {};
        for (const [name, d] of Object.entries(vars)) if (v[name] !== undefined && v[name] !== null) changes[d.field] = v[name];
        const note = (v.revisionNote as string | null | undefined) ?? null;
        if (note) changes.note = note;
        const { record } = await correctRecord<BusinessOrder>(em, k.record as 'business-order', id, changes, {
          actor: actor.actor,
          at: now,
          reason: note ?? 'revised at the customer’s request',
        }, { action: `${k.record}.revise`, headerPatch: { status: 'SUBMITTED' } });
        if (actor.note) {
          await audit(em, now, { actor: actor.actor, action: `${k.record}.actor-unresolved`, entityType: k.record, entityId: id, details: { jobKey: job.key, ...actorDetails(actor) } });
        }
        return {
          [k.versionVar]: record.currentVersion,
          [k.statusVar]: 'SUBMITTED',
          // the change process reads the (possibly revised) delta back into its scope
          ...(kind === 'change' ? { accountDelta: (record as unknown as { accountDelta: number }).accountDelta } : {}),
        };
      });
      return complete(result);
    },
  });
}

function cancel(kind: Kind, type: JobType): HandlerDef {
  const k = K[kind];
  return defineHandler<Record<string, unknown>>({
    type,
    variables: S.obj({ [k.idVar]: S.str }, { customerFeedback: S.optStr, cancelReason: S.optStr }),
    async handle(job, { dataSource, clock }) {
      const now = clock.now();
      const v = job.variables;
      const id = v[k.idVar] as string;
      const result = await once(dataSource, job.type, `${kind}:${id}`, now, async (em) => {
        const row = await lockOrder(em, kind, id);
        const reason = (v.cancelReason as string | null | undefined) ?? (v.customerFeedback as string | null | undefined) ?? 'declined by the customer';
        await setStatus(em, kind, row, 'CANCELLED', { cancelReason: reason }, now);
        await audit(em, now, { actor: SYSTEM_ACTOR, action: `${k.record}.cancel`, entityType: k.record, entityId: id, reason, details: { jobKey: job.key } });
        return { [k.statusVar]: 'CANCELLED' };
      });
      return complete(result);
    },
  });
}

export const ORDER_HANDLERS = [
  recordCustomerDecision('order', JOB.orderRecordCustomerDecision),
  applyRevision('order', JOB.orderApplyRevision),
  cancel('order', JOB.orderCancel),
];
export const CHANGE_ORDER_HANDLERS = [
  recordCustomerDecision('change', JOB.changeOrderRecordCustomerDecision),
  applyRevision('change', JOB.changeOrderApplyRevision),
  cancel('change', JOB.changeOrderCancel),
];
