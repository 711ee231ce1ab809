/**
 * The one vocabulary of the system (architecture.md, "Conventions").
 *
 * The same English words name a BPMN element, the job type of its worker, the table, the API path and
 * the test. Chinese names belong in BPMN names, form labels and UI text. Anything that crosses a
 * boundary between processes/, workers/, api/ and the tests is named here and imported from here.
 */

/** Roles of domain.md: identifiers in code, Chinese names in UI. */
export const ROLES = {
  'customer-manager': '客户经理',
  'dept-manager': '部门经理',
  'center-reviewer': '中心审核',
  'tech-dept': '技术部',
  'contract-admin': '合同管理员',
  ops: '运行维护处',
  'ap-partner': 'AP',
  admin: '系统管理员',
  auditor: '审计',
} as const;
export type Role = keyof typeof ROLES;
export const ROLE_IDS = Object.keys(ROLES) as Role[];

/** BPMN process ids (processes/<id>.bpmn). */
export const PROCESS = {
  provisioning: 'online-training-provisioning',
  change: 'online-training-change',
  countersign: 'contract-countersign',
  monthlyReport: 'account-usage-monthly-report',
  serviceRequest: 'customer-service-request',
} as const;
export type ProcessId = (typeof PROCESS)[keyof typeof PROCESS];

/**
 * Messages. Start messages are correlated by the record number, so a repeated start command starts
 * at most one active instance per number (Zeebe's message start event semantics).
 */
export const MESSAGE = {
  /** starts online-training-provisioning; correlation key = orderNo */
  orderSubmitted: 'order-submitted',
  /** starts online-training-change; correlation key = changeOrderNo */
  changeOrderSubmitted: 'change-order-submitted',
  /** starts customer-service-request; correlation key = requestNo */
  serviceRequestLogged: 'service-request-logged',
  /** AP reports implementation complete with its payment basis; correlation key = expenseContractNo */
  apImplementationCompleted: 'ap-implementation-completed',
  /** an upload of the calendar changed a provisional completion deadline: the record task is re-armed; key = orderNo / changeOrderNo */
  deadlineFirmed: 'deadline-firmed',
} as const;
export type MessageName = (typeof MESSAGE)[keyof typeof MESSAGE];

/** BPMN error codes thrown by workers and caught by the models. */
export const BPMN_ERROR = {
  /** expense-contract.draft / expense-contract.draft-supplement: the AP partner is suspended or has no terms */
  apPartnerUnavailable: 'AP_PARTNER_UNAVAILABLE',
  /**
   * expense-contract.send-implementation-request (retired, older process versions only): the AP answered 4xx,
   * refusing the request on its merits; request-implementation answers a refusal with apRequestAccepted=false
   */
  apRequestRejected: 'AP_REQUEST_REJECTED',
} as const;
export type BpmnErrorCode = (typeof BPMN_ERROR)[keyof typeof BPMN_ERROR];

/** Job types, namespaced by family. workers/registry must hold exactly these, processes/ must use exactly these. */
export const JOB = {
  // business order 业务订单 (§6.3.1)
  orderRecordCustomerDecision: 'order.record-customer-decision',
  orderApplyRevision: 'order.apply-revision',
  orderCancel: 'order.cancel',
  /** the creating listener of 修改业务订单: the AP partners its select offers (read-only) */
  orderOfferApPartners: 'order.offer-ap-partners',
  // change order 变更单 (§6.2)
  changeOrderRecordCustomerDecision: 'change-order.record-customer-decision',
  changeOrderApplyRevision: 'change-order.apply-revision',
  changeOrderCancel: 'change-order.cancel',
  // revenue contract 收入合同 / supplementary agreement 补充协议
  revenueContractRegister: 'revenue-contract.register',
  revenueContractRegisterSupplement: 'revenue-contract.register-supplement',
  revenueContractApplyRevision: 'revenue-contract.apply-revision',
  revenueContractRecordSigning: 'revenue-contract.record-signing',
  // countersign 会签 (§6.3.2)
  countersignOpenRound: 'countersign.open-round',
  countersignRecordDecision: 'countersign.record-decision',
  countersignIssueForm: 'countersign.issue-form',
  // technical configuration 协作任务单 (§6.3.3)
  collaborationTaskOrderIssue: 'collaboration-task-order.issue',
  collaborationTaskOrderRecordReply: 'collaboration-task-order.record-reply',
  collaborationTaskOrderRecordAcceptance: 'collaboration-task-order.record-acceptance',
  // AP expense contract 支出合同 and payment basis 支付依据 (§6.3.2, §6.3.3)
  expenseContractDraft: 'expense-contract.draft',
  expenseContractDraftSupplement: 'expense-contract.draft-supplement',
  expenseContractApplyRevision: 'expense-contract.apply-revision',
  expenseContractRequestImplementation: 'expense-contract.request-implementation',
  expenseContractRemindSla: 'expense-contract.remind-sla',
  expenseContractRecordPaymentBasisCheck: 'expense-contract.record-payment-basis-check',
  // account monitoring 账号监管 (§6.4)
  accountMonitoringRegisterAccounts: 'account-monitoring.register-accounts',
  accountMonitoringApplyAccountDelta: 'account-monitoring.apply-account-delta',
  accountMonitoringGenerateMonthlyReport: 'account-monitoring.generate-monthly-report',
  accountMonitoringPublishMonthlyReport: 'account-monitoring.publish-monthly-report',
  accountMonitoringEscalateLateReport: 'account-monitoring.escalate-late-report',
  // delivery 交付 and completion 竣工 (§6.3.4)
  deliveryRecord: 'delivery.record',
  completionComputeDeadline: 'completion.compute-deadline',
  completionSendReminder: 'completion.send-reminder',
  completionEscalateOverdue: 'completion.escalate-overdue',
  completionRecordCompletion: 'completion.record-completion',
  // 处理AP异常 (resolve-ap-issue): the customer manager's way out, recorded (domain/ap-issues.ts)
  apIssueRecordResolution: 'ap-issue.record-resolution',
  // complaint / fault / consultation 投诉、故障、咨询 (§7.1)
  serviceRequestRecordHandling: 'service-request.record-handling',
  serviceRequestClose: 'service-request.close',
} as const;
export type JobType = (typeof JOB)[keyof typeof JOB];
export const JOB_TYPES = Object.values(JOB) as JobType[];

/**
 * Job types no model of this release creates any more, still created by instances that started on an older
 * process version (they keep their version): the workers take them for one release, like the renamed ones
 * (workers/registry.ts). `sla.notify`: the reminder timer boundary on 客户确认业务订单, replaced by the SLA
 * watch (app/notifier/sla-watch.ts), which sends every step's reminder and escalation from one table.
 * `expense-contract.record-payment-basis` (and its name before issue #16, `ap-contract.record-payment-basis`):
 * the service task 登记支付依据 after the AP's message; the API's submission records the receipt now
 * (domain/payment-bases.ts submitPaymentBasis) and the message leads straight to 核对支付依据.
 * `expense-contract.send-implementation-request`: the service task 向AP发出实施请求 with the error boundary
 * AP拒绝请求, replaced by a message throw event (a throw event has no boundary) whose job
 * expense-contract.request-implementation answers a refusal with variables; the old one still throws the
 * BPMN error AP_REQUEST_REJECTED its model catches.
 */
export const RETIRED_JOB = {
  slaNotify: 'sla.notify',
  expenseContractRecordPaymentBasis: 'expense-contract.record-payment-basis',
  apContractRecordPaymentBasis: 'ap-contract.record-payment-basis',
  expenseContractSendImplementationRequest: 'expense-contract.send-implementation-request',
} as const;
export type RetiredJobType = (typeof RETIRED_JOB)[keyof typeof RETIRED_JOB];

/** Decisions taken in user tasks (form field values; FEEL conditions compare against these). */
export const CUSTOMER_DECISION = ['CONFIRMED', 'CHANGE_REQUESTED', 'DECLINED'] as const;
export type CustomerDecision = (typeof CUSTOMER_DECISION)[number];
export const REVIEW_DECISION = ['APPROVE', 'REJECT'] as const;
export type ReviewDecision = (typeof REVIEW_DECISION)[number];
export const ACCEPTANCE_DECISION = ['ACCEPTED', 'SENT_BACK'] as const;
export type AcceptanceDecision = (typeof ACCEPTANCE_DECISION)[number];
/**
 * The ratings of the customer communication record 客户沟通记录表 (网络质量, 服务态度): 1–5, as the form's
 * radio values (strings) and as stored; the API, the workers and the form use this one list (issue #20).
 */
export const RATING_LABEL = { '5': '很好', '4': '较好', '3': '一般', '2': '较差', '1': '很差' } as const;
export type Rating = keyof typeof RATING_LABEL;
export const RATING = ['5', '4', '3', '2', '1'] as const satisfies readonly Rating[];
export const REPORT_REVIEW_DECISION = ['PUBLISH', 'REGENERATE'] as const;
export type ReportReviewDecision = (typeof REPORT_REVIEW_DECISION)[number];
/**
 * 处理方式 of resolve-ap-issue (form ap-issue-resolution, issue #20), as the form's radio labels: draft the
 * expense contract again with the same AP, with another AP (新AP编号 newApPartnerId), go on without the AP
 * (the technical branch alone completes the order), or cancel the order (domain/ap-issues.ts says what that undoes).
 */
export const AP_ISSUE_RESOLUTION_LABEL = {
  RETRY: '重新发起',
  OTHER_PARTNER: '换一家AP',
  WITHOUT_AP: '不用AP，继续开通',
  CANCEL: '取消订单',
} as const;
export type ApIssueResolution = keyof typeof AP_ISSUE_RESOLUTION_LABEL;
export const AP_ISSUE_RESOLUTION = ['RETRY', 'OTHER_PARTNER', 'WITHOUT_AP', 'CANCEL'] as const satisfies readonly ApIssueResolution[];
/**
 * 处理方式 after a rejected revenue countersign (issue #20): revise and resubmit, or withdraw. 修改协议
 * (revenue-contract-revision) withdraws the order, 修改补充协议 (supplementary-agreement-revision) the change order.
 */
export const CONTRACT_REVISION_DECISION = ['REVISE', 'WITHDRAW'] as const;
export type ContractRevisionDecision = (typeof CONTRACT_REVISION_DECISION)[number];

/** Countersign 会签 */
export const CONTRACT_TYPE = ['REVENUE', 'EXPENSE'] as const;
export type ContractType = (typeof CONTRACT_TYPE)[number];
export const COUNTERSIGN_RESULT = ['APPROVED', 'REJECTED'] as const;
export type CountersignResult = (typeof COUNTERSIGN_RESULT)[number];
export const COUNTERSIGN_STEP = ['DEPT_MANAGER', 'CENTER'] as const;
export type CountersignStep = (typeof COUNTERSIGN_STEP)[number];

/** Complaint / fault / consultation (§7.1), routed fault→ops, complaint→dept-manager, consultation→customer-manager. */
export const SERVICE_REQUEST_TYPE = ['FAULT', 'COMPLAINT', 'CONSULTATION'] as const;
export type ServiceRequestType = (typeof SERVICE_REQUEST_TYPE)[number];

/** Service modules sold (domain.md "What the business sells"). */
export const SERVICE_MODULE = {
  'learning-management': '学习管理',
  'virtual-classroom': '虚拟教室',
  'live-training': '直播培训',
} as const;
export type ServiceModule = keyof typeof SERVICE_MODULE;

/**
 * Document numbers: prefix per document type, numbered per type and year, gap-free.
 * Format `<PREFIX>-<YEAR>-<SEQ>` with SEQ zero-padded to `width`.
 */
export const DOCUMENT_TYPE = {
  'business-order': { prefix: 'YW', width: 6 },
  'change-order': { prefix: 'BG', width: 6 },
  'revenue-contract': { prefix: 'SR', width: 4 },
  'expense-contract': { prefix: 'ZC', width: 4 },
  'countersign-form-revenue': { prefix: 'HQ-SR', width: 4 },
  'countersign-form-expense': { prefix: 'HQ-ZC', width: 4 },
  'collaboration-task-order': { prefix: 'XZ', width: 4 },
  'payment-basis': { prefix: 'ZF', width: 4 },
  'customer-communication-record': { prefix: 'GT', width: 4 },
  'service-request': { prefix: 'FW', width: 6 },
} as const;
export type DocumentType = keyof typeof DOCUMENT_TYPE;

/** Time zone of every deadline and of the monthly report's month boundary. */
export const BUSINESS_TIME_ZONE = 'Asia/Shanghai';
export const BUSINESS_UTC_OFFSET = '+08:00';
/** §6.3.4: completion record within 60 working days after delivery. */
export const COMPLETION_WORKING_DAYS = 60;
