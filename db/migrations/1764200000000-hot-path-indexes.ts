import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Indexes for the hot paths found by bench:e2e (schema builder only, so it runs on MySQL/MariaDB and
 * SQLite):
 * - process_instance_key on the records the task list resolves its business keys from
 *   (app/task-context.ts: `WHERE process_instance_key IN (...)` on every task-list read, one read per
 *   person's poll) and the dispatcher's start-key lookups: without them each read scans the table;
 * - the outbox claim (domain/outbox.ts claimPending: undispatched rows oldest first) reads the
 *   undispatched rows in created_at order instead of sorting them.
 * Frozen once applied: later changes are new migrations.
 */
const INDEXES: [table: string, name: string, columns: string[]][] = [
  ['business_order', 'IDX_business_order_pik', ['process_instance_key']],
  ['change_order', 'IDX_change_order_pik', ['process_instance_key']],
  ['service_request', 'IDX_service_request_pik', ['process_instance_key']],
  ['monthly_report', 'IDX_monthly_report_pik', ['process_instance_key']],
  ['process_command_outbox', 'IDX_process_command_claim', ['dispatched_at', 'created_at', 'id']],
];

export class HotPathIndexes1764200000000 implements MigrationInterface {
  name = 'HotPathIndexes1764200000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, name, columnNames] of INDEXES) await q.createIndex(table, new TableIndex({ name, columnNames }));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table, name] of [...INDEXES].reverse()) await q.dropIndex(table, name);
  }
}
