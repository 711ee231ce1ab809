import { EntitySchema } from 'typeorm';
import { col } from './columns';

export type DeliveryChannel = 'in-app' | 'email';
/** in-app rows are SENT when written (the inbox reads them); e-mail rows go PENDING → SENT | FAILED */
export type DeliveryStatus = 'PENDING' | 'SENT' | 'FAILED';

/** One notification to one person on one channel (unique on the three: a notification fans out once). */
export interface NotificationDelivery {
  id: string;
  notificationId: string;
  /** username in app_user (or as the notification named it) */
  recipient: string;
  channel: DeliveryChannel;
  /** e-mail: the address at fan-out time */
  address: string | null;
  status: DeliveryStatus;
  attempts: number;
  /** technical time (wall clock): the earliest next attempt after a failure */
  nextAttemptAt: Date;
  /** technical time: claimed by a sender until then (crash-safe lease) */
  claimedUntil: Date | null;
  /** e-mail: the Message-ID, recorded before the first SMTP send and reused by every re-send */
  messageId: string | null;
  lastError: string | null;
  /** the notification's (business) time: the inbox sorts on it */
  createdAt: Date;
  sentAt: Date | null;
  /** in-app: when the recipient marked it read */
  readAt: Date | null;
}
export const NotificationDeliveryEntity = new EntitySchema<NotificationDelivery>({
  name: 'NotificationDelivery',
  tableName: 'notification_delivery',
  columns: {
    id: col.uuidPk(),
    notificationId: col.uuid(),
    recipient: col.actor(),
    channel: col.str(16),
    address: col.str(254, true),
    status: col.str(16),
    attempts: col.int(),
    nextAttemptAt: col.at(),
    claimedUntil: col.at(true),
    messageId: col.str(255, true),
    lastError: col.text(),
    createdAt: col.at(),
    sentAt: col.at(true),
    readAt: col.at(true),
  },
  indices: [
    { name: 'UQ_notification_delivery', columns: ['notificationId', 'recipient', 'channel'], unique: true },
    { name: 'IDX_notification_delivery_inbox', columns: ['recipient', 'channel', 'readAt', 'createdAt'] },
    { name: 'IDX_notification_delivery_due', columns: ['channel', 'status', 'nextAttemptAt'] },
  ],
});

/** A named position of a poller (the new-work announcer's place in the user-task search). */
export interface NotificationCursor {
  name: string;
  position: string;
  updatedAt: Date;
}
export const NotificationCursorEntity = new EntitySchema<NotificationCursor>({
  name: 'NotificationCursor',
  tableName: 'notification_cursor',
  columns: {
    name: { type: 'varchar', length: 64, primary: true },
    position: col.str(255),
    updatedAt: col.at(),
  },
});
