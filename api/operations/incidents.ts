/**
 * Repair from the API 故障修复: why an order stands still (the incidents of its process instances, with
 * the engine's message) and a retry after fixing a variable, for admins, without Operate.
 *
 *   GET  /api/orders/:id/incidents      the open incidents of the order's instances: provisioning, the
 *                                       called countersigns and every change of the order
 *   POST /api/incidents/:key/retry      { reason, variables?, retries? } → sets the variables on the failed
 *                                       element's scope (propagated to where they live), gives the job its
 *                                       retries back and resolves the incident; audited with the reason
 *
 * Everything goes through the orchestration cluster REST API v2, the same calls on Camunda 8.9 and
 * engine/: incident and process-instance search, `PUT /v2/element-instances/{key}/variables`,
 * `PATCH /v2/jobs/{key}` (retries) and `POST /v2/incidents/{key}/resolution`. The operations pages
 * (api/operations/) repair through the same port.
 */
import { requestText } from '../../platform/http/request-text';
import { notFound, ProblemError } from '../problem';
import { route, type RouteSpec } from '../route';
import { arrayOf, id, int, named, nullable, obj, str, text } from '../schema';
import { actorOf, type ApiServices } from '../services';

export type { Incident, IncidentPort } from '../incident-port';
import type { Incident, IncidentPort } from '../incident-port';

/** an incident of the REST API v2 as the routes give it */
export const incidentDto = (i: Record<string, unknown>): Incident => ({
  incidentKey: String(i.incidentKey),
  processInstanceKey: String(i.processInstanceKey),
  processDefinitionId: (i.processDefinitionId as string) ?? null,
  elementId: String(i.elementId ?? ''),
  ...(typeof i.elementName === 'string' ? { elementName: i.elementName } : {}),
  elementInstanceKey: i.elementInstanceKey === undefined ? null : String(i.elementInstanceKey),
  jobKey: i.jobKey === undefined || i.jobKey === null ? null : String(i.jobKey),
  errorType: String(i.errorType ?? ''),
  errorMessage: String(i.errorMessage ?? ''),
  state: String(i.state ?? ''),
  creationTime: (i.creationTime as string) ?? null,
});

export function createIncidentPort(
  restBaseUrl: string,
  headers: () => Promise<Record<string, string>> | Record<string, string> = () => ({}),
): IncidentPort {
  const base = restBaseUrl.replace(/\/$/, '');
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await requestText(base + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), accept: 'application/json', ...(await headers()) },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: 10_000,
    }).catch((e: Error) => {
      throw new ProblemError(
        503,
        'engine-unavailable',
        'Service unavailable',
        `the process engine at ${base} does not answer: ${e.message}`,
      );
    });
    return { status: res.status, body: res.text ? JSON.parse(res.text) : undefined };
  }
  return {
    async ofInstances(keys) {
      const all = new Set(keys);
      // the instances they called (countersign), level by level
      for (let level = [...keys]; level.length; ) {
        const r = await call('POST', '/v2/process-instances/search', {
          filter: { parentProcessInstanceKey: { $in: level } },
          page: { limit: 1000 },
        });
        level = ((r.body?.items ?? []) as { processInstanceKey: string }[])
          .map((x) => String(x.processInstanceKey))
          .filter((k) => !all.has(k));
        for (const k of level) all.add(k);
      }
      const found: Incident[] = [];
      for (const pik of all) {
        const r = await call('POST', '/v2/incidents/search', {
          filter: { processInstanceKey: pik, state: 'ACTIVE' },
          page: { limit: 100 },
        });
        if (r.status !== 200) throw new Error(`incident search: engine answered ${r.status}`);
        found.push(...(r.body.items as Record<string, unknown>[]).map(incidentDto));
      }
      return found.sort((a, b) => String(a.creationTime).localeCompare(String(b.creationTime)));
    },
    async get(key) {
      const r = await call('GET', `/v2/incidents/${encodeURIComponent(key)}`);
      if (r.status === 404) return null;
      if (r.status !== 200) throw new Error(`incident ${key}: engine answered ${r.status}`);
      return incidentDto(r.body);
    },
    async retry(incident, variables, retries) {
      const ok = (what: string, r: { status: number; body: unknown }) => {
        if (r.status >= 300)
          throw new ProblemError(409, 'conflict', 'Conflict', `${what} refused by the engine (${r.status}): ${JSON.stringify(r.body)}`);
      };
      if (variables && Object.keys(variables).length) {
        // the failed element first: not local, so a value its input mapping copied there is replaced where it
        // lives; then the instance itself, where the mapping reads it from when the step (or a gateway) runs again
        if (incident.elementInstanceKey)
          ok(
            'setting variables',
            await call('PUT', `/v2/element-instances/${encodeURIComponent(incident.elementInstanceKey)}/variables`, {
              variables,
              local: false,
            }),
          );
        ok(
          'setting variables',
          await call('PUT', `/v2/element-instances/${encodeURIComponent(incident.processInstanceKey)}/variables`, {
            variables,
            local: true,
          }),
        );
      }
      if (incident.jobKey)
        ok('updating job retries', await call('PATCH', `/v2/jobs/${encodeURIComponent(incident.jobKey)}`, { changeset: { retries } }));
      const r = await call('POST', `/v2/incidents/${encodeURIComponent(incident.incidentKey)}/resolution`, {});
      if (r.status >= 300)
        throw new ProblemError(
          409,
          'conflict',
          'Conflict',
          `incident ${incident.incidentKey} could not be resolved: ${JSON.stringify(r.body)}`,
        );
    },
  };
}

function port(services: ApiServices): IncidentPort {
  if (!services.incidents)
    throw new ProblemError(503, 'engine-unavailable', 'Service unavailable', 'no process engine is configured for incidents');
  return services.incidents;
}

const key = str({ pattern: '^[0-9]{1,20}$' });
export const IncidentSchema = named(
  'Incident',
  obj(
    {
      incidentKey: str(),
      processInstanceKey: str(),
      processDefinitionId: nullable(str()),
      elementId: str(),
      elementName: nullable(str({ description: "the element's name in the model" })),
      elementInstanceKey: nullable(str()),
      jobKey: nullable(str()),
      errorType: str(),
      errorMessage: str({ description: "the engine's message: what failed and what to do" }),
      state: str(),
      creationTime: nullable(str()),
    },
    ['incidentKey', 'processInstanceKey', 'elementId', 'errorType', 'errorMessage', 'state'],
  ),
);
const OrderIncidents = named(
  'OrderIncidents',
  obj({ orderId: id(), orderNo: str(), items: arrayOf(IncidentSchema) }, ['orderId', 'orderNo', 'items']),
);
const RetryBody = named(
  'IncidentRetryRequest',
  obj(
    {
      reason: text(2000, { description: 'why (kept in the audit log)' }),
      variables: {
        type: 'object',
        maxProperties: 50,
        description: 'corrected process variables, set on the failed element (propagated to the scope they live in)',
      },
      retries: int(1, 10, { default: 1 }),
    },
    ['reason'],
  ),
);

export const INCIDENT_ROUTES: RouteSpec[] = [
  route<{ id: string }>({
    id: 'listOrderIncidents',
    method: 'get',
    path: '/orders/:id/incidents',
    roles: ['admin'],
    tag: 'incidents',
    summary: { en: "Why an order stands still: the open incidents of its instances, with the engine's message", zh: '查看订单流程故障' },
    params: obj({ id: id() }, ['id']),
    response: { status: 200, schema: OrderIncidents },
    handler: async ({ services, params }) => {
      const order = await services.store.getOrder(params.id);
      if (!order) throw notFound('order', params.id);
      const changes = await services.store.listChangeOrders({ orderId: params.id }, { limit: 200, offset: 0 });
      const keys = [order.processInstanceKey, ...changes.items.map((c) => c.processInstanceKey)].filter(
        (k): k is string => typeof k === 'string',
      );
      return { orderId: params.id, orderNo: order.orderNo, items: keys.length ? await port(services).ofInstances(keys) : [] };
    },
  }),
  route<{ key: string }, {}, { reason: string; variables?: Record<string, unknown>; retries: number }>({
    id: 'retryIncident',
    method: 'post',
    path: '/incidents/:key/retry',
    roles: ['admin'],
    tag: 'incidents',
    summary: { en: 'Fix variables, give the job its retries back and resolve the incident', zh: '修正变量并重试故障' },
    params: obj({ key }, ['key']),
    body: RetryBody,
    response: { status: 200, schema: IncidentSchema, description: 'the incident as it was, now resolved' },
    handler: async ({ services, principal, params, body }) => {
      const incidents = port(services);
      const incident = await incidents.get(params.key);
      if (!incident) throw notFound('incident', params.key, '/key');
      if (incident.state !== 'ACTIVE') throw new ProblemError(409, 'conflict', 'Conflict', `incident ${params.key} is ${incident.state}`);
      // audited first: no change to the engine without its who, when and why
      await services.store.auditRepair(actorOf(principal), body.reason, incident, body.variables ?? {});
      await incidents.retry(incident, body.variables, body.retries);
      return { ...incident, state: 'RESOLVED' };
    },
  }),
];
