/**
 * revenue-contract.* — agreement 协议 / revenue contract 收入合同 and supplementary agreement 补充协议.
 *
 *  draft             one agreement per order (key order), numbered SR-<year>-<seq>, version 1
 *  draft-supplement  one supplement per change order (key change order), parent = the order's agreement
 *  revise            after a rejected countersign: version n+1 (amount, note), back to DRAFT (key job)
 *  record-signing    APPROVED → SIGNED with the signing date; order / change order → CONTRACT_SIGNED
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { BusinessOrderEntity, ChangeOrderEntity, RevenueContractEntity, type RevenueContract } from '../../db/entities/index.js';
import { transition } from '../../domain/order-status.js';
import { correctRecord, createVersionedRecord, findForUpdate } from '../../domain/records.js';
import { JOB } from '../../domain/vocabulary';
import { complete } from '../runtime/outcome';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { checked, once, storedResult } from '../runtime/once';
import { actorDetails, actorOf, audit, missing, nextNumber, PermanentError } from '../common';

const amount = { type: 'number', minimum: 0 };
const draftVars = { contractTitle: S.optStr, contractAmount: { anyOf: [amount, { type: 'null' }] }, contractTerm: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] }, contractNote: S.optStr, completedBy: S.optStr };

export const draft = defineHandler<{ orderId: string; contractTitle?: string | null; contractAmount?: number | null; contractTerm?: number | null; contractNote?: string | null }>({
  type: JOB.revenueContractDraft,
  variables: S.obj({ orderId: S.str }, { orderNo: S.optStr, ...draftVars }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const v = job.variables;
    const key = `order:${v.orderId}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const order = await em.getRepository(BusinessOrderEntity).findOneBy({ id: v.orderId });
      if (!order) missing('business order', v.orderId);
      if (order.status !== 'CONFIRMED') {
        throw new PermanentError(`order ${order.orderNo} is ${order.status}, not CONFIRMED`, 'the agreement is drafted after the customer confirmed the order: check the process');
      }
      const contractNo = await nextNumber(em, 'revenue-contract', now);
      const header: RevenueContract = {
        id: randomUUID(),
        contractNo,
        kind: 'AGREEMENT',
        orderId: order.id,
        changeOrderId: null,
        parentContractId: null,
        status: 'DRAFT',
        title: v.contractTitle?.trim() || `在线培训服务协议（${order.orderNo}）`,
        amount: v.contractAmount ?? order.amount,
        termMonths: v.contractTerm ?? order.termMonths,
        note: v.contractNote ?? null,
        signedDate: null,
        countersignFormNo: null,
        rejectionReason: null,
        currentVersion: 1,
        createdBy: actor.actor,
        createdAt: now,
        updatedAt: now,
      };
      await createVersionedRecord(em, 'revenue-contract', header, { actor: actor.actor, at: now, reason: actor.note ?? null });
      return { revenueContractId: header.id, revenueContractNo: contractNo };
    });
    return complete(result);
  },
});

export const draftSupplement = defineHandler<{ changeOrderId: string; orderId?: string; contractTitle?: string | null; contractAmount?: number | null; contractTerm?: number | null; contractNote?: string | null }>({
  type: JOB.revenueContractDraftSupplement,
  variables: S.obj({ changeOrderId: S.str }, { orderId: S.optStr, changeOrderNo: S.optStr, ...draftVars }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const v = job.variables;
    const key = `change-order:${v.changeOrderId}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const change = await em.getRepository(ChangeOrderEntity).findOneBy({ id: v.changeOrderId });
      if (!change) missing('change order', v.changeOrderId);
      if (change.status !== 'CONFIRMED') {
        throw new PermanentError(`change order ${change.changeOrderNo} is ${change.status}, not CONFIRMED`, 'the supplement is drafted after the customer confirmed the change: check the process');
      }
      const parent = await em.getRepository(RevenueContractEntity).findOne({ where: { orderId: change.orderId, kind: 'AGREEMENT' }, order: { createdAt: 'ASC' } });
      if (!parent) throw new PermanentError(`order ${change.orderId} has no revenue agreement to supplement`, 'the change applies to an order in service, which has a signed agreement: check the change order');
      const contractNo = await nextNumber(em, 'revenue-contract', now);
      const header: RevenueContract = {
        id: randomUUID(),
        contractNo,
        kind: 'SUPPLEMENT',
        orderId: change.orderId,
        changeOrderId: change.id,
        parentContractId: parent.id,
        status: 'DRAFT',
        title: v.contractTitle?.trim() || `补充协议（${change.changeOrderNo}）`,
        amount: v.contractAmount ?? Math.max(0, change.amountDelta ?? 0),
        termMonths: v.contractTerm ?? parent.termMonths,
        note: v.contractNote ?? change.description,
        signedDate: null,
        countersignFormNo: null,
        rejectionReason: null,
        currentVersion: 1,
        createdBy: actor.actor,
        createdAt: now,
        updatedAt: now,
      };
      await createVersionedRecord(em, 'revenue-contract', header, { actor: actor.actor, at: now, reason: actor.note ?? null });
      return { revenueContractId: header.id, revenueContractNo: contractNo };
    });
    return complete(result);
  },
});

async function lockContract(em: EntityManager, id: string): Promise<RevenueContract> {
  const c = await findForUpdate(em, RevenueContractEntity, { id });
  if (!c) missing('revenue contract', id);
  return c;
}

export const revise = defineHandler<{ revenueContractId: string; revisionNote?: string | null; contractAmount?: number | null }>({
  type: JOB.revenueContractRevise,
  variables: S.obj({ revenueContractId: S.str }, { revisionNote: S.optStr, contractAmount: { anyOf: [amount, { type: 'null' }] }, completedBy: S.optStr }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const v = job.variables;
    const key = `job:${job.key}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const c = await lockContract(em, v.revenueContractId);
      if (c.status !== 'REJECTED' && c.status !== 'DRAFT') {
        throw new PermanentError(`revenue contract ${c.contractNo} is ${c.status}; only a rejected or draft contract is revised`, 'check the process instance in Operate');
      }
      const changes: Record<string, unknown> = {};
      if (v.contractAmount !== undefined && v.contractAmount !== null) changes.amount = v.contractAmount;
      if (v.revisionNote) changes.note = v.revisionNote;
      const { record } = await correctRecord<RevenueContract>(em, 'revenue-contract', c.id, changes, {
        actor: actor.actor,
        at: now,
        reason: v.revisionNote || `revised after rejection: ${c.rejectionReason ?? ''}`.trim(),
      }, { action: 'revenue-contract.revise', headerPatch: { status: 'DRAFT' } });
      if (actor.note) await audit(em, now, { actor: actor.actor, action: 'revenue-contract.actor-unresolved', entityType: 'revenue-contract', entityId: c.id, details: { jobKey: job.key, ...actorDetails(actor) } });
      return { revenueContractVersion: record.currentVersion };
    });
    return complete(result);
  },
});

export const recordSigning = defineHandler<{ revenueContractId: string; signedDate: string }>({
  type: JOB.revenueContractRecordSigning,
  variables: S.obj({ revenueContractId: S.str, signedDate: S.date }, { completedBy: S.optStr }),
  async handle(job, services) {
    const { dataSource, clock } = services;
    const now = clock.now();
    const v = job.variables;
    const key = `contract:${v.revenueContractId}`;
    const done = await storedResult(dataSource, job.type, key);
    if (done) return complete(done);
    const actor = await actorOf(job, services);
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const c = await lockContract(em, v.revenueContractId);
      if (c.status !== 'APPROVED') {
        throw new PermanentError(`revenue contract ${c.contractNo} is ${c.status}, not APPROVED`, 'a contract is signed after its countersign form was issued: check the process');
      }
      await em.getRepository(RevenueContractEntity).update({ id: c.id }, { status: 'SIGNED', signedDate: v.signedDate, updatedAt: now });
      const entity = c.kind === 'SUPPLEMENT' ? ChangeOrderEntity : BusinessOrderEntity;
      const targetId = c.kind === 'SUPPLEMENT' ? c.changeOrderId : c.orderId;
      if (targetId) {
        const target = await findForUpdate(em, entity as typeof BusinessOrderEntity, { id: targetId });
        if (target) {
          transition(target, 'CONTRACT_SIGNED', c.kind === 'SUPPLEMENT' ? 'change order' : 'business order');
          await em.getRepository(entity as typeof BusinessOrderEntity).update({ id: targetId }, { status: 'CONTRACT_SIGNED', updatedAt: now });
        }
      }
      await audit(em, now, {
        actor: actor.actor,
        action: 'revenue-contract.sign',
        entityType: 'revenue-contract',
        entityId: c.id,
        details: { contractNo: c.contractNo, signedDate: v.signedDate, jobKey: job.key, ...actorDetails(actor) },
      });
      return { revenueContractStatus: 'SIGNED' };
    });
    return complete(result);
  },
});

export const REVENUE_CONTRACT_HANDLERS = [draft, draftSupplement, revise, recordSigning];
