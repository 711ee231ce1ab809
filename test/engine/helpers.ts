// Shared set-up for the engine conformance suite. Against the local engine (default) each suite starts its
// own engine on free ports in test mode; with ZEEBE_GRPC_ADDRESS set the same tests run against a real
// Zeebe (REST at ZEEBE_REST_ADDRESS), and the cases that move the clock skip visibly.
import { Camunda8 } from '@camunda8/sdk';
import * as grpc from '@grpc/grpc-js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startEngine, RunningEngine, HistoryOptions } from '../../engine';
import { gatewayPackageDefinition } from '../../engine/grpc';

export type Zbc = ReturnType<Camunda8['getZeebeGrpcApiClient']>;

export interface Ctx {
  zbc: Zbc;
  rest: string;
  grpc: string;
  external: boolean;
  engine?: RunningEngine;
  stop(): Promise<void>;
}

export const FIXTURES = path.join(__dirname, 'fixtures');
export const fixture = (name: string) => path.join(FIXTURES, name);
export const uid = () => randomUUID().slice(0, 8);

export function client(grpcAddress: string, restAddress: string, retry = true): Zbc {
  const c8 = new Camunda8({
    ZEEBE_GRPC_ADDRESS: `grpc://${grpcAddress}`,
    ZEEBE_REST_ADDRESS: restAddress,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    CAMUNDA_LOG_LEVEL: 'none',
    zeebeGrpcSettings: { ZEEBE_GRPC_CLIENT_RETRY: retry, ZEEBE_CLIENT_LOG_LEVEL: 'NONE' },
  } as never);
  return c8.getZeebeGrpcApiClient();
}

export async function setup(
  opts: { dataDir?: string; retry?: boolean; history?: HistoryOptions; storage?: 'log' | 'sqlite'; compactBytes?: number } = {},
): Promise<Ctx> {
  const ext = process.env.ZEEBE_GRPC_ADDRESS;
  if (ext) {
    const grpc = ext.replace(/^grpcs?:\/\//, '');
    const rest = process.env.ZEEBE_REST_ADDRESS ?? 'http://localhost:8080';
    const zbc = client(grpc, rest, opts.retry ?? true);
    return {
      zbc,
      rest,
      grpc,
      external: true,
      stop: async () => {
        await zbc.close();
      },
    };
  }
  const engine = await startEngine({
    grpcPort: 0,
    restPort: 0,
    testMode: true,
    dataDir: opts.dataDir,
    host: '127.0.0.1',
    history: opts.history,
    storage: opts.storage,
    compactBytes: opts.compactBytes,
  });
  const zbc = client(engine.grpcAddress, engine.restAddress, opts.retry ?? true);
  return {
    zbc,
    rest: engine.restAddress,
    grpc: engine.grpcAddress,
    external: false,
    engine,
    stop: async () => {
      await zbc.close();
      await engine.stop();
    },
  };
}

export async function deploy(ctx: Ctx, ...files: string[]) {
  return ctx.zbc.deployResources(files.map((f) => (f.endsWith('.form') ? { formFilename: fixture(f) } : { processFilename: fixture(f) })));
}

export async function http(ctx: Ctx, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(ctx.rest + p, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}

/** Move the engine clock by an ISO-8601 duration (the local engine's POST /engine/clock); call skipUnlessClock first. */
export async function clockAdd(ctx: Ctx, iso: string): Promise<void> {
  const r = await http(ctx, 'POST', '/engine/clock', { add: iso });
  if (r.status !== 200) throw new Error(`clock: ${r.status} ${JSON.stringify(r.body)}`);
}

/** Pin the engine clock at an instant with Camunda's PUT /v2/clock (it stands still there). */
export async function pinClock(ctx: Ctx, iso: string): Promise<void> {
  const r = await http(ctx, 'PUT', '/v2/clock', { timestamp: Date.parse(iso) });
  if (r.status !== 204) throw new Error(`PUT /v2/clock: ${r.status} ${JSON.stringify(r.body)}`);
}

export function skipUnlessClock(ctx: Ctx, t: Mocha.Context): void {
  if (ctx.external) {
    t.test!.title += ' (skipped: needs the engine clock, not available on a real Zeebe)';
    t.skip();
  }
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** Activate exactly the jobs of a type that are available now (polling with a short request timeout). */
export async function activate(ctx: Ctx, type: string, max = 10, timeout = 30000, requestTimeout = 2000) {
  const jobs = await ctx.zbc.activateJobs({ type, worker: 'test', maxJobsToActivate: max, timeout, requestTimeout } as never);
  return jobs as unknown as {
    key: string;
    variables: Record<string, any>;
    customHeaders: Record<string, any>;
    elementId: string;
    retries: number;
    processInstanceKey: string;
    elementInstanceKey: string;
  }[];
}

export async function processInstance(ctx: Ctx, key: string) {
  return waitFor(async () => {
    const r = await http(ctx, 'GET', `/v2/process-instances/${key}`);
    return r.status === 200 ? r.body : undefined;
  }, `process instance ${key}`);
}

export async function waitState(ctx: Ctx, key: string, state: string) {
  return waitFor(async () => {
    const r = await http(ctx, 'GET', `/v2/process-instances/${key}`);
    return r.status === 200 && r.body.state === state ? r.body : undefined;
  }, `process instance ${key} in state ${state}`);
}

export async function variables(ctx: Ctx, processInstanceKey: string, scopeKey?: string): Promise<Record<string, unknown>> {
  const r = await http(ctx, 'POST', '/v2/variables/search', {
    filter: scopeKey ? { processInstanceKey, scopeKey } : { processInstanceKey, scopeKey: processInstanceKey },
    page: { limit: 1000 },
  });
  return Object.fromEntries((r.body.items as { name: string; value: string }[]).map((v) => [v.name, JSON.parse(v.value)]));
}

export async function userTasks(ctx: Ctx, processInstanceKey: string, state = 'CREATED') {
  const r = await http(ctx, 'POST', '/v2/user-tasks/search', { filter: { processInstanceKey, state } });
  return r.body.items as any[];
}

export async function incidents(ctx: Ctx, processInstanceKey: string) {
  const r = await http(ctx, 'POST', '/v2/incidents/search', { filter: { processInstanceKey, state: 'ACTIVE' } });
  return r.body.items as any[];
}

export function readFixture(name: string): string {
  return fs.readFileSync(fixture(name), 'utf8');
}

/** The gRPC status code a call fails with (throws if it succeeds). */
export async function grpcError(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: number; details?: string; message?: string };
    return { code: Number(err.code), message: String(err.details ?? err.message) };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Jobs of a type for one instance available right now (short poll, for asserting absence). */
export const jobsNow = (ctx: Ctx, type: string, processInstanceKey: string) => jobsOf(ctx, type, processInstanceKey, 30000, 200);

export const Status = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
};

/** elementId → states of its element instances, in creation order. */
export async function elements(ctx: Ctx, processInstanceKey: string): Promise<Record<string, string[]>> {
  const r = await http(ctx, 'POST', '/v2/element-instances/search', {
    filter: { processInstanceKey },
    page: { limit: 1000 },
    sort: [{ field: 'elementInstanceKey', order: 'ASC' }],
  });
  const out: Record<string, string[]> = {};
  for (const e of r.body.items as { elementId: string; state: string }[]) (out[e.elementId] ??= []).push(e.state);
  return out;
}

export async function waitElement(ctx: Ctx, processInstanceKey: string, elementId: string, state = 'ACTIVE') {
  return waitFor(async () => (await elements(ctx, processInstanceKey))[elementId]?.includes(state), `${elementId} ${state}`);
}

/** Jobs of a type for one process instance that can be activated now. */
export async function jobsOf(ctx: Ctx, type: string, processInstanceKey: string, timeout = 30000, requestTimeout = 2000) {
  const all = await activate(ctx, type, 100, timeout, requestTimeout);
  const mine = all.filter((j) => j.processInstanceKey === processInstanceKey);
  // give back jobs of other instances so that other tests are not disturbed
  for (const j of all)
    if (j.processInstanceKey !== processInstanceKey)
      await ctx.zbc.failJob({ jobKey: j.key, retries: j.retries, errorMessage: 'not mine', retryBackOff: 0 });
  return mine;
}

export async function oneJob(ctx: Ctx, type: string, processInstanceKey: string) {
  return waitFor(async () => (await jobsOf(ctx, type, processInstanceKey))[0], `a job ${type} of ${processInstanceKey}`);
}

export async function engineNow(ctx: Ctx): Promise<number> {
  const r = await http(ctx, 'GET', '/engine/clock');
  return Date.parse(r.body.now);
}

export function isoPlus(ms: number, plusMs: number): string {
  // an ISO date-time with an explicit +08:00 offset, as the project stores deadlines
  const d = new Date(ms + plusMs + 8 * 3600000);
  return d.toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

/**
 * The SDK's own gRPC channel, for requests its typed API refuses to build (e.g. variables that are not a
 * JSON object): `(await raw(ctx)).createProcessInstanceSync({ bpmnProcessId, variables: '[1,2]' })`.
 */
export async function raw(ctx: Ctx): Promise<Record<string, (req: unknown) => Promise<any>>> {
  return (ctx.zbc as unknown as { grpc: Promise<Record<string, (req: unknown) => Promise<any>>> }).grpc;
}

/**
 * A gateway client on the engine's own 8.9 proto (the SDK's predates the listener fields: kind,
 * listenerEventType, JobResult): `call` a unary RPC, `activateOne` the first job of a type.
 */
export function rawGateway(ctx: Ctx) {
  const G = (grpc.loadPackageDefinition(gatewayPackageDefinition()) as any).gateway_protocol.Gateway;
  const gw = new G(ctx.grpc, grpc.credentials.createInsecure());
  const call = <T>(m: string, req: unknown) => new Promise<T>((res, rej) => gw[m](req, (e: Error | null, r: T) => (e ? rej(e) : res(r))));
  const activateOne = (type: string): Promise<any> =>
    waitFor(async () => {
      const jobs: any[] = [];
      await new Promise<void>((res, rej) => {
        const st = gw.ActivateJobs({ type, worker: 'g', timeout: 30000, maxJobsToActivate: 1, requestTimeout: -1 });
        st.on('data', (d: any) => jobs.push(...d.jobs));
        st.on('end', () => res());
        st.on('error', rej);
      });
      return jobs[0];
    }, `a ${type} job over gRPC`);
  return { gw, call, activateOne };
}
