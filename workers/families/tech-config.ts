/**
 * tech-config.* — 协作任务单 to the technical department (§6.3.3).
 *
 *  issue-task-order   one task order per order / change order (business key), numbered XZ-<year>-<seq>,
 *                     snapshot of modules, accounts, opening date, contacts; event ISSUED; one
 *                     notification to tech-dept — all in one transaction
 *  record-reply       event REPLY (text, configuredAt, actor); status REPLIED (key: job key)
 *  record-acceptance  event ACCEPTED / SENT_BACK (opinion, actor); status; a send-back notifies tech-dept
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  AccountMonitoringEntryEntity,
  BusinessOrderEntity,
  ChangeOrderEntity,
  CollaborationTaskOrderEntity,
  CollaborationTaskOrderEventEntity,
  CustomerEntity,
  type TaskOrderEventKind,
} from '../../db/entities/index.js';
import { ACCEPTANCE_DECISION, JOB, SERVICE_MODULE, type ServiceModule } from '../../domain/vocabulary';
import { complete } from '../runtime/outcome';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { checked, once, storedResult } from '../runtime/once';
import { actorDetails, actorOf, audit, missing, nextNumber, notify, SYSTEM_ACTOR } from '../common';

async function appendEvent(
  em: EntityManager,
  taskOrderId: string,
  e: { kind: TaskOrderEventKind; text: string | null; configuredAt?: string | null; actor: string; at: Date },
): Promise<number> {
  const events = em.getRepository(CollaborationTaskOrderEventEntity);
  const last = await events.findOne({ where: { taskOrderId }, order: { seq: 'DESC' } });
  const seq = (last?.seq ?? 0) + 1;
  await events.insert({ id: randomUUID(), taskOrderId, seq, kind: e.kind, text: e.text, configuredAt: e.configuredAt ?? null, actor: e.actor, at: e.at });
  return seq;
}

export const issueTaskOrder = defineHandler<{ orderId: string; orderNo?: string; changeOrderId?: string | null; changeOrderNo?: string | null }>({
  type: JOB.techConfigIssueTaskOrder,
  variables: S.obj({ orderId: S.str }, { orderNo: S.optStr, changeOrderId: S.optStr, changeOrderNo: S.optStr }),
  async handle(job, { dataSource, clock }) {
    const now = clock.now();
    const v = job.variables;
    const key = v.changeOrderId ? `change-order:${v.changeOrderId}` : `order:${v.orderId}`;
    const result = await once(dataSource, job.type, key, now, async (em) => {
      const order = await em.getRepository(BusinessOrderEntity).findOneBy({ id: v.orderId });
      if (!order) missing('business order', v.orderId);
      const change = v.changeOrderId ? await em.getRepository(ChangeOrderEntity).findOneBy({ id: v.changeOrderId }) : null;
      if (v.changeOrderId && !change) missing('change order', v.changeOrderId);
      const customer = await em.getRepository(CustomerEntity).findOneBy({ id: order.customerId });
      const modules = (change?.modules ?? order.modules) as string[];
      // accounts after the change: what account monitoring holds for the order's agreement (the change's
      // delta is registered when its supplement is signed, before this task order); else order + delta
      let accounts = order.accounts + (change ? change.accountDelta : 0);
      if (change) {
        const entries = await em.getRepository(AccountMonitoringEntryEntity).find({ where: { orderId: order.id } });
        if (entries.some((e) => e.changeOrderId === change.id)) accounts = entries.reduce((sum, e) => sum + e.accounts, 0);
      }
      const taskOrderNo = await nextNumber(em, 'collaboration-task-order', now);
      const id = randomUUID();
      const request = {
        orderNo: order.orderNo,
        changeOrderNo: change?.changeOrderNo ?? null,
        customer: customer ? { id: customer.id, name: customer.name } : { id: order.customerId },
        modules: modules.map((m) => ({ id: m, name: SERVICE_MODULE[m as ServiceModule] ?? m })),
        accounts,
        accountDelta: change ? change.accountDelta : null,
        openingDate: change?.effectiveDate ?? order.openingDate,
        contacts: {
          customerManager: order.customerManager,
          customerContact: customer?.contactName ?? null,
          customerPhone: customer?.contactPhone ?? null,
        },
        note: change?.description ?? order.note,
      };
      await em.getRepository(CollaborationTaskOrderEntity).insert({
        id,
        taskOrderNo,
        orderId: order.id,
        changeOrderId: change?.id ?? null,
        status: 'ISSUED',
        request,
        issuedBy: SYSTEM_ACTOR,
        issuedAt: now,
        updatedAt: now,
      } as never);
      await appendEvent(em, id, { kind: 'ISSUED', text: null, actor: SYSTEM_ACTOR, at: now });
      await notify(em, now, {
        dedupeKey: `tech-config.issue-task-order:${id}`,
        recipientRole: 'tech-dept',
        template: 'collaboration-task-order-issued',
        refs: { taskOrderId: id, taskOrderNo, orderId: order.id, orderNo: order.orderNo, changeOrderNo: change?.changeOrderNo ?? null },
      });
      await audit(em, now, { actor: SYSTEM_ACTOR, action: 'tech-config.issue-task-order', entityType: 'collaboration-task-order', entityId: id, details: { taskOrderNo, orderNo: order.orderNo } });
      return { taskOrderId: id, taskOrderNo };
    });
    return complete(result);
  },
});

async function loadTaskOrder(em: EntityManager, id: string) {
  const t = await em.getRepository(CollaborationTaskOrderEntity).findOneBy({ id });
  if (!t) missing('collaboration task order', id);
  return t;
}

export const recordReply = defineHandler<{ taskOrderId: string; configurationReply: string | null; configuredAt?: string | null; completedBy?: string }>({
  type: JOB.techConfigRecordReply,
  variables: S.obj({ taskOrderId: S.str, configurationReply: S.optStr }, { configuredAt: S.optStr, completedBy: S.optStr }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const v = job.variables;
    const key = `job:${job.key}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const t = await loadTaskOrder(em, v.taskOrderId);
      const seq = await appendEvent(em, t.id, { kind: 'REPLY', text: v.configurationReply ?? null, configuredAt: v.configuredAt ?? null, actor: actor.actor, at: now });
      await em.getRepository(CollaborationTaskOrderEntity).update({ id: t.id }, { status: 'REPLIED', updatedAt: now });
      await audit(em, now, {
        actor: actor.actor,
        action: 'tech-config.record-reply',
        entityType: 'collaboration-task-order',
        entityId: t.id,
        details: { seq, configuredAt: v.configuredAt ?? null, jobKey: job.key, ...actorDetails(actor) },
      });
      return { taskOrderStatus: 'REPLIED' };
    });
    return complete(result);
  },
});

export const recordAcceptance = defineHandler<{ taskOrderId: string; acceptanceDecision: 'ACCEPTED' | 'SENT_BACK'; acceptanceOpinion?: string | null; completedBy?: string }>({
  type: JOB.techConfigRecordAcceptance,
  variables: S.obj({ taskOrderId: S.str, acceptanceDecision: S.enumOf(ACCEPTANCE_DECISION) }, { acceptanceOpinion: S.optStr, completedBy: S.optStr }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const v = job.variables;
    const key = `job:${job.key}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const t = await loadTaskOrder(em, v.taskOrderId);
      const seq = await appendEvent(em, t.id, { kind: v.acceptanceDecision, text: v.acceptanceOpinion ?? null, actor: actor.actor, at: now });
      await em.getRepository(CollaborationTaskOrderEntity).update({ id: t.id }, { status: v.acceptanceDecision, updatedAt: now });
      if (v.acceptanceDecision === 'SENT_BACK') {
        await notify(em, now, {
          dedupeKey: `tech-config.sent-back:${t.id}:${seq}`,
          recipientRole: 'tech-dept',
          template: 'collaboration-task-order-sent-back',
          refs: { taskOrderId: t.id, taskOrderNo: t.taskOrderNo, opinion: v.acceptanceOpinion ?? null },
        });
      }
      await audit(em, now, {
        actor: actor.actor,
        action: 'tech-config.record-acceptance',
        entityType: 'collaboration-task-order',
        entityId: t.id,
        reason: v.acceptanceOpinion ?? null,
        details: { seq, decision: v.acceptanceDecision, jobKey: job.key, ...actorDetails(actor) },
      });
      return { taskOrderStatus: v.acceptanceDecision };
    });
    return complete(result);
  },
});

export const TECH_CONFIG_HANDLERS = [issueTaskOrder, recordReply, recordAcceptance];
