import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/**
 * Initial schema, written once with the QueryRunner schema builder so that the same migration runs on
 * MySQL/MariaDB and SQLite. Frozen: later changes are new migrations, never edits of this file.
 * The column helpers live here on purpose (a shared helper changing later must not change history).
 */
type Opt = { nullable?: boolean; primary?: boolean };

function columns(mysql: boolean) {
  const text = mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' } : {};
  const base = (name: string, o: Opt) => ({ name, isNullable: o.nullable ?? false, isPrimary: o.primary ?? false });
  return {
    str: (name: string, length: number, o: Opt = {}): TableColumnOptions => ({
      ...base(name, o),
      type: 'varchar',
      length: String(length),
      ...text,
    }),
    uuid: (name: string, o: Opt = {}): TableColumnOptions => ({ ...base(name, o), type: 'varchar', length: '36', ...text }),
    text: (name: string, o: Opt = {}): TableColumnOptions => ({ ...base(name, { nullable: true, ...o }), type: 'text', ...text }),
    int: (name: string, o: Opt = {}): TableColumnOptions => ({ ...base(name, o), type: 'int' }),
    bool: (name: string, o: Opt = {}): TableColumnOptions => ({ ...base(name, o), type: 'boolean' }),
    amount: (name: string, o: Opt = {}): TableColumnOptions => ({ ...base(name, o), type: 'decimal', precision: 14, scale: 2 }),
    at: (name: string, o: Opt = {}): TableColumnOptions => ({ ...base(name, o), type: 'datetime', precision: 3 }),
    day: (name: string, o: Opt = {}): TableColumnOptions => ({ ...base(name, o), type: 'varchar', length: '10', ...text }),
    iso: (name: string, o: Opt = {}): TableColumnOptions => ({ ...base(name, o), type: 'varchar', length: '25', ...text }),
    key: (name: string, o: Opt = {}): TableColumnOptions => ({ ...base(name, o), type: 'varchar', length: '20', ...text }),
    actor: (name: string, o: Opt = {}): TableColumnOptions => ({ ...base(name, o), type: 'varchar', length: '128', ...text }),
  };
}

const idx = (table: string, name: string, columnNames: string[], isUnique = false) =>
  new TableIndex({ name: `${name}`, columnNames, isUnique });
const fk = (columnNames: string[], referencedTableName: string, referencedColumnNames = ['id'], table = '') =>
  new TableForeignKey({
    name: `FK_${table}_${columnNames.join('_')}`,
    columnNames,
    referencedTableName,
    referencedColumnNames,
    onDelete: 'RESTRICT',
  });

export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql' || q.connection.options.type === 'mariadb';
    const c = columns(mysql);
    const create = (name: string, cols: TableColumnOptions[], indices: TableIndex[] = [], foreignKeys: TableForeignKey[] = []) =>
      q.createTable(
        new Table({
          name,
          columns: cols,
          indices,
          foreignKeys: foreignKeys.map((f) => new TableForeignKey({ ...f, name: f.name?.replace(/^FK__/, `FK_${name}_`) })),
          ...(mysql ? { engine: 'InnoDB' } : {}),
        }),
      );
    const stamps = [c.at('created_at'), c.at('updated_at')];

    await create(
      'customer',
      [
        c.uuid('id', { primary: true }),
        c.str('name', 200),
        c.str('code', 64, { nullable: true }),
        c.str('contact_name', 100, { nullable: true }),
        c.str('contact_phone', 50, { nullable: true }),
        c.actor('customer_manager', { nullable: true }),
        ...stamps,
      ],
      [idx('customer', 'UQ_customer_code', ['code'], true)],
    );
    await create(
      'ap_partner',
      [
        c.uuid('id', { primary: true }),
        c.str('name', 200),
        c.str('code', 64),
        c.str('endpoint_url', 500),
        c.str('hmac_secret', 200),
        c.str('status', 16),
        c.text('terms'),
        ...stamps,
      ],
      [idx('ap_partner', 'UQ_ap_partner_code', ['code'], true)],
    );
    await create(
      'app_user',
      [
        c.str('username', 128, { primary: true }),
        c.str('display_name', 200),
        c.text('roles', { nullable: false }),
        c.uuid('ap_partner_id', { nullable: true }),
        c.str('password_hash', 255, { nullable: true }),
        c.bool('active'),
        ...stamps,
      ],
      [],
      [fk(['ap_partner_id'], 'ap_partner')],
    );

    const orderCommon = [
      c.text('note'),
      c.int('current_version'),
      c.key('process_instance_key', { nullable: true }),
      c.text('customer_feedback'),
      c.day('delivered_on', { nullable: true }),
      c.text('delivery_note'),
      c.iso('completion_deadline', { nullable: true }),
      c.iso('completion_reminder_at', { nullable: true }),
      c.bool('deadline_provisional'),
      c.at('completed_at', { nullable: true }),
      c.text('cancel_reason'),
      c.actor('created_by'),
      ...stamps,
    ];
    await create(
      'business_order',
      [
        c.uuid('id', { primary: true }),
        c.str('order_no', 32),
        c.str('status', 24),
        c.uuid('customer_id'),
        c.actor('customer_manager'),
        c.text('modules', { nullable: false }),
        c.int('accounts'),
        c.day('opening_date'),
        c.int('term_months'),
        c.amount('amount'),
        c.bool('ap_involved'),
        c.uuid('ap_partner_id', { nullable: true }),
        ...orderCommon,
      ],
      [
        idx('business_order', 'UQ_business_order_no', ['order_no'], true),
        idx('business_order', 'IDX_business_order_status', ['status', 'created_at']),
        idx('business_order', 'IDX_business_order_customer', ['customer_id']),
        idx('business_order', 'IDX_business_order_manager', ['customer_manager', 'created_at']),
      ],
      [fk(['customer_id'], 'customer'), fk(['ap_partner_id'], 'ap_partner')],
    );
    await create(
      'change_order',
      [
        c.uuid('id', { primary: true }),
        c.str('change_order_no', 32),
        c.uuid('order_id'),
        c.str('status', 24),
        c.actor('customer_manager'),
        c.text('description', { nullable: false }),
        c.bool('platform_change'),
        c.bool('ap_scope_change'),
        c.uuid('ap_partner_id', { nullable: true }),
        c.int('account_delta'),
        c.text('modules'),
        c.amount('amount_delta', { nullable: true }),
        c.day('effective_date', { nullable: true }),
        ...orderCommon,
      ],
      [
        idx('change_order', 'UQ_change_order_no', ['change_order_no'], true),
        idx('change_order', 'IDX_change_order_order', ['order_id', 'created_at']),
        idx('change_order', 'IDX_change_order_status', ['status', 'created_at']),
      ],
      [fk(['order_id'], 'business_order'), fk(['ap_partner_id'], 'ap_partner')],
    );

    await create(
      'revenue_contract',
      [
        c.uuid('id', { primary: true }),
        c.str('contract_no', 32),
        c.str('kind', 16),
        c.uuid('order_id'),
        c.uuid('change_order_id', { nullable: true }),
        c.uuid('parent_contract_id', { nullable: true }),
        c.str('status', 24),
        c.str('title', 300),
        c.amount('amount'),
        c.int('term_months', { nullable: true }),
        c.text('note'),
        c.day('signed_date', { nullable: true }),
        c.str('countersign_form_no', 32, { nullable: true }),
        c.text('rejection_reason'),
        c.int('current_version'),
        c.actor('created_by'),
        ...stamps,
      ],
      [
        idx('revenue_contract', 'UQ_revenue_contract_no', ['contract_no'], true),
        idx('revenue_contract', 'IDX_revenue_contract_order', ['order_id']),
        idx('revenue_contract', 'IDX_revenue_contract_parent', ['parent_contract_id']),
        idx('revenue_contract', 'UQ_revenue_contract_change', ['change_order_id'], true),
      ],
      [fk(['order_id'], 'business_order'), fk(['change_order_id'], 'change_order'), fk(['parent_contract_id'], 'revenue_contract')],
    );
    await create(
      'expense_contract',
      [
        c.uuid('id', { primary: true }),
        c.str('contract_no', 32),
        c.str('kind', 16),
        c.uuid('order_id'),
        c.uuid('change_order_id', { nullable: true }),
        c.uuid('parent_contract_id', { nullable: true }),
        c.uuid('ap_partner_id'),
        c.str('status', 32),
        c.str('title', 300),
        c.amount('amount'),
        c.text('note'),
        c.str('countersign_form_no', 32, { nullable: true }),
        c.text('rejection_reason'),
        c.at('implementation_requested_at', { nullable: true }),
        c.str('sla_duration', 32, { nullable: true }),
        c.int('current_version'),
        c.actor('created_by'),
        ...stamps,
      ],
      [
        idx('expense_contract', 'UQ_expense_contract_no', ['contract_no'], true),
        idx('expense_contract', 'IDX_expense_contract_order', ['order_id']),
        idx('expense_contract', 'IDX_expense_contract_ap', ['ap_partner_id', 'created_at']),
        idx('expense_contract', 'UQ_expense_contract_change', ['change_order_id'], true),
      ],
      [
        fk(['order_id'], 'business_order'),
        fk(['change_order_id'], 'change_order'),
        fk(['parent_contract_id'], 'expense_contract'),
        fk(['ap_partner_id'], 'ap_partner'),
      ],
    );
    await create(
      'countersign_round',
      [
        c.uuid('id', { primary: true }),
        c.str('contract_type', 16),
        c.uuid('contract_id'),
        c.str('contract_no', 32),
        c.str('order_no', 32, { nullable: true }),
        c.int('round_no'),
        c.key('process_instance_key', { nullable: true }),
        c.int('contract_version'),
        c.str('status', 16),
        c.text('rejection_reason'),
        c.at('opened_at'),
        c.at('closed_at', { nullable: true }),
      ],
      [
        idx('countersign_round', 'UQ_countersign_round_no', ['contract_type', 'contract_id', 'round_no'], true),
        idx('countersign_round', 'UQ_countersign_round_pik', ['process_instance_key'], true),
      ],
    );
    await create(
      'countersign_decision',
      [
        c.uuid('id', { primary: true }),
        c.uuid('round_id'),
        c.str('step', 16),
        c.str('decision', 16),
        c.text('opinion'),
        c.actor('actor'),
        c.at('decided_at'),
      ],
      [idx('countersign_decision', 'UQ_countersign_decision_step', ['round_id', 'step'], true)],
      [fk(['round_id'], 'countersign_round')],
    );
    await create(
      'countersign_form',
      [
        c.uuid('id', { primary: true }),
        c.str('form_no', 32),
        c.str('contract_type', 16),
        c.uuid('contract_id'),
        c.uuid('round_id'),
        c.int('current_version'),
        c.actor('issued_by'),
        c.at('issued_at'),
      ],
      [
        idx('countersign_form', 'UQ_countersign_form_no', ['form_no'], true),
        idx('countersign_form', 'UQ_countersign_form_round', ['round_id'], true),
        idx('countersign_form', 'IDX_countersign_form_contract', ['contract_type', 'contract_id']),
      ],
      [fk(['round_id'], 'countersign_round')],
    );

    await create(
      'collaboration_task_order',
      [
        c.uuid('id', { primary: true }),
        c.str('task_order_no', 32),
        c.uuid('order_id'),
        c.uuid('change_order_id', { nullable: true }),
        c.str('status', 16),
        c.text('request', { nullable: false }),
        c.actor('issued_by'),
        c.at('issued_at'),
        c.at('updated_at'),
      ],
      [
        idx('collaboration_task_order', 'UQ_collaboration_task_order_no', ['task_order_no'], true),
        idx('collaboration_task_order', 'IDX_collaboration_task_order_order', ['order_id']),
      ],
      [fk(['order_id'], 'business_order'), fk(['change_order_id'], 'change_order')],
    );
    await create(
      'collaboration_task_order_event',
      [
        c.uuid('id', { primary: true }),
        c.uuid('task_order_id'),
        c.int('seq'),
        c.str('kind', 16),
        c.text('text'),
        c.iso('configured_at', { nullable: true }),
        c.actor('actor'),
        c.at('at'),
      ],
      [idx('collaboration_task_order_event', 'UQ_task_order_event_seq', ['task_order_id', 'seq'], true)],
      [fk(['task_order_id'], 'collaboration_task_order')],
    );
    await create(
      'payment_basis',
      [
        c.uuid('id', { primary: true }),
        c.str('payment_basis_no', 32),
        c.uuid('expense_contract_id'),
        c.uuid('ap_partner_id'),
        c.str('status', 16),
        c.str('external_ref', 128, { nullable: true }),
        c.int('current_version'),
        c.actor('submitted_by'),
        c.at('submitted_at'),
        c.at('updated_at'),
      ],
      [
        idx('payment_basis', 'UQ_payment_basis_no', ['payment_basis_no'], true),
        idx('payment_basis', 'UQ_payment_basis_contract', ['expense_contract_id'], true),
        idx('payment_basis', 'UQ_payment_basis_ext_ref', ['ap_partner_id', 'external_ref'], true),
      ],
      [fk(['expense_contract_id'], 'expense_contract'), fk(['ap_partner_id'], 'ap_partner')],
    );
    await create(
      'payment_basis_check',
      [
        c.uuid('id', { primary: true }),
        c.uuid('payment_basis_id'),
        c.int('payment_basis_version'),
        c.str('decision', 16),
        c.text('opinion'),
        c.actor('actor'),
        c.at('checked_at'),
      ],
      [idx('payment_basis_check', 'UQ_payment_basis_check_version', ['payment_basis_id', 'payment_basis_version'], true)],
      [fk(['payment_basis_id'], 'payment_basis')],
    );
    await create(
      'service_request',
      [
        c.uuid('id', { primary: true }),
        c.str('request_no', 32),
        c.uuid('customer_id'),
        c.uuid('order_id', { nullable: true }),
        c.uuid('revenue_contract_id', { nullable: true }),
        c.str('request_type', 16),
        c.str('status', 16),
        c.text('description', { nullable: false }),
        c.actor('customer_manager'),
        c.actor('reported_by'),
        c.text('resolution'),
        c.actor('handled_by', { nullable: true }),
        c.iso('handled_at', { nullable: true }),
        c.uuid('communication_record_id', { nullable: true }),
        c.key('process_instance_key', { nullable: true }),
        c.at('closed_at', { nullable: true }),
        ...stamps,
      ],
      [
        idx('service_request', 'UQ_service_request_no', ['request_no'], true),
        idx('service_request', 'IDX_service_request_customer', ['customer_id', 'created_at']),
        idx('service_request', 'IDX_service_request_status', ['status', 'created_at']),
      ],
      [fk(['customer_id'], 'customer'), fk(['order_id'], 'business_order'), fk(['revenue_contract_id'], 'revenue_contract')],
    );
    await create(
      'customer_communication_record',
      [
        c.uuid('id', { primary: true }),
        c.str('record_no', 32),
        c.uuid('customer_id'),
        c.uuid('order_id', { nullable: true }),
        c.uuid('change_order_id', { nullable: true }),
        c.uuid('service_request_id', { nullable: true }),
        c.str('occasion', 16),
        c.int('current_version'),
        c.actor('filed_by'),
        c.at('filed_at'),
        c.at('updated_at'),
      ],
      [
        idx('customer_communication_record', 'UQ_customer_communication_record_no', ['record_no'], true),
        idx('customer_communication_record', 'IDX_communication_record_customer', ['customer_id', 'filed_at']),
        idx('customer_communication_record', 'IDX_communication_record_order', ['order_id']),
      ],
      [
        fk(['customer_id'], 'customer'),
        fk(['order_id'], 'business_order'),
        fk(['change_order_id'], 'change_order'),
        fk(['service_request_id'], 'service_request'),
      ],
    );

    await create(
      'account_monitoring_entry',
      [
        c.uuid('id', { primary: true }),
        c.uuid('revenue_contract_id'),
        c.uuid('root_contract_id'),
        c.uuid('order_id'),
        c.uuid('change_order_id', { nullable: true }),
        c.str('kind', 16),
        c.int('accounts'),
        c.day('opening_date', { nullable: true }),
        c.actor('entered_by'),
        c.at('entered_at'),
      ],
      [
        idx('account_monitoring_entry', 'UQ_account_monitoring_contract', ['revenue_contract_id'], true),
        idx('account_monitoring_entry', 'IDX_account_monitoring_root', ['root_contract_id']),
      ],
      [
        fk(['revenue_contract_id'], 'revenue_contract'),
        fk(['root_contract_id'], 'revenue_contract'),
        fk(['order_id'], 'business_order'),
        fk(['change_order_id'], 'change_order'),
      ],
    );
    await create(
      'account_usage_monthly',
      [
        c.uuid('id', { primary: true }),
        c.uuid('revenue_contract_id'),
        c.str('month', 7),
        c.int('opened_accounts'),
        c.int('active_accounts'),
        c.str('source', 64),
        c.actor('recorded_by'),
        c.at('recorded_at'),
        c.at('updated_at'),
      ],
      [idx('account_usage_monthly', 'UQ_account_usage_contract_month', ['revenue_contract_id', 'month'], true)],
      [fk(['revenue_contract_id'], 'revenue_contract')],
    );
    await create(
      'monthly_report',
      [
        c.uuid('id', { primary: true }),
        c.str('month', 7),
        c.int('version'),
        c.str('status', 16),
        c.text('rows', { nullable: false }),
        c.text('totals', { nullable: false }),
        c.text('note'),
        c.key('process_instance_key', { nullable: true }),
        c.actor('generated_by'),
        c.at('generated_at'),
        c.actor('published_by', { nullable: true }),
        c.at('published_at', { nullable: true }),
      ],
      [idx('monthly_report', 'UQ_monthly_report_month_version', ['month', 'version'], true)],
    );

    await create(
      'calendar_day',
      [c.str('date', 10, { primary: true }), c.int('year'), c.str('kind', 16), c.str('name', 100, { nullable: true })],
      [idx('calendar_day', 'IDX_calendar_day_year', ['year'])],
    );
    await create('calendar_year', [
      c.int('year', { primary: true }),
      c.bool('published'),
      c.str('source', 64),
      c.text('note'),
      c.actor('updated_by'),
      c.at('updated_at'),
    ]);
    await create('document_sequence', [
      c.str('document_type', 40, { primary: true }),
      c.int('year', { primary: true }),
      c.int('last_value'),
    ]);
    await create(
      'audit_log',
      [
        c.uuid('id', { primary: true }),
        c.at('at'),
        c.actor('actor'),
        c.str('action', 80),
        c.str('entity_type', 48),
        c.str('entity_id', 64),
        c.text('reason'),
        c.text('details'),
      ],
      [
        idx('audit_log', 'IDX_audit_log_entity', ['entity_type', 'entity_id', 'at']),
        idx('audit_log', 'IDX_audit_log_at', ['at']),
        idx('audit_log', 'IDX_audit_log_actor', ['actor', 'at']),
      ],
    );
    await create(
      'record_version',
      [
        c.uuid('id', { primary: true }),
        c.str('record_type', 48),
        c.uuid('record_id'),
        c.int('version'),
        c.text('content', { nullable: false }),
        c.actor('actor'),
        c.at('at'),
        c.text('reason'),
      ],
      [idx('record_version', 'UQ_record_version', ['record_type', 'record_id', 'version'], true)],
    );
    await create(
      'process_command_outbox',
      [
        c.uuid('id', { primary: true }),
        c.str('kind', 32),
        c.str('dedupe_key', 191),
        c.text('payload', { nullable: false }),
        c.at('created_at'),
        c.at('next_attempt_at'),
        c.at('claimed_until', { nullable: true }),
        c.at('dispatched_at', { nullable: true }),
        c.int('attempts'),
        c.text('last_error'),
        c.text('result'),
      ],
      [
        idx('process_command_outbox', 'UQ_process_command_dedupe', ['dedupe_key'], true),
        idx('process_command_outbox', 'IDX_process_command_pending', ['dispatched_at', 'next_attempt_at']),
      ],
    );
    await create(
      'notification_outbox',
      [
        c.uuid('id', { primary: true }),
        c.str('dedupe_key', 191),
        c.str('recipient_role', 32, { nullable: true }),
        c.actor('recipient_user', { nullable: true }),
        c.str('template', 80),
        c.text('refs', { nullable: false }),
        c.at('created_at'),
        c.at('sent_at', { nullable: true }),
        c.int('attempts'),
        c.text('last_error'),
      ],
      [
        idx('notification_outbox', 'UQ_notification_dedupe', ['dedupe_key'], true),
        idx('notification_outbox', 'IDX_notification_pending', ['sent_at', 'created_at']),
        idx('notification_outbox', 'IDX_notification_user', ['recipient_user', 'created_at']),
        idx('notification_outbox', 'IDX_notification_role', ['recipient_role', 'created_at']),
      ],
    );
    await create('processed_job', [
      c.str('job_type', 80, { primary: true }),
      c.str('idempotency_key', 160, { primary: true }),
      c.text('result'),
      c.at('processed_at'),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'processed_job',
      'notification_outbox',
      'process_command_outbox',
      'record_version',
      'audit_log',
      'document_sequence',
      'calendar_year',
      'calendar_day',
      'monthly_report',
      'account_usage_monthly',
      'account_monitoring_entry',
      'customer_communication_record',
      'service_request',
      'payment_basis_check',
      'payment_basis',
      'collaboration_task_order_event',
      'collaboration_task_order',
      'countersign_form',
      'countersign_decision',
      'countersign_round',
      'expense_contract',
      'revenue_contract',
      'change_order',
      'business_order',
      'app_user',
      'ap_partner',
      'customer',
    ]) {
      await q.dropTable(t, true);
    }
  }
}
