import type { Config } from '../config/index';
import { requestText } from '../http/request-text';

/**
 * Headers for the orchestration cluster's REST API with the SDK's own credentials (OAuth, basic, bearer,
 * as configured by CAMUNDA_AUTH_STRATEGY and the SDK's variables). The SDK keeps its provider private;
 * it is read from the instance (a ZeebeGrpcClient or a Camunda8: both hold the one they built), and
 * missing (NONE) means no headers.
 */
export function restAuthHeaders(sdk: object, config: Config): () => Promise<Record<string, string>> {
  if (config.CAMUNDA_AUTH_STRATEGY === 'NONE') return async () => ({});
  const provider = (sdk as { oAuthProvider?: { getHeaders(audience: string): Promise<Record<string, string>> } }).oAuthProvider;
  if (!provider) throw new Error(`CAMUNDA_AUTH_STRATEGY=${config.CAMUNDA_AUTH_STRATEGY}, but the SDK built no credentials provider`);
  return async () => ({ ...(await provider.getHeaders('ZEEBE')) });
}

/**
 * POST /v2/user-tasks/search on the orchestration cluster (or the local engine) with these headers: the
 * search the workers' actor resolver makes (workers/runtime/actor.ts), for the embedded and the standalone
 * workers alike.
 */
export function restUserTaskSearch(restAddress: string, headers: () => Promise<Record<string, string>>): UserTaskSearch {
  return async (req) => {
    const res = await requestText(`${restAddress}/v2/user-tasks/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await headers()) },
      body: JSON.stringify(req),
    });
    if (res.status !== 200) throw new Error(`user task search: HTTP ${res.status}`);
    return JSON.parse(res.text) as Awaited<ReturnType<UserTaskSearch>>;
  };
}

/** The subset of the SDK's CamundaRestClient.searchUserTasks this needs (or any fetch-based equivalent). */
export type UserTaskSearch = (request: {
  filter: { processInstanceKey: string; elementId?: string; state: 'COMPLETED' };
  sort: { field: 'completionDate'; order: 'DESC' | 'desc' }[];
  page: { from: number; limit: number };
}) => Promise<{ items: { assignee?: string | null; completionDate?: string | null }[] }>;
