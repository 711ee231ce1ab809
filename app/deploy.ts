/**
 * `npm run deploy`: deploys every BPMN model of processes/ (processes/*.bpmn) and every Camunda form
 * (processes/forms/*.form) to the configured cluster in ONE atomic deployment (gRPC DeployResource
 * through @camunda8/sdk's deployResources: all resources or none), then prints one line per process
 * and form: id, version, key and whether the version moved.
 *
 * Nothing changed → no new version: Zeebe compares each resource with the latest version of the same
 * id (same bytes AND same resource name; BpmnResourceTransformer.isDuplicateOfLatest) and answers a
 * duplicate with the existing version and key. Resource names are therefore the stable paths relative
 * to processes/ (`online-training-provisioning.bpmn`, `forms/delivery.form`) whatever the working
 * directory.
 *
 * The gRPC answer does not say whether a resource was a duplicate, so "unchanged" is decided against
 * the latest version known BEFORE the deployment (`lookupLatest`; the command line asks the
 * Orchestration Cluster REST API, `POST /v2/process-definitions/search`). That API has no search for
 * forms: a form is `unchanged` when its key is older than a process key known before the deployment
 * (olderThanKnownKeys). Where neither proves anything (no search API, secondary storage unreachable, a
 * form changed since the processes last did) the line says `deployed` instead of guessing.
 *
 * Configured by the SDK's standard environment variables only: ZEEBE_GRPC_ADDRESS, ZEEBE_REST_ADDRESS,
 * CAMUNDA_AUTH_STRATEGY (NONE | BASIC | OAUTH), CAMUNDA_BASIC_AUTH_USERNAME/PASSWORD, ZEEBE_CLIENT_ID,
 * ZEEBE_CLIENT_SECRET, CAMUNDA_OAUTH_URL, CAMUNDA_TENANT_ID, ...
 *
 * `deployProcesses(client, dir)` is used by the single-command start (app/system.ts) and by the command
 * line, app/entry/deploy.ts.
 *
 *   npm run deploy [-- --wait=<seconds>] [-- <processes-dir>]
 * --wait (default 120): how long to keep trying while a freshly started cluster refuses the deployment
 * as UNAVAILABLE / UNAUTHENTICATED (docker compose's `deploy` job runs right after the broker is ready).
 */
import fs from 'node:fs';
import path from 'node:path';

/** One resource as the SDK's deployResources takes it. */
export type DeployResource = { name: string; process: Buffer } | { name: string; form: Buffer };

/** What Zeebe answers (Grpc.DeployResourceResponse of @camunda8/sdk). */
export interface DeployResponseLike {
  readonly key: string;
  readonly deployments: ReadonlyArray<unknown>;
  readonly tenantId?: string;
}

/** The SDK's ZeebeGrpcClient satisfies this. */
export interface DeployClient {
  deployResources(resources: DeployResource[], tenantId?: string): Promise<DeployResponseLike>;
}

export interface VersionRef {
  version: number;
  key: string;
}

/** Latest deployed version per id, read before deploying; ids unknown to the cluster are absent. */
export interface LatestLookup {
  processes(ids: readonly string[]): Promise<Map<string, VersionRef>>;
  forms?(ids: readonly string[]): Promise<Map<string, VersionRef>>;
}

/**
 * `first version`: the id was not deployed before; `new version`: the version moved; `unchanged`:
 * Zeebe kept the latest version (duplicate); `deployed`: the previous version is unknown.
 */
export type DeployStatus = 'first version' | 'new version' | 'unchanged' | 'deployed';

export interface DeployedItem {
  kind: 'process' | 'form';
  id: string;
  version: number;
  key: string;
  resourceName: string;
  status: DeployStatus;
  previousVersion?: number;
}

export interface DeployReport {
  deploymentKey: string;
  tenantId?: string;
  items: DeployedItem[];
  /** why statuses are `deployed` (the lookup failed), if it did */
  lookupError?: string;
}

export interface DeployOptions {
  tenantId?: string;
  lookupLatest?: LatestLookup;
}

export interface CollectedResource {
  kind: 'process' | 'form';
  /** the id the file declares (BPMN process ids, form id) */
  ids: string[];
  resource: DeployResource;
}

const toPosix = (p: string): string => p.split(path.sep).join('/');

function listFiles(dir: string, ext: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => e.name)
    .sort();
}

/** Executable process ids declared in a BPMN file (enough to look up their versions; Zeebe parses it properly). */
export function bpmnProcessIds(xml: string): string[] {
  const ids: string[] = [];
  const re = /<(?:[\w-]+:)?process\b([^>]*)>/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const attrs = m[1];
    const id = /\bid\s*=\s*"([^"]+)"/.exec(attrs)?.[1];
    const executable = /\bisExecutable\s*=\s*"([^"]+)"/.exec(attrs)?.[1];
    if (id && executable !== 'false') ids.push(id);
  }
  return ids;
}

/** Reads processes/*.bpmn and processes/forms/*.form; names are paths relative to `dir`. */
export function collectResources(dir: string): CollectedResource[] {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`no processes directory at ${root}`);
  const out: CollectedResource[] = [];
  for (const file of listFiles(root, '.bpmn')) {
    const content = fs.readFileSync(path.join(root, file));
    const ids = bpmnProcessIds(content.toString('utf8'));
    if (ids.length === 0) throw new Error(`${file}: no executable process`);
    out.push({ kind: 'process', ids, resource: { name: file, process: content } });
  }
  const formsDir = path.join(root, 'forms');
  for (const file of listFiles(formsDir, '.form')) {
    const content = fs.readFileSync(path.join(formsDir, file));
    let id: unknown;
    try {
      id = (JSON.parse(content.toString('utf8')) as { id?: unknown }).id;
    } catch (e) {
      throw new Error(`forms/${file}: not JSON (${(e as Error).message})`);
    }
    if (typeof id !== 'string' || id === '') throw new Error(`forms/${file}: the form has no "id"`);
    out.push({ kind: 'form', ids: [id], resource: { name: toPosix(path.join('forms', file)), form: content } });
  }
  if (!out.some((r) => r.kind === 'process')) throw new Error(`no *.bpmn file in ${root}`);
  return out;
}

interface ProcessMeta {
  bpmnProcessId: string;
  version: number;
  processDefinitionKey: string | number;
  resourceName: string;
}
interface FormMeta {
  formId: string;
  version: number;
  formKey: string | number;
  resourceName: string;
}

function statusOf(
  version: number,
  key: string,
  previous: VersionRef | undefined,
  known: boolean,
): Pick<DeployedItem, 'status' | 'previousVersion'> {
  if (!known) return { status: 'deployed' };
  if (!previous) return { status: 'first version' };
  if (previous.key === key && previous.version === version) return { status: 'unchanged', previousVersion: previous.version };
  return { status: 'new version', previousVersion: previous.version };
}

/** Zeebe keys carry their partition in the bits above 51 (Protocol.encodePartitionId). */
const PARTITION_SHIFT = 51n;

/**
 * Key rule for resources whose previous version cannot be looked up (forms: the REST API has no form
 * search). Zeebe's key generator only counts up within a partition, a duplicate keeps the key it got
 * when it was created, and a new version gets a key generated by this deployment. So a returned key
 * that is LOWER than a key known to exist before the deployment (a previous process definition's
 * key, same partition) was not created now: the resource is unchanged. A higher key proves nothing
 * either way (`deployed`).
 */
export function olderThanKnownKeys(knownBefore: readonly string[]): (key: string) => boolean {
  const maxByPartition = new Map<bigint, bigint>();
  for (const k of knownBefore) {
    if (!/^\d+$/.test(k)) continue;
    const key = BigInt(k);
    const partition = key >> PARTITION_SHIFT;
    const max = maxByPartition.get(partition);
    if (max === undefined || key > max) maxByPartition.set(partition, key);
  }
  return (k) => {
    if (!/^\d+$/.test(k)) return false;
    const key = BigInt(k);
    const max = maxByPartition.get(key >> PARTITION_SHIFT);
    return max !== undefined && key < max;
  };
}

/**
 * Deploys all processes and forms of `dir` atomically and reports each with its version and key.
 * Throws (deploying nothing) when a file is unreadable or the cluster rejects any resource.
 */
export async function deployProcesses(client: DeployClient, dir: string, opts: DeployOptions = {}): Promise<DeployReport> {
  const collected = collectResources(dir);
  const processIds = collected.filter((c) => c.kind === 'process').flatMap((c) => c.ids);
  const formIds = collected.filter((c) => c.kind === 'form').flatMap((c) => c.ids);

  let previousProcesses = new Map<string, VersionRef>();
  let previousForms = new Map<string, VersionRef>();
  let processesKnown = false;
  let formsKnown = false;
  let lookupError: string | undefined;
  if (opts.lookupLatest) {
    try {
      previousProcesses = await opts.lookupLatest.processes(processIds);
      processesKnown = true;
      if (opts.lookupLatest.forms) {
        previousForms = await opts.lookupLatest.forms(formIds);
        formsKnown = true;
      }
    } catch (e) {
      lookupError = (e as Error).message ?? String(e);
    }
  }

  // Forms first: a form's key then lies below the keys of the processes deployed with it, which lets
  // the key rule of olderThanKnownKeys recognise an unchanged form on the next run (see there).
  const response = await client.deployResources(
    [...collected.filter((c) => c.kind === 'form'), ...collected.filter((c) => c.kind === 'process')].map((c) => c.resource),
    opts.tenantId,
  );
  const olderThanKnown = olderThanKnownKeys([...previousProcesses.values(), ...previousForms.values()].map((v) => v.key));

  const items: DeployedItem[] = [];
  for (const d of response.deployments as Array<{ process?: ProcessMeta; form?: FormMeta }>) {
    if (d.process) {
      const p = d.process;
      const key = String(p.processDefinitionKey);
      items.push({
        kind: 'process',
        id: p.bpmnProcessId,
        version: Number(p.version),
        key,
        resourceName: p.resourceName,
        ...statusOf(Number(p.version), key, previousProcesses.get(p.bpmnProcessId), processesKnown),
      });
    } else if (d.form) {
      const f = d.form;
      const key = String(f.formKey);
      items.push({
        kind: 'form',
        id: f.formId,
        version: Number(f.version),
        key,
        resourceName: f.resourceName,
        ...(formsKnown
          ? statusOf(Number(f.version), key, previousForms.get(f.formId), true)
          : olderThanKnown(key)
            ? { status: 'unchanged' as const }
            : { status: 'deployed' as const }),
      });
    }
  }
  const missing = [...processIds.map((id) => ['process', id]), ...formIds.map((id) => ['form', id])].filter(
    ([kind, id]) => !items.some((i) => i.kind === kind && i.id === id),
  );
  if (missing.length > 0) {
    throw new Error(`deployment ${response.key} answered without ${missing.map(([k, id]) => `${k} ${id}`).join(', ')}`);
  }
  items.sort((a, b) => (a.kind === b.kind ? a.id.localeCompare(b.id) : a.kind === 'process' ? -1 : 1));
  return { deploymentKey: String(response.key), tenantId: response.tenantId || undefined, items, ...(lookupError ? { lookupError } : {}) };
}

/** Human-readable lines of a report, one per process or form. */
export function formatReport(report: DeployReport): string[] {
  const width = Math.max(...report.items.map((i) => i.id.length), 10);
  const lines = [`deployment ${report.deploymentKey}${report.tenantId ? ` (tenant ${report.tenantId})` : ''}`];
  for (const i of report.items) {
    const moved = i.status === 'new version' && i.previousVersion !== undefined ? ` (was v${i.previousVersion})` : '';
    lines.push(`  ${i.kind.padEnd(7)} ${i.id.padEnd(width)}  v${String(i.version).padEnd(4)} key ${i.key.padEnd(20)} ${i.status}${moved}`);
  }
  if (report.lookupError) lines.push(`  (previous versions unknown: ${report.lookupError})`);
  return lines;
}

/** The REST search the SDK's CamundaRestClient offers (8.8). */
export interface ProcessDefinitionSearchClient {
  searchProcessDefinitions(req: {
    filter: { processDefinitionId?: string; tenantId?: string };
    sort?: Array<{ field: 'version'; order?: 'ASC' | 'DESC' }>;
    page?: { from: number; limit: number };
  }): Promise<{ items: Array<{ processDefinitionId: string; version: number; processDefinitionKey: string }> }>;
}

/** LatestLookup over the Orchestration Cluster REST API (secondary storage: exported within seconds). */
export function restLatestLookup(rest: ProcessDefinitionSearchClient, tenantId?: string): LatestLookup {
  return {
    async processes(ids) {
      const out = new Map<string, VersionRef>();
      for (const id of ids) {
        const res = await rest.searchProcessDefinitions({
          filter: { processDefinitionId: id, ...(tenantId ? { tenantId } : {}) },
          sort: [{ field: 'version', order: 'DESC' }],
          page: { from: 0, limit: 1 },
        });
        const top = res.items[0];
        if (top) out.set(id, { version: Number(top.version), key: String(top.processDefinitionKey) });
      }
      return out;
    },
  };
}

/** gRPC status codes worth waiting out right after the cluster starts. */
const TRANSIENT_GRPC_CODES = new Set([
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED (back-pressure)
  14, // UNAVAILABLE (no partition leader yet)
  16, // UNAUTHENTICATED (the cluster reports ready before its initial users exist)
]);

/**
 * True for errors that a freshly started cluster answers before it can take a deployment. Zeebe's
 * readiness turns UP before identity initialisation has created the configured users, so the first
 * deployment of `docker compose up` may be refused as UNAUTHENTICATED for a few seconds. A deployment
 * is idempotent (duplicates keep their version), so trying again is safe; INVALID_ARGUMENT (a model
 * Zeebe rejects) and PERMISSION_DENIED are final.
 */
export function isTransientDeployError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'number') return TRANSIENT_GRPC_CODES.has(code);
  const msg = String((e as Error)?.message ?? e);
  return (
    /^(4|8|14|16) (DEADLINE_EXCEEDED|RESOURCE_EXHAUSTED|UNAVAILABLE|UNAUTHENTICATED)\b/.test(msg) ||
    /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)\b/.test(msg)
  );
}

export interface RetryOptions {
  /** give up after this long, ms */
  waitMs: number;
  /** pause between attempts, ms */
  delayMs?: number;
  isTransient?: (e: unknown) => boolean;
  onRetry?: (attempt: number, e: unknown) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Runs `fn` until it succeeds, fails with a final error, or `waitMs` has passed. */
export async function retryTransient<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const isTransient = opts.isTransient ?? isTransientDeployError;
  const deadline = now() + opts.waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isTransient(e) || now() + (opts.delayMs ?? 2000) > deadline) throw e;
      opts.onRetry?.(attempt, e);
      await sleep(opts.delayMs ?? 2000);
    }
  }
}

/** `--wait=<seconds>` (default 120): how long to wait for a cluster that is still starting. */
export function parseArgs(argv: readonly string[], defaultDir: string): { dir: string; waitMs: number } {
  let dir = defaultDir;
  let waitMs = 120_000;
  for (const a of argv) {
    const m = /^--wait=(\d+)$/.exec(a);
    if (m) waitMs = Number(m[1]) * 1000;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a} (usage: deploy [--wait=<seconds>] [processes-dir])`);
    else dir = a;
  }
  return { dir: path.resolve(dir), waitMs };
}
