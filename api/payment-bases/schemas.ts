/** The JSON Schemas of 支付依据 payment bases: request bodies, queries, path parameters and responses. */
import { PAYMENT_BASIS_STATUS } from '../../db/entities/index';
import { named, obj, str, text, int, enumOf, arrayOf, date, id, money } from '../schema';
import { paging, pageOf, ns, ni, nn, at, record, integer } from '../common-schemas';

export { IdParams } from '../common-schemas';

// ------------------------------------------------------------------ payment bases 支付依据
const attachment = text(500, { description: 'a document reference (URL or file id)' });
export const SubmitPaymentBasisBody = named(
  'SubmitPaymentBasisRequest',
  obj(
    {
      submissionId: text(100, {
        pattern: '^[A-Za-z0-9._:-]+$',
        description: "the AP's own id of this submission; a repeat is applied once",
      }),
      expenseContractId: id(),
      amount: money(),
      completedOn: date(),
      description: text(4000),
      accountsImplemented: int(0, 1_000_000),
      attachments: arrayOf(attachment, { maxItems: 20 }),
      note: str({ maxLength: 2000 }),
    },
    ['submissionId', 'expenseContractId', 'amount', 'completedOn', 'description'],
  ),
);
export const PaymentBasis = record('PaymentBasis', {
  id: id(),
  paymentBasisNo: str(),
  expenseContractId: id(),
  expenseContractNo: ns(),
  apPartnerId: id(),
  status: enumOf(PAYMENT_BASIS_STATUS),
  submissionId: ns(),
  amount: nn(),
  completedOn: ns(),
  description: ns(),
  accountsImplemented: ni(),
  attachments: arrayOf(str()),
  note: ns(),
  version: integer(),
  submittedBy: str(),
  submittedAt: at(),
  updatedAt: at(),
});
export const PaymentBasisQuery = obj({ expenseContractId: id(), ...paging });
export const PaymentBasisPage = pageOf('PaymentBasisPage', PaymentBasis);
