/** The store of 支付依据 payment bases: the domain services behind its routes and the JSON of its schemas. */
import type { EntityManager } from 'typeorm';
import { ExpenseContractEntity, PaymentBasisEntity, type PaymentBasis } from '../../db/entities/index';
import { findRow } from '../../db/rows';
import { ConflictError } from '../../domain/errors';
import { currentContent } from '../../domain/records';
import { illegalTransition } from '../problem';
import { iso, type StoreDeps } from '../store-kernel';
import * as paymentBases from '../../domain/payment-bases';
import type { PaymentBasesStore, PaymentBasisDto } from './port';

export function paymentBasesStore({ ds, m, ctxOf }: StoreDeps): PaymentBasesStore {
  async function paymentBasisDto(p: PaymentBasis, db: EntityManager = m): Promise<PaymentBasisDto> {
    const [content, contract] = await Promise.all([
      currentContent(db, 'payment-basis', p.id),
      db.getRepository(ExpenseContractEntity).findOne({ where: { id: p.expenseContractId }, select: { id: true, contractNo: true } }),
    ]);
    // the content as submitted (domain/payment-bases.ts validated it); a record without one answers nulls
    const c = (content?.content ?? {}) as Partial<paymentBases.PaymentBasisContent>;
    return {
      id: p.id,
      paymentBasisNo: p.paymentBasisNo,
      expenseContractId: p.expenseContractId,
      expenseContractNo: contract?.contractNo ?? null,
      apPartnerId: p.apPartnerId,
      status: p.status,
      submissionId: p.externalRef,
      amount: c.amount ?? null,
      completedOn: c.completedOn ?? null,
      description: c.description ?? null,
      accountsImplemented: c.accountsImplemented ?? null,
      attachments: c.attachments ?? [],
      note: c.note ?? null,
      version: p.currentVersion,
      submittedBy: p.submittedBy,
      submittedAt: iso(p.submittedAt),
      updatedAt: iso(p.updatedAt),
    };
  }

  return {
    // ---------------------------------------------------------------- payment bases
    async submitPaymentBasis(actor, apPartnerId, input) {
      const contract = await findRow(m, ExpenseContractEntity, { id: input.expenseContractId });
      if (!contract || contract.apPartnerId !== apPartnerId) return null;
      try {
        const res = await paymentBases.submitPaymentBasis(
          ds,
          {
            apPartnerId,
            expenseContractNo: contract.contractNo,
            submissionId: input.submissionId,
            content: {
              description: input.description,
              amount: input.amount,
              accountsImplemented: input.accountsImplemented ?? null,
              completedOn: input.completedOn,
              attachments: input.attachments ?? [],
              note: input.note ?? null,
            },
          },
          ctxOf(actor, 'payment basis submitted by the AP partner'),
        );
        return { created: res.created, record: await paymentBasisDto(res.paymentBasis) };
      } catch (e) {
        // the contract is not waiting for a payment basis (or the last one is under review): name both states
        if (e instanceof ConflictError) {
          const pb = await findRow(m, PaymentBasisEntity, { expenseContractId: contract.id });
          const current = await m.getRepository(ExpenseContractEntity).findOneByOrFail({ id: contract.id });
          throw illegalTransition(
            'expense contract',
            contract.id,
            pb ? `${current.status} (payment basis ${pb.status})` : current.status,
            'IMPLEMENTED',
            e.message,
          );
        }
        throw e;
      }
    },
    async getPaymentBasis(id) {
      const p = await findRow(m, PaymentBasisEntity, { id });
      return p ? paymentBasisDto(p) : null;
    },
    async listPaymentBases(f, page) {
      const res = await paymentBases.listPaymentBases(ds, { expenseContractId: f.expenseContractId, apPartnerId: f.apPartnerId }, page);
      return { ...res, items: await Promise.all(res.items.map((p) => paymentBasisDto(p))) };
    },
  };
}
