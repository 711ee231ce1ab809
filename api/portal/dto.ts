/**
 * What GET /api/portal/overview answers, as types only: the API builds it (port.ts, through the allow-list) and
 * the partner portal's page reads it (ui/src/pages/portal), so both compile against the one shape.
 */
import type { ContractKind, ExpenseContractStatus, PaymentBasisStatus } from '../../db/entities/types';

/** a check of a payment basis, as the partner reads it */
export interface PortalCheckDto {
  version: number;
  decision: string;
  opinion: string | null;
  checkedAt: string;
}
/** the partner's payment basis of one request: its current content and every check */
export interface PortalPaymentBasisDto {
  id: string;
  paymentBasisNo: string;
  status: PaymentBasisStatus;
  version: number;
  amount: number | null;
  completedOn: string | null;
  description: string | null;
  accountsImplemented: number | null;
  attachments: string[];
  note: string | null;
  submittedAt: string;
  sendBack: PortalCheckDto | null;
  checks: PortalCheckDto[];
}
/** an implementation request (expense contract) with its due date: no revenue figure */
export interface PortalRequestDto {
  expenseContractId: string;
  expenseContractNo: string;
  kind: ContractKind;
  title: string;
  status: ExpenseContractStatus;
  expenseAmount: number;
  orderNo: string | null;
  changeOrderNo: string | null;
  customer: string | null;
  modules: string[];
  accounts: number | null;
  openingDate: string | null;
  requestedAt: string | null;
  slaDuration: string | null;
  dueAt: string | null;
  overdue: boolean;
  canSubmit: boolean;
  /** an empty object: the basis was listed but could not be read again */
  paymentBasis: PortalPaymentBasisDto | Record<string, never> | null;
}
export interface PortalOverviewDto {
  apPartnerId: string;
  partnerName: string;
  today: string;
  now: string;
  requests: PortalRequestDto[];
}
