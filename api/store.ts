/**
 * The ApiStore over domain/ and db/: every write goes through a domain service (one transaction with
 * its version, audit row and outbox command); this module maps the routes' inputs to those services
 * and the entities to the JSON of the API (api/schemas.ts), adding the joins a reader needs (customer
 * name, contract and order numbers, countersign rounds, usage per month).
 */
import { In, type DataSource } from 'typeorm';
import { CustomerEntity, type Customer } from '../db/entities/index';
import type { WriteContext } from '../domain/audit';
import * as contracts from '../domain/contracts';
import { systemClock, type Clock } from '../domain/clock';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../domain/idempotency';
import { checkCorrection } from './correction-check';
import type { Actor, ApiStore } from './services';
import type { StoreDeps } from './store-kernel';
import { ordersStore } from './orders/store';
import { changeOrdersStore } from './change-orders/store';
import { contractsStore } from './contracts/store';
import { countersignStore } from './countersign/store';
import { collaborationTaskOrdersStore } from './collaboration-task-orders/store';
import { paymentBasesStore } from './payment-bases/store';
import { communicationRecordsStore } from './communication-records/store';
import { accountMonitoringStore } from './account-monitoring/store';
import { serviceRequestsStore } from './service-requests/store';
import { workingCalendarStore } from './working-calendar/store';
import { recordsStore } from './records/store';

/** `clock`: the business clock of every write (record times, numbering years) */
export function createStore(ds: DataSource, clock: Clock = systemClock): ApiStore {
  const m = ds.manager;
  const ctxOf = (actor: Actor, reason: string | null = null): WriteContext => ({ actor: actor.username, reason, at: clock.now() });

  async function customersById(ids: string[]): Promise<Map<string, Customer>> {
    const uniq = [...new Set(ids)];
    if (!uniq.length) return new Map();
    const rows = await m.getRepository(CustomerEntity).findBy({ id: In(uniq) });
    return new Map(rows.map((c) => [c.id, c]));
  }

  async function findContract(id: string) {
    const c = await contracts.getContract(ds, id);
    return c ? { c, type: c.type } : null;
  }
  const deps: StoreDeps = { ds, m, ctxOf, customersById, findContract, checkCorrection };

  return {
    idempotency: {
      claim: (req) => claimIdempotencyKey(ds, req, () => new Date()),
      complete: (req, status, body, headers) => completeIdempotencyKey(ds, req, status, body, headers, () => new Date()),
      release: (req) => releaseIdempotencyKey(ds, req),
    },
    ...ordersStore(deps),
    ...changeOrdersStore(deps),
    ...contractsStore(deps),
    ...countersignStore(deps),
    ...collaborationTaskOrdersStore(deps),
    ...paymentBasesStore(deps),
    ...communicationRecordsStore(deps),
    ...accountMonitoringStore(deps),
    ...serviceRequestsStore(deps),
    ...workingCalendarStore(deps),
    ...recordsStore(deps),
  };
}
