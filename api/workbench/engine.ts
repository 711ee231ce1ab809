/**
 * What the workbench asks of the orchestration cluster REST API v2 (Camunda 8.9, or engine/ locally)
 * beyond api/tasks.ts's port: claim without override (the loser of two claims gets 409), unclaim,
 * task searches with any filter, and the instance on its diagram (XML, element instances, incidents,
 * called instances).
 */
import { engineRestCall } from '../engine-rest';
import { ProblemError, notFound } from '../problem';
import type { UserTask } from '../tasks';

export interface ElementInstance {
  elementInstanceKey: string;
  elementId: string;
  state: string;
  type?: string;
  startDate?: string;
  endDate?: string | null;
}
export interface InstanceView {
  processInstanceKey: string;
  processDefinitionId: string;
  state: string;
  xml: string;
  elements: ElementInstance[];
  incidents: { elementId: string; errorMessage: string; errorType: string }[];
  called: { processInstanceKey: string; processDefinitionId: string; state: string }[];
  parentProcessInstanceKey: string | null;
}

export interface WorkbenchEngine {
  /** assign only if free or already mine: false when someone else holds it */
  claim(key: string, username: string): Promise<boolean>;
  unclaim(key: string): Promise<void>;
  searchTasks(filter: Record<string, unknown>, limit: number): Promise<UserTask[]>;
  /** one page of a search in the order given, with the number of all matches */
  taskPage(
    filter: Record<string, unknown>,
    limit: number,
    sort: { field: string; order: 'ASC' | 'DESC' }[],
  ): Promise<{ items: UserTask[]; total: number }>;
  instance(processInstanceKey: string): Promise<InstanceView | null>;
}

export function createWorkbenchEngine(
  baseUrl: string,
  headers: () => Promise<Record<string, string>> | Record<string, string> = () => ({}),
): WorkbenchEngine {
  const base = baseUrl.replace(/\/$/, '');
  const call = engineRestCall(base, headers);
  const fail = (what: string, r: { status: number; text: string }) => new Error(`${what}: engine answered ${r.status} ${r.text}`);
  const searchAll = async (path: string, filter: Record<string, unknown>, limit = 1000) => {
    const r = await call('POST', path, { filter, page: { limit } });
    if (r.status !== 200) throw fail(path, r);
    return (r.body?.items ?? []) as any[];
  };
  return {
    async claim(key, username) {
      const r = await call('POST', `/v2/user-tasks/${encodeURIComponent(key)}/assignment`, { assignee: username, allowOverride: false });
      if (r.status === 404) throw notFound('task', key, '/key');
      if (r.status === 409) return false;
      if (r.status >= 300) throw fail(`claiming user task ${key}`, r);
      return true;
    },
    async unclaim(key) {
      const r = await call('DELETE', `/v2/user-tasks/${encodeURIComponent(key)}/assignee`);
      if (r.status === 404) throw notFound('task', key, '/key');
      if (r.status === 409) throw new ProblemError(409, 'conflict', 'Conflict', `task ${key} cannot be released now`);
      if (r.status >= 300) throw fail(`unassigning user task ${key}`, r);
    },
    async searchTasks(filter, limit) {
      const r = await call('POST', '/v2/user-tasks/search', { filter, page: { limit }, sort: [{ field: 'creationDate', order: 'ASC' }] });
      if (r.status !== 200) throw fail('user task search', r);
      return (r.body?.items ?? []) as UserTask[];
    },
    async taskPage(filter, limit, sort) {
      const r = await call('POST', '/v2/user-tasks/search', { filter, page: { limit }, sort });
      if (r.status !== 200) throw fail('user task search', r);
      return { items: (r.body?.items ?? []) as UserTask[], total: Number(r.body?.page?.totalItems ?? r.body?.items?.length ?? 0) };
    },
    async instance(pik) {
      const pi = await call('GET', `/v2/process-instances/${encodeURIComponent(pik)}`);
      if (pi.status === 404) return null;
      if (pi.status !== 200) throw fail(`process instance ${pik}`, pi);
      const xml = await call('GET', `/v2/process-definitions/${encodeURIComponent(String(pi.body.processDefinitionKey))}/xml`);
      if (xml.status !== 200) throw fail(`process definition ${pi.body.processDefinitionKey}`, xml);
      const [elements, incidents, called] = await Promise.all([
        searchAll('/v2/element-instances/search', { processInstanceKey: pik }),
        searchAll('/v2/incidents/search', { processInstanceKey: pik, state: 'ACTIVE' }),
        searchAll('/v2/process-instances/search', { parentProcessInstanceKey: pik }),
      ]);
      return {
        processInstanceKey: String(pik),
        processDefinitionId: String(pi.body.processDefinitionId),
        state: String(pi.body.state),
        xml: xml.text,
        elements: elements.map((e) => ({
          elementInstanceKey: String(e.elementInstanceKey),
          elementId: e.elementId,
          state: e.state,
          type: e.type,
          startDate: e.startDate,
          endDate: e.endDate ?? null,
        })),
        incidents: incidents.map((i) => ({ elementId: i.elementId, errorMessage: i.errorMessage, errorType: i.errorType })),
        called: called
          .filter((c) => String(c.parentProcessInstanceKey ?? '') === String(pik))
          .map((c) => ({
            processInstanceKey: String(c.processInstanceKey),
            processDefinitionId: String(c.processDefinitionId),
            state: String(c.state),
          })),
        parentProcessInstanceKey: pi.body.parentProcessInstanceKey ? String(pi.body.parentProcessInstanceKey) : null,
      };
    },
  };
}
