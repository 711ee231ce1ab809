/**
 * What an AP partner sees of its own payment bases: an allow-list, so a field added to PaymentBasis stays
 * hidden from AP partners until listed here.
 */
import { allowOnly } from '../access';

export const AP_PAYMENT_BASIS_FIELDS = [
  'id',
  'paymentBasisNo',
  'expenseContractId',
  'expenseContractNo',
  'apPartnerId',
  'status',
  'submissionId',
  'amount',
  'completedOn',
  'description',
  'accountsImplemented',
  'attachments',
  'note',
  'version',
  'submittedBy',
  'submittedAt',
  'updatedAt',
] as const;

export const apPaymentBasis = allowOnly(AP_PAYMENT_BASIS_FIELDS);
