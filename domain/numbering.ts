/**
 * Document numbers `<PREFIX>-<YEAR>-<SEQ>` (vocabulary DOCUMENT_TYPE), per type and year, unique and
 * gap-free.
 *
 * nextNumber runs INSIDE the caller's transaction, so the number and the record that carries it commit
 * or roll back together (a rolled-back transaction leaves no gap):
 * - MySQL/MariaDB: ONE statement, `INSERT … VALUES (…, LAST_INSERT_ID(n)) ON DUPLICATE KEY UPDATE
 *   last_value = LAST_INSERT_ID(last_value + n)`: it takes the exclusive row lock on
 *   document_sequence(type, year) (creating the row on first use) and puts the new value in the OK
 *   packet's insert id (LAST_INSERT_ID(expr) sets it for this statement, on the insert and on the
 *   duplicate-key path alike), so the value is read without a second round trip under the lock. Other
 *   allocations of the same type and year wait until the caller commits or rolls back. (An INSERT IGNORE
 *   + SELECT FOR UPDATE pair would deadlock on first use: concurrent shared locks on the new row cannot
 *   all be upgraded.)
 * - SQLite: one writer at a time (db/transaction.ts serialises transactions in-process; the file lock
 *   and busy_timeout across processes), so an upsert `… RETURNING last_value` is enough.
 */
import type { EntityManager } from 'typeorm';
import { isMysql } from '../db/transaction';
import { DOCUMENT_TYPE, type DocumentType } from './vocabulary';

export function formatNumber(documentType: DocumentType, year: number, seq: number): string {
  const t = DOCUMENT_TYPE[documentType];
  if (!t) throw new Error(`unknown document type ${documentType}`);
  return `${t.prefix}-${year}-${String(seq).padStart(t.width, '0')}`;
}

/** inverse of formatNumber: { prefix, year, seq } or null */
export function parseNumber(no: string): { documentType: DocumentType; year: number; seq: number } | null {
  for (const [type, t] of Object.entries(DOCUMENT_TYPE) as [DocumentType, { prefix: string; width: number }][]) {
    const m = new RegExp(`^${t.prefix}-(\\d{4})-(\\d{${t.width},})$`).exec(no);
    if (m) return { documentType: type, year: Number(m[1]), seq: Number(m[2]) };
  }
  return null;
}

/**
 * Allocates the next sequence value; the caller's EntityManager must be inside a transaction.
 * count > 1 allocates a block of consecutive values at once (group commit, db/group-commit.ts) and
 * returns its LAST value: the block is last - count + 1 … last.
 */
export async function nextSequence(em: EntityManager, documentType: DocumentType, year: number, count = 1): Promise<number> {
  if (!(documentType in DOCUMENT_TYPE)) throw new Error(`unknown document type ${documentType}`);
  if (!Number.isInteger(count) || count < 1) throw new Error(`bad count ${count}`);
  if (!Number.isInteger(year) || year < 2000 || year > 9999) throw new Error(`bad year ${year}`);
  if (!em.queryRunner?.isTransactionActive) {
    throw new Error('nextNumber must run inside the transaction that stores the numbered record');
  }
  let v: number;
  if (isMysql(em.connection)) {
    // em.query answers an INSERT with mysql2's ResultSetHeader (MysqlQueryRunner returns the raw result)
    const ok: { insertId?: number | string } = await em.query(
      'INSERT INTO document_sequence (document_type, year, last_value) VALUES (?, ?, LAST_INSERT_ID(?)) ' +
        'ON DUPLICATE KEY UPDATE last_value = LAST_INSERT_ID(last_value + ?)',
      [documentType, year, count, count],
    );
    v = Number(ok?.insertId);
  } else {
    const rows: { last_value: number | string }[] = await em.query(
      'INSERT INTO document_sequence (document_type, year, last_value) VALUES (?, ?, ?) ' +
        'ON CONFLICT (document_type, year) DO UPDATE SET last_value = last_value + ? RETURNING last_value',
      [documentType, year, count, count],
    );
    v = Number(rows[0]?.last_value);
  }
  if (!Number.isInteger(v) || v < count) throw new Error(`sequence ${documentType}/${year} unreadable`);
  return v;
}

/** e.g. nextNumber(em, 'business-order', 2026) → 'YW-2026-000123' (year: the Asia/Shanghai year of the write's business time) */
export async function nextNumber(em: EntityManager, documentType: DocumentType, year: number): Promise<string> {
  return formatNumber(documentType, year, await nextSequence(em, documentType, year));
}
