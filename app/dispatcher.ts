/**
 * Outbox dispatcher: moves the process commands that the API and the workers wrote into
 * process_command_outbox (domain/outbox.ts, same transaction as the record) to Zeebe.
 *
 * Guarantees
 * - Never loses a command: a row stays pending until Zeebe acknowledged it (markDispatched after the
 *   gRPC call returned). A crash between the call and markDispatched leaves the row pending; its lease
 *   (claimedUntil) runs out and it is sent again (at-least-once).
 * - Never doubles its effect: every publish carries messageId = the outbox dedupe key. Zeebe drops a
 *   second message with the same id while the first is buffered (TTL), a message start event with a
 *   correlation key starts at most one active instance per key, and an intermediate catch correlates a
 *   message once. `create-process-instance` commands (no Zeebe-side de-duplication) carry the variable
 *   `startCommandKey` = dedupe key; a re-send first looks for an instance with that variable.
 * - Zeebe unreachable: the gRPC call fails fast (the dispatcher's client does not retry by itself),
 *   markFailed keeps the row with the error and a back-off (0.5 s · 2^attempts, at most `maxBackOffMs`),
 *   and the loop goes on with what is due; nothing is dropped however long the outage lasts.
 *
 * Cancellation (`cancel-process-instance`, written by a staff cancellation with the status change):
 * - the key is the one on the command, else the one on the record read at send time; CancelProcessInstance
 *   answering NOT_FOUND (the instance already ended or was cancelled, e.g. by a re-send) counts as done.
 * - a start message whose record already has a cancel command is not published (marked dispatched
 *   with `{superseded}`).
 * - no key yet and the start command never went out (pending, not claimed): the start is withdrawn
 *   (supersedeCommand: marked dispatched with `{superseded}`), so a cancelled order never starts, and
 *   the cancel is done. A start being sent right now (claimed) or already sent: the instance is looked
 *   up as below (and its key stored); until it is found the cancel is not dropped but retried with the
 *   usual back-off. Cancels share the lane of the record number, so within a round they follow its start.
 *
 * Process instance keys: after a start message is published, the dispatcher looks up the instance it
 * started through the orchestration REST API (POST /v2/variables/search on the record number, root
 * scope, right process definition) and stores the key on the order / change order / service request,
 * so admins find it in Operate. The lookup is retried for a while (secondary storage in Camunda 8 is
 * eventually consistent) and swept again at start-up for records still without a key.
 */
import { IsNull, Not } from 'typeorm';
import {
  BusinessOrderEntity,
  ChangeOrderEntity,
  ProcessCommandEntity,
  ServiceRequestEntity,
  type ProcessCommand,
} from '../db/entities/index';
import { rowExists } from '../db/rows';
import {
  cancelDedupeKey,
  claimPending,
  markDispatched,
  markFailed,
  supersedeCommand,
  type CancelProcessInstancePayload,
  type CreateProcessInstancePayload,
  type PublishMessagePayload,
} from '../domain/outbox';
import { loadCalendar } from '../domain/calendar';
import { systemClock } from '../domain/clock';
import { slaVariable } from '../domain/sla';
import { MESSAGE, type ProcessId } from '../domain/vocabulary';
import { silentLogger, type Logger } from '../platform/observability/logger';
import { requestText } from '../platform/http/request-text';
import { errText, isAlreadyExists, isNotFound } from '../platform/camunda/grpc-errors';
import type { DispatcherOptions, DispatcherStats, RunningDispatcher } from './dispatcher-types';
import { START_MESSAGES } from './start-messages';

export type { DispatchClient, DispatcherOptions, DispatcherStats, RunningDispatcher } from './dispatcher-types';

const silent: Logger = silentLogger;

export function startDispatcher(opts: DispatcherOptions): RunningDispatcher {
  const ds = opts.dataSource;
  const log = opts.log ?? silent;
  const clock = opts.clock ?? systemClock;
  const batchSize = opts.batchSize ?? 64;
  const concurrency = opts.concurrency ?? 16;
  const idleMs = opts.idleMs ?? 200;
  const leaseMs = opts.leaseMs ?? 30_000;
  const maxBackOffMs = opts.maxBackOffMs ?? 30_000;
  const locateForMs = opts.locateForMs ?? 120_000;
  const stats: DispatcherStats = { dispatched: 0, failed: 0, located: 0, lastError: null };

  let stopped = false;
  let wake: (() => void) | null = null;
  let busy = false;
  let dueAgain = false;
  const idleWaiters: (() => void)[] = [];

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = null;
        resolve();
      };
    });

  // ---------------------------------------------------------------- instance key lookup
  interface Locate {
    message: string;
    correlationKey: string;
    until: number;
    next: number;
    attempt: number;
  }
  const locates = new Map<string, Locate>();

  async function rest(path: string, body: unknown): Promise<any> {
    const headers = { 'content-type': 'application/json', ...(opts.restHeaders ? await opts.restHeaders() : {}) };
    const res = await requestText(opts.restAddress!.replace(/\/$/, '') + path, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      timeoutMs: 5000,
    });
    if (res.status < 200 || res.status > 299) throw new Error(`${path}: HTTP ${res.status} ${res.text}`);
    return JSON.parse(res.text);
  }

  /** the key of the root instance of `process` whose variable `variable` equals `no`, or null */
  async function findInstance(process: ProcessId, variable: string, no: string): Promise<string | null> {
    const vars = await rest('/v2/variables/search', { filter: { name: variable, value: JSON.stringify(no) }, page: { limit: 50 } });
    const roots = (vars.items as { processInstanceKey: string; scopeKey: string }[]).filter(
      (v) => String(v.scopeKey) === String(v.processInstanceKey),
    );
    for (const r of roots) {
      const pis = await rest('/v2/process-instances/search', {
        filter: { processInstanceKey: String(r.processInstanceKey) },
        page: { limit: 1 },
      });
      const pi = pis.items?.[0] as { processDefinitionId?: string; parentProcessInstanceKey?: string } | undefined;
      if (pi && pi.processDefinitionId === process && !pi.parentProcessInstanceKey) return String(r.processInstanceKey);
    }
    return null;
  }

  async function runLocates(): Promise<void> {
    if (!opts.restAddress || !locates.size) return;
    const now = Date.now();
    for (const [id, l] of locates) {
      if (l.next > now) continue;
      const spec = START_MESSAGES[l.message];
      try {
        const key = await findInstance(spec.process, spec.variable, l.correlationKey);
        if (key) {
          await spec.store(ds, l.correlationKey, key);
          stats.located++;
          locates.delete(id);
          log.info({ correlationKey: l.correlationKey, processInstanceKey: key }, 'process instance key recorded');
          continue;
        }
      } catch (e) {
        log.warn({ correlationKey: l.correlationKey, err: errText(e) }, 'instance key lookup failed');
      }
      l.attempt++;
      l.next = now + Math.min(5000, 100 * 2 ** l.attempt);
      if (now > l.until) {
        locates.delete(id);
        log.warn({ correlationKey: l.correlationKey }, 'gave up looking for the process instance key');
      }
    }
  }

  function scheduleLocate(message: string, correlationKey: string) {
    if (!opts.restAddress || !START_MESSAGES[message]) return;
    const id = `${message}:${correlationKey}`;
    if (!locates.has(id)) locates.set(id, { message, correlationKey, until: Date.now() + locateForMs, next: Date.now() + 20, attempt: 0 });
  }

  /** start-up sweep: records whose start command went out but whose key is unknown */
  async function sweepMissingKeys(): Promise<void> {
    if (!opts.restAddress) return;
    const rows = await ds
      .getRepository(ProcessCommandEntity)
      .find({ where: { dispatchedAt: Not(IsNull()) }, order: { createdAt: 'DESC' }, take: 2000 });
    for (const c of rows) {
      if (c.kind !== 'publish-message') continue;
      const p = c.payload as unknown as PublishMessagePayload;
      const spec = START_MESSAGES[p.name];
      if (!spec) continue;
      const repo =
        p.name === MESSAGE.orderSubmitted
          ? rowExists(ds, BusinessOrderEntity, { orderNo: p.correlationKey, processInstanceKey: IsNull() })
          : p.name === MESSAGE.changeOrderSubmitted
            ? rowExists(ds, ChangeOrderEntity, { changeOrderNo: p.correlationKey, processInstanceKey: IsNull() })
            : rowExists(ds, ServiceRequestEntity, { requestNo: p.correlationKey, processInstanceKey: IsNull() });
      if (await repo) scheduleLocate(p.name, p.correlationKey);
    }
  }

  // ---------------------------------------------------------------- sending
  async function send(c: ProcessCommand): Promise<Record<string, unknown>> {
    if (c.kind === 'publish-message') {
      const p = c.payload as unknown as PublishMessagePayload;
      if (START_MESSAGES[p.name] && (await rowExists(ds, ProcessCommandEntity, { dedupeKey: cancelDedupeKey(p.correlationKey) }))) {
        // the record was cancelled before its start went out: it must never start
        return { superseded: `${p.correlationKey} cancelled before its start was sent` };
      }
      try {
        // a start message carries the process's SLA: every user task's due date and reminder read `sla`
        const spec = START_MESSAGES[p.name];
        const variables = spec ? { ...p.variables, sla: slaVariable(await loadCalendar(ds), spec.process, clock.now()) } : p.variables;
        const res = await opts.zeebe.publishMessage({
          name: p.name,
          correlationKey: p.correlationKey,
          variables,
          messageId: p.messageId,
          timeToLive: p.timeToLive,
        });
        scheduleLocate(p.name, p.correlationKey);
        return { messageKey: String(res.key) };
      } catch (e) {
        if (isAlreadyExists(e)) {
          // sent before (crash between publish and markDispatched): Zeebe kept the first one
          scheduleLocate(p.name, p.correlationKey);
          return { duplicate: true };
        }
        throw e;
      }
    }
    if (c.kind === 'create-process-instance') {
      const p = c.payload as unknown as CreateProcessInstancePayload;
      if (c.attempts > 0 && opts.restAddress) {
        const vars = await rest('/v2/variables/search', {
          filter: { name: 'startCommandKey', value: JSON.stringify(c.dedupeKey) },
          page: { limit: 5 },
        });
        const hit = (vars.items as { processInstanceKey: string; scopeKey: string }[]).find(
          (v) => String(v.scopeKey) === String(v.processInstanceKey),
        );
        if (hit) return { processInstanceKey: String(hit.processInstanceKey), duplicate: true };
      }
      const res = await opts.zeebe.createProcessInstance({
        bpmnProcessId: p.bpmnProcessId,
        variables: { ...p.variables, startCommandKey: c.dedupeKey },
      });
      return { processInstanceKey: String(res.processInstanceKey) };
    }
    if (c.kind === 'cancel-process-instance') return cancel(c);
    throw new Error(`unknown command kind ${c.kind}`);
  }

  async function cancel(c: ProcessCommand): Promise<Record<string, unknown>> {
    const p = c.payload as unknown as CancelProcessInstancePayload;
    const message = p.recordKind === 'business-order' ? MESSAGE.orderSubmitted : MESSAGE.changeOrderSubmitted;
    const entity = p.recordKind === 'business-order' ? BusinessOrderEntity : ChangeOrderEntity;
    let key =
      p.processInstanceKey ??
      ((await ds.getRepository(entity as never).findOneBy({ id: p.recordId } as never)) as { processInstanceKey: string | null } | null)
        ?.processInstanceKey ??
      null;
    if (!key) {
      const start = await supersedeCommand(
        ds,
        `${message}:${p.recordNo}`,
        `${p.recordKind} ${p.recordNo} cancelled before its start was sent (${c.dedupeKey})`,
      );
      if (start === 'superseded') {
        log.info({ recordNo: p.recordNo }, 'start command withdrawn: the record was cancelled before it was sent');
        return { startSuperseded: true };
      }
      if (start !== 'in-flight' && opts.restAddress) {
        const spec = START_MESSAGES[message];
        key = await findInstance(spec.process, spec.variable, p.recordNo);
        if (key) await spec.store(ds, p.recordNo, key);
      }
      if (!key) throw new Error(`process instance of ${p.recordKind} ${p.recordNo} not known yet (start command ${start}); cancel retried`);
    }
    try {
      await opts.zeebe.cancelProcessInstance(key);
      return { processInstanceKey: key };
    } catch (e) {
      if (isNotFound(e)) return { processInstanceKey: key, notFound: true };
      throw e;
    }
  }

  async function handle(c: ProcessCommand): Promise<void> {
    let result: Record<string, unknown>;
    try {
      result = await send(c);
    } catch (e) {
      stats.failed++;
      stats.lastError = errText(e);
      const retryInMs = Math.min(maxBackOffMs, 500 * 2 ** Math.min(c.attempts, 16));
      log.warn(
        { commandId: c.id, dedupeKey: c.dedupeKey, attempts: c.attempts + 1, retryInMs, err: stats.lastError },
        'process command not delivered; will retry',
      );
      await markFailed(ds, c.id, stats.lastError, { retryInMs }).catch((err) =>
        log.error({ commandId: c.id, err: errText(err) }, 'markFailed failed (the lease will expire and the command be retried)'),
      );
      return;
    }
    // delivered: if this write fails the lease expires and the command is sent again (idempotent)
    await markDispatched(ds, c.id, result).catch((err) =>
      log.error({ commandId: c.id, err: errText(err) }, 'markDispatched failed (the command will be sent again; Zeebe de-duplicates it)'),
    );
    stats.dispatched++;
  }

  async function round(): Promise<number> {
    const batch = await claimPending(ds, batchSize, { leaseMs });
    if (!batch.length) return 0;
    // keep per-correlation-key order: commands for one key go out one after the other
    const lanes = new Map<string, ProcessCommand[]>();
    for (const c of batch) {
      const p = c.payload as { correlationKey?: string; recordNo?: string };
      const lane = p.correlationKey ?? p.recordNo ?? c.id;
      lanes.set(lane, [...(lanes.get(lane) ?? []), c]);
    }
    const queue = [...lanes.values()];
    const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) for (const c of lane) await handle(c);
    });
    await Promise.all(workers);
    return batch.length;
  }

  const loop = (async () => {
    await sweepMissingKeys().catch((e) => log.warn({ err: errText(e) }, 'start-up sweep of instance keys failed'));
    while (!stopped) {
      let n = 0;
      busy = true;
      dueAgain = false;
      try {
        n = await round();
      } catch (e) {
        stats.lastError = errText(e);
        log.error({ err: stats.lastError }, 'dispatcher round failed (database?); retrying');
        await sleep(Math.min(maxBackOffMs, 1000));
      }
      await runLocates().catch(() => undefined);
      busy = false;
      if (n === 0 && !dueAgain) {
        for (const w of idleWaiters.splice(0)) w();
        if (stopped) break;
        await sleep(locates.size ? Math.min(idleMs, 100) : idleMs);
      }
    }
  })();

  return {
    kick() {
      dueAgain = true;
      wake?.();
    },
    async idle(timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const pending = await ds.getRepository(ProcessCommandEntity).count({ where: { dispatchedAt: IsNull() } });
        if (pending === 0 && !busy) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`dispatcher: commands still pending after ${timeoutMs} ms (last error: ${stats.lastError ?? 'none'})`);
    },
    stats: () => ({ ...stats }),
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
