/**
 * What the routes of 支付依据 payment bases ask of the store: this slice's part of ApiStore (services.ts)
 * and the JSON it answers, typed by the slice's schemas.
 */
import type { Page, PageOf } from '../../domain/paging';
import type { Actor } from '../auth';
import type { Static } from '../schema';
import type { PaymentBasis, SubmitPaymentBasisBody } from './schemas';

/** what POST /payment-bases accepts, as its schema says */
export type SubmitPaymentBasisInput = Static<typeof SubmitPaymentBasisBody>;
/** a payment basis with its current content, as the PaymentBasis schema has it */
export type PaymentBasisDto = Static<typeof PaymentBasis>;

export interface PaymentBasesStore {
  /** AP submission: payment basis + outbox publish of ap-implementation-completed, one transaction; idempotent per submissionId. */
  submitPaymentBasis(
    actor: Actor,
    apPartnerId: string,
    input: SubmitPaymentBasisInput,
  ): Promise<{ created: boolean; record: PaymentBasisDto } | null>;
  getPaymentBasis(id: string): Promise<PaymentBasisDto | null>;
  listPaymentBases(filter: { expenseContractId?: string; apPartnerId?: string }, page: Page): Promise<PageOf<PaymentBasisDto>>;
}
