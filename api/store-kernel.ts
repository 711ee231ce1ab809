/**
 * What every slice's store shares: the data source, the business clock's write context and the reads
 * several slices join (customers, contracts). Part of the api/ kernel; createStore (store.ts) builds it.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { Customer, ExpenseContract, RevenueContract, VersionedRecordType } from '../db/entities/index';
import type { WriteContext } from '../domain/audit';
import type { ContractType } from '../domain/vocabulary';
import type { Actor } from './auth';
import type { RecordVersionDto } from './common-schemas';

export interface StoreDeps {
  ds: DataSource;
  m: EntityManager;
  ctxOf: (actor: Actor, reason?: string | null) => WriteContext;
  customersById: (ids: string[]) => Promise<Map<string, Customer>>;
  findContract: (id: string) => Promise<{ c: RevenueContract | ExpenseContract; type: ContractType } | null>;
  /** the check of a §9 correction on the corrected whole (api/correction-check.ts, which reads every slice's creation schema) */
  checkCorrection: (
    kind: VersionedRecordType,
  ) => (em: EntityManager, header: Record<string, unknown>, content: Record<string, unknown>) => Promise<void>;
}

/** a time as the API writes it; a time the record always has stays a string */
export function iso(d: Date): string;
export function iso(d: Date | null | undefined): string | null;
export function iso(d: Date | null | undefined): string | null {
  return d ? new Date(d).toISOString() : null;
}

export const versionDto = (v: {
  version: number;
  actor: string;
  at: Date;
  reason: string | null;
  content: Record<string, unknown>;
}): RecordVersionDto => ({
  version: v.version,
  actor: v.actor,
  at: iso(v.at),
  reason: v.reason ?? '',
  data: v.content,
});
