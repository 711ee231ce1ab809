/**
 * What an AP partner sees of its own expense contracts (it never reads a revenue contract: 404). An
 * allow-list: a field added to Contract or to an expense contract's version stays hidden until listed here.
 */
import { allowOnly } from '../access';

export const AP_CONTRACT_FIELDS = [
  'id',
  'contractNo',
  'type',
  'kind',
  'status',
  'orderId',
  'changeOrderId',
  'parentContractId',
  'apPartnerId',
  'title',
  'amount',
  'termMonths',
  'signedDate',
  'note',
  'countersignFormNo',
  'rejectionReason',
  'version',
  'createdBy',
  'createdAt',
  'updatedAt',
] as const;
/** the content of an expense contract's version (domain/records.ts EXPENSE_FIELDS) */
export const AP_CONTRACT_VERSION_FIELDS = ['title', 'amount', 'note'] as const;

export const apContract = allowOnly(AP_CONTRACT_FIELDS);
export const apContractVersionData = allowOnly(AP_CONTRACT_VERSION_FIELDS);
