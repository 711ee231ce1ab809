/**
 * An order made stuck by a real incident, as it happens in production: the customer's confirmation is
 * completed outside the workbench (Tasklist, a script) straight through the user-task REST API with a
 * value the form would not give (`"confirmed"` instead of `"CONFIRMED"`); the worker of
 * record-customer-decision checks its variables and fails the job with no retries left, with the reason.
 */
import type { E2E } from '../process/support/system';
import * as d from '../process/support/driver';

export const STUCK_ELEMENT = 'record-customer-decision';
/** its name in the model, as the 运维 pages show it */
export const STUCK_NAME = '记录客户确认结果';

export async function stuckOrder(
  e: E2E,
): Promise<{ order: d.Order; processInstanceKey: string; incidentKey: string; errorMessage: string }> {
  const order = await d.createOrder(e);
  const processInstanceKey = await d.orderInstanceKey(e, order.id);
  const taskKey = await d.waitFor(async () => {
    const r = await e.rest('POST', '/v2/user-tasks/search', {
      filter: { processInstanceKey, elementId: 'confirm-order-with-customer', state: 'CREATED' },
    });
    return r.body.items[0]?.userTaskKey as string | undefined;
  }, 'the confirmation task');
  const done = await e.rest('POST', `/v2/user-tasks/${taskKey}/completion`, {
    variables: { customerDecision: 'confirmed', customerFeedback: '客户已确认' },
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
