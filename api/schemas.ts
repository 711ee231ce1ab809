/**
 * The JSON Schemas of the API: request bodies, query strings, path parameters and responses. The
 * validator (schema.ts) and the OpenAPI document (openapi.ts) both read these objects.
 */
import {
  CONTRACT_TYPE,
  COUNTERSIGN_RESULT,
  COUNTERSIGN_STEP,
  DOCUMENT_TYPE,
  REVIEW_DECISION,
  SERVICE_MODULE,
  SERVICE_REQUEST_TYPE,
} from '../domain/vocabulary';
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
      allowed: arrayOf(str()),
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
const audit = {
  version: int(1, 1_000_000),
  createdAt: dateTime(),
  createdBy: str(),
  updatedAt: dateTime(),
  updatedBy: str(),
};
const auditRequired = ['version', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy'];
const withAudit = (name: string, props: Record<string, JsonSchema>, required: string[]) =>
  named(name, obj({ ...props, ...audit }, [...required, ...auditRequired]));

// ------------------------------------------------------------------ auth
export const LoginBody = named('LoginRequest', obj({ username: text(100), password: text(200) }, ['username', 'password']));
export const LoginResponse = named('LoginResponse', obj({ token: str() }, ['token']));

// ------------------------------------------------------------------ orders 业务订单
const orderFields = {
  customerName: text(200, { description: '客户名称' }),
  customerContact: text(200, { description: '客户联系人' }),
  modules: arrayOf(enumOf(MODULE_IDS), { minItems: 1, maxItems: MODULE_IDS.length, uniqueItems: true }),
  accounts: int(1, 1_000_000, { description: '账号数' }),
  openingDate: date({ description: '开通日期 (Asia/Shanghai)' }),
  termMonths: int(1, 120),
  amount: money({ description: '金额 (CNY)' }),
  apInvolved: bool(),
  apPartnerId: nullable(id()),
  note: { type: 'string', maxLength: 2000 },
};
export const CreateOrderBody = named(
  'CreateOrderRequest',
  obj(orderFields, ['customerName', 'modules', 'accounts', 'openingDate', 'termMonths', 'amount', 'apInvolved'], {
    if: { properties: { apInvolved: { const: true } }, required: ['apInvolved'] },
    then: { properties: { apPartnerId: id() }, required: ['apPartnerId'] },
  }),
);
export const Order = withAudit(
  'Order',
  {
    id: id(),
    orderNo: str(),
    status: str(),
    customerManager: str(),
    ...orderFields,
    customerContact: nullable(str()),
    note: nullable(str()),
    completionDeadline: nullable(str()),
    deadlineProvisional: nullable(bool()),
  },
  ['id', 'orderNo', 'status', 'customerManager', 'customerName', 'modules', 'accounts', 'openingDate', 'termMonths', 'amount', 'apInvolved', 'apPartnerId'],
);
export const OrderQuery = obj({
  status: text(40),
  customer: text(200, { description: 'substring of the customer name' }),
  customerManager: text(100),
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
      platformChange: bool(),
      apScopeChange: bool(),
    },
    ['orderId', 'description', 'accountDelta', 'platformChange', 'apScopeChange'],
  ),
);
export const ChangeOrder = withAudit(
  'ChangeOrder',
  {
    id: id(),
    changeOrderNo: str(),
    orderId: id(),
    orderNo: str(),
    status: str(),
    customerManager: str(),
    description: str(),
    accountDelta: { type: 'integer' },
    amountDelta: { type: 'number' },
    platformChange: bool(),
    apScopeChange: bool(),
    apPartnerId: nullable(id()),
  },
  ['id', 'changeOrderNo', 'orderId', 'status', 'description', 'accountDelta', 'platformChange', 'apScopeChange'],
);
export const ChangeOrderQuery = obj({ orderId: id(), status: text(40), ...paging });
export const ChangeOrderPage = pageOf('ChangeOrderPage', ChangeOrder);

// ------------------------------------------------------------------ contracts 收入合同 / 支出合同
export const Contract = withAudit(
  'Contract',
  {
    id: id(),
    contractNo: str(),
    type: enumOf(CONTRACT_TYPE),
    status: str(),
    orderId: id(),
    orderNo: str(),
    changeOrderId: nullable(id()),
    supplementOf: nullable(id()),
    apPartnerId: nullable(id()),
    title: str(),
    amount: { type: 'number', description: 'absent for AP partners reading anything but their own expense amount' },
    termMonths: nullable({ type: 'integer' }),
    signedDate: nullable(str()),
    note: nullable(str()),
    countersignFormNo: nullable(str()),
  },
  ['id', 'contractNo', 'type', 'status', 'orderId', 'title'],
);
export const ContractQuery = obj({ type: enumOf(CONTRACT_TYPE), orderId: id(), ...paging });
export const ContractPage = pageOf('ContractPage', Contract);
export const RecordVersion = named(
  'RecordVersion',
  obj(
    { version: int(1, 1_000_000), actor: str(), at: dateTime(), reason: str(), data: { type: 'object' } },
    ['version', 'actor', 'at', 'reason', 'data'],
  ),
);
export const RecordVersions = arrayOf(RecordVersion);

// ------------------------------------------------------------------ countersign 合同会签单
export const CountersignDecision = named(
  'CountersignDecision',
  obj(
    {
      round: int(1, 1000),
      step: enumOf(COUNTERSIGN_STEP),
      decision: enumOf(REVIEW_DECISION),
      opinion: nullable(str()),
      reviewer: str(),
      decidedAt: dateTime(),
    },
    ['round', 'step', 'decision', 'reviewer', 'decidedAt'],
  ),
);
export const CountersignForm = named(
  'CountersignForm',
  obj(
    {
      id: id(),
      formNo: str(),
      contractId: id(),
      contractNo: str(),
      contractType: enumOf(CONTRACT_TYPE),
      issuedAt: dateTime(),
      decisions: arrayOf(CountersignDecision),
    },
    ['id', 'formNo', 'contractId', 'contractNo', 'contractType', 'issuedAt', 'decisions'],
  ),
);
export const CountersignRound = named(
  'CountersignRound',
  obj(
    {
      round: int(1, 1000),
      result: nullable(enumOf(COUNTERSIGN_RESULT)),
      rejectionReason: nullable(str()),
      openedAt: dateTime(),
      decisions: arrayOf(CountersignDecision),
    },
    ['round', 'result', 'openedAt', 'decisions'],
  ),
);
export const CountersignQuery = obj({ contractId: id(), type: enumOf(CONTRACT_TYPE), ...paging });
export const CountersignFormPage = pageOf('CountersignFormPage', CountersignForm);

// ------------------------------------------------------------------ collaboration task orders 协作任务单
export const TaskOrder = withAudit(
  'CollaborationTaskOrder',
  {
    id: id(),
    taskOrderNo: str(),
    orderId: id(),
    changeOrderId: nullable(id()),
    status: str(),
    request: str(),
    reply: nullable(str()),
    configuredAt: nullable(str()),
    acceptanceDecision: nullable(str()),
    acceptanceOpinion: nullable(str()),
  },
  ['id', 'taskOrderNo', 'orderId', 'status', 'request'],
);
export const TaskOrderQuery = obj({ orderId: id(), status: text(40), ...paging });
export const TaskOrderPage = pageOf('CollaborationTaskOrderPage', TaskOrder);

// ------------------------------------------------------------------ payment bases 支付依据
export const SubmitPaymentBasisBody = named(
  'SubmitPaymentBasisRequest',
  obj(
    {
      submissionId: text(100, { pattern: '^[A-Za-z0-9._:-]+$', description: "the AP's own id of this submission; a repeat is applied once" }),
      expenseContractId: id(),
      amount: money(),
      completedOn: date(),
      description: text(4000),
      documents: arrayOf(obj({ name: text(200), sha256: str({ pattern: '^[a-f0-9]{64}$' }) }, ['name', 'sha256']), { maxItems: 20 }),
    },
    ['submissionId', 'expenseContractId', 'amount', 'completedOn', 'description'],
  ),
);
export const PaymentBasis = withAudit(
  'PaymentBasis',
  {
    id: id(),
    paymentBasisNo: str(),
    submissionId: str(),
    expenseContractId: id(),
    expenseContractNo: str(),
    apPartnerId: id(),
    status: str(),
    amount: { type: 'number' },
    completedOn: str(),
    description: str(),
    documents: arrayOf(obj({ name: str(), sha256: str() }, ['name', 'sha256'])),
  },
  ['id', 'paymentBasisNo', 'submissionId', 'expenseContractId', 'expenseContractNo', 'apPartnerId', 'status', 'amount', 'completedOn', 'description'],
);
export const PaymentBasisQuery = obj({ expenseContractId: id(), ...paging });
export const PaymentBasisPage = pageOf('PaymentBasisPage', PaymentBasis);

// ------------------------------------------------------------------ customer communication records 客户沟通记录表
const rating = enumOf(['GOOD', 'FAIR', 'POOR']);
export const CreateCommunicationRecordBody = named(
  'CreateCommunicationRecordRequest',
  obj(
    {
      orderId: id(),
      serviceRequestId: id(),
      networkQuality: rating,
      serviceAttitude: rating,
      customerFeedback: text(4000),
      followUp: { type: 'string', maxLength: 4000 },
    },
    ['orderId', 'networkQuality', 'serviceAttitude', 'customerFeedback'],
  ),
);
export const CommunicationRecord = withAudit(
  'CustomerCommunicationRecord',
  {
    id: id(),
    recordNo: str(),
    orderId: id(),
    serviceRequestId: nullable(id()),
    networkQuality: str(),
    serviceAttitude: str(),
    customerFeedback: str(),
    followUp: nullable(str()),
    filedBy: str(),
  },
  ['id', 'recordNo', 'orderId', 'networkQuality', 'serviceAttitude', 'customerFeedback', 'filedBy'],
);
export const CommunicationRecordQuery = obj({ orderId: id(), serviceRequestId: id(), ...paging });
export const CommunicationRecordPage = pageOf('CustomerCommunicationRecordPage', CommunicationRecord);

// ------------------------------------------------------------------ account monitoring 账号监管
export const MonitoringEntry = named(
  'AccountMonitoringEntry',
  obj(
    {
      id: id(),
      revenueContractId: id(),
      revenueContractNo: str(),
      orderId: id(),
      customerName: str(),
      accountsContracted: { type: 'integer' },
      openingDate: str(),
      usage: arrayOf(obj({ month: str(), openedAccounts: { type: 'integer' }, activeAccounts: { type: 'integer' } }, ['month', 'openedAccounts', 'activeAccounts'])),
      createdAt: dateTime(),
      updatedAt: dateTime(),
    },
    ['id', 'revenueContractId', 'revenueContractNo', 'accountsContracted', 'openingDate'],
  ),
);
export const MonitoringQuery = obj({ revenueContractId: id(), ...paging });
export const MonitoringPage = pageOf('AccountMonitoringEntryPage', MonitoringEntry);
export const UsageIngestBody = named(
  'UsageIngestRequest',
  obj(
    {
      items: arrayOf(
        obj(
          {
            revenueContractNo: text(40),
            month: month(),
            openedAccounts: int(0, 1_000_000),
            activeAccounts: int(0, 1_000_000),
          },
          ['revenueContractNo', 'month', 'openedAccounts', 'activeAccounts'],
        ),
        { minItems: 1, maxItems: 1000 },
      ),
    },
    ['items'],
  ),
);
export const UsageIngestResult = named(
  'UsageIngestResult',
  obj(
    { inserted: int(0, 1e6), updated: int(0, 1e6), unchanged: int(0, 1e6), unknownContracts: arrayOf(str()) },
    ['inserted', 'updated', 'unchanged', 'unknownContracts'],
  ),
);
export const ReportLine = obj(
  {
    revenueContractNo: str(),
    customerName: str(),
    accountsContracted: { type: 'integer' },
    openedAccounts: { type: 'integer' },
    activeAccounts: { type: 'integer' },
    utilisation: { type: 'number' },
    overQuota: { type: 'integer' },
  },
  ['revenueContractNo', 'customerName', 'accountsContracted', 'openedAccounts', 'activeAccounts', 'utilisation', 'overQuota'],
);
export const MonthlyReport = named(
  'MonthlyReport',
  obj(
    { id: id(), month: str(), status: str(), generatedAt: dateTime(), publishedAt: nullable(dateTime()), lines: arrayOf(ReportLine) },
    ['id', 'month', 'status', 'generatedAt', 'lines'],
  ),
);
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
      subject: text(200),
      description: text(4000),
      reportedBy: text(200, { description: 'the customer contact who reported it' }),
    },
    ['type', 'orderId', 'subject', 'description'],
  ),
);
export const ServiceRequest = withAudit(
  'ServiceRequest',
  {
    id: id(),
    requestNo: str(),
    type: enumOf(SERVICE_REQUEST_TYPE),
    orderId: id(),
    status: str(),
    subject: str(),
    description: str(),
    reportedBy: nullable(str()),
    customerManager: str(),
    resolution: nullable(str()),
  },
  ['id', 'requestNo', 'type', 'orderId', 'status', 'subject', 'description', 'customerManager'],
);
export const ServiceRequestQuery = obj({ type: enumOf(SERVICE_REQUEST_TYPE), status: text(40), orderId: id(), ...paging });
export const ServiceRequestPage = pageOf('ServiceRequestPage', ServiceRequest);

// ------------------------------------------------------------------ calendar 工作日历
export const YearParams = obj({ year: int(2000, 2099) }, ['year']);
const dayList = arrayOf(date(), { uniqueItems: true, maxItems: 366 });
export const CalendarYearBody = named(
  'CalendarYearDocument',
  obj(
    {
      year: int(2000, 2099),
      holidays: { ...dayList, description: '法定节假日: days off (weekdays or weekends)' },
      workdays: { ...dayList, description: '调休: weekend days that are working days' },
      source: text(500, { description: 'where the schedule was published' }),
      reason: text(2000),
    },
    ['year', 'holidays', 'workdays', 'reason'],
  ),
);
export const CalendarYear = named(
  'CalendarYear',
  obj(
    {
      year: { type: 'integer' },
      holidays: arrayOf(str()),
      workdays: arrayOf(str()),
      source: nullable(str()),
      version: int(1, 1_000_000),
      updatedAt: dateTime(),
      updatedBy: str(),
    },
    ['year', 'holidays', 'workdays', 'version'],
  ),
);
export const DeadlineQuery = obj({ from: date(), workingDays: int(0, 1000) }, ['from', 'workingDays']);
export const Deadline = named(
  'Deadline',
  obj({ date: date(), deadline: dateTime(), provisional: bool() }, ['date', 'deadline', 'provisional']),
);

// ------------------------------------------------------------------ audit 版本与更正
export const RECORD_KINDS = Object.keys(DOCUMENT_TYPE);
export const RecordParams = obj({ kind: enumOf(RECORD_KINDS), id: id() }, ['kind', 'id']);
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
