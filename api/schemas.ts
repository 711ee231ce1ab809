/**
 * The JSON Schemas of the API: request bodies, query strings, path parameters and responses. The
 * validator (schema.ts) and the OpenAPI document (openapi.ts) both read these objects.
 */
import {
  ACCOUNT_ENTRY_KIND,
  COMMUNICATION_OCCASION,
  CONTRACT_KIND,
  COUNTERSIGN_ROUND_STATUS,
  MONTHLY_REPORT_STATUS,
  ORDER_STATUS,
  PAYMENT_BASIS_STATUS,
  SERVICE_REQUEST_STATUS,
  TASK_ORDER_EVENT,
  TASK_ORDER_STATUS,
  VERSIONED_RECORD,
} from '../db/entities/index';
import { CONTRACT_TYPE, COUNTERSIGN_STEP, RATING, REVIEW_DECISION, ROLE_IDS, SERVICE_MODULE, SERVICE_REQUEST_TYPE } from '../domain/vocabulary';
import { arrayOf, bool, date, dateTime, enumOf, id, int, money, month, named, nullable, obj, str, text, type JsonSchema } from './schema';

export const MODULE_IDS = Object.keys(SERVICE_MODULE);

// ------------------------------------------------------------------ shared pieces
export const Problem = named(
  'Problem',
  obj(
    {
      type: str({ format: 'uri' }),
      title: str(),
      status: int(100, 599),
      detail: str(),
      instance: str(),
      errors: arrayOf(
        obj(
          {
            in: enumOf(['body', 'query', 'path', 'header']),
            pointer: str({ description: 'JSON pointer (RFC 6901) into the request part named by `in`' }),
            detail: str(),
          },
          ['in', 'pointer', 'detail'],
        ),
      ),
      currentState: str(),
      requestedState: str(),
      code: str({ description: 'the domain error code of a 409 business-rule refusal' }),
      entity: str({ description: 'the kind of record a 404 is about' }),
      allowed: arrayOf(str()),
      rule: str({ description: 'the integrity or separation-of-duties rule a 403/409 refusal enforces (docs/process-contract.md)' }),
      openRound: obj({ roundId: str(), roundNo: { type: 'integer' }, contractVersion: { type: 'integer' } }, ['roundId', 'roundNo', 'contractVersion'], {
        description: 'the open countersign round that blocks a contract correction',
      }),
    },
    ['type', 'title', 'status', 'detail', 'instance'],
    { description: 'RFC 9457 problem details' },
  ),
);

export const IdParams = obj({ id: id() }, ['id']);
export const paging = {
  limit: int(1, 200, { default: 50 }),
  offset: int(0, 1_000_000, { default: 0 }),
};
export const pageOf = (name: string, item: JsonSchema): JsonSchema =>
  named(name, obj({ items: arrayOf(item), total: int(0, Number.MAX_SAFE_INTEGER), limit: int(1, 200), offset: int(0, 1_000_000) }, ['items', 'total', 'limit', 'offset']));

const reason = text(2000, { description: 'why (stored with the version)' });
const ns = () => nullable(str());
const ni = () => nullable({ type: 'integer' });
const nn = () => nullable({ type: 'number' });
const nid = () => nullable(id());
const at = () => dateTime();
const nat = () => nullable(dateTime());
/** a response record: every listed field present (null when unknown), nothing else */
const record = (name: string, props: Record<string, JsonSchema>) => named(name, obj(props, Object.keys(props)));

// ------------------------------------------------------------------ auth
export const LoginBody = named('LoginRequest', obj({ username: text(100), password: text(200) }, ['username', 'password']));
export const LoginResponse = named('LoginResponse', obj({ token: str() }, ['token']));
export const PrincipalSchema = record('Principal', { username: str(), roles: arrayOf(enumOf(ROLE_IDS)), apPartnerId: nid() });

// ------------------------------------------------------------------ orders 业务订单
export const CreateOrderBody = named(
  'CreateOrderRequest',
  obj(
    {
      customerId: id({ description: '客户 (an existing customer)' }),
      modules: arrayOf(enumOf(MODULE_IDS), { minItems: 1, maxItems: MODULE_IDS.length, uniqueItems: true, description: '业务模块' }),
      accounts: int(1, 1_000_000, { description: '账号数' }),
      openingDate: date({ description: '开通日期 (Asia/Shanghai)' }),
      termMonths: int(1, 240, { description: '期限（月）' }),
      amount: money({ description: '金额 (CNY)' }),
      apInvolved: bool(),
      apPartnerId: nullable(id()),
      note: { type: 'string', maxLength: 2000 },
    },
    ['customerId', 'modules', 'accounts', 'openingDate', 'termMonths', 'amount', 'apInvolved'],
    {
      if: { properties: { apInvolved: { const: true } }, required: ['apInvolved'] },
      then: { properties: { apPartnerId: id() }, required: ['apPartnerId'] },
      else: { properties: { apPartnerId: { type: 'null' } } },
    },
  ),
);
export const Order = record('Order', {
  id: id(),
  orderNo: str(),
  status: enumOf(ORDER_STATUS),
  customerId: id(),
  customerName: ns(),
  customerManager: str(),
  modules: arrayOf(str()),
  accounts: { type: 'integer' },
  openingDate: str(),
  termMonths: { type: 'integer' },
  amount: { type: 'number' },
  apInvolved: bool(),
  apPartnerId: nid(),
  note: ns(),
  completionDeadline: ns(),
  deadlineProvisional: bool(),
  cancelReason: ns(),
  processInstanceKey: ns(),
  version: { type: 'integer' },
  createdBy: str(),
  createdAt: at(),
  updatedAt: at(),
});
export const OrderQuery = obj({
  status: enumOf(ORDER_STATUS),
  customer: id({ description: 'customer id' }),
  customerManager: text(128),
  from: date({ description: 'created on or after (Asia/Shanghai day)' }),
  to: date({ description: 'created on or before (Asia/Shanghai day)' }),
  ...paging,
});
export const OrderPage = pageOf('OrderPage', Order);
export const CancelBody = named('CancelRequest', obj({ reason }, ['reason']));

// ------------------------------------------------------------------ change orders 变更单
export const CreateChangeOrderBody = named(
  'CreateChangeOrderRequest',
  obj(
    {
      orderId: id(),
      description: text(2000),
      accountDelta: int(-1_000_000, 1_000_000),
      amountDelta: { type: 'number', minimum: -1e12, maximum: 1e12, multipleOf: 0.01 },
      modules: arrayOf(enumOf(MODULE_IDS), { minItems: 1, maxItems: MODULE_IDS.length, uniqueItems: true }),
      effectiveDate: date(),
      platformChange: bool(),
      apScopeChange: bool(),
      note: { type: 'string', maxLength: 2000 },
    },
    ['orderId', 'description', 'accountDelta', 'platformChange', 'apScopeChange'],
  ),
);
export const ChangeOrder = record('ChangeOrder', {
  id: id(),
  changeOrderNo: str(),
  orderId: id(),
  orderNo: ns(),
  status: enumOf(ORDER_STATUS),
  customerManager: str(),
  description: str(),
  accountDelta: { type: 'integer' },
  amountDelta: nn(),
  modules: nullable(arrayOf(str())),
  effectiveDate: ns(),
  platformChange: bool(),
  apScopeChange: bool(),
  apPartnerId: nid(),
  note: ns(),
  processInstanceKey: ns(),
  version: { type: 'integer' },
  createdBy: str(),
  createdAt: at(),
  updatedAt: at(),
});
export const ChangeOrderQuery = obj({ orderId: id(), status: enumOf(ORDER_STATUS), ...paging });
export const ChangeOrderPage = pageOf('ChangeOrderPage', ChangeOrder);

// ------------------------------------------------------------------ contracts 收入合同 / 支出合同
export const Contract = named(
  'Contract',
  obj(
    {
      id: id(),
      contractNo: str(),
      type: enumOf(CONTRACT_TYPE),
      kind: enumOf(CONTRACT_KIND),
      status: str(),
      orderId: id(),
      changeOrderId: nid(),
      parentContractId: nid(),
      apPartnerId: nid(),
      title: str(),
      amount: { type: 'number', description: 'the contract amount (an AP partner sees only its own expense contracts)' },
      termMonths: ni(),
      signedDate: ns(),
      note: ns(),
      countersignFormNo: ns(),
      rejectionReason: ns(),
      version: { type: 'integer' },
      createdBy: str(),
      createdAt: at(),
      updatedAt: at(),
    },
    ['id', 'contractNo', 'type', 'kind', 'status', 'orderId', 'title', 'version', 'createdAt'],
  ),
);
export const ContractQuery = obj({ type: enumOf(CONTRACT_TYPE), orderId: id(), ...paging });
export const ContractPage = pageOf('ContractPage', Contract);
export const RecordVersion = record('RecordVersion', { version: int(1, 1_000_000), actor: str(), at: at(), reason: str(), data: { type: 'object' } });
export const RecordVersions = arrayOf(RecordVersion);

// ------------------------------------------------------------------ countersign 合同会签单
export const CountersignDecision = record('CountersignDecision', {
  step: enumOf(COUNTERSIGN_STEP),
  decision: enumOf(REVIEW_DECISION),
  opinion: ns(),
  reviewer: str(),
  decidedAt: at(),
});
export const CountersignRound = record('CountersignRound', {
  round: { type: 'integer' },
  status: enumOf(COUNTERSIGN_ROUND_STATUS),
  contractVersion: { type: 'integer' },
  rejectionReason: ns(),
  openedAt: at(),
  closedAt: nat(),
  decisions: arrayOf(CountersignDecision),
});
export const CountersignForm = record('CountersignForm', {
  id: id(),
  formNo: str(),
  contractType: enumOf(CONTRACT_TYPE),
  contractId: id(),
  contractNo: ns(),
  version: { type: 'integer' },
  issuedBy: str(),
  issuedAt: at(),
  content: { type: 'object', description: 'the form as issued (current version)' },
  rounds: arrayOf(CountersignRound),
});
export const CountersignQuery = obj({ contractId: id(), type: enumOf(CONTRACT_TYPE), ...paging });
export const CountersignFormPage = pageOf('CountersignFormPage', CountersignForm);
export const CountersignHistory = arrayOf(CountersignRound);

// ------------------------------------------------------------------ collaboration task orders 协作任务单
export const TaskOrder = record('CollaborationTaskOrder', {
  id: id(),
  taskOrderNo: str(),
  orderId: id(),
  changeOrderId: nid(),
  status: enumOf(TASK_ORDER_STATUS),
  request: { type: 'object' },
  issuedBy: str(),
  issuedAt: at(),
  updatedAt: at(),
  events: arrayOf(record('CollaborationTaskOrderEvent', { seq: { type: 'integer' }, kind: enumOf(TASK_ORDER_EVENT), text: ns(), configuredAt: ns(), actor: str(), at: at() })),
});
export const TaskOrderQuery = obj({ orderId: id(), status: enumOf(TASK_ORDER_STATUS), ...paging });
export const TaskOrderPage = pageOf('CollaborationTaskOrderPage', TaskOrder);

// ------------------------------------------------------------------ payment bases 支付依据
const attachment = text(500, { description: 'a document reference (URL or file id)' });
export const SubmitPaymentBasisBody = named(
  'SubmitPaymentBasisRequest',
  obj(
    {
      submissionId: text(100, { pattern: '^[A-Za-z0-9._:-]+$', description: "the AP's own id of this submission; a repeat is applied once" }),
      expenseContractId: id(),
      amount: money(),
      completedOn: date(),
      description: text(4000),
      accountsImplemented: int(0, 1_000_000),
      attachments: arrayOf(attachment, { maxItems: 20 }),
      note: { type: 'string', maxLength: 2000 },
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
  version: { type: 'integer' },
  submittedBy: str(),
  submittedAt: at(),
  updatedAt: at(),
});
export const PaymentBasisQuery = obj({ expenseContractId: id(), ...paging });
export const PaymentBasisPage = pageOf('PaymentBasisPage', PaymentBasis);

// ------------------------------------------------------------------ customer communication records 客户沟通记录表
export const CreateCommunicationRecordBody = named(
  'CreateCommunicationRecordRequest',
  obj(
    {
      orderId: id(),
      serviceRequestId: id(),
      occasion: enumOf(COMMUNICATION_OCCASION),
      networkQuality: enumOf(RATING, { description: '网络质量 1–5（5 很好 … 1 很差）' }),
      serviceAttitude: enumOf(RATING, { description: '服务态度 1–5（5 很好 … 1 很差）' }),
      customerFeedback: text(4000, { description: '客户反馈' }),
      followUp: { type: 'string', maxLength: 4000 },
      contactPerson: text(200),
      note: { type: 'string', maxLength: 2000 },
    },
    ['orderId', 'networkQuality', 'serviceAttitude', 'customerFeedback'],
  ),
);
export const CommunicationRecord = record('CustomerCommunicationRecord', {
  id: id(),
  recordNo: str(),
  customerId: id(),
  orderId: nid(),
  changeOrderId: nid(),
  serviceRequestId: nid(),
  occasion: enumOf(COMMUNICATION_OCCASION),
  networkQuality: ns(),
  serviceAttitude: ns(),
  customerFeedback: ns(),
  followUp: ns(),
  contactPerson: ns(),
  note: ns(),
  version: { type: 'integer' },
  filedBy: str(),
  filedAt: at(),
  updatedAt: at(),
});
export const CommunicationRecordQuery = obj({ orderId: id(), serviceRequestId: id(), ...paging });
export const CommunicationRecordPage = pageOf('CustomerCommunicationRecordPage', CommunicationRecord);

// ------------------------------------------------------------------ account monitoring 账号监管
export const MonitoringEntry = record('AccountMonitoringEntry', {
  id: id(),
  revenueContractId: id(),
  revenueContractNo: ns(),
  rootContractId: id(),
  orderId: id(),
  changeOrderId: nid(),
  kind: enumOf(ACCOUNT_ENTRY_KIND),
  accounts: { type: 'integer' },
  openingDate: ns(),
  enteredBy: str(),
  enteredAt: at(),
  usage: arrayOf(record('AccountUsage', { month: str(), openedAccounts: { type: 'integer' }, activeAccounts: { type: 'integer' }, source: str(), recordedAt: at() })),
});
export const MonitoringQuery = obj({ revenueContractId: id(), ...paging });
export const MonitoringPage = pageOf('AccountMonitoringEntryPage', MonitoringEntry);
export const UsageIngestBody = named(
  'UsageIngestRequest',
  obj(
    {
      items: arrayOf(
        obj(
          { revenueContractNo: text(32), month: month(), openedAccounts: int(0, 1_000_000), activeAccounts: int(0, 1_000_000) },
          ['revenueContractNo', 'month', 'openedAccounts', 'activeAccounts'],
        ),
        { minItems: 1, maxItems: 1000 },
      ),
    },
    ['items'],
  ),
);
export const UsageIngestResult = record('UsageIngestResult', {
  inserted: int(0, 1e6),
  updated: int(0, 1e6),
  unchanged: int(0, 1e6),
  unknownContracts: arrayOf(str(), { description: 'contract numbers without an agreement: reported, not stored' }),
});
export const ReportRow = record('MonthlyReportRow', {
  revenueContractId: id(),
  contractNo: str(),
  orderNo: str(),
  customerId: id(),
  customerName: ns(),
  contracted: { type: 'integer' },
  opened: ni(),
  active: ni(),
  utilisation: nn(),
  overQuota: { type: 'integer' },
  missingFigures: bool(),
});
export const MonthlyReport = record('MonthlyReport', {
  id: id(),
  month: str(),
  version: { type: 'integer' },
  status: enumOf(MONTHLY_REPORT_STATUS),
  rows: arrayOf(ReportRow),
  totals: { type: 'object' },
  note: ns(),
  generatedBy: str(),
  generatedAt: at(),
  publishedBy: ns(),
  publishedAt: nat(),
});
export const MonthParams = obj({ month: month() }, ['month']);
export const ReportQuery = obj({ ...paging });
export const MonthlyReportPage = pageOf('MonthlyReportPage', MonthlyReport);

// ------------------------------------------------------------------ service requests 投诉、故障、咨询
export const CreateServiceRequestBody = named(
  'CreateServiceRequestRequest',
  obj(
    {
      type: enumOf(SERVICE_REQUEST_TYPE),
      orderId: id(),
      description: text(4000),
    },
    ['type', 'orderId', 'description'],
  ),
);
export const ServiceRequest = record('ServiceRequest', {
  id: id(),
  requestNo: str(),
  type: enumOf(SERVICE_REQUEST_TYPE),
  status: enumOf(SERVICE_REQUEST_STATUS),
  customerId: id(),
  orderId: nid(),
  revenueContractId: nid(),
  description: str(),
  reportedBy: str(),
  customerManager: str(),
  resolution: ns(),
  handledBy: ns(),
  handledAt: ns(),
  communicationRecordId: nid(),
  createdAt: at(),
  updatedAt: at(),
  closedAt: nat(),
  processInstanceKey: ns(),
});
export const ServiceRequestQuery = obj({ type: enumOf(SERVICE_REQUEST_TYPE), status: enumOf(SERVICE_REQUEST_STATUS), orderId: id(), ...paging });
export const ServiceRequestPage = pageOf('ServiceRequestPage', ServiceRequest);

// ------------------------------------------------------------------ calendar 工作日历
export const YearParams = obj({ year: int(2000, 2099) }, ['year']);
const calendarDay = obj({ date: date(), name: text(100) }, ['date']);
export const CalendarYearBody = named(
  'CalendarYearDocument',
  obj(
    {
      year: int(2000, 2099),
      published: bool(),
      holidays: arrayOf(calendarDay, { maxItems: 60, description: '法定节假日: days off' }),
      workdays: arrayOf(calendarDay, { maxItems: 30, description: '调休: weekend days that are worked' }),
      note: text(2000, { description: 'where the schedule comes from / why it changes' }),
    },
    ['year', 'published', 'holidays', 'workdays', 'note'],
  ),
);
export const CalendarYear = named(
  'CalendarYear',
  obj(
    {
      year: { type: 'integer' },
      published: bool(),
      holidays: arrayOf(obj({ date: str(), name: str() }, ['date'])),
      workdays: arrayOf(obj({ date: str(), name: str() }, ['date'])),
      note: str(),
      source: str(),
      updatedBy: str(),
      updatedAt: at(),
    },
    ['year', 'published', 'holidays', 'workdays', 'source', 'updatedBy', 'updatedAt'],
  ),
);
export const DeadlineQuery = obj({ from: date(), workingDays: int(0, 1000) }, ['from', 'workingDays']);
export const Deadline = record('Deadline', { date: str({ format: 'date' }), deadline: str(), provisional: bool() });

// ------------------------------------------------------------------ audit 版本与更正
export const RecordParams = obj({ kind: enumOf(VERSIONED_RECORD), id: id() }, ['kind', 'id']);
export const CorrectionBody = named(
  'CorrectionRequest',
  obj(
    {
      reason,
      changes: { type: 'object', minProperties: 1, maxProperties: 50, description: 'fields of the record and their corrected values' },
    },
    ['reason', 'changes'],
  ),
);

// ------------------------------------------------------------------ health
export const Health = named(
  'Health',
  obj(
    { status: enumOf(['ok', 'unavailable']), checks: { type: 'object', additionalProperties: obj({ ok: bool(), detail: str() }, ['ok']) } },
    ['status'],
  ),
);
