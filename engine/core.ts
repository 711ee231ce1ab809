// The engine's state and its group commit: the entity maps and indexes, loading them from the store,
// the clock, the event record, and writing every change of an event-loop turn in one write. The behaviour
// that changes the state lives in modules along a BPMN engine's seams, functions of this state:
// deployment, instances, activation (one behaviour per element type), flow (completion, joins,
// termination), events (timers, messages, errors), variables, jobs, user-tasks, incidents, messages,
// scheduler, history. Their fields are public to those modules; grpc.ts and rest*.ts see EngineApi
// (query.ts) only. Commands are synchronous.
import { El, Model, parseBpmn } from './model';
import { FeelError } from './feel';
import { addDuration, checkTimeZone, parseDuration } from './time';
import { EngineClock } from './clock';
import { StateStore } from './store';
import { DecisionDef, DecisionInstance, Deployed, ListenerResult, UserTaskChangeset } from './entities';
import { ActivatedJob, DEFAULT_DETAILED_INSTANCES, DEFAULT_FINISHED_INSTANCES, EI, EngineError, EngineEvent, Entity, FormDef, HistoryOptions, Incident, InstanceIndex, Job, JobConsumer, Message, Meta, MsgSub, ProcDef, Timer, UserTask, VarScope, Vars } from './entities';
import { Heap } from './heap';
import type { EngineApi } from './query';
import { deleteResource, deploy, elementOf, latestDef, latestForm, modelOf } from './deployment';
import { indexMsg, indexSub } from './events';
import { addChild, ownKey, runAgenda } from './flow';
import { elementInstanceKeysOf, historySize, incidentKeysOf, indexEi, indexUserTask, instanceIndex, scopeOrder, trimHistory, userTaskKeysOf } from './history';
import { resolveIncident } from './incidents';
import { awaitCompletion, cancelAwait, cancelInstance, createInstance, rootVars } from './instances';
import { activateJobs, addActivatable, addConsumer, completeJob, failJob, throwError, updateJobRetries, updateJobTimeout, yieldJob } from './jobs';
import { correlateMessage, publishMessage } from './messages';
import { scheduleWake, tick } from './scheduler';
import { broadcastSignal } from './signals';
import { assignUserTask, completeUserTask, getUserTask, unassignUserTask, updateUserTask } from './user-tasks';
import { indexValue, scopesWithValue, setVariables, visibleVars } from './variables';

import { parseDmn, Drg } from './dmn';
import { decisionFor, evaluateDeployed, evaluationJson } from './decisions';
import { Modification, modifyInstance } from './modification';
import { Migration, migrateInstance } from './migration';
export * from './entities';

export class Engine implements EngineApi {
  readonly defs = new Map<string, ProcDef>();
  readonly forms = new Map<string, FormDef>();
  readonly decisions = new Map<string, DecisionDef>();
  /** the most recent decision instances, oldest first (decisions.ts keeps at most MAX_DECISION_INSTANCES) */
  readonly decisionInstances = new Map<string, DecisionInstance>();
  /** parsed DMN resources by decision requirements key (decisions.ts) */
  readonly drgs = new Map<string, Drg>();
  readonly eis = new Map<string, EI>();
  readonly varScopes = new Map<string, VarScope>();
  readonly jobs = new Map<string, Job>();
  readonly userTasks = new Map<string, UserTask>();
  readonly incidents = new Map<string, Incident>();
  readonly timers = new Map<string, Timer>();
  readonly subs = new Map<string, MsgSub>();
  readonly messages = new Map<string, Message>();
  readonly events = new Map<string, EngineEvent[]>();
  /** every process instance the engine answers about: running, finished with detail, finished and summarised */
  readonly processInstances = new Map<string, EI>();
  /** user tasks in state CREATED (a subset of userTasks, same order) */
  readonly openUserTasks = new Map<string, UserTask>();
  byPi = new Map<string, InstanceIndex>();
  /**
   * Scopes by variable name and value (its JSON), for values of at most VALUE_INDEX_MAX_JSON characters:
   * a search for one exact value (the dispatcher finds the instance a start message created by its
   * startCommandKey or record number) reads the scopes that hold it instead of every scope the engine keeps.
   * Only the names searched by value since the start are indexed (built by one scan at the first search):
   * a provisioning order sets ~200 variables, its instance is looked up by one of them, and keeping every
   * value indexed cost ~4% of the engine's CPU in bench:e2e and a Set per value in its heap.
   */
  readonly byValue = new Map<string, Map<string, Set<string>>>();
  readonly valueIndexedNames = new Set<string>();
  /** creation order of variable scopes (a scope's position in varScopes), for searches that merge several instances */
  scopeSeq = new WeakMap<VarScope, number>();
  nextScopeSeq = 0;
  /** finished root instances, oldest first: with full detail, and summarised */
  detailed = new Map<string, true>();
  summarised = new Map<string, true>();
  readonly maxFinished: number;
  readonly maxDetailed: number;
  models = new Map<string, Model>();
  meta: Meta = { kind: 'meta', key: 'meta', nextKey: 2251799813685249, clockOffset: 0, clockPinnedAt: null, position: 0 };
  readonly clock = new EngineClock(() => this.meta);
  /** IANA zone of cron timers and FEEL today(), like the broker JVM's default time zone */
  readonly timeZone: string;
  dirty = new Map<string, unknown>();
  newEvents: EngineEvent[] = [];
  flushScheduled = false;
  flushWaiters: (() => void)[] = [];
  agenda: { scopeKey: string; gen: number; flowId: string }[] = [];
  running = false;
  heap = new Heap<{ due: number; kind: 'timer' | 'job' | 'msg'; key: string }>();
  wake: NodeJS.Timeout | null = null;
  activatable = new Map<string, Set<string>>();
  consumers = new Map<string, JobConsumer[]>();
  subIndex = new Map<string, Set<string>>();
  msgIndex = new Map<string, Set<string>>();
  msgIdIndex = new Map<string, string>();
  msgLocks = new Map<string, string>();
  resultWaiters = new Map<string, ((r: { pi: EI; vars: Vars }) => void)[]>();
  dispatchScheduled = false;
  activeChildren = new Map<string, Set<string>>();
  owned = new Map<string, Set<string>>();
  stopped = false;

  constructor(private store: StateStore | null, readonly testMode: boolean, history: HistoryOptions = {}, opts: { timeZone?: string } = {}) {
    this.timeZone = checkTimeZone(opts.timeZone ?? 'UTC');
    const n = (v: number | undefined, d: number) => (v === undefined || !Number.isFinite(v) || v < 0 ? d : Math.floor(v));
    this.maxFinished = n(history.finishedInstances, DEFAULT_FINISHED_INSTANCES);
    this.maxDetailed = Math.min(this.maxFinished, n(history.detailedInstances, DEFAULT_DETAILED_INSTANCES));
  }

  // ---------------------------------------------------------------- lifecycle, clock, persistence
  async load(): Promise<void> {
    if (!this.store) return;
    const loaded = this.store.load();
    for (const raw of loaded.entities.values()) {
      const e = raw as Entity;
      switch (e.kind) {
        case 'meta': this.meta = e; break;
        case 'def': this.defs.set(e.key, e); break;
        case 'form': this.forms.set(e.key, e); break;
        case 'dec': this.decisions.set(e.key, e); break;
        case 'di': this.decisionInstances.set(e.key, e); break;
        case 'ei':
          if (!e.compacted) this.eis.set(e.key, e);
          indexEi(this, e);
          if (e.msgLock && e.state === 'ACTIVE') this.msgLocks.set(e.msgLock, e.key);
          if (e.state === 'ACTIVE' || e.state === 'ACTIVATING') addChild(this, e);
          break;
        case 'vars':
          this.varScopes.set(e.key, e);
          this.scopeSeq.set(e, this.nextScopeSeq++);
          for (const n of Object.keys(e.vars)) indexValue(this, n, e.vars[n].value, e.key, true);
          break;
        case 'job': this.jobs.set(e.key, e); break;
        case 'ut': this.userTasks.set(e.key, e); indexUserTask(this, e); break;
        case 'inc': this.incidents.set(e.key, e); instanceIndex(this, e.piKey).incs.add(e.key); break;
        case 'timer': this.timers.set(e.key, e); ownKey(this, e.ownerKey, 't' + e.key); break;
        case 'sub': this.subs.set(e.key, e); indexSub(this, e); break;
        case 'msg': this.messages.set(e.key, e); indexMsg(this, e); break;
      }
    }
    // finished root instances, in the order they ended
    const ended = [...this.processInstances.values()].filter((p) => !p.parentPiKey && (p.state === 'COMPLETED' || p.state === 'TERMINATED'));
    ended.sort((a, b) => (a.endDate ?? 0) - (b.endDate ?? 0) || (BigInt(a.key) < BigInt(b.key) ? -1 : 1));
    for (const p of ended) (p.compacted ? this.summarised : this.detailed).set(p.key, true);
    // the event record of instances that are still here in detail (a store may hold events of instances dropped since)
    let dropped = 0;
    for (const raw of loaded.events) {
      const ev = raw as EngineEvent;
      if (!this.eis.has(ev.processInstanceKey)) { dropped++; continue; }
      const list = this.events.get(ev.processInstanceKey) ?? [];
      list.push(ev);
      this.events.set(ev.processInstanceKey, list);
    }
    // options may keep less history than the last run did
    if (trimHistory(this)) {
      // the removals first (SQLite's rewrite covers events only), then the rewrite below replaces them in a log
      this.store.write(this.dirty, []);
      this.dirty = new Map();
      dropped++;
    }
    if (this.store.rewrite && (this.store.compactOnLoad || dropped > 0)) this.store.rewrite(this.snapshotEntities(), this.snapshotEvents());
    for (const d of this.defs.values()) this.models.set(d.key, (await parseBpmn(d.xml)).find((m) => m.processId === d.bpmnProcessId)!);
    for (const d of this.decisions.values()) if (!this.drgs.has(d.drgKey)) this.drgs.set(d.drgKey, await parseDmn(d.xml));
    for (const t of this.timers.values()) this.heap.push({ due: t.due, kind: 'timer', key: t.key });
    for (const m of this.messages.values()) this.heap.push({ due: m.deadline, kind: 'msg', key: m.key });
    for (const j of this.jobs.values()) {
      if (j.state === 'ACTIVATED') this.heap.push({ due: j.deadline, kind: 'job', key: j.key });
      else if (j.state === 'FAILED' && j.retries > 0) this.heap.push({ due: j.backoffUntil, kind: 'job', key: j.key });
      else if (j.state === 'ACTIVATABLE') addActivatable(this, j);
    }
  }

  start(): void { scheduleWake(this); }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.wake) clearTimeout(this.wake);
    await this.commit();
    this.store?.close();
  }

  /** the engine's "now" (epoch ms): timers, job deadlines, FEEL now()/today(), history timestamps */
  now(): number { return this.clock.now(); }

  /** PUT /v2/clock: the clock stands still at `timestamp` (any instant, earlier or later) */
  clockPin(timestamp: number): number {
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new EngineError('INVALID_ARGUMENT', `The timestamp must be a whole number of epoch milliseconds >= 0, got '${timestamp}'`);
    this.clock.pin(timestamp);
    return this.clockMoved();
  }

  /** POST /v2/clock/add (Camunda 8.11): the clock moves by an ISO-8601 duration (calendar-aware) */
  clockAdd(iso: string): number {
    const d = parseDuration(iso);
    if (!d) throw new EngineError('INVALID_ARGUMENT', `Expected an ISO-8601 duration, got '${iso}'`);
    const from = this.now();
    this.clock.add(addDuration(from, d) - from);
    return this.clockMoved();
  }

  /** POST /v2/clock/reset: back to the system clock */
  clockReset(): number {
    this.clock.reset();
    return this.clockMoved();
  }

  get clockPinned(): boolean { return this.clock.pinned; }

  clockMoved(): number {
    this.touch(this.meta);
    if (this.wake) { clearTimeout(this.wake); this.wake = null; this.wakeAt = Infinity; }
    tick(this);
    return this.now();
  }

  metaDirty = false;
  newKey(): string { const k = this.meta.nextKey++; this.metaDirty = true; return String(k); }

  touch(e: Entity): void {
    this.dirty.set(`${e.kind}/${e.key}`, e);
    this.scheduleFlush();
  }
  remove(e: Entity): void {
    this.dirty.set(`${e.kind}/${e.key}`, null);
    this.scheduleFlush();
  }
  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }
  flush(): void {
    // history trimming first, while flushScheduled is still set: its removals go into this write
    if (this.detailed.size > this.maxDetailed || this.detailed.size + this.summarised.size > this.maxFinished) trimHistory(this);
    this.flushScheduled = false;
    if (this.metaDirty) { this.dirty.set('meta/meta', this.meta); this.metaDirty = false; }
    if (this.store && (this.dirty.size || this.newEvents.length)) {
      this.store.write(this.dirty, this.newEvents);
      if (this.store.wantsCompaction?.()) this.store.rewrite!(this.snapshotEntities(), this.snapshotEvents());
    }
    this.dirty = new Map();
    this.newEvents = [];
    const w = this.flushWaiters;
    this.flushWaiters = [];
    for (const f of w) f();
  }
  snapshotEntities(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    const add = (e: Entity) => out.set(`${e.kind}/${e.key}`, e);
    add(this.meta);
    // process instances first, in creation order (summarised ones are not in eis)
    for (const m of [this.defs, this.forms, this.decisions, this.decisionInstances, this.processInstances, this.eis, this.varScopes, this.jobs, this.userTasks, this.incidents, this.timers, this.subs, this.messages] as Map<string, Entity>[]) for (const e of m.values()) add(e);
    return out;
  }
  snapshotEvents(): EngineEvent[] {
    const out: EngineEvent[] = [];
    for (const l of this.events.values()) out.push(...l);
    return out.sort((a, b) => a.position - b.position);
  }

  /** Resolves once every change made so far is durable. */
  commit(): Promise<void> {
    if (!this.flushScheduled && !this.dirty.size && !this.newEvents.length && !this.metaDirty) return Promise.resolve();
    this.scheduleFlush();
    return new Promise((res) => this.flushWaiters.push(res));
  }

  record(piKey: string, valueType: string, intent: string, key: string, extra: Record<string, unknown> = {}): void {
    extra.position = ++this.meta.position;
    this.metaDirty = true;
    extra.key = key;
    extra.valueType = valueType;
    extra.intent = intent;
    extra.processInstanceKey = piKey;
    extra.timestamp = this.now();
    const ev = extra as EngineEvent;
    this.scheduleFlush();
    let list = this.events.get(piKey);
    if (!list) { list = []; this.events.set(piKey, list); }
    list.push(ev);
    if (this.store) this.newEvents.push(ev);
  }

  /** Element lifecycle: the record keeps ACTIVATED, COMPLETED, TERMINATING and TERMINATED (not the transient ACTIVATING/COMPLETING). */
  recordEl(ei: EI, intent: string): void {
    if (intent === 'ELEMENT_ACTIVATING' || intent === 'ELEMENT_COMPLETING') return;
    this.record(ei.piKey, 'PROCESS_INSTANCE', intent, ei.key, { elementId: ei.elementId, bpmnElementType: ei.type });
  }

  // ---------------------------------------------------------------- per-instance indexes and history
  /** Creation order of a variable scope (for merging the scopes of several instances in search order). */

  /** Keys of an instance's element instances (including its own key: the root variable scope), empty when unknown or summarised. */
  /** Number of finished root instances kept with full detail and summarised (for tests and monitoring). */

  /** The instance and the instances it called, recursively. */

  /**
   * Bounded history: the oldest finished roots beyond `detailedInstances` lose their element instances,
   * variables, incidents and event record (the process-instance records and user tasks stay); beyond
   * `finishedInstances` they are forgotten. Runs at the start of a group commit, never within a command,
   * so whatever ended in this turn is still whole while the turn's answers are computed.
   */



  // ---------------------------------------------------------------- deployment

  /** the latest version that is not deleted */
  /** the highest version ever deployed, deleted ones included: versions are never given twice */

  /**
   * POST /v2/resources/{key}/deletion: a process definition or form is deleted. A deleted process starts no
   * instance (by key, id, message, timer, call activity); its running instances go on to their end, as in
   * Camunda 8.9, which drains them. When it was the latest version, the previous one becomes the latest
   * and its timer start events are opened again, as Zeebe does.
   */

  // ---------------------------------------------------------------- process instances




  // ---------------------------------------------------------------- variables


  /**
   * The scopes holding variable `name` with the value whose JSON is `json` (as the REST API's variable
   * search compares it), in creation order; undefined when the index cannot answer (a value longer than
   * it keeps), and the caller must look through all scopes.
   */

  /** Variables visible from a scope (nearest wins). */

  /** Zeebe's mergeDocument: each variable goes to the nearest scope (from `scopeKey` up) that has it, else the root. */


  // ---------------------------------------------------------------- element lifecycle







  /** Complete an element instance: output mappings (with event/job variables), then leave via its flows. */


  /**
   * Joining inclusive gateways (Zeebe 8.6+ semantics): a waiting gateway activates once none of its
   * incoming flows without a token can still be reached from anything active in the scope.
   */




  /** Terminate an element instance and everything below it (no flows taken). */

  /** Remove a terminated child from its scope's count (used for interrupting events on non-root elements). */

  /** Process the agenda of taken sequence flows. */

  // ---------------------------------------------------------------- boundary events and subscriptions

  /** Open the timer or message subscription of `event`, owned by `owner`; expressions are evaluated in `scopeEi`. */








  /** An event (timer, message, error) hits a boundary / catch / gateway subscription. */

  // ---------------------------------------------------------------- errors
  /** Throw a BPMN error from an element (job worker error or error end event). */

  // ---------------------------------------------------------------- jobs









  /** Activate up to `max` jobs of a type for a worker. */


  /** Give a job back (stream closed before delivery). */



  /** Hand activatable jobs to waiting long polls and job streams (streams first, round robin). */

  // ---------------------------------------------------------------- user tasks







  // ---------------------------------------------------------------- incidents


  // ---------------------------------------------------------------- messages

  /**
   * POST /v2/messages/correlation: the message correlates now or not at all (it is not buffered); the
   * answer names the first process instance it reached. NOT_FOUND when nothing was waiting for it.
   */
  /** while a correlation command runs: the process instances its message reached, in order */
  correlatedTo: string[] | null = null;
  /** signals thrown by events in this step, broadcast when it is done */
  pendingSignals: { name: string; variables: Vars }[] = [];



  /** A subscription just opened: correlate the oldest buffered message for it. */


  // ---------------------------------------------------------------- scheduler (timers, job timeouts, back-offs, message TTL)
  wakeAt = Infinity;




  // ---------------------------------------------------------------- results
  /** Resolves when the instance ends, with its root variables at that moment. Call it in the turn that created the instance. */


  // ---------------------------------------------------------------- commands and queries (EngineApi): the behaviour lives in the modules
  scopeOrder(s: VarScope): number { return scopeOrder(this, s); }
  elementInstanceKeysOf(piKey: string): ReadonlySet<string> { return elementInstanceKeysOf(this, piKey); }
  userTaskKeysOf(piKey: string): ReadonlySet<string> { return userTaskKeysOf(this, piKey); }
  incidentKeysOf(piKey: string): ReadonlySet<string> { return incidentKeysOf(this, piKey); }
  historySize(): { detailed: number; summarised: number } { return historySize(this); }
  deploy(resources: { name: string; content: Buffer }[]): Promise<Deployed> { return deploy(this, resources); }
  evaluateDecision(ref: { decisionDefinitionKey?: string; decisionDefinitionId?: string }, vars: Vars): Record<string, unknown> { return evaluationJson(this, evaluateDeployed(this, decisionFor(this, ref), vars)); }
  latestDef(bpmnProcessId: string | undefined): ProcDef | undefined { return latestDef(this, bpmnProcessId); }
  latestForm(formId: string | undefined): FormDef | undefined { return latestForm(this, formId); }
  deleteResource(key: string): void { return deleteResource(this, key); }
  model(defKey: string): Model { return modelOf(this, defKey); }
  el(ei: EI): El { return elementOf(this, ei); }
  createInstance(opts: { bpmnProcessId?: string; processDefinitionKey?: string; version?: number; variables: Vars; startInstructions?: string[] }): EI { return createInstance(this, opts); }
  cancelInstance(piKey: string): void { return cancelInstance(this, piKey); }
  modifyInstance(piKey: string, mod: Modification): void { return modifyInstance(this, piKey, mod); }
  migrateInstance(piKey: string, mig: Migration): void { return migrateInstance(this, piKey, mig); }
  scopesWithValue(name: string, json: string): VarScope[] | undefined { return scopesWithValue(this, name, json); }
  visibleVars(scopeKey: string): Vars { return visibleVars(this, scopeKey); }
  setVariables(eiKey: string, doc: Vars, local: boolean): string { return setVariables(this, eiKey, doc, local); }
  run(): void { return runAgenda(this); }
  completeJob(key: string, vars: Vars, result?: ListenerResult): void { return completeJob(this, key, vars, result); }
  failJob(key: string, retries: number, errorMessage: string, backoffMs: number, vars: Vars): void { return failJob(this, key, retries, errorMessage, backoffMs, vars); }
  throwError(key: string, code: string, message: string, vars: Vars): void { return throwError(this, key, code, message, vars); }
  updateJobRetries(key: string, retries: number): void { return updateJobRetries(this, key, retries); }
  updateJobTimeout(key: string, timeoutMs: number): void { return updateJobTimeout(this, key, timeoutMs); }
  activateJobs(type: string, worker: string, timeout: number, max: number, fetchVariable: string[]): ActivatedJob[] { return activateJobs(this, type, worker, timeout, max, fetchVariable); }
  yieldJob(key: string): void { return yieldJob(this, key); }
  addConsumer(c: JobConsumer): () => void { return addConsumer(this, c); }
  getUserTask(key: string): UserTask { return getUserTask(this, key); }
  assignUserTask(key: string, assignee: string, allowOverride: boolean): void { return assignUserTask(this, key, assignee, allowOverride); }
  unassignUserTask(key: string): void { return unassignUserTask(this, key); }
  updateUserTask(key: string, changeset: UserTaskChangeset): void { return updateUserTask(this, key, changeset); }
  completeUserTask(key: string, vars: Vars): Promise<void> | void { return completeUserTask(this, key, vars); }
  resolveIncident(key: string): void { return resolveIncident(this, key); }
  publishMessage(name: string, correlationKey: string, ttlMs: number, messageId: string, variables: Vars): string { return publishMessage(this, name, correlationKey, ttlMs, messageId, variables); }
  correlateMessage(name: string, correlationKey: string, variables: Vars): { messageKey: string; processInstanceKey: string } { return correlateMessage(this, name, correlationKey, variables); }
  tick(): void { return tick(this); }
  broadcastSignal(name: string, variables: Vars): string { return broadcastSignal(this, name, variables); }
  awaitCompletion(piKey: string): Promise<{ pi: EI; vars: Vars }> { return awaitCompletion(this, piKey); }
  cancelAwait(piKey: string): void { return cancelAwait(this, piKey); }
  rootVars(piKey: string): Vars { return rootVars(this, piKey); }
}

export { FeelError };
