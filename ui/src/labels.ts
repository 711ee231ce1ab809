/**
 * UI labels from the one vocabulary (domain/vocabulary.ts: roles, modules, process ids) plus the Chinese
 * names of the record states the API returns as codes.
 */
import type {
  CommunicationOccasion,
  ExpenseContractStatus,
  OrderStatus,
  PaymentBasisStatus,
  RevenueContractStatus,
} from '../../db/entities/types';
import { PROCESS, ROLES, SERVICE_MODULE, type Role } from '../../domain/vocabulary';

export { ROLES, SERVICE_MODULE, PROCESS };
export type { Role };

export const PROCESS_NAME: Record<string, string> = {
  [PROCESS.provisioning]: '在线培训业务开通',
  [PROCESS.change]: '在线培训业务变更',
  [PROCESS.countersign]: '合同会签',
  [PROCESS.monthlyReport]: '账号月度报表',
  [PROCESS.serviceRequest]: '投诉、故障、咨询处理',
};

export const ORDER_STATUS: Record<OrderStatus, string> = {
  SUBMITTED: '已提交',
  CHANGE_REQUESTED: '客户要求修改',
  CONFIRMED: '客户已确认',
  CONTRACT_SIGNED: '合同已签订',
  DELIVERED: '已交付',
  COMPLETED: '已竣工',
  CANCELLED: '已取消',
};
export const CONTRACT_TYPE: Record<string, string> = { REVENUE: '收入合同', EXPENSE: '支出合同' };
export const PAYMENT_BASIS_STATUS: Record<PaymentBasisStatus, string> = {
  SUBMITTED: '已提交，待核对',
  ACCEPTED: '已通过',
  SENT_BACK: '已退回',
};
/** every state of both contract kinds (typed against them: a new state needs its name here) */
export const CONTRACT_STATUS: Record<RevenueContractStatus | ExpenseContractStatus, string> = {
  DRAFT: '草拟中',
  COUNTERSIGNING: '会签中',
  REJECTED: '会签驳回',
  APPROVED: '会签通过',
  SIGNED: '已签订',
  IMPLEMENTATION_REQUESTED: '已请求 AP 实施',
  IMPLEMENTED: 'AP 已实施',
  PAYMENT_BASIS_ACCEPTED: '支付依据已通过',
  WITHDRAWN: '已撤回（不用AP继续）',
};
export const CONTRACT_KIND: Record<string, string> = { AGREEMENT: '协议', SUPPLEMENT: '补充协议' };
export const STEP: Record<string, string> = { DEPT_MANAGER: '部门经理审核', CENTER: '中心审核' };
export const DECISION: Record<string, string> = { APPROVE: '同意', REJECT: '驳回', APPROVED: '通过', REJECTED: '驳回', OPEN: '审核中' };
export const OCCASION: Record<CommunicationOccasion, string> = {
  COMPLETION: '竣工',
  FAULT: '故障',
  COMPLAINT: '投诉',
  CONSULTATION: '咨询',
  OTHER: '其他',
};
export const REQUEST_TYPE: Record<string, string> = { FAULT: '故障', COMPLAINT: '投诉', CONSULTATION: '咨询' };
export const TASK_ORDER_EVENT: Record<string, string> = { ISSUED: '下发', REPLY: '技术部回复', ACCEPTED: '验收通过', SENT_BACK: '退回' };

/** the business keys a task carries, in the order people look for them */
export const CONTEXT_LABEL: Record<string, string> = {
  orderNo: '业务订单',
  changeOrderNo: '变更单',
  contractNo: '合同',
  revenueContractNo: '收入合同',
  expenseContractNo: '支出合同',
  requestNo: '服务请求',
  reportMonth: '报表月份',
};

export const roleName = (r: string) => (ROLES as Record<string, string>)[r] ?? r;
export const moduleName = (m: string) => (SERVICE_MODULE as Record<string, string>)[m] ?? m;
export const label = (map: Record<string, string>, code: unknown) => (typeof code === 'string' ? (map[code] ?? code) : '—');

/**
 * The rules that refuse a person's step, by the code the API names them with (domain/errors.ts
 * SeparationOfDutiesRule): what the person reads first, the API's own text after it.
 */
export const RULE_TEXT: Record<string, string> = {
  'drafter-cannot-review': '合同起草人不能审核自己起草的合同，请由其他审核人办理',
  'one-person-one-level': '同一轮会签中一人只能审核一级，请由其他审核人办理',
};

/** a refusal as a person reads it: the rule in Chinese when the problem names one, then the API's detail */
export function refusalText(e: { detail: string; rule?: string }): string {
  const rule = e.rule ? RULE_TEXT[e.rule] : undefined;
  return rule ? `${rule}（${e.detail}）` : e.detail;
}
