/**
 * The workbench's reads and writes over the database that the route table's ApiStore does not offer:
 * customers and AP partners (domain/parties.ts, plus the customer edit it lacks), the customer of each
 * order number (shown in the inbox), and the audit trail of one case (its timeline).
 */
import { In, type DataSource } from 'typeorm';
import { AuditLogEntity, BusinessOrderEntity, CustomerEntity, type ApPartner, type AuditLog, type Customer } from '../../db/entities/index';
import type { WriteContext } from '../../domain/audit';
import * as parties from '../../domain/parties';
import { countersignHistory } from '../../domain/countersign';
import type { ContractType, CountersignStep, ReviewDecision } from '../../domain/vocabulary';
import type { CountersignRoundDto } from '../services';

export interface OrderGlance {
  orderId: string;
  customerName: string;
  deadlineProvisional: boolean;
}

/** the JSON of a record: its times as ISO strings */
type WithTimes<T> = Omit<T, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };
export type CustomerDto = WithTimes<Customer>;
/** an AP partner without its HMAC secret */
export type ApPartnerDto = WithTimes<Omit<ApPartner, 'hmacSecret'>>;
/** one entry of a case's timeline */
export type AuditTrailEntry = Pick<AuditLog, 'actor' | 'action' | 'entityType' | 'entityId' | 'reason'> & { at: string };

export interface PartiesPort {
  listCustomers(page: { limit: number; offset: number }): Promise<{ items: CustomerDto[]; total: number }>;
  getCustomer(id: string): Promise<CustomerDto | null>;
  createCustomer(ctx: WriteContext, input: parties.CustomerInput): Promise<CustomerDto>;
  updateCustomer(ctx: WriteContext, id: string, patch: Partial<parties.CustomerInput>): Promise<CustomerDto>;
  listApPartners(page: { limit: number; offset: number }): Promise<{ items: ApPartnerDto[]; total: number }>;
  getApPartner(id: string): Promise<ApPartnerDto | null>;
  createApPartner(ctx: WriteContext, input: parties.ApPartnerInput): Promise<ApPartnerDto>;
  updateApPartner(ctx: WriteContext, id: string, patch: Partial<parties.ApPartnerInput>): Promise<ApPartnerDto>;
  /** orderNo → the order's id, customer name and whether its deadline is provisional */
  customersOfOrders(orderNos: string[]): Promise<Map<string, OrderGlance>>;
  /** every countersign round of a contract with its decisions, the open round included (before any form is issued) */
  rounds(contractType: ContractType, contractId: string): Promise<CountersignRoundDto[]>;
  /** the id of the order with this number */
  orderIdOf(orderNo: string): Promise<string | null>;
  /** the audit rows of the entities given, oldest first */
  trail(entityIds: string[]): Promise<AuditTrailEntry[]>;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const customerDto = (c: Customer): CustomerDto => ({ ...c, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt) });
/** the HMAC secret never leaves the server */
const partnerDto = (p: ApPartner): ApPartnerDto => {
  const { hmacSecret: _secret, ...rest } = p;
  return { ...rest, createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt) };
};

export function createParties(ds: DataSource): PartiesPort {
  return {
    async listCustomers(page) {
      const r = await parties.listCustomers(ds, {}, page);
      return { items: r.items.map(customerDto), total: r.total };
    },
    async getCustomer(id) {
      const c = await parties.getCustomer(ds, id);
      return c ? customerDto(c) : null;
    },
    async createCustomer(ctx, input) {
      return customerDto(await parties.createCustomer(ds, input, ctx));
    },
    async updateCustomer(ctx, id, patch) {
      return customerDto(await parties.updateCustomer(ds, id, patch, ctx));
    },
    async listApPartners(page) {
      const r = await parties.listApPartners(ds, page);
      return { items: r.items.map(partnerDto), total: r.total };
    },
    async getApPartner(id) {
      const p = await parties.getApPartner(ds, id);
      return p ? partnerDto(p) : null;
    },
    async createApPartner(ctx, input) {
      return partnerDto(await parties.createApPartner(ds, input, ctx));
    },
    async updateApPartner(ctx, id, patch) {
      return partnerDto(await parties.updateApPartner(ds, id, patch, ctx));
    },
    async customersOfOrders(orderNos) {
      const out = new Map<string, OrderGlance>();
      if (!orderNos.length) return out;
      const orders = await ds
        .getRepository(BusinessOrderEntity)
        .find({ where: { orderNo: In(orderNos) }, select: { id: true, orderNo: true, customerId: true, deadlineProvisional: true } });
      const ids = [...new Set(orders.map((o) => o.customerId))];
      const cs = ids.length
        ? await ds.getRepository(CustomerEntity).find({ where: { id: In(ids) }, select: { id: true, name: true } })
        : [];
      const names = new Map(cs.map((c) => [c.id, c.name]));
      for (const o of orders)
        out.set(o.orderNo, { orderId: o.id, customerName: names.get(o.customerId) ?? '', deadlineProvisional: !!o.deadlineProvisional });
      return out;
    },
    async rounds(contractType, contractId) {
      const rounds = await countersignHistory(ds, contractType, contractId);
      return rounds.map((r) => ({
        round: r.roundNo,
        status: r.status,
        contractVersion: r.contractVersion,
        rejectionReason: r.rejectionReason,
        openedAt: iso(r.openedAt),
        closedAt: r.closedAt ? iso(r.closedAt) : null,
        decisions: r.decisions.map((d) => ({
          // the columns hold the vocabulary's values (domain/countersign.ts writes no other)
          step: d.step as CountersignStep,
          decision: d.decision as ReviewDecision,
          opinion: d.opinion,
          reviewer: d.actor,
          decidedAt: iso(d.decidedAt),
        })),
      }));
    },
    async orderIdOf(orderNo) {
      const o = await ds.getRepository(BusinessOrderEntity).findOne({ where: { orderNo }, select: { id: true } });
      return o?.id ?? null;
    },
    async trail(entityIds) {
      if (!entityIds.length) return [];
      const rows = await ds.getRepository(AuditLogEntity).find({ where: { entityId: In(entityIds) }, order: { at: 'ASC' }, take: 500 });
      return rows.map((a) => ({
        at: iso(a.at),
        actor: a.actor,
        action: a.action,
        entityType: a.entityType,
        entityId: a.entityId,
        reason: a.reason,
      }));
    },
  };
}
