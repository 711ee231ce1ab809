/** The JSON Schemas of 业务订单 business orders: request bodies, queries, path parameters and responses. */
import { ORDER_STATUS } from '../../db/entities/index';
import { named, obj, str, text, int, bool, enumOf, arrayOf, nullable, date, id, money } from '../schema';
import { MODULE_IDS, paging, pageOf, reason, ns, nid, at, record, integer, number } from '../common-schemas';

export { IdParams } from '../common-schemas';

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
      note: str({ maxLength: 2000 }),
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
  accounts: integer(),
  openingDate: str(),
  termMonths: integer(),
  amount: number(),
  apInvolved: bool(),
  apPartnerId: nid(),
  note: ns(),
  completionDeadline: ns(),
  deadlineProvisional: bool(),
  cancelReason: ns(),
  processInstanceKey: ns(),
  version: integer(),
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
