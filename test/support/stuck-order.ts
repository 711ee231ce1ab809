/**
 * An order made stuck by a real incident, as it happens in production: after a rejected countersign the
 * revision of the contract (修改协议) is completed outside the workbench (Tasklist, a script) straight
 * through the user-task REST API with a value the form would not give (a negative amount); the worker of
 * apply-revenue-contract-revision checks its variables and fails the job with no retries left, with the
 * reason. (A recording that runs as a user task's completing listener denies such a completion instead:
 * the task stays open and no incident arises, so the stuck step is a service task that stays one.)
 */
import type { E2E } from '../process/support/system';
import * as d from '../process/support/driver';

export const STUCK_ELEMENT = 'apply-revenue-contract-revision';
/** its name in the model, as the 运维 pages show it */
export const STUCK_NAME = '更新收入合同';
/** the variable the incident's message names, its wrong value (JSON text) and the correction */
export const STUCK_VARIABLE = 'contractAmount';
export const STUCK_VALUE = '-5';
export const FIXED_VALUE = '3800';
/** where the instance goes once repaired: the revised contract to the next countersign round */
export const NEXT_ELEMENT = 'countersign-revenue-contract';
export const NEXT_NAME = '收入合同会签';

export async function stuckOrder(
  e: E2E,
): Promise<{ order: d.Order; processInstanceKey: string; incidentKey: string; errorMessage: string }> {
  const order = await d.createOrder(e);
  const processInstanceKey = await d.orderInstanceKey(e, order.id);
  const no = { orderNo: order.orderNo };
  await d.confirm(e, no);
  await d.draftRevenue(e, no, 4000);
  await d.review(e, 'dept', no, 'REVENUE', 'REJECT');
  const task = await e.api.waitTask(d.CM, 'revise-revenue-contract', no, d.WAIT);
  const done = await e.rest('POST', `/v2/user-tasks/${task.key}/completion`, {
    variables: { revisionDecision: 'REVISE', revisionNote: '金额调整', contractAmount: JSON.parse(STUCK_VALUE), completedBy: d.CM },
  });
  if (done.status !== 204) throw new Error(`completing the task: ${done.status} ${JSON.stringify(done.body)}`);
  const [incident] = await d.waitFor(async () => {
    const inc = await d.activeIncidents(e, processInstanceKey);
    return inc.length ? inc : null;
  }, `an incident on ${STUCK_ELEMENT}`);
  return { order, processInstanceKey, incidentKey: incident.incidentKey, errorMessage: incident.errorMessage };
}

/** the element ids where the instance has an active element instance */
export async function activeElements(e: E2E, processInstanceKey: string): Promise<string[]> {
  const r = await e.rest('POST', '/v2/element-instances/search', { filter: { processInstanceKey, state: 'ACTIVE' } });
  return (r.body.items as { elementId: string }[]).map((x) => x.elementId);
}
