/** The JSON Schemas of 协作任务单 collaboration task orders: request bodies, queries, path parameters and responses. */
import { TASK_ORDER_EVENT, TASK_ORDER_STATUS } from '../../db/entities/index';
import { obj, str, enumOf, arrayOf, id } from '../schema';
import { paging, pageOf, ns, nid, at, record, integer } from '../common-schemas';

export { IdParams } from '../common-schemas';

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
  events: arrayOf(
    record('CollaborationTaskOrderEvent', {
      seq: integer(),
      kind: enumOf(TASK_ORDER_EVENT),
      text: ns(),
      configuredAt: ns(),
      actor: str(),
      at: at(),
    }),
  ),
});
export const TaskOrderQuery = obj({ orderId: id(), status: enumOf(TASK_ORDER_STATUS), ...paging });
export const TaskOrderPage = pageOf('CollaborationTaskOrderPage', TaskOrder);
