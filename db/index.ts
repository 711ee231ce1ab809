import type { DataSource } from 'typeorm';
import { seedCalendar } from './calendar-seed';
import { createDataSource } from './data-source';

export * from './entities/index';
export { createDataSource, dataSourceOptions, parseDatabaseUrl, dbKind, type DbKind } from './data-source';
export { inTransaction, isMysql, isSqlite, dataSourceOf, type Db } from './transaction';
export { seedCalendar, packagedCalendar } from './calendar-seed';

/** Every application table (FK order: parents first). */
export const TABLES = [
  'customer',
  'ap_partner',
  'app_user',
  'business_order',
  'change_order',
  'revenue_contract',
  'expense_contract',
  'countersign_round',
  'countersign_decision',
  'countersign_form',
  'collaboration_task_order',
  'collaboration_task_order_event',
  'payment_basis',
  'payment_basis_check',
  'service_request',
  'customer_communication_record',
  'account_monitoring_entry',
  'account_usage_monthly',
  'monthly_report',
  'calendar_day',
  'calendar_year',
  'document_sequence',
  'audit_log',
  'record_version',
  'process_command_outbox',
  'notification_outbox',
  'processed_job',
  'idempotency_key',
  'notification_delivery',
  'notification_cursor',
] as const;

/** Applies pending migrations (in one transaction each) and seeds the published calendar years. */
export async function migrate(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'each' });
  await seedCalendar(ds);
  return applied.map((m) => m.name);
}

/** Start-up: open the database named by DATABASE_URL and bring its schema up to date. */
export async function initDatabase(url: string, opts: { logging?: boolean; poolSize?: number } = {}): Promise<DataSource> {
  const ds = createDataSource(url, opts);
  await ds.initialize();
  try {
    await migrate(ds);
  } catch (e) {
    await ds.destroy();
    throw e;
  }
  return ds;
}
