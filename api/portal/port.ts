/**
 * The AP partner portal's reads (issue #19): a partner's expense contracts with their implementation
 * request, due date and payment basis, built only through the allow-list (allow-list.ts). Reads go
 * through the domain functions the rest of the API uses (listContracts, listPaymentBases,
 * getPaymentBasis); "now" is the business clock.
 */
import { In, type DataSource } from 'typeorm';
import { ApPartnerEntity, BusinessOrderEntity, ChangeOrderEntity, CustomerEntity, type ExpenseContract } from '../../db/entities/index';
import { findRow } from '../../db/rows';
import type { Clock } from '../../domain/clock';
import { listContracts } from '../../domain/contracts';
import { acceptsPaymentBasis, getPaymentBasis, listPaymentBases } from '../../domain/payment-bases';
import { shanghaiDay } from '../../domain/time';
import type { PaymentBasisContent } from '../../domain/payment-bases';
import { iso } from '../store-kernel';
import { CHECK_FIELDS, OVERVIEW_FIELDS, PAYMENT_BASIS_FIELDS, REQUEST_FIELDS, pick } from './allow-list';
import { slaDueAt } from './due';
import type { PortalOverviewDto, PortalPaymentBasisDto, PortalRequestDto } from './dto';

export interface PortalPort {
  /** null: no such partner */
  overview(apPartnerId: string): Promise<PortalOverviewDto | null>;
  /** null: no such expense contract of this partner (another partner's is "not found" too) */
  request(apPartnerId: string, expenseContractId: string): Promise<PortalRequestDto | null>;
}
/** a partner has few contracts; one page of the domain's maximum covers them */
const ALL = { limit: 200, offset: 0 };

export function createPortal(ds: DataSource, clock: Clock): PortalPort {
  async function basisOf(paymentBasisId: string): Promise<PortalPaymentBasisDto | Record<string, never>> {
    const pb = await getPaymentBasis(ds, paymentBasisId);
    if (!pb) return {};
    // the content as submitted (domain/payment-bases.ts validated it)
    const c = pb.content as Partial<PaymentBasisContent>;
    const checks = pb.checks.map((k) =>
      pick({ version: k.paymentBasisVersion, decision: k.decision, opinion: k.opinion, checkedAt: iso(k.checkedAt) }, CHECK_FIELDS),
    );
    const last = pb.checks.filter((k) => k.paymentBasisVersion === pb.currentVersion).at(-1) ?? pb.checks.at(-1);
    const sendBack =
      pb.status === 'SENT_BACK' && last
        ? pick(
            { version: last.paymentBasisVersion, decision: last.decision, opinion: last.opinion, checkedAt: iso(last.checkedAt) },
            CHECK_FIELDS,
          )
        : null;
    return pick(
      {
        id: pb.id,
        paymentBasisNo: pb.paymentBasisNo,
        status: pb.status,
        version: pb.currentVersion,
        amount: c.amount,
        completedOn: c.completedOn,
        description: c.description,
        accountsImplemented: c.accountsImplemented,
        attachments: Array.isArray(c.attachments) ? c.attachments : [],
        note: c.note,
        submittedAt: iso(pb.submittedAt),
        sendBack,
        checks,
      },
      PAYMENT_BASIS_FIELDS,
    );
  }

  async function requests(apPartnerId: string, only?: string): Promise<PortalRequestDto[]> {
    const page = await listContracts(ds, { type: 'EXPENSE', apPartnerId }, ALL);
    const contracts = (page.items as (ExpenseContract & { type: string })[]).filter(
      (c) => c.apPartnerId === apPartnerId && (!only || c.id === only),
    );
    if (!contracts.length) return [];
    const orderIds = [...new Set(contracts.map((c) => c.orderId))];
    const changeIds = [...new Set(contracts.map((c) => c.changeOrderId).filter((x): x is string => !!x))];
    const orders = await ds.getRepository(BusinessOrderEntity).find({ where: { id: In(orderIds) } });
    const changes = changeIds.length ? await ds.getRepository(ChangeOrderEntity).find({ where: { id: In(changeIds) } }) : [];
    const customers = await ds
      .getRepository(CustomerEntity)
      .find({ where: { id: In([...new Set(orders.map((o) => o.customerId))]) }, select: { id: true, name: true } });
    const bases = await listPaymentBases(ds, { apPartnerId }, ALL);
    const now = clock.now();
    const out: PortalRequestDto[] = [];
    for (const c of contracts) {
      const order = orders.find((o) => o.id === c.orderId);
      const change = changes.find((x) => x.id === c.changeOrderId);
      const pb = bases.items.find((b) => b.expenseContractId === c.id);
      const due = slaDueAt(c.implementationRequestedAt, c.slaDuration);
      out.push(
        pick(
          {
            expenseContractId: c.id,
            expenseContractNo: c.contractNo,
            kind: c.kind,
            title: c.title,
            status: c.status,
            // the expense contract's own amount: what the partner is paid, not a revenue figure
            expenseAmount: Number(c.amount),
            orderNo: order?.orderNo ?? null,
            changeOrderNo: change?.changeOrderNo ?? null,
            customer: customers.find((x) => x.id === order?.customerId)?.name ?? null,
            modules: change?.modules ?? order?.modules ?? [],
            accounts: order ? order.accounts + (change?.accountDelta ?? 0) : null,
            openingDate: change?.effectiveDate ?? order?.openingDate ?? null,
            requestedAt: iso(c.implementationRequestedAt),
            slaDuration: c.slaDuration,
            dueAt: iso(due),
            // overdue only while the partner still owes the payment basis
            overdue: due !== null && acceptsPaymentBasis(c) && due.getTime() < now.getTime(),
            // the domain's own rule (submitPaymentBasis refuses otherwise): the form shows exactly when the API accepts
            canSubmit: acceptsPaymentBasis(c),
            paymentBasis: pb ? await basisOf(pb.id) : null,
          },
          REQUEST_FIELDS,
        ),
      );
    }
    return out;
  }

  return {
    async overview(apPartnerId) {
      const partner = await findRow(ds, ApPartnerEntity, { id: apPartnerId });
      if (!partner) return null;
      const now = clock.now();
      return pick(
        { apPartnerId, partnerName: partner.name, today: shanghaiDay(now), now: now.toISOString(), requests: await requests(apPartnerId) },
        OVERVIEW_FIELDS,
      );
    },
    async request(apPartnerId, expenseContractId) {
      const [one] = await requests(apPartnerId, expenseContractId);
      return one ?? null;
    },
  };
}
