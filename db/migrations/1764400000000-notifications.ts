import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/**
 * Notifications that reach people (issue #18), schema builder only (MySQL/MariaDB and SQLite):
 * - app_user becomes the user directory: e-mail address and the per-user e-mail opt-in (demo users
 *   `<username>@example.test`, OIDC users from their token's claims at first sight);
 * - notification_delivery: one row per notification, recipient and channel (in-app / email), unique on
 *   the three, so a notification fans out once; e-mail rows carry the Message-ID recorded before the
 *   SMTP send, their lease, attempts and last error;
 * - notification_cursor: where the new-work announcer stands in the engine's user-task search.
 * Frozen once applied: later changes are new migrations.
 */
export class Notifications1764400000000 implements MigrationInterface {
  name = 'Notifications1764400000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql' || q.connection.options.type === 'mariadb';
    const text = mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' } : {};
    const str = (name: string, length: number, isNullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
      ...text,
    });
    const at = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });

    await q.addColumns('app_user', [
      new TableColumn(str('email', 254, true)),
      new TableColumn({ name: 'email_opt_in', type: 'boolean', isNullable: false, default: 0 }),
    ]);

    await q.createTable(
      new Table({
        name: 'notification_delivery',
        columns: [
          str('id', 36),
          str('notification_id', 36),
          str('recipient', 128),
          str('channel', 16),
          str('address', 254, true),
          str('status', 16),
          { name: 'attempts', type: 'int', isNullable: false },
          at('next_attempt_at'),
          at('claimed_until', true),
          str('message_id', 255, true),
          { name: 'last_error', type: 'text', isNullable: true, ...text },
          at('created_at'),
          at('sent_at', true),
          at('read_at', true),
        ].map((c) => (c.name === 'id' ? { ...c, isPrimary: true } : c)),
        indices: [
          new TableIndex({ name: 'UQ_notification_delivery', columnNames: ['notification_id', 'recipient', 'channel'], isUnique: true }),
          new TableIndex({ name: 'IDX_notification_delivery_inbox', columnNames: ['recipient', 'channel', 'read_at', 'created_at'] }),
          new TableIndex({ name: 'IDX_notification_delivery_due', columnNames: ['channel', 'status', 'next_attempt_at'] }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'notification_cursor',
        columns: [{ ...str('name', 64), isPrimary: true }, str('position', 255), at('updated_at')],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('notification_cursor', true);
    await q.dropTable('notification_delivery', true);
    await q.dropColumn('app_user', 'email_opt_in');
    await q.dropColumn('app_user', 'email');
  }
}
