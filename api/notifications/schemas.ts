/** JSON Schemas of the notification routes (validation and the OpenAPI document). */
import { arrayOf, bool, dateTime, enumOf, id, int, named, nullable, obj, str } from '../schema';
import { pageOf, paging } from '../common-schemas';

const CASE_KINDS = [
  'user-task',
  'business-order',
  'change-order',
  'collaboration-task-order',
  'payment-basis',
  'expense-contract',
  'monthly-report',
];

export const InboxQuery = obj({ ...paging, unread: bool() }, [], { additionalProperties: false });
export const DeliveryQuery = obj({ ...paging, status: enumOf(['FAILED', 'PENDING', 'SENT'], { default: 'FAILED' }) }, [], {
  additionalProperties: false,
});
export const NotificationIdParams = obj({ id: id() }, ['id']);

export const CaseRef = named(
  'NotificationCase',
  obj(
    {
      kind: enumOf(CASE_KINDS),
      id: nullable(str()),
      no: nullable(str()),
      path: str({ description: 'path of the web UI under PUBLIC_BASE_URL' }),
    },
    ['kind', 'id', 'no', 'path'],
    { additionalProperties: false },
  ),
);

export const InboxItem = named(
  'InboxItem',
  obj(
    {
      id: str(),
      template: str({ description: 'the notification template (see README, notifications)' }),
      title: str({ description: 'Chinese subject line of the template' }),
      body: str({ description: 'Chinese text of the template' }),
      link: str({ format: 'uri', description: 'the case in the web UI' }),
      case: nullable(CaseRef),
      refs: { type: 'object', description: 'ids and numbers the notification is about (orderId, orderNo, userTaskKey, ...)' },
      createdAt: dateTime(),
      readAt: nullable(dateTime()),
    },
    ['id', 'template', 'title', 'body', 'link', 'case', 'refs', 'createdAt', 'readAt'],
    { additionalProperties: false },
  ),
);

export const InboxPage = named(
  'InboxPage',
  obj(
    {
      items: arrayOf(InboxItem),
      total: int(0, Number.MAX_SAFE_INTEGER),
      limit: int(1, 200),
      offset: int(0, 1_000_000),
      unread: int(0, Number.MAX_SAFE_INTEGER),
    },
    ['items', 'total', 'limit', 'offset', 'unread'],
  ),
);
export const UnreadCount = named(
  'UnreadCount',
  obj({ unread: int(0, Number.MAX_SAFE_INTEGER) }, ['unread'], { additionalProperties: false }),
);
export const MarkedCount = named(
  'MarkedCount',
  obj({ marked: int(0, Number.MAX_SAFE_INTEGER) }, ['marked'], { additionalProperties: false }),
);

export const Settings = named(
  'NotificationSettings',
  obj(
    { username: str(), displayName: str(), email: nullable(str()), emailOptIn: bool() },
    ['username', 'displayName', 'email', 'emailOptIn'],
    { additionalProperties: false },
  ),
);
export const SettingsBody = obj({ emailOptIn: bool() }, ['emailOptIn'], { additionalProperties: false });

export const Delivery = named(
  'NotificationDelivery',
  obj(
    {
      id: str(),
      notificationId: str(),
      template: str(),
      recipient: str(),
      channel: enumOf(['in-app', 'email']),
      address: nullable(str()),
      status: enumOf(['PENDING', 'SENT', 'FAILED']),
      attempts: int(0, Number.MAX_SAFE_INTEGER),
      lastError: nullable(str()),
      messageId: nullable(str()),
      createdAt: dateTime(),
      sentAt: nullable(dateTime()),
    },
    [
      'id',
      'notificationId',
      'template',
      'recipient',
      'channel',
      'address',
      'status',
      'attempts',
      'lastError',
      'messageId',
      'createdAt',
      'sentAt',
    ],
    { additionalProperties: false },
  ),
);
export const DeliveryPage = pageOf('NotificationDeliveryPage', Delivery);
