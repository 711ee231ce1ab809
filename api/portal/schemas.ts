/** Response schemas of the portal routes: exactly the allow-list's keys (additionalProperties false). */
import { CONTRACT_KIND, EXPENSE_CONTRACT_STATUS, PAYMENT_BASIS_STATUS } from '../../db/entities/types';
import { arrayOf, bool, dateTime, enumOf, id, named, nullable, obj, str, type JsonSchema } from '../schema';
import { CHECK_FIELDS, OVERVIEW_FIELDS, PAYMENT_BASIS_FIELDS, REQUEST_FIELDS } from './allow-list';

const ns = () => nullable(str());
const nn = () => nullable({ type: 'number' });
/** every key of the allow-list, each required, nothing else: a drift between the two fails here */
function exactly(name: string, keys: readonly string[], props: Record<string, JsonSchema>): JsonSchema {
  const missing = keys.filter((k) => !(k in props));
  const extra = Object.keys(props).filter((k) => !keys.includes(k));
  if (missing.length || extra.length)
    throw new Error(`portal schema ${name} and its allow-list differ: ${[...missing, ...extra].join(', ')}`);
  return named(name, obj(props, [...keys]));
}

export const PortalCheck = exactly('PortalPaymentBasisCheck', CHECK_FIELDS, {
  version: { type: 'integer' },
  decision: str(),
  opinion: ns(),
  checkedAt: dateTime(),
});
export const PortalPaymentBasis = exactly('PortalPaymentBasis', PAYMENT_BASIS_FIELDS, {
  id: id(),
  paymentBasisNo: str(),
  status: enumOf(PAYMENT_BASIS_STATUS),
  version: { type: 'integer' },
  amount: nn(),
  completedOn: ns(),
  description: ns(),
  accountsImplemented: nullable({ type: 'integer' }),
  attachments: arrayOf(str()),
  note: ns(),
  submittedAt: dateTime(),
  sendBack: nullable(PortalCheck),
  checks: arrayOf(PortalCheck),
});
export const PortalRequest = exactly('PortalImplementationRequest', REQUEST_FIELDS, {
  expenseContractId: id(),
  expenseContractNo: str(),
  kind: enumOf(CONTRACT_KIND),
  title: str(),
  status: enumOf(EXPENSE_CONTRACT_STATUS),
  expenseAmount: { type: 'number' },
  orderNo: ns(),
  changeOrderNo: ns(),
  customer: ns(),
  modules: arrayOf(str()),
  accounts: nullable({ type: 'integer' }),
  openingDate: ns(),
  requestedAt: nullable(dateTime()),
  slaDuration: ns(),
  dueAt: nullable(dateTime()),
  overdue: bool(),
  canSubmit: bool(),
  paymentBasis: nullable(PortalPaymentBasis),
});
export const PortalOverview = exactly('PortalOverview', OVERVIEW_FIELDS, {
  apPartnerId: id(),
  partnerName: str(),
  today: str({ description: 'the business day in Asia/Shanghai (YYYY-MM-DD), from the business clock' }),
  now: dateTime({ description: 'the business clock' }),
  requests: arrayOf(PortalRequest),
});
export const PortalQuery = obj({ apPartnerId: id({ description: 'staff only: the partner whose portal to read' }) });
export const PortalRequestParams = obj({ id: id() }, ['id']);
