/**
 * What an AP partner may read on its portal: every answer is built by copying these fields and no
 * other (never a revenue figure: no revenueAmount, orderAmount, revenue contract id or number, no
 * REVENUE contract amount). The response schemas in schemas.ts list the same keys with
 * additionalProperties false, so a field added here without the schema (or the reverse) fails
 * validation; test/api/portal.test.ts checks every portal route against these lists.
 */
export const REQUEST_FIELDS = [
  'expenseContractId',
  'expenseContractNo',
  'kind',
  'title',
  'status',
  'expenseAmount',
  'orderNo',
  'changeOrderNo',
  'customer',
  'modules',
  'accounts',
  'openingDate',
  'requestedAt',
  'slaDuration',
  'dueAt',
  'overdue',
  'canSubmit',
  'paymentBasis',
] as const;

export const PAYMENT_BASIS_FIELDS = [
  'id',
  'paymentBasisNo',
  'status',
  'version',
  'amount',
  'completedOn',
  'description',
  'accountsImplemented',
  'attachments',
  'note',
  'submittedAt',
  'sendBack',
  'checks',
] as const;

export const CHECK_FIELDS = ['version', 'decision', 'opinion', 'checkedAt'] as const;

export const OVERVIEW_FIELDS = ['apPartnerId', 'partnerName', 'today', 'now', 'requests'] as const;

/** fields whose name or meaning is a revenue figure: never in a portal answer, at any depth */
export const FORBIDDEN_FIELDS = [
  'revenueAmount',
  'orderAmount',
  'revenueContractId',
  'revenueContractNo',
  'orderId',
  'amountRevenue',
] as const;

/** what `pick` answers: the listed keys of the source, an absent value as null */
export type Picked<T, K extends keyof T> = { [P in K]: undefined extends T[P] ? Exclude<T[P], undefined> | null : T[P] };

/** copy exactly the allowed keys (missing ones as null): the only way a portal answer is built */
export function pick<T extends object, K extends keyof T & string>(src: T, keys: readonly K[]): Picked<T, K> {
  const out = {} as Picked<T, K>;
  for (const k of keys) out[k] = (src[k] === undefined ? null : src[k]) as Picked<T, K>[typeof k];
  return out;
}
