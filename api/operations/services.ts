/**
 * The operations services, beside ApiServices (as the workbench's): the REST v2 calls of engine.ts and
 * the audit row of each action, written through domain/audit.ts with the business clock.
 */
import type { DataSource } from 'typeorm';
import { inTransaction } from '../../db/transaction';
import { audit } from '../../domain/audit';
import type { Clock } from '../../domain/clock';
import { ProblemError } from '../problem';
import type { ApiServices, Actor } from '../services';
import { createOperationsEngine, type Headers, type OperationsEngine } from './engine';

export interface OperationsServices {
  engine: OperationsEngine;
  /** one audit row on the process instance: who, when (business clock), why, what */
  audit(actor: Actor, action: string, processInstanceKey: string, reason: string, details: Record<string, unknown>): Promise<void>;
}
export type ServicesWithOperations = ApiServices & { operations?: OperationsServices };

export function createOperations(ds: DataSource, restAddress: string, opts: { headers?: Headers; clock?: Clock } = {}): OperationsServices {
  const now = () => opts.clock?.now() ?? new Date();
  return {
    engine: createOperationsEngine(restAddress, opts.headers),
    async audit(actor, action, processInstanceKey, reason, details) {
      await inTransaction(ds, (em) =>
        audit(em, { actor: actor.username, reason, at: now() }, action, 'process-instance', processInstanceKey, details),
      );
    },
  };
}

export function operationsOf(services: ApiServices): OperationsServices {
  const o = (services as ServicesWithOperations).operations;
  if (!o) throw new ProblemError(503, 'engine-unavailable', 'Service unavailable', 'no process engine is configured for operations');
  return o;
}
