import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * idempotency_key: the Idempotency-Key header of the API's creating POSTs (db/entities/requests.ts),
 * one row per caller and key. Schema builder only (MySQL/MariaDB and SQLite). Frozen once applied.
 */
export class IdempotencyKeys1764300000000 implements MigrationInterface {
  name = 'IdempotencyKeys1764300000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql' || q.connection.options.type === 'mariadb';
    const text = mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' } : {};
    const str = (name: string, length: number, primary = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isPrimary: primary,
      isNullable: false,
      ...text,
    });
    await q.createTable(
      new Table({
        name: 'idempotency_key',
        columns: [
          str('actor', 128, true),
          str('idempotency_key', 128, true),
          str('operation', 64),
          str('fingerprint', 64),
          str('state', 16),
          { name: 'response_status', type: 'int', isNullable: true },
          { name: 'response', type: 'text', isNullable: true, ...text },
          { name: 'created_at', type: 'datetime', precision: 3, isNullable: false },
          { name: 'completed_at', type: 'datetime', precision: 3, isNullable: true },
        ],
        indices: [new TableIndex({ name: 'IDX_idempotency_key_created', columnNames: ['created_at'] })],
        ...(mysql ? { engine: 'InnoDB' } : {}),
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('idempotency_key', true);
  }
}
