/** The JSON Schemas of 账号监管 account monitoring and the monthly reports: request bodies, queries, path parameters and responses. */
import { ACCOUNT_ENTRY_KIND, MONTHLY_REPORT_STATUS } from '../../db/entities/index';
import { named, obj, str, text, int, bool, enumOf, arrayOf, month, id } from '../schema';
import { paging, pageOf, ns, ni, nn, nid, at, nat, record, integer } from '../common-schemas';

export { IdParams } from '../common-schemas';

// ------------------------------------------------------------------ account monitoring 账号监管
export const MonitoringEntry = record('AccountMonitoringEntry', {
  id: id(),
  revenueContractId: id(),
  revenueContractNo: ns(),
  rootContractId: id(),
  orderId: id(),
  changeOrderId: nid(),
  kind: enumOf(ACCOUNT_ENTRY_KIND),
  accounts: integer(),
  openingDate: ns(),
  enteredBy: str(),
  enteredAt: at(),
  usage: arrayOf(
    record('AccountUsage', { month: str(), openedAccounts: integer(), activeAccounts: integer(), source: str(), recordedAt: at() }),
  ),
});
export const MonitoringQuery = obj({ revenueContractId: id(), ...paging });
export const MonitoringPage = pageOf('AccountMonitoringEntryPage', MonitoringEntry);
export const UsageIngestBody = named(
  'UsageIngestRequest',
  obj(
    {
      items: arrayOf(
        obj({ revenueContractNo: text(32), month: month(), openedAccounts: int(0, 1_000_000), activeAccounts: int(0, 1_000_000) }, [
          'revenueContractNo',
          'month',
          'openedAccounts',
          'activeAccounts',
        ]),
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
  contracted: integer(),
  opened: ni(),
  active: ni(),
  utilisation: nn(),
  overQuota: integer(),
  missingFigures: bool(),
});
export const MonthlyReport = record('MonthlyReport', {
  id: id(),
  month: str(),
  version: integer(),
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
