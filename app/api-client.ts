/**
 * A small client of the system's public surface: the API (logging in as demo users, calling routes,
 * working on tasks). Used by the demo loader, the end-to-end tests (test/process/support) and the
 * benchmark. Bounded waits with clear messages.
 */
import { requestText } from '../platform/http/request-text';
export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${typeof body === 'string' ? body : JSON.stringify(body)}`);
  }
}

export interface Task {
  key: string;
  name: string;
  elementId: string;
  processDefinitionId: string | null;
  processInstanceKey: string;
  assignee: string | null;
  candidateGroups: string[];
  dueDate: string | null;
  context: Record<string, unknown>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** polls `fn` until it returns a truthy value; throws naming `what` and the last value/error */
export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 10_000,
  everyMs = 30,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
      last = v;
      lastErr = undefined;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > end) break;
    await sleep(everyMs);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : last !== undefined ? ` (last: ${JSON.stringify(last)})` : ''}`,
  );
}

export class ApiClient {
  private tokens = new Map<string, string>();
  constructor(
    readonly baseUrl: string,
    readonly password = 'demo',
  ) {}

  async token(user: string): Promise<string> {
    let t = this.tokens.get(user);
    if (!t) {
      const r = await this.raw('POST', '/api/auth/login', { username: user, password: this.password });
      if (r.status !== 200) throw new ApiError(r.status, r.body, `login as ${user}`);
      t = r.body.token as string;
      this.tokens.set(user, t);
    }
    return t;
  }

  async raw(method: string, path: string, body?: unknown, token?: string): Promise<ApiResponse> {
    // node:http with keep-alive (platform/http/request-text.ts), not fetch: the benchmark's load generator is this
    // client, and on the same machine every request's CPU counts against the system it measures
    const res = await requestText(this.baseUrl + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: 120_000,
    });
    const { text } = res;
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  }

  /** as `user`; any status */
  async call(user: string, method: string, path: string, body?: unknown): Promise<ApiResponse> {
    return this.raw(method, path, body, await this.token(user));
  }

  /** as `user`; a 2xx or an ApiError */
  async ok<T = any>(user: string, method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call(user, method, path, body);
    if (r.status < 200 || r.status >= 300) throw new ApiError(r.status, r.body, `${user} ${method} ${path}`);
    return r.body as T;
  }

  get<T = any>(user: string, path: string): Promise<T> {
    return this.ok<T>(user, 'GET', path);
  }
  post<T = any>(user: string, path: string, body: unknown): Promise<T> {
    return this.ok<T>(user, 'POST', path, body);
  }

  async tasks(user: string, filter: { elementId?: string; processInstanceKey?: string } = {}): Promise<Task[]> {
    const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]);
    return (await this.get<{ items: Task[] }>(user, `/api/tasks${q.size ? `?${q}` : ''}`)).items;
  }

  /** waits for an open task of `elementId` visible to `user` whose context matches `match` */
  async waitTask(user: string, elementId: string, match: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<Task> {
    return waitFor(
      async () => (await this.tasks(user, { elementId })).find((t) => Object.entries(match).every(([k, v]) => t.context[k] === v)),
      `task ${elementId} for ${user} with ${JSON.stringify(match)}`,
      timeoutMs,
    );
  }

  async complete(user: string, task: Task | string, variables: Record<string, unknown> = {}): Promise<unknown> {
    const key = typeof task === 'string' ? task : task.key;
    return this.post(user, `/api/tasks/${key}/completion`, { variables });
  }

  /** wait for the task, then complete it */
  async step(
    user: string,
    elementId: string,
    match: Record<string, unknown>,
    variables: Record<string, unknown> = {},
    timeoutMs = 10_000,
  ): Promise<Task> {
    const t = await this.waitTask(user, elementId, match, timeoutMs);
    await this.complete(user, t, variables);
    return t;
  }
}
