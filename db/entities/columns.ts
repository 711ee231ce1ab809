import type { EntitySchemaColumnOptions, ValueTransformer } from 'typeorm';

/** JSON stored as TEXT on both drivers (portable; MySQL JSON type and SQLite differ). */
export const jsonTransformer: ValueTransformer = {
  to: (v: unknown) => (v === undefined ? undefined : v === null ? null : JSON.stringify(v)),
  from: (v: unknown) => (v === null || v === undefined ? v : typeof v === 'string' ? JSON.parse(v) : v),
};

/** DECIMAL(14,2) amounts: mysql2 returns strings, SQLite numbers; the app sees numbers (yuan, 2 decimals). */
export const decimalTransformer: ValueTransformer = {
  to: (v: unknown) => v,
  from: (v: unknown) => (v === null || v === undefined ? v : Number(v)),
};

export const col = {
  uuidPk: (): EntitySchemaColumnOptions => ({ type: 'varchar', length: 36, primary: true }),
  uuid: (nullable = false): EntitySchemaColumnOptions => ({ type: 'varchar', length: 36, nullable }),
  str: (length: number, nullable = false): EntitySchemaColumnOptions => ({ type: 'varchar', length, nullable }),
  text: (nullable = true): EntitySchemaColumnOptions => ({ type: 'text', nullable }),
  json: (nullable = false): EntitySchemaColumnOptions => ({ type: 'text', nullable, transformer: jsonTransformer }),
  int: (nullable = false): EntitySchemaColumnOptions => ({ type: 'int', nullable }),
  bool: (nullable = false): EntitySchemaColumnOptions => ({ type: 'boolean', nullable }),
  amount: (nullable = true): EntitySchemaColumnOptions => ({
    type: 'decimal',
    precision: 14,
    scale: 2,
    nullable,
    transformer: decimalTransformer,
  }),
  /** instant, UTC, millisecond precision */
  at: (nullable = false): EntitySchemaColumnOptions => ({ type: 'datetime', precision: 3, nullable }),
  /** business day 'YYYY-MM-DD' (Asia/Shanghai) */
  day: (nullable = true): EntitySchemaColumnOptions => ({ type: 'varchar', length: 10, nullable }),
  /** ISO-8601 date-time with offset, e.g. 2026-10-08T23:59:59+08:00 */
  isoTime: (nullable = true): EntitySchemaColumnOptions => ({ type: 'varchar', length: 25, nullable }),
  /** Zeebe keys are int64: kept as decimal strings */
  zeebeKey: (nullable = true): EntitySchemaColumnOptions => ({ type: 'varchar', length: 20, nullable }),
  /** the user name of a person or a system actor such as `system:worker` */
  actor: (nullable = false): EntitySchemaColumnOptions => ({ type: 'varchar', length: 128, nullable }),
};
