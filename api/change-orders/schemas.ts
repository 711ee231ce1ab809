/** The JSON Schemas of 变更单 change orders: request bodies, queries, path parameters and responses. */
import { ORDER_STATUS } from '../../db/entities/index';
import { named, obj, str, text, int, bool, enumOf, arrayOf, nullable, date, id } from '../schema';
import { MODULE_IDS, paging, pageOf, ns, nn, nid, at, record, integer, number } from '../common-schemas';

export { IdParams } from '../common-schemas';

// ------------------------------------------------------------------ change orders 变更单
export const CreateChangeOrderBody = named(
  'CreateChangeOrderRequest',
  obj(
    {
      orderId: id(),
      description: text(2000),
      accountDelta: int(-1_000_000, 1_000_000),
      amountDelta: number({ minimum: -1e12, maximum: 1e12, multipleOf: 0.01 }),
      modules: arrayOf(enumOf(MODULE_IDS), { minItems: 1, maxItems: MODULE_IDS.length, uniqueItems: true }),
      effectiveDate: date(),
      platformChange: bool(),
      apScopeChange: bool(),
      note: str({ maxLength: 2000 }),
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
  accountDelta: integer(),
  amountDelta: nn(),
  modules: nullable(arrayOf(str())),
  effectiveDate: ns(),
  platformChange: bool(),
  apScopeChange: bool(),
  apPartnerId: nid(),
  note: ns(),
  processInstanceKey: ns(),
  version: integer(),
  createdBy: str(),
  createdAt: at(),
  updatedAt: at(),
});
export const ChangeOrderQuery = obj({ orderId: id(), status: enumOf(ORDER_STATUS), ...paging });
export const ChangeOrderPage = pageOf('ChangeOrderPage', ChangeOrder);
