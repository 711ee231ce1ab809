import { EntitySchema } from 'typeorm';
import { col } from './columns';

/**
 * Idempotency-Key 幂等键 of the API's creating POSTs (IETF httpapi idempotency-key draft): per caller and
 * key, the fingerprint of the first request and, once it succeeded, its response to replay. Kept at
 * least 24 h (domain/idempotency.ts).
 */
export interface IdempotencyRecord {
  actor: string;
  idempotencyKey: string;
  /** the route's operationId */
  operation: string;
  /** sha-256 of method, path and canonical JSON body */
  fingerprint: string;
  state: 'IN_PROGRESS' | 'DONE';
  responseStatus: number | null;
  /** { body, headers } of the first response */
  response: Record<string, unknown> | null;
  createdAt: Date;
  completedAt: Date | null;
}
export const IdempotencyRecordEntity = new EntitySchema<IdempotencyRecord>({
  name: 'IdempotencyRecord',
  tableName: 'idempotency_key',
  columns: {
    actor: { type: 'varchar', length: 128, primary: true },
    idempotencyKey: { type: 'varchar', length: 128, primary: true },
    operation: col.str(64),
    fingerprint: col.str(64),
    state: col.str(16),
    responseStatus: col.int(true),
    response: col.json(true),
    createdAt: col.at(),
    completedAt: col.at(true),
  },
  indices: [{ name: 'IDX_idempotency_key_created', columns: ['createdAt'] }],
});
