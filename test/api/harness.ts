/**
 * Test harness for the API: a real database (test/support/db.ts: DATABASE_URL or SQLite), the app
 * from createApp on a free port, and a small fetch-based client.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { createApp } from '../../api/app';
import { createLocalAuth, type Authenticator } from '../../api/auth';
import { demoUsers } from '../../api/demo-users';
import { createHealth } from '../../api/health';
import { createStore } from '../../api/store';
import { createNotificationPort } from '../../api/notifications/port';
import { createPortal } from '../../api/portal/port';
import type { ServicesWithPortal } from '../../api/portal/routes';
import { systemClock } from '../../domain/clock';
import type { UserTaskPort } from '../../api/task-port';
import { resetApiData } from './fixtures';
import { closeTestDataSource, openTestDataSource } from '../support/db';

export const TEST_SECRET = 'test-secret-0123456789abcdef';

export interface Res {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}
export interface ReqOpts {
  token?: string;
  body?: unknown;
  /** sent as is (malformed JSON, oversize bodies) */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export interface ApiHarness {
  url: string;
  ds: DataSource;
  auth: Authenticator;
  /** what the app logged as unexpected (500) errors */
  errors: unknown[];
  request(method: string, path: string, opts?: ReqOpts): Promise<Res>;
  /** local mode: a token for a demo user (cached) */
  token(username: string): Promise<string>;
  close(): Promise<void>;
}

export async function startApi(
  opts: { auth?: Authenticator; beforeAuth?: (ds: DataSource) => Promise<void>; tasks?: UserTaskPort } = {},
): Promise<ApiHarness> {
  const ds = await openTestDataSource();
  const errors: unknown[] = [];
  await (opts.beforeAuth ?? resetApiData)(ds);
  const auth = opts.auth ?? createLocalAuth({ secret: TEST_SECRET, users: await demoUsers(ds) });
  const app = createApp(
    {
      auth,
      store: createStore(ds),
      health: createHealth(ds),
      notifications: createNotificationPort(ds, { baseUrl: 'http://localhost:3000', clock: systemClock }),
      portal: createPortal(ds, systemClock),
      ...(opts.tasks ? { tasks: opts.tasks } : {}),
      logError: (e, ctx) => {
        errors.push(e);
        console.error('api error', ctx, e);
      },
    } as ServicesWithPortal,
    { validateResponses: true },
  );
  const server: http.Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokens = new Map<string, string>();

  async function request(method: string, path: string, o: ReqOpts = {}): Promise<Res> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | Buffer | undefined;
    if (o.raw !== undefined) {
      body = o.raw;
      headers['content-type'] ??= 'application/json';
    } else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const r = await fetch(url + path, { method, headers, body });
    const text = await r.text();
    let json: unknown;
    if (/json/.test(r.headers.get('content-type') ?? '')) json = text ? JSON.parse(text) : undefined;
    return { status: r.status, headers: Object.fromEntries(r.headers.entries()), text, json };
  }

  return {
    url,
    ds,
    auth,
    errors,
    request,
    async token(username) {
      let t = tokens.get(username);
      if (!t) {
        const res = await request('POST', '/api/auth/login', { body: { username, password: 'demo' } });
        if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
        t = res.json.token as string;
        tokens.set(username, t);
      }
      return t;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await closeTestDataSource(ds);
    },
  };
}
