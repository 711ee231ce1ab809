/** The JSON Schemas of 投诉、故障、咨询 service requests: request bodies, queries, path parameters and responses. */
import { SERVICE_REQUEST_STATUS } from '../../db/entities/index';
import { SERVICE_REQUEST_TYPE } from '../../domain/vocabulary';
import { named, obj, str, text, enumOf, id } from '../schema';
import { paging, pageOf, ns, nid, at, nat, record } from '../common-schemas';

export { IdParams } from '../common-schemas';

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
export const ServiceRequestQuery = obj({
  type: enumOf(SERVICE_REQUEST_TYPE),
  status: enumOf(SERVICE_REQUEST_STATUS),
  orderId: id(),
  ...paging,
});
export const ServiceRequestPage = pageOf('ServiceRequestPage', ServiceRequest);
