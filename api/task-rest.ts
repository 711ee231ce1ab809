/**
 * The user-task port over the Orchestration Cluster REST API v2 (Camunda 8.9, or engine/ locally) at
 * ZEEBE_REST_ADDRESS: what the task routes (tasks.ts) and the workbench reach the engine's user tasks through.
 */
import { EngineUnavailable, engineRestCall, type EngineAnswer } from './engine-rest';
import { notFound, ProblemError } from './problem';
import { CONTEXT_VARIABLES } from './task-rules';
import { completionDenied, type TaskForm, type UserTask, type UserTaskPort } from './task-port';

export { EngineUnavailable };

/** The port over the REST API v2 (fetch). `headers` may add Authorization for a secured cluster. */
export interface RestUserTaskOptions {
  /** extra headers (e.g. Authorization for a secured cluster) */
  headers?: () => Promise<Record<string, string>> | Record<string, string>;
  /**
   * business keys of instances from the system of record; instances it does not know fall back to a
   * variable search in the engine
   */
  context?: (processInstanceKeys: string[], definitions?: Map<string, string>) => Promise<Map<string, Record<string, unknown>>>;
}

export function createRestUserTasks(baseUrl: string, opts: RestUserTaskOptions = {}): UserTaskPort {
  const headers = opts.headers ?? (() => ({}));
  const base = baseUrl.replace(/\/$/, '');
  /** forms are immutable per form key */
  const forms = new Map<string, TaskForm>();
  const call = engineRestCall(base, headers);
  const fail = (what: string, r: EngineAnswer) => new Error(`${what}: engine answered ${r.status} ${r.text}`);
  return {
    async search(filter, limit) {
      const r = await call('POST', '/v2/user-tasks/search', { filter, page: { limit }, sort: [{ field: 'creationDate', order: 'ASC' }] });
      if (r.status !== 200) throw fail('user task search', r);
      return (r.body.items ?? []) as UserTask[];
    },
    async get(key) {
      const r = await call('GET', `/v2/user-tasks/${encodeURIComponent(key)}`);
      if (r.status === 404) return null;
      if (r.status !== 200) throw fail(`user task ${key}`, r);
      return r.body as UserTask;
    },
    async form(key, formKey) {
      if (formKey && forms.has(String(formKey))) return forms.get(String(formKey))!;
      const r = await call('GET', `/v2/user-tasks/${encodeURIComponent(key)}/form`);
      if (r.status === 204 || r.status === 404) return null;
      if (r.status !== 200) throw fail(`form of user task ${key}`, r);
      const schema = typeof r.body.schema === 'string' ? JSON.parse(r.body.schema) : r.body.schema;
      const form = { formId: r.body.formId, formKey: r.body.formKey, version: r.body.version, schema };
      if (form.formKey) forms.set(String(form.formKey), form);
      return form;
    },
    async variables(pis, names, definitions) {
      const out = new Map<string, Record<string, unknown>>();
      if (!pis.length || !names.length) return out;
      if (opts.context && names.every((n) => (CONTEXT_VARIABLES as readonly string[]).includes(n))) {
        const known = await opts.context(pis, definitions);
        for (const [k, v] of known) out.set(k, v);
        pis = pis.filter((k) => !known.has(k));
        if (!pis.length) return out;
      }
      const r = await call('POST', '/v2/variables/search', {
        filter: { processInstanceKey: { $in: pis }, name: { $in: names } },
        page: { limit: Math.min(10_000, pis.length * names.length * 2 + 10) },
      });
      if (r.status !== 200) throw fail('variable search', r);
      for (const v of r.body.items as { name: string; value: string; processInstanceKey: string; scopeKey: string }[]) {
        if (String(v.scopeKey) !== String(v.processInstanceKey)) continue;
        const vars = out.get(String(v.processInstanceKey)) ?? {};
        try {
          vars[v.name] = JSON.parse(v.value);
        } catch {
          vars[v.name] = v.value;
        }
        out.set(String(v.processInstanceKey), vars);
      }
      return out;
    },
    async localVariables(scopeKey, names) {
      const out: Record<string, unknown> = {};
      if (!names.length) return out;
      const r = await call('POST', '/v2/variables/search', {
        filter: { scopeKey, name: { $in: names } },
        page: { limit: names.length * 2 + 10 },
      });
      if (r.status !== 200) throw fail('variable search', r);
      for (const v of r.body.items as { name: string; value: string; scopeKey: string }[]) {
        if (String(v.scopeKey) !== String(scopeKey)) continue;
        try {
          out[v.name] = JSON.parse(v.value);
        } catch {
          out[v.name] = v.value;
        }
      }
      return out;
    },
    async assign(key, assignee) {
      const r = await call('POST', `/v2/user-tasks/${encodeURIComponent(key)}/assignment`, { assignee, allowOverride: true });
      if (r.status === 404) throw notFound('task', key, '/key');
      if (r.status >= 300) throw fail(`assigning user task ${key}`, r);
    },
    async complete(key, variables) {
      const r = await call('POST', `/v2/user-tasks/${encodeURIComponent(key)}/completion`, { variables });
      if (r.status === 404) throw notFound('task', key, '/key');
      const denied = r.status === 409 ? completionDenied(r.body?.detail) : null;
      if (denied !== null)
        throw new ProblemError(422, 'completion-denied', 'Completion denied', denied || `task ${key}: the completion was denied`);
      if (r.status === 409)
        throw new ProblemError(409, 'conflict', 'Conflict', `task ${key} cannot be completed now: ${r.body?.detail ?? ''}`);
      if (r.status >= 300) throw fail(`completing user task ${key}`, r);
    },
  };
}
