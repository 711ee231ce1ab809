/**
 * THE list of job types and their handlers (architecture.md). It must equal JOB_TYPES of
 * domain/vocabulary.ts (test/workers/registry.test.ts); processes/ asserts the models use exactly JOB_TYPES.
 */
import { JOB, type JobType, RETIRED_JOB, type RetiredJobType } from '../domain/vocabulary';
import type { HandlerDef } from './runtime/job';
import { CHANGE_ORDER_HANDLERS, ORDER_HANDLERS } from './families/orders';
import { REVENUE_CONTRACT_HANDLERS } from './families/revenue-contract';
import { COUNTERSIGN_HANDLERS } from './families/countersign';
import { COLLABORATION_TASK_ORDER_HANDLERS } from './families/collaboration-task-order';
import { EXPENSE_CONTRACT_HANDLERS, RETIRED_EXPENSE_CONTRACT_HANDLERS } from './families/expense-contract';
import { AP_ISSUE_HANDLERS } from './families/ap-issue';
import { ACCOUNT_MONITORING_HANDLERS } from './families/account-monitoring';
import { COMPLETION_HANDLERS, DELIVERY_HANDLERS } from './families/completion';
import { RETIRED_SLA_HANDLERS } from './families/sla';
import { SERVICE_REQUEST_HANDLERS } from './families/service-request';

const FAMILIES: readonly (readonly HandlerDef[])[] = [
  ORDER_HANDLERS,
  CHANGE_ORDER_HANDLERS,
  REVENUE_CONTRACT_HANDLERS,
  COUNTERSIGN_HANDLERS,
  COLLABORATION_TASK_ORDER_HANDLERS,
  EXPENSE_CONTRACT_HANDLERS,
  AP_ISSUE_HANDLERS,
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

/**
 * Job types renamed to the one vocabulary (issue #16), old name → new. A process instance keeps the
 * process version it started with, so instances started before the upgrade still create jobs of the old
 * types; for one release the workers take those too, with the same handler (startWorkers, unless
 * WORKER_RENAMED_JOB_TYPES=false). docs/admins.md "Upgrading" says when the list can go.
 */
export const RENAMED_JOB_TYPES: Readonly<Record<string, JobType | RetiredJobType>> = {
  'tech-config.issue-task-order': JOB.collaborationTaskOrderIssue,
  'tech-config.record-reply': JOB.collaborationTaskOrderRecordReply,
  'tech-config.record-acceptance': JOB.collaborationTaskOrderRecordAcceptance,
  'ap-contract.draft': JOB.expenseContractDraft,
  'ap-contract.draft-supplement': JOB.expenseContractDraftSupplement,
  'ap-contract.revise': JOB.expenseContractApplyRevision,
  // its model has the service task with the error boundary: the retired handler, which throws the BPMN error
  'ap-contract.send-implementation-request': RETIRED_JOB.expenseContractSendImplementationRequest,
  'ap-contract.remind-sla': JOB.expenseContractRemindSla,
  'ap-contract.record-payment-basis-check': JOB.expenseContractRecordPaymentBasisCheck,
  'revenue-contract.draft': JOB.revenueContractRegister,
  'revenue-contract.draft-supplement': JOB.revenueContractRegisterSupplement,
  'revenue-contract.revise': JOB.revenueContractApplyRevision,
};

/** the retired job types' handlers (domain/vocabulary.ts RETIRED_JOB): only instances of older process versions create them */
const RETIRED_HANDLERS: readonly HandlerDef[] = [...RETIRED_SLA_HANDLERS, ...RETIRED_EXPENSE_CONTRACT_HANDLERS];

/**
 * The handlers of the job types only instances of older process versions create: each old name in
 * RENAMED_JOB_TYPES under its old type, and the retired types (domain/vocabulary.ts RETIRED_JOB).
 */
export function oldVersionJobTypeHandlers(): readonly HandlerDef[] {
  const byType = new Map<string, HandlerDef>([...Object.entries(REGISTRY), ...RETIRED_HANDLERS.map((h) => [h.type, h] as const)]);
  // the old type names the worker subscribes to; the handler is the one of the type it was renamed to
  const renamed = Object.entries(RENAMED_JOB_TYPES).map(([old, current]) => ({ ...byType.get(current)!, type: old as JobType }));
  return [...renamed, ...RETIRED_HANDLERS];
}
