/**
 * What the operations pages (运维) ask of the orchestration cluster REST API v2 — the same calls on
 * Camunda 8.9 and on engine/: process definitions and their versions, instances (by order number through
 * the `orderNo` variable, by state and process), one instance with its diagram XML, element instances,
 * incidents and variables, and its cancellation. The repair itself goes through api/operations/incidents.ts's port.
 */
import { elementNamesOf } from '../../platform/bpmn/element-names';
import { requestText } from '../../platform/http/request-text';
import { ProblemError } from '../problem';

type Json = Record<string, any>;
export type Headers = () => Promise<Record<string, string>> | Record<string, string>;

export interface ProcessDefinition {
  processDefinitionKey: string;
  processDefinitionId: string;
  name: string | null;
  version: number;
  resourceName: string | null;
}
export interface ProcessInstance {
  processInstanceKey: string;
  processDefinitionId: string;
  processDefinitionName: string | null;
  processDefinitionVersion: number | null;
  processDefinitionKey: string;
  state: string;
  hasIncident: boolean;
  startDate: string | null;
  endDate: string | null;
  parentProcessInstanceKey: string | null;
}
export interface Variable {
  name: string;
  /** the value as JSON text, as the engine gives it */
  value: string;
  scopeKey: string;
}
export interface InstanceDetail extends ProcessInstance {
  xml: string;
  /** element id → its name in the model, so the page names each step as the process owner did */
  elementNames: Record<string, string>;
  /** element ids with an active element instance (a token waits or works there) */
  activeElementIds: string[];
  /** element ids with an active incident */
  incidentElementIds: string[];
  elements: {
    elementInstanceKey: string;
    elementId: string;
    elementName: string | null;
    type: string | null;
    state: string;
    hasIncident: boolean;
  }[];
  variables: Variable[];
}

export interface OperationsEngine {
  definitions(): Promise<ProcessDefinition[]>;
  instances(filter: { orderNo?: string; state?: string; processDefinitionId?: string }, limit: number): Promise<ProcessInstance[]>;
  instance(key: string): Promise<InstanceDetail | null>;
  /** the active incidents, optionally of one instance, each with its element's name (elementName) */
  activeIncidents(processInstanceKey?: string): Promise<Json[]>;
  cancel(key: string): Promise<void>;
}

export function createOperationsEngine(baseUrl: string, headers: Headers = () => ({})): OperationsEngine {
  const base = baseUrl.replace(/\/$/, '');
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
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
    let parsed: unknown;
    try {
      parsed = res.text ? JSON.parse(res.text) : undefined;
    } catch {
      /* the diagram's XML */
    }
    return { status: res.status, body: parsed, text: res.text };
  }
  const fail = (what: string, r: { status: number; text: string }) => new Error(`${what}: engine answered ${r.status} ${r.text}`);
  async function search(path: string, filter: Json, limit = 1000, sort?: Json[]): Promise<Json[]> {
    const r = await call('POST', path, { filter, page: { limit }, ...(sort ? { sort } : {}) });
    if (r.status !== 200) throw fail(path, r);
    return (r.body?.items ?? []) as Json[];
  }
  // a deployed definition never changes: its XML and names are read once per key
  const xmlCache = new Map<string, Promise<string>>();
  function xmlOf(definitionKey: string): Promise<string> {
    let p = xmlCache.get(definitionKey);
    if (!p) {
      p = call('GET', `/v2/process-definitions/${encodeURIComponent(definitionKey)}/xml`).then((r) => {
        if (r.status !== 200) throw fail(`process definition ${definitionKey}`, r);
        return r.text;
      });
      p.catch(() => xmlCache.delete(definitionKey));
      xmlCache.set(definitionKey, p);
    }
    return p;
  }
  const namesCache = new Map<string, Promise<Map<string, string>>>();
  function namesOf(definitionKey: string): Promise<Map<string, string>> {
    let p = namesCache.get(definitionKey);
    if (!p) {
      p = xmlOf(definitionKey).then(elementNamesOf);
      p.catch(() => namesCache.delete(definitionKey));
      namesCache.set(definitionKey, p);
    }
    return p;
  }
  const s = (v: unknown) => (v === undefined || v === null ? null : String(v));
  const instanceDto = (p: Json): ProcessInstance => ({
    processInstanceKey: String(p.processInstanceKey),
    processDefinitionId: String(p.processDefinitionId),
    processDefinitionName: s(p.processDefinitionName),
    processDefinitionVersion: typeof p.processDefinitionVersion === 'number' ? p.processDefinitionVersion : null,
    processDefinitionKey: String(p.processDefinitionKey),
    state: String(p.state),
    hasIncident: p.hasIncident === true,
    startDate: s(p.startDate),
    endDate: s(p.endDate),
    parentProcessInstanceKey: s(p.parentProcessInstanceKey),
  });
  return {
    async definitions() {
      const items = await search('/v2/process-definitions/search', {}, 1000, [
        { field: 'processDefinitionId' },
        { field: 'version', order: 'DESC' },
      ]);
      return items.map((d) => ({
        processDefinitionKey: String(d.processDefinitionKey),
        processDefinitionId: String(d.processDefinitionId),
        name: s(d.name),
        version: Number(d.version),
        resourceName: s(d.resourceName),
      }));
    },
    async instances(filter, limit) {
      const f: Json = {};
      if (filter.state) f.state = filter.state;
      if (filter.processDefinitionId) f.processDefinitionId = filter.processDefinitionId;
      if (filter.orderNo) {
        // every instance of an order carries its number (provisioning, change, the called countersigns);
        // variable values are JSON text, so the filter compares the quoted string
        const vars = await search('/v2/variables/search', { name: 'orderNo', value: JSON.stringify(filter.orderNo) });
        const keys = [...new Set(vars.map((v) => String(v.processInstanceKey)))];
        if (!keys.length) return [];
        f.processInstanceKey = { $in: keys };
      }
      return (await search('/v2/process-instances/search', f, limit, [{ field: 'startDate', order: 'DESC' }])).map(instanceDto);
    },
    async instance(key) {
      const pi = await call('GET', `/v2/process-instances/${encodeURIComponent(key)}`);
      if (pi.status === 404) return null;
      if (pi.status !== 200) throw fail(`process instance ${key}`, pi);
      const definitionKey = String(pi.body.processDefinitionKey);
      const [xml, names] = await Promise.all([xmlOf(definitionKey), namesOf(definitionKey)]);
      const [elements, incidents, variables] = await Promise.all([
        search('/v2/element-instances/search', { processInstanceKey: key }),
        search('/v2/incidents/search', { processInstanceKey: key, state: 'ACTIVE' }),
        search('/v2/variables/search', { processInstanceKey: key }),
      ]);
      return {
        ...instanceDto(pi.body),
        xml,
        elementNames: Object.fromEntries(names),
        activeElementIds: [...new Set(elements.filter((e) => e.state === 'ACTIVE').map((e) => String(e.elementId)))],
        incidentElementIds: [...new Set(incidents.map((i) => String(i.elementId)))],
        elements: elements.map((e) => ({
          elementInstanceKey: String(e.elementInstanceKey),
          elementId: String(e.elementId),
          elementName: s(e.elementName),
          type: s(e.type),
          state: String(e.state),
          hasIncident: e.hasIncident === true,
        })),
        variables: variables.map((v) => ({ name: String(v.name), value: String(v.value), scopeKey: String(v.scopeKey) })),
      };
    },
    async activeIncidents(processInstanceKey) {
      const found = await search('/v2/incidents/search', { state: 'ACTIVE', ...(processInstanceKey ? { processInstanceKey } : {}) }, 1000, [
        { field: 'creationTime', order: 'DESC' },
      ]);
      const keys = [
        ...new Set(
          found
            .map((i) => i.processDefinitionKey)
            .filter((k) => k !== undefined && k !== null)
            .map(String),
        ),
      ];
      const names = new Map(
        await Promise.all(keys.map(async (k) => [k, await namesOf(k).catch(() => new Map<string, string>())] as const)),
      );
      return found.map((i) => ({ ...i, elementName: names.get(String(i.processDefinitionKey))?.get(String(i.elementId)) ?? null }));
    },
    async cancel(key) {
      const r = await call('POST', `/v2/process-instances/${encodeURIComponent(key)}/cancellation`, {});
      if (r.status === 404) throw new ProblemError(404, 'not-found', 'Not Found', `process instance ${key} is not running`);
      if (r.status >= 300) throw new ProblemError(409, 'conflict', 'Conflict', `process instance ${key} cannot be cancelled: ${r.text}`);
    },
  };
}
