/** The JSON Schemas of 客户沟通记录表 customer communication records: request bodies, queries, path parameters and responses. */
import { COMMUNICATION_OCCASION } from '../../db/entities/index';
import { RATING } from '../../domain/vocabulary';
import { named, obj, str, text, enumOf, id } from '../schema';
import { paging, pageOf, ns, nid, at, record, integer } from '../common-schemas';

export { IdParams } from '../common-schemas';

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
      followUp: str({ maxLength: 4000 }),
      contactPerson: text(200),
      note: str({ maxLength: 2000 }),
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
  version: integer(),
  filedBy: str(),
  filedAt: at(),
  updatedAt: at(),
});
export const CommunicationRecordQuery = obj({ orderId: id(), serviceRequestId: id(), ...paging });
export const CommunicationRecordPage = pageOf('CustomerCommunicationRecordPage', CommunicationRecord);
