/**
 * THE list of job types and their handlers (architecture.md). It must equal JOB_TYPES of
 * domain/vocabulary.ts (test/workers/registry.test.ts); processes/ asserts the models use exactly JOB_TYPES.
 */
import type { JobType } from '../domain/vocabulary';
import type { HandlerDef } from './runtime/job';
import { CHANGE_ORDER_HANDLERS, ORDER_HANDLERS } from './families/orders';
import { REVENUE_CONTRACT_HANDLERS } from './families/revenue-contract';
import { COUNTERSIGN_HANDLERS } from './families/countersign';
import { TECH_CONFIG_HANDLERS } from './families/tech-config';
import { AP_CONTRACT_HANDLERS } from './families/ap-contract';
import { ACCOUNT_MONITORING_HANDLERS } from './families/account-monitoring';
import { COMPLETION_HANDLERS, DELIVERY_HANDLERS } from './families/completion';
import { SERVICE_REQUEST_HANDLERS } from './families/service-request';

const FAMILIES: readonly (readonly HandlerDef[])[] = [
  ORDER_HANDLERS,
  CHANGE_ORDER_HANDLERS,
  REVENUE_CONTRACT_HANDLERS,
  COUNTERSIGN_HANDLERS,
  TECH_CONFIG_HANDLERS,
  AP_CONTRACT_HANDLERS,
  ACCOUNT_MONITORING_HANDLERS,
  DELIVERY_HANDLERS,
  COMPLETION_HANDLERS,
  SERVICE_REQUEST_HANDLERS,
];

function build(): Readonly<Record<JobType, HandlerDef>> {
  const out: Partial<Record<JobType, HandlerDef>> = {};
  for (const family of FAMILIES) {
    for (const def of family) {
      if (out[def.type]) throw new Error(`job type ${def.type} registered twice`);
      out[def.type] = def;
    }
  }
  return out as Record<JobType, HandlerDef>;
}

export const REGISTRY = build();

/** the handler of a job type (undefined for an unknown type) */
export function handlerFor(type: string): HandlerDef | undefined {
  return (REGISTRY as Record<string, HandlerDef>)[type];
}
