/**
 * Who completed the user task whose decision a recording job writes down.
 *
 * Order (process-contract.md, Conventions): the `completedBy` variable (set by the API when it completes a
 * task on a user's behalf); otherwise the assignee of the completed user task, looked up through the
 * orchestration REST API v2 (`POST /v2/user-tasks/search` by processInstanceKey + elementId, state
 * COMPLETED); otherwise "tasklist", with a note saying the actor could not be resolved.
 * On a user-task listener's job (runtime/listener.ts) the task is not completed yet: its assignee comes
 * with the job (header io.camunda.zeebe:assignee) and no search is made.
 */
import type { UserTaskSearch } from '../../platform/camunda/rest';
import { isLastDelivery } from '../../platform/retry';
import { USER_TASK_ASSIGNEE_HEADER, USER_TASK_KEY_HEADER } from './listener';

export interface ResolvedActor {
  readonly actor: string;
  /** how the actor was found; a note when it is only the fallback */
  readonly source: 'completedBy' | 'user-task-search' | 'task-assignee' | 'fallback';
  readonly note?: string;
}

export interface TaskActorResolver {
  /**
   * assignee of the most recently completed user task `userTaskElementId` in the instance (or, with
   * null, of the most recently completed user task of the instance), or null
   */
  resolveAssignee(processInstanceKey: string, userTaskElementId: string | null): Promise<string | null>;
}

export const FALLBACK_ACTOR = 'tasklist';

/** recording service task id → the user task it follows (process-contract.md) */
export const USER_TASK_BEFORE: Readonly<Record<string, string>> = {
  'record-customer-decision': 'confirm-order-with-customer',
  'apply-order-revision': 'revise-order',
  'register-revenue-contract': 'draft-revenue-contract',
  'apply-revenue-contract-revision': 'revise-revenue-contract',
  'record-revenue-contract-signing': 'sign-revenue-contract',
  'record-configuration-reply': 'configure-platform',
  'record-configuration-acceptance': 'accept-configuration',
  'apply-expense-contract-revision': 'revise-expense-contract',
  'record-ap-issue-resolution': 'resolve-ap-issue',
  'record-payment-basis-check': 'check-payment-basis',
  'record-delivery': 'deliver-to-customer',
  'record-completion': 'file-completion-record',
  'record-dept-manager-decision': 'dept-manager-review',
  'record-center-decision': 'center-review',
  'publish-monthly-report': 'review-monthly-report',
  'close-service-request': 'file-communication-record',
};

export class RestTaskActorResolver implements TaskActorResolver {
  constructor(private readonly search: UserTaskSearch) {}

  async resolveAssignee(processInstanceKey: string, userTaskElementId: string | null): Promise<string | null> {
    const res = await this.search({
      filter: { processInstanceKey, ...(userTaskElementId ? { elementId: userTaskElementId } : {}), state: 'COMPLETED' },
      sort: [{ field: 'completionDate', order: 'DESC' }],
      page: { from: 0, limit: 5 },
    });
    const items = [...(res.items ?? [])].sort((a, b) => String(b.completionDate ?? '').localeCompare(String(a.completionDate ?? '')));
    const assignee = items[0]?.assignee;
    return typeof assignee === 'string' && assignee.length > 0 ? assignee : null;
  }
}

export const noTaskActorResolver: TaskActorResolver = { resolveAssignee: async () => null };

export async function resolveActor(
  resolver: TaskActorResolver,
  job: {
    processInstanceKey: string;
    retries: number;
    elementId: string;
    customHeaders: Readonly<Record<string, string>>;
    variables: { completedBy?: unknown };
  },
  fallbackUserTaskElementId: string | null = null,
): Promise<ResolvedActor> {
  // the user task whose decision this job records: header `userTaskId` on the service task, else the
  // known predecessor of this service task (process-contract.md), else the latest completed user task
  const userTaskElementId = job.customHeaders.userTaskId ?? USER_TASK_BEFORE[job.elementId] ?? fallbackUserTaskElementId ?? null;
  const completedBy = job.variables.completedBy;
  if (typeof completedBy === 'string' && completedBy.trim() !== '') {
    return { actor: completedBy.trim(), source: 'completedBy' };
  }
  if (job.customHeaders[USER_TASK_KEY_HEADER] !== undefined) {
    const assignee = job.customHeaders[USER_TASK_ASSIGNEE_HEADER]?.trim();
    if (assignee) return { actor: assignee, source: 'task-assignee' };
    return {
      actor: FALLBACK_ACTOR,
      source: 'fallback',
      note: `actor unknown: no completedBy and no assignee on user task ${job.elementId}`,
    };
  }
  try {
    const assignee = await resolver.resolveAssignee(job.processInstanceKey, userTaskElementId);
    if (assignee) return { actor: assignee, source: 'user-task-search' };
    return {
      actor: FALLBACK_ACTOR,
      source: 'fallback',
      note: `actor unknown: no completedBy and no assignee found for completed user task ${userTaskElementId ?? '(latest)'}`,
    };
  } catch (e) {
    // a transient REST failure is not retried here: the job fails and Zeebe retries it with back-off
    // (platform/retry.ts); only Zeebe's last delivery falls back
    if (!isLastDelivery(job)) throw new Error(`user-task search for ${userTaskElementId} failed: ${(e as Error).message}`);
    return {
      actor: FALLBACK_ACTOR,
      source: 'fallback',
      note: `actor unknown: user-task search for ${userTaskElementId} failed (${(e as Error).message})`,
    };
  }
}
