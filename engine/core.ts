// The execution core: deployments, process instances, element instances, variables, jobs, user tasks,
// messages, timers, incidents and the event record. Commands are synchronous; every state change is
// tracked and written to the store in one group commit per event-loop turn.
import { createHash } from 'node:crypto';
import { El, Model, parseBpmn, ValidationError } from './model';
import { evalFeel, feelType, FeelError, isExpression, valueOf } from './feel';
import { addDuration, checkTimeZone, nextCycleDue, parseDate, parseDuration, parseTimeCycle } from './time';
import { EngineClock } from './clock';
import { StateStore } from './store';
import {
  ActivatedJob, DEFAULT_DETAILED_INSTANCES, DEFAULT_FINISHED_INSTANCES, EI, EMPTY_SET, EngineError, EngineEvent, Entity, FormDef, HistoryOptions, Incident, InstanceIndex,
  Job, JobConsumer, Message, Meta, MsgSub, ProcDef, TASK_JOB_TYPES, Timer, UserTask, VALUE_INDEX_MAX_JSON, VarScope, Vars,
} from './entities';
import { Heap } from './heap';
import type { EngineApi } from './query';

export * from './entities';

export class Engine implements EngineApi {
  readonly defs = new Map<string, ProcDef>();
  readonly forms = new Map<string, FormDef>();
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
  private byPi = new Map<string, InstanceIndex>();
  /**
   * Scopes by variable name and value (its JSON), for values of at most VALUE_INDEX_MAX_JSON characters:
   * a search for one exact value (the dispatcher finds the instance a start message created by its
   * startCommandKey or record number) reads the scopes that hold it instead of every scope the engine keeps.
   * Only the names searched by value since the start are indexed (built by one scan at the first search):
   * a provisioning order sets ~200 variables, its instance is looked up by one of them, and keeping every
   * value indexed cost ~4% of the engine's CPU in bench:e2e and a Set per value in its heap.
   */
  private readonly byValue = new Map<string, Map<string, Set<string>>>();
  private readonly valueIndexedNames = new Set<string>();
  /** creation order of variable scopes (a scope's position in varScopes), for searches that merge several instances */
  private scopeSeq = new WeakMap<VarScope, number>();
  private nextScopeSeq = 0;
  /** finished root instances, oldest first: with full detail, and summarised */
  private detailed = new Map<string, true>();
  private summarised = new Map<string, true>();
  private readonly maxFinished: number;
  private readonly maxDetailed: number;
  private models = new Map<string, Model>();
  private meta: Meta = { kind: 'meta', key: 'meta', nextKey: 2251799813685249, clockOffset: 0, clockPinnedAt: null, position: 0 };
  private readonly clock = new EngineClock(() => this.meta);
  /** IANA zone of cron timers and FEEL today(), like the broker JVM's default time zone */
  readonly timeZone: string;
  private dirty = new Map<string, unknown>();
  private newEvents: EngineEvent[] = [];
  private flushScheduled = false;
  private flushWaiters: (() => void)[] = [];
  private agenda: { scopeKey: string; gen: number; flowId: string }[] = [];
  private running = false;
  private heap = new Heap<{ due: number; kind: 'timer' | 'job' | 'msg'; key: string }>();
  private wake: NodeJS.Timeout | null = null;
  private activatable = new Map<string, Set<string>>();
  private consumers = new Map<string, JobConsumer[]>();
  private subIndex = new Map<string, Set<string>>();
  private msgIndex = new Map<string, Set<string>>();
  private msgIdIndex = new Map<string, string>();
  private msgLocks = new Map<string, string>();
  private resultWaiters = new Map<string, ((r: { pi: EI; vars: Vars }) => void)[]>();
  private dispatchScheduled = false;
  private activeChildren = new Map<string, Set<string>>();
  private owned = new Map<string, Set<string>>();
  private stopped = false;

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
        case 'ei':
          if (!e.compacted) this.eis.set(e.key, e);
          this.indexEi(e);
          if (e.msgLock && e.state === 'ACTIVE') this.msgLocks.set(e.msgLock, e.key);
          if (e.state === 'ACTIVE' || e.state === 'ACTIVATING') this.addChild(e);
          break;
        case 'vars':
          this.varScopes.set(e.key, e);
          this.scopeSeq.set(e, this.nextScopeSeq++);
          for (const n of Object.keys(e.vars)) this.indexValue(n, e.vars[n].value, e.key, true);
          break;
        case 'job': this.jobs.set(e.key, e); break;
        case 'ut': this.userTasks.set(e.key, e); this.indexUserTask(e); break;
        case 'inc': this.incidents.set(e.key, e); this.index(e.piKey).incs.add(e.key); break;
        case 'timer': this.timers.set(e.key, e); this.own(e.ownerKey, 't' + e.key); break;
        case 'sub': this.subs.set(e.key, e); this.indexSub(e); break;
        case 'msg': this.messages.set(e.key, e); this.indexMsg(e); break;
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
    if (this.trimHistory()) {
      // the removals first (SQLite's rewrite covers events only), then the rewrite below replaces them in a log
      this.store.write(this.dirty, []);
      this.dirty = new Map();
      dropped++;
    }
    if (this.store.rewrite && (this.store.compactOnLoad || dropped > 0)) this.store.rewrite(this.snapshotEntities(), this.snapshotEvents());
    for (const d of this.defs.values()) this.models.set(d.key, (await parseBpmn(d.xml)).find((m) => m.processId === d.bpmnProcessId)!);
    for (const t of this.timers.values()) this.heap.push({ due: t.due, kind: 'timer', key: t.key });
    for (const m of this.messages.values()) this.heap.push({ due: m.deadline, kind: 'msg', key: m.key });
    for (const j of this.jobs.values()) {
      if (j.state === 'ACTIVATED') this.heap.push({ due: j.deadline, kind: 'job', key: j.key });
      else if (j.state === 'FAILED' && j.retries > 0) this.heap.push({ due: j.backoffUntil, kind: 'job', key: j.key });
      else if (j.state === 'ACTIVATABLE') this.addActivatable(j);
    }
  }

  start(): void { this.schedule(); }

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

  private clockMoved(): number {
    this.touch(this.meta);
    if (this.wake) { clearTimeout(this.wake); this.wake = null; this.wakeAt = Infinity; }
    this.tick();
    return this.now();
  }

  private metaDirty = false;
  private newKey(): string { const k = this.meta.nextKey++; this.metaDirty = true; return String(k); }

  private touch(e: Entity): void {
    this.dirty.set(`${e.kind}/${e.key}`, e);
    this.scheduleFlush();
  }
  private remove(e: Entity): void {
    this.dirty.set(`${e.kind}/${e.key}`, null);
    this.scheduleFlush();
  }
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }
  private flush(): void {
    // history trimming first, while flushScheduled is still set: its removals go into this write
    if (this.detailed.size > this.maxDetailed || this.detailed.size + this.summarised.size > this.maxFinished) this.trimHistory();
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
  private snapshotEntities(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    const add = (e: Entity) => out.set(`${e.kind}/${e.key}`, e);
    add(this.meta);
    // process instances first, in creation order (summarised ones are not in eis)
    for (const m of [this.defs, this.forms, this.processInstances, this.eis, this.varScopes, this.jobs, this.userTasks, this.incidents, this.timers, this.subs, this.messages] as Map<string, Entity>[]) for (const e of m.values()) add(e);
    return out;
  }
  private snapshotEvents(): EngineEvent[] {
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

  private record(piKey: string, valueType: string, intent: string, key: string, extra: Record<string, unknown> = {}): void {
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
  private recordEl(ei: EI, intent: string): void {
    if (intent === 'ELEMENT_ACTIVATING' || intent === 'ELEMENT_COMPLETING') return;
    this.record(ei.piKey, 'PROCESS_INSTANCE', intent, ei.key, { elementId: ei.elementId, bpmnElementType: ei.type });
  }

  // ---------------------------------------------------------------- per-instance indexes and history
  private index(piKey: string): InstanceIndex {
    let idx = this.byPi.get(piKey);
    if (!idx) { idx = { eis: new Set(), uts: new Set(), incs: new Set(), children: new Set() }; this.byPi.set(piKey, idx); }
    return idx;
  }
  private indexEi(ei: EI): void {
    if (!ei.compacted) this.index(ei.piKey).eis.add(ei.key);
    if (ei.type === 'PROCESS') {
      this.processInstances.set(ei.key, ei);
      if (ei.parentPiKey) this.index(ei.parentPiKey).children.add(ei.key);
    }
  }
  private indexUserTask(ut: UserTask): void {
    this.index(ut.piKey).uts.add(ut.key);
    if (ut.state === 'CREATED') this.openUserTasks.set(ut.key, ut);
  }
  private newScope(scopeKey: string, piKey: string): VarScope {
    const s: VarScope = { kind: 'vars', key: scopeKey, piKey, vars: {} };
    this.varScopes.set(scopeKey, s);
    this.scopeSeq.set(s, this.nextScopeSeq++);
    return s;
  }
  /** Creation order of a variable scope (for merging the scopes of several instances in search order). */
  scopeOrder(s: VarScope): number { return this.scopeSeq.get(s) ?? 0; }

  /** Keys of an instance's element instances (including its own key: the root variable scope), empty when unknown or summarised. */
  elementInstanceKeysOf(piKey: string): ReadonlySet<string> { return this.byPi.get(piKey)?.eis ?? EMPTY_SET; }
  userTaskKeysOf(piKey: string): ReadonlySet<string> { return this.byPi.get(piKey)?.uts ?? EMPTY_SET; }
  incidentKeysOf(piKey: string): ReadonlySet<string> { return this.byPi.get(piKey)?.incs ?? EMPTY_SET; }
  /** Number of finished root instances kept with full detail and summarised (for tests and monitoring). */
  historySize(): { detailed: number; summarised: number } { return { detailed: this.detailed.size, summarised: this.summarised.size }; }

  /** The instance and the instances it called, recursively. */
  private treeOf(root: string): string[] {
    const out = [root];
    for (let i = 0; i < out.length; i++) for (const c of this.byPi.get(out[i])?.children ?? EMPTY_SET) out.push(c);
    return out;
  }

  /**
   * Bounded history: the oldest finished roots beyond `detailedInstances` lose their element instances,
   * variables, incidents and event record (the process-instance records and user tasks stay); beyond
   * `finishedInstances` they are forgotten. Runs at the start of a group commit, never within a command,
   * so whatever ended in this turn is still whole while the turn's answers are computed.
   */
  private trimHistory(): boolean {
    let changed = false;
    while (this.detailed.size > this.maxDetailed) {
      const k = this.detailed.keys().next().value as string;
      this.detailed.delete(k);
      this.summarise(k);
      this.summarised.set(k, true);
      changed = true;
    }
    while (this.summarised.size && this.detailed.size + this.summarised.size > this.maxFinished) {
      const k = this.summarised.keys().next().value as string;
      this.summarised.delete(k);
      this.forget(k);
      changed = true;
    }
    return changed;
  }

  private summarise(root: string): void {
    for (const pk of this.treeOf(root)) {
      const idx = this.byPi.get(pk);
      if (!idx) continue;
      for (const k of idx.eis) {
        const ei = this.eis.get(k);
        if (ei) { this.eis.delete(k); if (ei.type !== 'PROCESS') this.remove(ei); }
        const s = this.varScopes.get(k);
        if (s) {
          for (const n of Object.keys(s.vars)) this.indexValue(n, s.vars[n].value, k, false);
          this.varScopes.delete(k);
          this.remove(s);
        }
        this.activeChildren.delete(k);
        this.closeSubscriptions(k);
      }
      for (const k of idx.incs) { const inc = this.incidents.get(k); if (inc) { this.incidents.delete(k); this.remove(inc); } }
      idx.eis.clear();
      idx.incs.clear();
      this.events.delete(pk);
      const pi = this.processInstances.get(pk);
      if (pi) { pi.compacted = true; delete pi.joins; delete pi.pendingVars; delete pi.chosenFlows; this.touch(pi); }
    }
  }

  private forget(root: string): void {
    for (const pk of this.treeOf(root)) {
      const idx = this.byPi.get(pk);
      if (idx) for (const k of idx.uts) { const ut = this.userTasks.get(k); if (ut) { this.userTasks.delete(k); this.openUserTasks.delete(k); this.remove(ut); } }
      const pi = this.processInstances.get(pk);
      if (pi) { this.processInstances.delete(pk); this.remove(pi); }
      this.byPi.delete(pk);
    }
  }

  // ---------------------------------------------------------------- deployment
  async deploy(resources: { name: string; content: Buffer }[]): Promise<{ key: string; processes: ProcDef[]; forms: FormDef[] }> {
    if (!resources.length) throw new EngineError('INVALID_ARGUMENT', 'Expected to deploy at least one resource, but none given');
    const errors: string[] = [];
    const bpmn: { name: string; xml: string; models: Model[] }[] = [];
    const forms: { name: string; id: string; schema: string }[] = [];
    for (const r of resources) {
      const text = r.content.toString('utf8');
      if (/\.(bpmn|xml)$/i.test(r.name)) {
        try {
          bpmn.push({ name: r.name, xml: text, models: await parseBpmn(text) });
        } catch (e) {
          errors.push(`'${r.name}': ${e instanceof ValidationError ? e.message : (e as Error).message}`);
        }
      } else if (/\.form$/i.test(r.name)) {
        try {
          const j = JSON.parse(text);
          if (!j || typeof j !== 'object' || typeof j.id !== 'string' || !j.id) throw new Error("Expected the form to have a string property 'id'");
          forms.push({ name: r.name, id: j.id, schema: text });
        } catch (e) {
          errors.push(`'${r.name}': Failed to parse the form: ${(e as Error).message}`);
        }
      } else {
        errors.push(`'${r.name}': Expected the resource to be a BPMN (.bpmn) or form (.form) file; DMN and other resources are not supported by this engine`);
      }
    }
    const ids = new Set<string>();
    for (const b of bpmn) for (const m of b.models) {
      if (ids.has(m.processId)) errors.push(`Duplicated process id in resources '${m.processId}'`);
      ids.add(m.processId);
    }
    if (errors.length) throw new EngineError('INVALID_ARGUMENT', `Command 'CREATE' rejected with code 'INVALID_ARGUMENT': Expected to deploy new resources, but encountered the following errors:\n${errors.join('\n')}`);
    // As Zeebe: a resource is a duplicate when its latest version has the same resource name and content;
    // when any resource of a deployment is new or changed, every resource of it gets a new version (8.6+).
    const sum = (t: string) => createHash('sha256').update(t).digest('hex');
    const allDuplicates =
      forms.every((f) => { const l = this.latestForm(f.id); return !!l && l.checksum === sum(f.schema) && l.resourceName === f.name; }) &&
      bpmn.every((b) => b.models.every((m) => { const l = this.latestDef(m.processId); return !!l && l.checksum === sum(b.xml) && l.resourceName === b.name; }));
    const deploymentKey = this.newKey();
    const outP: ProcDef[] = [];
    const outF: FormDef[] = [];
    for (const f of forms) {
      const checksum = sum(f.schema);
      const latest = this.latestForm(f.id);
      if (allDuplicates && latest) { outF.push(latest); continue; }
      const fd: FormDef = { kind: 'form', key: this.newKey(), formId: f.id, version: this.maxVersion(this.forms, (x) => x.formId === f.id) + 1, resourceName: f.name, checksum, schema: f.schema, deploymentKey };
      this.forms.set(fd.key, fd);
      this.touch(fd);
      outF.push(fd);
    }
    for (const b of bpmn) {
      const checksum = sum(b.xml);
      for (const m of b.models) {
        const latest = this.latestDef(m.processId);
        if (allDuplicates && latest) { outP.push(latest); continue; }
        const pd: ProcDef = { kind: 'def', key: this.newKey(), bpmnProcessId: m.processId, version: this.maxVersion(this.defs, (x) => x.bpmnProcessId === m.processId) + 1, resourceName: b.name, checksum, xml: b.xml, deploymentKey, name: m.name };
        this.defs.set(pd.key, pd);
        this.models.set(pd.key, m);
        this.touch(pd);
        outP.push(pd);
        // timer start events: cancel those of the previous version, open the new ones
        if (latest) for (const t of [...this.timers.values()]) if (t.role === 'start' && t.defKey === latest.key) this.deleteTimer(t);
        for (const ts of m.timerStarts) this.openStartTimer(pd, ts);
        // buffered messages may start the new version
        for (const ms of m.messageStarts) this.correlateBufferedToStart(pd, ms);
      }
    }
    this.run();
    return { key: deploymentKey, processes: outP, forms: outF };
  }

  /** the latest version that is not deleted */
  latestDef(bpmnProcessId: string | undefined): ProcDef | undefined {
    let best: ProcDef | undefined;
    for (const d of this.defs.values()) if (!d.deleted && d.bpmnProcessId === bpmnProcessId && (!best || d.version > best.version)) best = d;
    return best;
  }
  latestForm(formId: string | undefined): FormDef | undefined {
    let best: FormDef | undefined;
    for (const d of this.forms.values()) if (!d.deleted && d.formId === formId && (!best || d.version > best.version)) best = d;
    return best;
  }
  /** the highest version ever deployed, deleted ones included: versions are never given twice */
  private maxVersion<T extends { version: number }>(m: Map<string, T>, same: (x: T) => boolean): number {
    let v = 0;
    for (const x of m.values()) if (same(x) && x.version > v) v = x.version;
    return v;
  }

  /**
   * POST /v2/resources/{key}/deletion: a process definition or form is deleted. A deleted process starts no
   * instance (by key, id, message, timer, call activity); its running instances go on to their end, as in
   * Camunda 8.9, which drains them. When it was the latest version, the previous one becomes the latest
   * and its timer start events are opened again, as Zeebe does.
   */
  deleteResource(key: string): void {
    const d = this.defs.get(key);
    if (d && !d.deleted) {
      const wasLatest = this.latestDef(d.bpmnProcessId) === d;
      d.deleted = true;
      this.touch(d);
      for (const t of [...this.timers.values()]) if (t.role === 'start' && t.defKey === d.key) this.deleteTimer(t);
      const now = wasLatest ? this.latestDef(d.bpmnProcessId) : undefined;
      if (now) for (const ts of this.model(now.key).timerStarts) this.openStartTimer(now, ts);
      this.run();
      return;
    }
    const f = this.forms.get(key);
    if (f && !f.deleted) { f.deleted = true; this.touch(f); return; }
    throw new EngineError('NOT_FOUND', `Command 'DELETE' rejected with code 'NOT_FOUND': Expected to delete resource but no resource found with key \`${key}\``);
  }
  model(defKey: string): Model { return this.models.get(defKey)!; }
  el(ei: EI): El { return this.model(ei.defKey).elements.get(ei.elementId)!; }

  // ---------------------------------------------------------------- process instances
  createInstance(opts: { bpmnProcessId?: string; processDefinitionKey?: string; version?: number; variables: Vars; startInstructions?: string[] }): EI {
    let def: ProcDef | undefined;
    if (opts.processDefinitionKey && opts.processDefinitionKey !== '0') {
      def = this.defs.get(opts.processDefinitionKey);
      if (!def || def.deleted) throw new EngineError('NOT_FOUND', `Command 'CREATE' rejected with code 'NOT_FOUND': Expected to find process definition with key '${opts.processDefinitionKey}', but none found`);
    } else if (opts.bpmnProcessId) {
      if (opts.version && opts.version > 0) {
        def = [...this.defs.values()].find((d) => !d.deleted && d.bpmnProcessId === opts.bpmnProcessId && d.version === opts.version);
        if (!def) throw new EngineError('NOT_FOUND', `Command 'CREATE' rejected with code 'NOT_FOUND': Expected to find process definition with process ID '${opts.bpmnProcessId}' and version '${opts.version}', but none found`);
      } else {
        def = this.latestDef(opts.bpmnProcessId);
        if (!def) throw new EngineError('NOT_FOUND', `Command 'CREATE' rejected with code 'NOT_FOUND': Expected to find process definition with process ID '${opts.bpmnProcessId}', but none found`);
      }
    } else throw new EngineError('INVALID_ARGUMENT', 'Expected either a bpmnProcessId or a processDefinitionKey, but none given');
    const m = this.model(def.key);
    let startIds: string[];
    if (opts.startInstructions?.length) {
      startIds = opts.startInstructions;
      for (const s of startIds) {
        const el = m.elements.get(s);
        if (!el) throw new EngineError('INVALID_ARGUMENT', `Command 'CREATE' rejected with code 'INVALID_ARGUMENT': Expected to create instance of process with start instructions but no element found with id '${s}'.`);
        if (el.scopeId !== m.processId) throw new EngineError('INVALID_ARGUMENT', `Start instructions for elements inside sub-processes are not supported by this engine ('${s}')`);
      }
    } else {
      if (!m.noneStart) throw new EngineError('FAILED_PRECONDITION', `Command 'CREATE' rejected with code 'INVALID_STATE': Expected to create instance of process with none start event, but there is no such event`);
      startIds = [m.noneStart];
    }
    const pi = this.startInstance(def, opts.variables, startIds, null);
    this.run();
    return pi;
  }

  private startInstance(def: ProcDef, variables: Vars, startIds: string[], parent: EI | null, startVars?: Vars | null, msgLock?: string): EI {
    const key = this.newKey();
    const pi: EI = {
      kind: 'ei', key, piKey: key, defKey: def.key, bpmnProcessId: def.bpmnProcessId, version: def.version, elementId: def.bpmnProcessId, type: 'PROCESS', name: def.name,
      flowScopeKey: null, state: 'ACTIVE', startDate: this.now(), active: 0, pendingJoin: 0, gen: 0,
      parentPiKey: parent?.piKey, parentEiKey: parent?.key, msgLock,
    };
    this.eis.set(key, pi);
    this.indexEi(pi);
    this.touch(pi);
    if (msgLock) this.msgLocks.set(msgLock, key);
    this.recordEl(pi, 'ELEMENT_ACTIVATING');
    for (const [k, v] of Object.entries(variables)) this.setVar(key, key, k, v);
    this.recordEl(pi, 'ELEMENT_ACTIVATED');
    for (const s of startIds) {
      const child = this.activate(pi, s, false);
      if (child && child.type === 'START_EVENT' && child.state === 'ACTIVE') this.complete(child, startVars ?? null);
    }
    return pi;
  }

  cancelInstance(piKey: string): void {
    const pi = this.eis.get(piKey);
    if (!pi || pi.type !== 'PROCESS' || pi.state !== 'ACTIVE') throw new EngineError('NOT_FOUND', `Command 'CANCEL' rejected with code 'NOT_FOUND': Expected to cancel a process instance with key '${piKey}', but no such process was found`);
    if (pi.parentPiKey) throw new EngineError('FAILED_PRECONDITION', `Command 'CANCEL' rejected with code 'INVALID_STATE': Expected to cancel a process instance with key '${piKey}', but it is created by a parent process instance. Cancel the root process instance '${this.rootOf(pi)}' instead.`);
    this.terminate(pi);
    this.run();
  }

  private rootOf(pi: EI): string {
    let p = pi;
    while (p.parentPiKey) p = this.eis.get(p.parentPiKey)!;
    return p.key;
  }

  // ---------------------------------------------------------------- variables
  private setVar(scopeKey: string, piKey: string, name: string, value: unknown): void {
    let s = this.varScopes.get(scopeKey);
    if (!s) s = this.newScope(scopeKey, piKey);
    const cur = s.vars[name];
    const v = value === undefined ? null : value;
    if (cur) {
      if (JSON.stringify(cur.value) === JSON.stringify(v)) return;
      this.indexValue(name, cur.value, scopeKey, false);
      this.indexValue(name, v, scopeKey, true);
      cur.value = v;
      this.record(piKey, 'VARIABLE', 'UPDATED', cur.key, { name, value: JSON.stringify(v), scopeKey });
    } else {
      const key = this.newKey();
      s.vars[name] = { key, value: v };
      this.indexValue(name, v, scopeKey, true);
      this.record(piKey, 'VARIABLE', 'CREATED', key, { name, value: JSON.stringify(v), scopeKey });
    }
    this.touch(s);
  }

  private indexValue(name: string, value: unknown, scopeKey: string, add: boolean): void {
    if (!this.valueIndexedNames.has(name)) return;
    if (value !== null && typeof value === 'object') return; // objects and lists: never looked up by value
    const json = JSON.stringify(value);
    if (json === undefined || json.length > VALUE_INDEX_MAX_JSON) return;
    let byJson = this.byValue.get(name);
    if (add) {
      if (!byJson) this.byValue.set(name, (byJson = new Map()));
      let scopes = byJson.get(json);
      if (!scopes) byJson.set(json, (scopes = new Set()));
      scopes.add(scopeKey);
    } else {
      const scopes = byJson?.get(json);
      scopes?.delete(scopeKey);
      if (scopes && !scopes.size) byJson!.delete(json);
      if (byJson && !byJson.size) this.byValue.delete(name);
    }
  }

  /**
   * The scopes holding variable `name` with the value whose JSON is `json` (as the REST API's variable
   * search compares it), in creation order; undefined when the index cannot answer (a value longer than
   * it keeps), and the caller must look through all scopes.
   */
  scopesWithValue(name: string, json: string): VarScope[] | undefined {
    if (json.length > VALUE_INDEX_MAX_JSON) return undefined;
    if (!this.valueIndexedNames.has(name)) {
      this.valueIndexedNames.add(name);
      for (const sc of this.varScopes.values()) { const v = sc.vars[name]; if (v) this.indexValue(name, v.value, sc.key, true); }
    }
    const out: VarScope[] = [];
    for (const k of this.byValue.get(name)?.get(json) ?? []) {
      const s = this.varScopes.get(k);
      if (s) out.push(s);
    }
    if (out.length > 1) out.sort((a, b) => this.scopeOrder(a) - this.scopeOrder(b));
    return out;
  }

  /** Variables visible from a scope (nearest wins). */
  visibleVars(scopeKey: string): Vars {
    const chain: string[] = [];
    let k: string | null = scopeKey;
    while (k) { chain.push(k); k = this.eis.get(k)?.flowScopeKey ?? null; }
    const out: Vars = {};
    for (let i = chain.length - 1; i >= 0; i--) {
      const s = this.varScopes.get(chain[i]);
      if (s) for (const [n, v] of Object.entries(s.vars)) out[n] = v.value;
    }
    return out;
  }

  /** Zeebe's mergeDocument: each variable goes to the nearest scope (from `scopeKey` up) that has it, else the root. */
  private mergeDocument(scopeKey: string, piKey: string, doc: Vars): void {
    for (const [name, value] of Object.entries(doc)) {
      let k: string | null = scopeKey;
      let target = piKey;
      while (k) {
        if (this.varScopes.get(k)?.vars[name]) { target = k; break; }
        k = this.eis.get(k)?.flowScopeKey ?? null;
      }
      this.setVar(target, piKey, name, value);
    }
  }

  setVariables(eiKey: string, doc: Vars, local: boolean): string {
    const ei = this.eis.get(eiKey);
    if (!ei || ei.state === 'COMPLETED' || ei.state === 'TERMINATED') throw new EngineError('NOT_FOUND', `Command 'UPDATE' rejected with code 'NOT_FOUND': Expected to update variables for element with key '${eiKey}', but no such element was found`);
    if (local) for (const [n, v] of Object.entries(doc)) this.setVar(eiKey, ei.piKey, n, v);
    else this.mergeDocument(eiKey, ei.piKey, doc);
    const key = this.newKey();
    this.run();
    return key;
  }

  // ---------------------------------------------------------------- element lifecycle
  private activate(scope: EI, elementId: string, run = true, eventVars?: Vars | null): EI | null {
    const m = this.model(scope.defKey);
    const el = m.elements.get(elementId)!;
    const ei: EI = {
      kind: 'ei', key: this.newKey(), piKey: scope.piKey, defKey: scope.defKey, bpmnProcessId: scope.bpmnProcessId, version: scope.version,
      elementId, type: el.type, name: el.name, flowScopeKey: scope.key, state: 'ACTIVATING', startDate: this.now(), active: 0, pendingJoin: 0, gen: 0,
    };
    this.eis.set(ei.key, ei);
    this.indexEi(ei);
    this.addChild(ei);
    scope.active++;
    this.touch(scope);
    this.touch(ei);
    this.recordEl(ei, 'ELEMENT_ACTIVATING');
    this.onActivate(ei, eventVars ?? null);
    if (run) this.run();
    return ei;
  }

  private incident(ei: EI, errorType: string, errorMessage: string, phase: 'activate' | 'complete', jobKey?: string, pendingVars?: Vars | null): void {
    const inc: Incident = { kind: 'inc', key: this.newKey(), piKey: ei.piKey, eiKey: ei.key, elementId: ei.elementId, defKey: ei.defKey, bpmnProcessId: ei.bpmnProcessId, jobKey, errorType, errorMessage, state: 'ACTIVE', creationTime: this.now() };
    this.incidents.set(inc.key, inc);
    this.index(inc.piKey).incs.add(inc.key);
    this.touch(inc);
    ei.incidentKey = inc.key;
    ei.incidentPhase = phase;
    ei.pendingVars = pendingVars ?? null;
    this.touch(ei);
    this.record(ei.piKey, 'INCIDENT', 'CREATED', inc.key, { elementId: ei.elementId, elementInstanceKey: ei.key, errorType, errorMessage, jobKey });
  }

  private evalOrIncident<T>(ei: EI, phase: 'activate' | 'complete', what: string, fn: () => T, pendingVars?: Vars | null): { ok: true; v: T } | { ok: false } {
    try {
      return { ok: true, v: fn() };
    } catch (e) {
      const type = (e as { incidentType?: string }).incidentType ?? 'EXTRACT_VALUE_ERROR';
      this.incident(ei, type, `${what}: ${(e as Error).message}`, phase, undefined, pendingVars);
      return { ok: false };
    }
  }

  private feel(expr: string, scopeKey: string): unknown {
    if (!isExpression(expr)) return expr;
    return valueOf(expr, this.visibleVars(scopeKey), this.now(), this.timeZone);
  }

  private applyMappings(mappings: { source: string; target: string }[], scopeKey: string, extra?: Vars): Vars {
    const ctx = { ...this.visibleVars(scopeKey), ...(extra ?? {}) };
    const out: Vars = {};
    for (const mp of mappings) {
      let v: unknown;
      try {
        v = isExpression(mp.source) ? evalFeel(mp.source, { ...ctx, ...out }, this.now(), false, this.timeZone) : mp.source;
      } catch (e) {
        throw Object.assign(new Error((e as Error).message), { incidentType: 'IO_MAPPING_ERROR' });
      }
      const parts = mp.target.split('.');
      if (parts.length === 1) out[mp.target] = v;
      else {
        const rootName = parts[0];
        const base = (out[rootName] ?? ctx[rootName]);
        const root: Vars = base && typeof base === 'object' && !Array.isArray(base) ? structuredClone(base as Vars) : {};
        let cur = root;
        for (let i = 1; i < parts.length - 1; i++) {
          const n = cur[parts[i]];
          cur = cur[parts[i]] = n && typeof n === 'object' && !Array.isArray(n) ? n as Vars : {};
        }
        cur[parts[parts.length - 1]] = v;
        out[rootName] = root;
      }
    }
    return out;
  }

  private onActivate(ei: EI, eventVars: Vars | null): void {
    const el = this.el(ei);
    if (el.inputs) {
      const r = this.evalOrIncident(ei, 'activate', 'Failed to evaluate input mappings', () => this.applyMappings(el.inputs!, ei.flowScopeKey!));
      if (!r.ok) return;
      for (const [n, v] of Object.entries(r.v)) this.setVar(ei.key, ei.piKey, n, v);
    }
    // behaviour that may raise an incident before the element is ACTIVATED
    if (el.type === 'USER_TASK') {
      if (!this.createUserTask(ei, el)) return;
    } else if (TASK_JOB_TYPES.has(el.type)) {
      const r = this.evalOrIncident(ei, 'activate', 'Failed to evaluate the job type or retries', () => {
        const type = this.feel(el.jobType!, ei.key);
        if (typeof type !== 'string' || !type) throw new Error(`Expected result of the expression '${el.jobType}' to be 'STRING', but was '${feelType(type)}'`);
        const retries = Number(this.feel(el.retries!, ei.key));
        if (!Number.isInteger(retries)) throw new Error(`Expected result of the expression '${el.retries}' to be 'NUMBER'`);
        return { type, retries };
      });
      if (!r.ok) return;
      if (!this.openBoundaries(ei, el)) return;
      ei.state = 'ACTIVE';
      this.recordEl(ei, 'ELEMENT_ACTIVATED');
      this.createJob(ei, el, r.v.type, r.v.retries);
      this.correlateBufferedFor(ei);
      return;
    }
    switch (el.type) {
      case 'START_EVENT':
      case 'INTERMEDIATE_THROW_EVENT':
      case 'MANUAL_TASK':
      case 'TASK':
      case 'END_EVENT':
        ei.state = 'ACTIVE';
        this.recordEl(ei, 'ELEMENT_ACTIVATED');
        if (el.type === 'START_EVENT') return; // completed by the caller (with message variables)
        if (el.type === 'END_EVENT' && el.eventKind === 'error') { this.throwErrorFrom(ei, el.errorCode!, '', null, 'activate'); return; }
        if (el.type === 'END_EVENT' && el.eventKind === 'terminate') { this.complete(ei, null); return; }
        this.complete(ei, eventVars);
        return;
      case 'USER_TASK':
        if (!this.openBoundaries(ei, el)) return;
        ei.state = 'ACTIVE';
        this.recordEl(ei, 'ELEMENT_ACTIVATED');
        this.recordUserTaskCreated(ei);
        this.correlateBufferedFor(ei);
        return;
      case 'BOUNDARY_EVENT':
        ei.state = 'ACTIVE';
        this.recordEl(ei, 'ELEMENT_ACTIVATED');
        this.complete(ei, eventVars);
        return;
      case 'INTERMEDIATE_CATCH_EVENT':
        if (eventVars !== null) { // triggered via an event-based gateway
          ei.state = 'ACTIVE';
          this.recordEl(ei, 'ELEMENT_ACTIVATED');
          this.complete(ei, eventVars);
          return;
        }
        if (!this.openEventSubscription(ei, el, ei, 'catch', true)) return;
        ei.state = 'ACTIVE';
        this.recordEl(ei, 'ELEMENT_ACTIVATED');
        this.correlateBufferedFor(ei);
        return;
      case 'EXCLUSIVE_GATEWAY':
      case 'INCLUSIVE_GATEWAY': {
        const r = this.evalOrIncident(ei, 'activate', 'Failed to evaluate a condition', () => this.chooseFlows(ei, el));
        if (!r.ok) return;
        ei.chosenFlows = r.v;
        ei.state = 'ACTIVE';
        this.recordEl(ei, 'ELEMENT_ACTIVATED');
        this.complete(ei, null);
        return;
      }
      case 'PARALLEL_GATEWAY':
        ei.state = 'ACTIVE';
        this.recordEl(ei, 'ELEMENT_ACTIVATED');
        this.complete(ei, null);
        return;
      case 'EVENT_BASED_GATEWAY': {
        const m = this.model(ei.defKey);
        for (const fid of el.outgoing) {
          const target = m.elements.get(m.flows.get(fid)!.target)!;
          if (!this.openEventSubscription(ei, target, ei, 'gateway', true)) { this.closeSubscriptions(ei.key); return; }
        }
        ei.state = 'ACTIVE';
        this.recordEl(ei, 'ELEMENT_ACTIVATED');
        this.correlateBufferedFor(ei);
        return;
      }
      case 'SUB_PROCESS':
        if (!this.openBoundaries(ei, el)) return;
        ei.state = 'ACTIVE';
        this.recordEl(ei, 'ELEMENT_ACTIVATED');
        {
          const start = this.activate(ei, el.startId!, false);
          if (start && start.state === 'ACTIVE') this.complete(start, null);
          if (ei.state === 'ACTIVE') this.correlateBufferedFor(ei);
        }
        return;
      case 'CALL_ACTIVITY': {
        const r = this.evalOrIncident(ei, 'activate', 'Failed to evaluate the called element', () => {
          const pid = this.feel(el.calledElement!.processId, ei.key);
          if (typeof pid !== 'string') throw new Error(`Expected result of the expression '${el.calledElement!.processId}' to be 'STRING', but was '${feelType(pid)}'`);
          return pid;
        });
        if (!r.ok) return;
        const def = this.latestDef(r.v);
        if (!def) { this.incident(ei, 'CALLED_ELEMENT_ERROR', `Expected process with BPMN process id '${r.v}' to be deployed, but not found.`, 'activate'); return; }
        const cm = this.model(def.key);
        if (!cm.noneStart) { this.incident(ei, 'CALLED_ELEMENT_ERROR', `Expected process with BPMN process id '${r.v}' to have a none start event, but not found.`, 'activate'); return; }
        if (!this.openBoundaries(ei, el)) return;
        ei.state = 'ACTIVE';
        this.recordEl(ei, 'ELEMENT_ACTIVATED');
        const vars = el.calledElement!.propagateAllParentVariables ? this.visibleVars(ei.key) : { ...(this.varScopes.get(ei.key) ? Object.fromEntries(Object.entries(this.varScopes.get(ei.key)!.vars).map(([n, v]) => [n, v.value])) : {}) };
        const child = this.startInstance(def, vars, [cm.noneStart], ei);
        ei.childPiKey = child.key;
        this.touch(ei);
        if (ei.state === 'ACTIVE') this.correlateBufferedFor(ei);
        return;
      }
      default:
        throw new Error(`unsupported element type ${el.type}`);
    }
  }

  private chooseFlows(ei: EI, el: El): string[] {
    const m = this.model(ei.defKey);
    if (el.outgoing.length === 1 && !m.flows.get(el.outgoing[0])!.condition) return [el.outgoing[0]];
    const vars = this.visibleVars(ei.flowScopeKey!);
    const taken: string[] = [];
    for (const fid of el.outgoing) {
      if (fid === el.defaultFlow) continue;
      const f = m.flows.get(fid)!;
      let v: unknown;
      try { v = evalFeel(f.condition!, vars, this.now(), false, this.timeZone); } catch (e) { throw Object.assign(new Error((e as Error).message), { incidentType: 'CONDITION_ERROR' }); }
      if (v !== true && v !== false) throw Object.assign(new Error(`Expected result of the expression '${f.condition!.slice(1)}' to be 'BOOLEAN', but was '${feelType(v)}'.`), { incidentType: 'CONDITION_ERROR' });
      if (v === true) { taken.push(fid); if (el.type === 'EXCLUSIVE_GATEWAY') break; }
    }
    if (!taken.length) {
      if (el.defaultFlow) return [el.defaultFlow];
      if (el.outgoing.length === 0) return [];
      throw Object.assign(new Error(`Expected at least one condition to evaluate to true, or to have a default flow`), { incidentType: 'CONDITION_ERROR' });
    }
    return taken;
  }

  /** Complete an element instance: output mappings (with event/job variables), then leave via its flows. */
  private complete(ei: EI, eventVars: Vars | null): void {
    const el = ei.type === 'PROCESS' ? null : this.el(ei);
    if (el) {
      if (el.outputs) {
        if (eventVars) for (const [n, v] of Object.entries(eventVars)) this.setVar(ei.key, ei.piKey, n, v);
        const r = this.evalOrIncident(ei, 'complete', 'Failed to evaluate output mappings', () => this.applyMappings(el.outputs!, ei.key), null);
        if (!r.ok) return;
        this.mergeDocument(ei.flowScopeKey!, ei.piKey, r.v);
      } else if (eventVars && Object.keys(eventVars).length) {
        this.mergeDocument(ei.key, ei.piKey, eventVars);
      }
    }
    this.recordEl(ei, 'ELEMENT_COMPLETING');
    this.closeSubscriptions(ei.key);
    ei.state = 'COMPLETED';
    ei.endDate = this.now();
    this.removeChild(ei);
    this.touch(ei);
    this.recordEl(ei, 'ELEMENT_COMPLETED');
    if (!el) { this.processEnded(ei); return; }
    const scope = this.eis.get(ei.flowScopeKey!)!;
    if (el.type === 'END_EVENT' && el.eventKind === 'terminate') {
      for (const c of this.childrenOf(scope)) if (c.key !== ei.key) this.terminate(c);
      scope.active = 0; scope.pendingJoin = 0; scope.joins = {}; scope.gen++;
      this.touch(scope);
      this.completeScope(scope);
      return;
    }
    const flows = el.type === 'EXCLUSIVE_GATEWAY' || el.type === 'INCLUSIVE_GATEWAY' ? ei.chosenFlows ?? [] : el.outgoing;
    for (const fid of flows) {
      scope.active++;
      this.agenda.push({ scopeKey: scope.key, gen: scope.gen, flowId: fid });
    }
    scope.active--;
    this.touch(scope);
    this.maybeCompleteScope(scope);
  }

  private childrenOf(scope: EI): EI[] {
    const out: EI[] = [];
    for (const k of this.activeChildren.get(scope.key) ?? []) {
      const e = this.eis.get(k);
      if (e && (e.state === 'ACTIVE' || e.state === 'ACTIVATING')) out.push(e);
    }
    return out;
  }
  private addChild(ei: EI): void {
    if (!ei.flowScopeKey) return;
    let set = this.activeChildren.get(ei.flowScopeKey);
    if (!set) { set = new Set(); this.activeChildren.set(ei.flowScopeKey, set); }
    set.add(ei.key);
  }
  private removeChild(ei: EI): void {
    this.activeChildren.delete(ei.key);
    if (!ei.flowScopeKey) return;
    const set = this.activeChildren.get(ei.flowScopeKey);
    if (set) { set.delete(ei.key); if (!set.size) this.activeChildren.delete(ei.flowScopeKey); }
  }
  private own(ownerKey: string | null, id: string): void {
    if (!ownerKey) return;
    let set = this.owned.get(ownerKey);
    if (!set) { set = new Set(); this.owned.set(ownerKey, set); }
    set.add(id);
  }
  private disown(ownerKey: string | null, id: string): void {
    if (!ownerKey) return;
    const set = this.owned.get(ownerKey);
    if (set) { set.delete(id); if (!set.size) this.owned.delete(ownerKey); }
  }

  /**
   * Joining inclusive gateways (Zeebe 8.6+ semantics): a waiting gateway activates once none of its
   * incoming flows without a token can still be reached from anything active in the scope.
   */
  private checkInclusiveJoins(scope: EI): void {
    if (!scope.joins || scope.state !== 'ACTIVE' || !scope.pendingJoin) return;
    const m = this.model(scope.defKey);
    for (const [gwId, j] of Object.entries(scope.joins)) {
      const gw = m.elements.get(gwId)!;
      if (gw.type !== 'INCLUSIVE_GATEWAY' || !Object.values(j).some((n) => n > 0)) continue;
      // a token already on its way to this gateway arrives first
      if (this.agenda.some((t) => t.scopeKey === scope.key && t.gen === scope.gen && m.flows.get(t.flowId)!.target === gwId)) continue;
      // what is active in the scope: element instances, queued flows (their targets), tokens waiting at joins
      const active = new Set<string>();
      for (const c of this.childrenOf(scope)) active.add(c.elementId);
      for (const t of this.agenda) if (t.scopeKey === scope.key && t.gen === scope.gen) active.add(m.flows.get(t.flowId)!.target);
      for (const [otherId, oj] of Object.entries(scope.joins)) if (otherId !== gwId && Object.values(oj).some((n) => n > 0)) active.add(otherId);
      const blocked = gw.incoming.some((f) => !(j[f] > 0) && gw.reach![f].some((id) => active.has(id)));
      if (blocked) continue;
      for (const f of gw.incoming) if (j[f] > 0) { j[f]--; scope.pendingJoin--; }
      this.touch(scope);
      this.activate(scope, gwId, false);
      return this.checkInclusiveJoins(scope);
    }
  }

  private maybeCompleteScope(scope: EI): void {
    if (scope.state === 'ACTIVE' && scope.pendingJoin > 0 && scope.joins) this.checkInclusiveJoins(scope);
    if (scope.state !== 'ACTIVE' || scope.active > 0 || scope.pendingJoin > 0) return;
    this.completeScope(scope);
  }

  private completeScope(scope: EI): void {
    if (scope.type === 'PROCESS') this.complete(scope, null);
    else this.complete(scope, null); // sub-process: output mappings of the sub-process apply
  }

  private processEnded(pi: EI): void {
    if (pi.msgLock) {
      this.msgLocks.delete(pi.msgLock);
      const def = this.defs.get(pi.defKey)!;
      const latest = this.latestDef(def.bpmnProcessId);
      if (latest) for (const ms of this.model(latest.key).messageStarts) this.correlateBufferedToStart(latest, ms, pi.msgLock.split('\u0000')[1]);
    }
    const waiters = this.resultWaiters.get(pi.key);
    if (waiters) { this.resultWaiters.delete(pi.key); const r = { pi, vars: this.rootVars(pi.key) }; for (const w of waiters) w(r); }
    // a finished root (with everything it called) enters the bounded history; trimmed at the next group commit
    if (!pi.parentPiKey) { this.detailed.set(pi.key, true); this.scheduleFlush(); }
    if (pi.parentEiKey && pi.state === 'COMPLETED') {
      const ca = this.eis.get(pi.parentEiKey);
      if (ca && ca.state === 'ACTIVE') {
        const cel = this.el(ca);
        const childVars = Object.fromEntries(Object.entries(this.varScopes.get(pi.key)?.vars ?? {}).map(([n, v]) => [n, v.value]));
        const vars = cel.outputs || cel.calledElement!.propagateAllChildVariables ? childVars : null;
        ca.childPiKey = undefined;
        this.complete(ca, vars);
      }
    }
  }

  /** Terminate an element instance and everything below it (no flows taken). */
  private terminate(ei: EI): void {
    if (ei.state === 'COMPLETED' || ei.state === 'TERMINATED') return;
    this.recordEl(ei, 'ELEMENT_TERMINATING');
    for (const c of this.childrenOf(ei)) this.terminate(c);
    ei.gen++; ei.active = 0; ei.pendingJoin = 0; ei.joins = {};
    this.closeSubscriptions(ei.key);
    if (ei.jobKey) {
      const job = this.jobs.get(ei.jobKey);
      if (job) this.deleteJob(job, 'CANCELED');
      ei.jobKey = undefined;
    }
    if (ei.userTaskKey) {
      const ut = this.userTasks.get(ei.userTaskKey);
      if (ut && ut.state === 'CREATED') { ut.state = 'CANCELED'; ut.completionDate = this.now(); this.openUserTasks.delete(ut.key); this.touch(ut); this.record(ei.piKey, 'USER_TASK', 'CANCELED', ut.key, { elementId: ei.elementId }); }
    }
    if (ei.childPiKey) {
      const child = this.eis.get(ei.childPiKey);
      if (child) this.terminate(child);
    }
    if (ei.incidentKey) this.resolveIncidentRecord(ei.incidentKey);
    ei.state = 'TERMINATED';
    ei.endDate = this.now();
    this.removeChild(ei);
    this.touch(ei);
    this.recordEl(ei, 'ELEMENT_TERMINATED');
    if (ei.type === 'PROCESS') {
      this.processEnded(ei);
    }
  }

  /** Remove a terminated child from its scope's count (used for interrupting events on non-root elements). */
  private detachFromScope(ei: EI): void {
    const scope = ei.flowScopeKey ? this.eis.get(ei.flowScopeKey) : undefined;
    if (scope) { scope.active--; this.touch(scope); }
  }

  /** Process the agenda of taken sequence flows. */
  run(): void {
    if (this.running) return;
    this.running = true;
    try {
      while (this.agenda.length) {
        const t = this.agenda.shift()!;
        const scope = this.eis.get(t.scopeKey);
        if (!scope || scope.state !== 'ACTIVE' || scope.gen !== t.gen) continue;
        scope.active--;
        const m = this.model(scope.defKey);
        const flow = m.flows.get(t.flowId)!;
        const target = m.elements.get(flow.target)!;
        if (target.type === 'INCLUSIVE_GATEWAY' && target.incoming.length > 1) {
          const joins = (scope.joins ??= {});
          const j = (joins[target.id] ??= {});
          j[flow.id] = (j[flow.id] ?? 0) + 1;
          scope.pendingJoin++;
          this.touch(scope);
          this.checkInclusiveJoins(scope);
        } else if (target.type === 'PARALLEL_GATEWAY' && target.incoming.length > 1) {
          const joins = (scope.joins ??= {});
          const j = (joins[target.id] ??= {});
          j[flow.id] = (j[flow.id] ?? 0) + 1;
          scope.pendingJoin++;
          if (target.incoming.every((f) => (j[f] ?? 0) > 0)) {
            for (const f of target.incoming) { j[f]--; scope.pendingJoin--; }
            this.activate(scope, target.id, false);
          }
          this.touch(scope);
        } else {
          this.activate(scope, target.id, false);
        }
        this.maybeCompleteScope(scope);
      }
    } finally {
      this.running = false;
    }
    this.scheduleDispatch();
    this.schedule();
  }

  // ---------------------------------------------------------------- boundary events and subscriptions
  private openBoundaries(ei: EI, el: El): boolean {
    const m = this.model(ei.defKey);
    for (const bid of el.boundaries) {
      const b = m.elements.get(bid)!;
      if (b.eventKind === 'error') continue;
      if (!this.openEventSubscription(ei, b, ei, 'boundary', b.interrupting!)) { this.closeSubscriptions(ei.key); return false; }
    }
    return true;
  }

  /** Open the timer or message subscription of `event`, owned by `owner`; expressions are evaluated in `scopeEi`. */
  private openEventSubscription(owner: EI, event: El, scopeEi: EI, role: 'catch' | 'boundary' | 'gateway', interrupting: boolean): boolean {
    if (event.eventKind === 'timer') {
      const r = this.evalOrIncident(owner, 'activate', `Failed to evaluate the timer of '${event.id}'`, () => this.timerDue(event, scopeEi.key, true));
      if (!r.ok) return false;
      const t: Timer = { kind: 'timer', key: this.newKey(), defKey: owner.defKey, piKey: owner.piKey, ownerKey: owner.key, elementId: event.id, due: r.v.due, repetitions: r.v.repetitions, cycle: r.v.cycle, role };
      this.addTimer(t);
      return true;
    }
    if (event.eventKind === 'message') {
      const r = this.evalOrIncident(owner, 'activate', `Failed to extract the message subscription of '${event.id}'`, () => {
        const name = this.feel(event.message!.name, scopeEi.key);
        if (typeof name !== 'string') throw new Error(`Expected the message name to be a 'STRING', but was '${feelType(name)}'`);
        const ck = this.feel(event.message!.correlationKey!, scopeEi.key);
        if (typeof ck !== 'string' && typeof ck !== 'number') throw new Error(`Failed to extract the correlation key for '${event.message!.correlationKey}': The value must be either a string or a number, but was '${feelType(ck)}'.`);
        return { name, ck: String(ck) };
      });
      if (!r.ok) return false;
      const s: MsgSub = { kind: 'sub', key: this.newKey(), piKey: owner.piKey, ownerKey: owner.key, elementId: event.id, bpmnProcessId: owner.bpmnProcessId, name: r.v.name, correlationKey: r.v.ck, role, interrupting };
      this.subs.set(s.key, s);
      this.indexSub(s);
      this.touch(s);
      this.record(owner.piKey, 'PROCESS_MESSAGE_SUBSCRIPTION', 'CREATED', s.key, { elementId: event.id, messageName: s.name, correlationKey: s.correlationKey });
      return true;
    }
    return true;
  }

  private timerDue(event: El, scopeKey: string, first: boolean): { due: number; repetitions: number; cycle?: string } {
    const t = event.timer!;
    const now = this.now();
    let v = isExpression(t.value) ? this.feel(t.value, scopeKey) : t.value;
    if (typeof v !== 'string') throw new Error(`Expected result of the expression '${t.value}' to be a STRING, DATE TIME or DURATION, but was '${feelType(v)}'`);
    v = v.trim();
    if (t.kind === 'duration') {
      const d = parseDuration(v as string);
      if (!d) throw new Error(`Invalid duration '${v}'`);
      return { due: addDuration(now, d), repetitions: 1 };
    }
    if (t.kind === 'date') {
      const d = parseDate(v as string);
      if (d === null) throw new Error(`Invalid date-time format '${v}': expected an ISO-8601 date-time with offset or Z`);
      return { due: d, repetitions: 1 };
    }
    const c = parseTimeCycle(v as string);
    if (!c) throw new Error(`Invalid time cycle '${v}'`);
    return { due: nextCycleDue(c, now, first, this.timeZone), repetitions: c.repetitions, cycle: v as string };
  }

  private addTimer(t: Timer): void {
    this.timers.set(t.key, t);
    this.own(t.ownerKey, 't' + t.key);
    this.touch(t);
    if (t.piKey) this.record(t.piKey, 'TIMER', 'CREATED', t.key, { elementId: t.elementId, dueDate: new Date(t.due).toISOString() });
    this.heap.push({ due: t.due, kind: 'timer', key: t.key });
    this.schedule();
  }

  private deleteTimer(t: Timer): void {
    this.timers.delete(t.key);
    this.disown(t.ownerKey, 't' + t.key);
    this.remove(t);
  }

  private openStartTimer(def: ProcDef, ts: El): void {
    const r = (() => { try { return this.timerDue(ts, '', true); } catch { return null; } })();
    if (!r) return;
    this.addTimer({ kind: 'timer', key: this.newKey(), defKey: def.key, piKey: null, ownerKey: null, elementId: ts.id, due: r.due, repetitions: r.repetitions, cycle: r.cycle, role: 'start' });
  }

  private ownedSubs(ownerKey: string): MsgSub[] {
    return [...(this.owned.get(ownerKey) ?? [])].filter((id) => id.startsWith('s')).map((id) => this.subs.get(id.slice(1))!).filter(Boolean);
  }
  private closeSubscriptions(ownerKey: string): void {
    const set = this.owned.get(ownerKey);
    if (!set) return;
    for (const id of [...set]) {
      if (id.startsWith('t')) { const t = this.timers.get(id.slice(1)); if (t) this.deleteTimer(t); }
      else { const s = this.subs.get(id.slice(1)); if (s) this.deleteSub(s); }
    }
    this.owned.delete(ownerKey);
  }

  private deleteSub(s: MsgSub): void {
    this.subs.delete(s.key);
    this.disown(s.ownerKey, 's' + s.key);
    this.subIndex.get(`${s.name}\u0000${s.correlationKey}`)?.delete(s.key);
    this.remove(s);
  }

  private indexSub(s: MsgSub): void {
    this.own(s.ownerKey, 's' + s.key);
    const k = `${s.name}\u0000${s.correlationKey}`;
    let set = this.subIndex.get(k);
    if (!set) { set = new Set(); this.subIndex.set(k, set); }
    set.add(s.key);
  }
  private indexMsg(m: Message): void {
    const k = `${m.name}\u0000${m.correlationKey}`;
    let set = this.msgIndex.get(k);
    if (!set) { set = new Set(); this.msgIndex.set(k, set); }
    set.add(m.key);
    if (m.messageId) this.msgIdIndex.set(`${k}\u0000${m.messageId}`, m.key);
  }

  /** An event (timer, message, error) hits a boundary / catch / gateway subscription. */
  private triggerEvent(owner: EI, eventId: string, role: 'catch' | 'boundary' | 'gateway', interrupting: boolean, vars: Vars | null): void {
    if (owner.state !== 'ACTIVE') return;
    if (role === 'catch') {
      this.closeSubscriptions(owner.key);
      this.complete(owner, vars);
      return;
    }
    if (role === 'gateway') {
      this.closeSubscriptions(owner.key);
      const m = this.model(owner.defKey);
      const el = this.el(owner);
      owner.chosenFlows = el.outgoing.filter((f) => m.flows.get(f)!.target === eventId);
      // complete the gateway, then activate the chosen event directly with the event variables
      this.recordEl(owner, 'ELEMENT_COMPLETING');
      owner.state = 'COMPLETED'; owner.endDate = this.now(); this.removeChild(owner); this.touch(owner);
      this.recordEl(owner, 'ELEMENT_COMPLETED');
      const scope = this.eis.get(owner.flowScopeKey!)!;
      scope.active--;
      this.activate(scope, eventId, false, vars ?? {});
      return;
    }
    // boundary
    const scope = this.eis.get(owner.flowScopeKey!)!;
    if (interrupting) {
      this.terminate(owner);
      this.detachFromScope(owner);
    }
    this.activate(scope, eventId, false, vars ?? {});
  }

  // ---------------------------------------------------------------- errors
  /** Throw a BPMN error from an element (job worker error or error end event). */
  private throwErrorFrom(ei: EI, code: string, message: string, vars: Vars | null, phase: 'activate' | 'complete', jobKey?: string): boolean {
    // search the element itself (boundary), then its scopes upwards, crossing call activities
    let cur: EI | undefined = ei;
    while (cur) {
      if (cur.type !== 'PROCESS') {
        const el = this.el(cur);
        const m = this.model(cur.defKey);
        const catchers = el.boundaries.map((b) => m.elements.get(b)!).filter((b) => b.eventKind === 'error');
        const match = catchers.find((b) => b.errorCode === code) ?? catchers.find((b) => b.errorCode === undefined || b.errorCode === '');
        if (match) {
          const owner = cur;
          const scope = this.eis.get(owner.flowScopeKey!)!;
          this.terminate(owner);
          this.detachFromScope(owner);
          this.activate(scope, match.id, false, vars ?? {});
          return true;
        }
        cur = cur.flowScopeKey ? this.eis.get(cur.flowScopeKey) : undefined;
      } else {
        cur = cur.parentEiKey ? this.eis.get(cur.parentEiKey) : undefined;
      }
    }
    this.incident(ei, 'UNHANDLED_ERROR_EVENT', `Expected to throw an error event with the code '${code}'${message ? ` with message '${message}'` : ''}, but it was not caught. No error events are available in the scope.`, phase, jobKey);
    return false;
  }

  // ---------------------------------------------------------------- jobs
  private createJob(ei: EI, el: El, type: string, retries: number): void {
    const job: Job = {
      kind: 'job', key: this.newKey(), type, piKey: ei.piKey, eiKey: ei.key, elementId: ei.elementId, bpmnProcessId: ei.bpmnProcessId, defKey: ei.defKey, version: ei.version,
      retries, state: 'ACTIVATABLE', worker: '', deadline: -1, backoffUntil: 0, customHeaders: el.headers ?? {}, errorMessage: '', created: this.now(),
    };
    this.jobs.set(job.key, job);
    ei.jobKey = job.key;
    this.touch(ei);
    this.touch(job);
    this.record(ei.piKey, 'JOB', 'CREATED', job.key, { elementId: ei.elementId, elementInstanceKey: ei.key, type, retries });
    this.addActivatable(job);
  }

  private addActivatable(job: Job): void {
    let set = this.activatable.get(job.type);
    if (!set) { set = new Set(); this.activatable.set(job.type, set); }
    set.add(job.key);
    this.scheduleDispatch();
  }

  private deleteJob(job: Job, intent: string): void {
    this.jobs.delete(job.key);
    this.activatable.get(job.type)?.delete(job.key);
    this.remove(job);
    this.record(job.piKey, 'JOB', intent, job.key, { elementId: job.elementId, elementInstanceKey: job.eiKey, type: job.type });
  }

  private getJob(key: string, cmd: string): Job {
    const job = this.jobs.get(key);
    if (!job) throw new EngineError('NOT_FOUND', `Command '${cmd}' rejected with code 'NOT_FOUND': Expected to ${cmd.toLowerCase().replace('_', ' ')} job with key '${key}', but no such job was found`);
    return job;
  }
  private requireActive(job: Job, cmd: string): void {
    if (job.state !== 'ACTIVATABLE' && job.state !== 'ACTIVATED') {
      throw new EngineError('FAILED_PRECONDITION', `Command '${cmd}' rejected with code 'INVALID_STATE': Expected to ${cmd.toLowerCase().replace('_', ' ')} job with key '${job.key}', but it is in state '${job.state === 'FAILED' ? 'FAILED' : 'ERROR_THROWN'}'`);
    }
  }

  completeJob(key: string, vars: Vars): void {
    const job = this.getJob(key, 'COMPLETE');
    this.requireActive(job, 'COMPLETE');
    this.deleteJob(job, 'COMPLETED');
    const ei = this.eis.get(job.eiKey)!;
    ei.jobKey = undefined;
    this.complete(ei, vars);
    this.run();
  }

  failJob(key: string, retries: number, errorMessage: string, backoffMs: number, vars: Vars): void {
    const job = this.getJob(key, 'FAIL');
    this.requireActive(job, 'FAIL');
    const ei = this.eis.get(job.eiKey)!;
    if (Object.keys(vars).length) for (const [n, v] of Object.entries(vars)) this.setVar(ei.key, ei.piKey, n, v);
    job.retries = retries;
    job.errorMessage = errorMessage;
    job.worker = '';
    job.deadline = -1;
    this.activatable.get(job.type)?.delete(job.key);
    this.record(job.piKey, 'JOB', 'FAILED', job.key, { elementId: job.elementId, elementInstanceKey: job.eiKey, retries, errorMessage });
    if (retries > 0) {
      if (backoffMs > 0) {
        job.state = 'FAILED';
        job.backoffUntil = this.now() + backoffMs;
        this.heap.push({ due: job.backoffUntil, kind: 'job', key: job.key });
        this.schedule();
      } else {
        job.state = 'ACTIVATABLE';
        this.addActivatable(job);
      }
    } else {
      job.state = 'FAILED';
      job.backoffUntil = 0;
      this.incident(ei, 'JOB_NO_RETRIES', errorMessage || 'No more retries left.', 'activate', job.key);
      job.incidentKey = ei.incidentKey;
    }
    this.touch(job);
    this.run();
  }

  throwError(key: string, code: string, message: string, vars: Vars): void {
    const job = this.getJob(key, 'THROW_ERROR');
    this.requireActive(job, 'THROW_ERROR');
    const ei = this.eis.get(job.eiKey)!;
    this.record(job.piKey, 'JOB', 'ERROR_THROWN', job.key, { elementId: job.elementId, errorCode: code, errorMessage: message });
    this.activatable.get(job.type)?.delete(job.key);
    job.state = 'ERROR_THROWN';
    job.errorMessage = message;
    this.touch(job);
    const caught = this.throwErrorFrom(ei, code, message, vars, 'activate', job.key);
    if (!caught) job.incidentKey = ei.incidentKey;
    this.run();
  }

  updateJobRetries(key: string, retries: number): void {
    const job = this.getJob(key, 'UPDATE_RETRIES');
    if (retries < 1) throw new EngineError('INVALID_ARGUMENT', `Command 'UPDATE_RETRIES' rejected with code 'INVALID_ARGUMENT': Expected job's retries to be greater than zero, but it was '${retries}'`);
    job.retries = retries;
    this.touch(job);
    this.record(job.piKey, 'JOB', 'RETRIES_UPDATED', job.key, { retries });
  }

  updateJobTimeout(key: string, timeoutMs: number): void {
    const job = this.getJob(key, 'UPDATE_TIMEOUT');
    if (job.state !== 'ACTIVATED') throw new EngineError('FAILED_PRECONDITION', `Command 'UPDATE_TIMEOUT' rejected with code 'INVALID_STATE': Expected to update the timeout of job with key '${key}', but it is not active`);
    job.deadline = this.now() + timeoutMs;
    this.touch(job);
    this.heap.push({ due: job.deadline, kind: 'job', key: job.key });
    this.record(job.piKey, 'JOB', 'TIMEOUT_UPDATED', job.key, { deadline: new Date(job.deadline).toISOString() });
    this.schedule();
  }

  /** Activate up to `max` jobs of a type for a worker. */
  activateJobs(type: string, worker: string, timeout: number, max: number, fetchVariable: string[]): ActivatedJob[] {
    const set = this.activatable.get(type);
    const out: ActivatedJob[] = [];
    if (!set || !set.size) return out;
    for (const key of set) {
      if (out.length >= max) break;
      const job = this.jobs.get(key);
      set.delete(key);
      if (!job || job.state !== 'ACTIVATABLE') continue;
      out.push(this.activateJob(job, worker, timeout, fetchVariable));
    }
    return out;
  }

  private activateJob(job: Job, worker: string, timeout: number, fetchVariable: string[]): ActivatedJob {
    job.state = 'ACTIVATED';
    job.worker = worker;
    job.deadline = this.now() + timeout;
    this.touch(job);
    this.heap.push({ due: job.deadline, kind: 'job', key: job.key });
    this.schedule();
    this.record(job.piKey, 'JOB', 'ACTIVATED', job.key, { elementId: job.elementId, worker });
    let vars = this.visibleVars(job.eiKey);
    if (fetchVariable.length) vars = Object.fromEntries(fetchVariable.filter((n) => n in vars).map((n) => [n, vars[n]]));
    return {
      key: job.key, type: job.type, processInstanceKey: job.piKey, bpmnProcessId: job.bpmnProcessId, processDefinitionVersion: job.version, processDefinitionKey: job.defKey,
      elementId: job.elementId, elementInstanceKey: job.eiKey, customHeaders: JSON.stringify(job.customHeaders), worker, retries: job.retries,
      deadline: String(job.deadline), variables: JSON.stringify(vars), tenantId: '<default>',
    };
  }

  /** Give a job back (stream closed before delivery). */
  yieldJob(key: string): void {
    const job = this.jobs.get(key);
    if (!job || job.state !== 'ACTIVATED') return;
    job.state = 'ACTIVATABLE'; job.worker = ''; job.deadline = -1;
    this.touch(job);
    this.record(job.piKey, 'JOB', 'YIELDED', job.key, {});
    this.addActivatable(job);
  }

  addConsumer(c: JobConsumer): () => void {
    let list = this.consumers.get(c.type);
    if (!list) { list = []; this.consumers.set(c.type, list); }
    list.push(c);
    this.scheduleDispatch();
    return () => {
      const l = this.consumers.get(c.type);
      if (l) { const i = l.indexOf(c); if (i >= 0) l.splice(i, 1); }
    };
  }

  private scheduleDispatch(): void {
    if (this.dispatchScheduled || this.stopped) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      try { this.dispatch(); } catch (e) { console.error('engine: job dispatch failed:', e); }
    });
  }

  /** Hand activatable jobs to waiting long polls and job streams (streams first, round robin). */
  private dispatch(): void {
    for (const [type, list] of this.consumers) {
      const set = this.activatable.get(type);
      if (!set || !set.size || !list.length) continue;
      const streams = list.filter((c) => c.stream);
      const polls = list.filter((c) => !c.stream);
      if (streams.length) {
        let i = 0;
        for (const key of [...set]) {
          const c = streams[i++ % streams.length];
          const job = this.jobs.get(key);
          set.delete(key);
          if (!job || job.state !== 'ACTIVATABLE') continue;
          const aj = this.activateJob(job, c.worker, c.timeout, c.fetchVariable);
          this.commit().then(() => { if (!c.deliver([aj])) this.yieldJob(aj.key); });
        }
      }
      for (const c of polls) {
        if (!set.size) break;
        const jobs = this.activateJobs(type, c.worker, c.timeout, c.max, c.fetchVariable);
        if (jobs.length) {
          const i = list.indexOf(c); if (i >= 0) list.splice(i, 1);
          this.commit().then(() => { if (!c.deliver(jobs)) for (const j of jobs) this.yieldJob(j.key); });
        }
      }
    }
  }

  // ---------------------------------------------------------------- user tasks
  private createUserTask(ei: EI, el: El): boolean {
    const u = el.userTask!;
    let formKey: string | undefined;
    if (u.formId) {
      const r = this.evalOrIncident(ei, 'activate', 'Failed to evaluate the form id', () => this.feel(u.formId!, ei.key));
      if (!r.ok) return false;
      const form = this.latestForm(String(r.v));
      if (!form) {
        this.incident(ei, 'FORM_NOT_FOUND', `Expected to find a form with id '${r.v}', but no form with this id is found, at least a form with this id should be available. To resolve the Incident please deploy a form with the same id`, 'activate');
        return false;
      }
      formKey = form.key;
    }
    const r = this.evalOrIncident(ei, 'activate', 'Failed to evaluate a user task property', () => {
      const str = (what: string, expr?: string) => {
        if (expr === undefined || expr === '') return undefined;
        const v = this.feel(expr, ei.key);
        if (v === null) return undefined;
        if (typeof v !== 'string') throw new Error(`Expected result of the expression '${expr}' for ${what} to be 'STRING', but was '${feelType(v)}'`);
        return v;
      };
      const list = (what: string, expr?: string) => {
        if (expr === undefined || expr === '') return [];
        if (!isExpression(expr)) return expr.split(',').map((s) => s.trim()).filter(Boolean);
        const v = this.feel(expr, ei.key);
        if (v === null) return [];
        if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
        if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
        throw new Error(`Expected result of the expression '${expr}' for ${what} to be 'ARRAY' or 'STRING', but was '${feelType(v)}'`);
      };
      const date = (what: string, expr?: string) => {
        const v = str(what, expr);
        if (v === undefined) return undefined;
        if (parseDate(v) === null) throw new Error(`Expected result of the expression '${expr}' for ${what} to be a valid date-time string with offset, but was '${v}'`);
        return v;
      };
      const pr = u.priority ? Number(this.feel(u.priority, ei.key)) : 50;
      return {
        assignee: str('assignee', u.assignee), candidateGroups: list('candidateGroups', u.candidateGroups), candidateUsers: list('candidateUsers', u.candidateUsers),
        dueDate: date('dueDate', u.dueDate), followUpDate: date('followUpDate', u.followUpDate), priority: Number.isFinite(pr) ? pr : 50,
        externalFormReference: str('externalReference', u.externalReference),
      };
    });
    if (!r.ok) return false;
    const ut: UserTask = {
      kind: 'ut', key: this.newKey(), eiKey: ei.key, piKey: ei.piKey, defKey: ei.defKey, bpmnProcessId: ei.bpmnProcessId, version: ei.version, elementId: ei.elementId,
      name: el.name || el.id, processName: this.model(ei.defKey).name, state: 'CREATED', ...r.v, formKey, creationDate: this.now(), customHeaders: el.headers ?? {},
    };
    this.userTasks.set(ut.key, ut);
    this.indexUserTask(ut);
    ei.userTaskKey = ut.key;
    this.touch(ut);
    this.touch(ei);
    return true;
  }

  private recordUserTaskCreated(ei: EI): void {
    const ut = this.userTasks.get(ei.userTaskKey!)!;
    this.record(ei.piKey, 'USER_TASK', 'CREATED', ut.key, { elementId: ei.elementId, elementInstanceKey: ei.key, assignee: ut.assignee ?? '' });
  }

  getUserTask(key: string): UserTask {
    const ut = this.userTasks.get(key);
    if (!ut) throw new EngineError('NOT_FOUND', `User task with key '${key}' not found`);
    return ut;
  }

  private activeUserTask(key: string, action: string): UserTask {
    const ut = this.userTasks.get(key);
    if (!ut || ut.state !== 'CREATED') throw new EngineError('NOT_FOUND', `Command '${action}' rejected with code 'NOT_FOUND': Expected to ${action.toLowerCase()} user task with key '${key}', but no such user task was found`);
    return ut;
  }

  assignUserTask(key: string, assignee: string, allowOverride: boolean): void {
    const ut = this.activeUserTask(key, 'ASSIGN');
    if (!allowOverride && ut.assignee && ut.assignee !== assignee) throw new EngineError('FAILED_PRECONDITION', `Command 'CLAIM' rejected with code 'INVALID_STATE': Expected to claim user task with key '${key}', but it has already been assigned`);
    ut.assignee = assignee;
    this.touch(ut);
    this.record(ut.piKey, 'USER_TASK', 'ASSIGNED', ut.key, { assignee });
  }

  unassignUserTask(key: string): void {
    const ut = this.activeUserTask(key, 'ASSIGN');
    ut.assignee = undefined;
    this.touch(ut);
    this.record(ut.piKey, 'USER_TASK', 'ASSIGNED', ut.key, { assignee: '' });
  }

  completeUserTask(key: string, vars: Vars): void {
    const ut = this.activeUserTask(key, 'COMPLETE');
    ut.state = 'COMPLETED';
    ut.completionDate = this.now();
    this.openUserTasks.delete(ut.key);
    this.touch(ut);
    this.record(ut.piKey, 'USER_TASK', 'COMPLETED', ut.key, { elementId: ut.elementId, variables: JSON.stringify(vars) });
    const ei = this.eis.get(ut.eiKey)!;
    this.complete(ei, vars);
    this.run();
  }

  // ---------------------------------------------------------------- incidents
  private resolveIncidentRecord(key: string): Incident | undefined {
    const inc = this.incidents.get(key);
    if (!inc || inc.state !== 'ACTIVE') return undefined;
    inc.state = 'RESOLVED';
    this.touch(inc);
    this.record(inc.piKey, 'INCIDENT', 'RESOLVED', inc.key, { elementId: inc.elementId });
    const ei = this.eis.get(inc.eiKey);
    if (ei && ei.incidentKey === key) { ei.incidentKey = undefined; this.touch(ei); }
    return inc;
  }

  resolveIncident(key: string): void {
    const inc = this.incidents.get(key);
    if (!inc || inc.state !== 'ACTIVE') throw new EngineError('NOT_FOUND', `Command 'RESOLVE' rejected with code 'NOT_FOUND': Expected to resolve incident with key '${key}', but no such incident was found`);
    const ei = this.eis.get(inc.eiKey)!;
    if (inc.jobKey) {
      const job = this.jobs.get(inc.jobKey);
      if (job && job.state === 'FAILED' && job.retries <= 0) {
        throw new EngineError('FAILED_PRECONDITION', `Command 'RESOLVE' rejected with code 'INVALID_STATE': Expected to resolve incident with key '${key}', but job with key '${job.key}' has no retries left. Update the job's retries first.`);
      }
    }
    const phase = ei.incidentPhase;
    const pending = ei.pendingVars ?? null;
    this.resolveIncidentRecord(key);
    if (inc.jobKey) {
      const job = this.jobs.get(inc.jobKey);
      if (job) {
        job.incidentKey = undefined;
        if (job.state === 'FAILED' || job.state === 'ERROR_THROWN') {
          job.state = 'ACTIVATABLE';
          job.worker = '';
          this.addActivatable(job);
          this.touch(job);
        }
      }
      this.run();
      return;
    }
    if (ei.state === 'ACTIVATING' && phase === 'activate') this.onActivate(ei, pending);
    else if (phase === 'complete' && ei.state === 'ACTIVE') this.complete(ei, pending);
    else if (phase === 'activate' && ei.state === 'ACTIVE' && ei.type === 'END_EVENT') this.throwErrorFrom(ei, this.el(ei).errorCode!, '', null, 'activate');
    this.run();
  }

  // ---------------------------------------------------------------- messages
  publishMessage(name: string, correlationKey: string, ttlMs: number, messageId: string, variables: Vars): string {
    if (!name) throw new EngineError('INVALID_ARGUMENT', "Expected message name to be non-empty");
    const idx = `${name}\u0000${correlationKey}`;
    if (messageId) {
      const dup = this.msgIdIndex.get(`${idx}\u0000${messageId}`);
      if (dup && this.messages.has(dup)) throw new EngineError('ALREADY_EXISTS', `Command 'PUBLISH' rejected with code 'ALREADY_EXISTS': Expected to publish a new message with id '${messageId}', but a message with that id was already published`);
    }
    const msg: Message = { kind: 'msg', key: this.newKey(), name, correlationKey, messageId, variables, deadline: this.now() + Math.max(0, ttlMs), correlated: [] };
    // start events (latest versions)
    const latestByProcess = new Map<string, ProcDef>();
    for (const d of this.defs.values()) { if (d.deleted) continue; const c = latestByProcess.get(d.bpmnProcessId); if (!c || c.version < d.version) latestByProcess.set(d.bpmnProcessId, d); }
    for (const def of latestByProcess.values()) {
      for (const ms of this.model(def.key).messageStarts) {
        if (ms.message!.name !== name || msg.correlated.includes(def.bpmnProcessId)) continue;
        this.startByMessage(def, ms, msg);
      }
    }
    // intermediate / boundary / gateway subscriptions
    const subs = this.subIndex.get(idx);
    if (subs) {
      for (const sk of [...subs]) {
        const s = this.subs.get(sk);
        if (!s || msg.correlated.includes(s.bpmnProcessId)) continue;
        this.correlateSub(s, msg);
      }
    }
    if (ttlMs > 0) {
      this.messages.set(msg.key, msg);
      this.indexMsg(msg);
      this.touch(msg);
      this.heap.push({ due: msg.deadline, kind: 'msg', key: msg.key });
    }
    this.run();
    return msg.key;
  }

  /**
   * POST /v2/messages/correlation: the message correlates now or not at all (it is not buffered); the
   * answer names the first process instance it reached. NOT_FOUND when nothing was waiting for it.
   */
  correlateMessage(name: string, correlationKey: string, variables: Vars): { messageKey: string; processInstanceKey: string } {
    const reached: string[] = [];
    this.correlatedTo = reached;
    let messageKey: string;
    try { messageKey = this.publishMessage(name, correlationKey, 0, '', variables); } finally { this.correlatedTo = null; }
    if (!reached.length) throw new EngineError('NOT_FOUND', `Command 'CORRELATE' rejected with code 'NOT_FOUND': Expected to find subscription for message with name '${name}' and correlation key '${correlationKey}', but none was found.`);
    return { messageKey, processInstanceKey: reached[0] };
  }
  /** while a correlation command runs: the process instances its message reached, in order */
  private correlatedTo: string[] | null = null;

  private startByMessage(def: ProcDef, ms: El, msg: Message): boolean {
    let lock: string | undefined;
    if (msg.correlationKey) {
      lock = `${def.bpmnProcessId}\u0000${msg.correlationKey}`;
      if (this.msgLocks.has(lock)) return false;
    }
    msg.correlated.push(def.bpmnProcessId);
    if (this.messages.has(msg.key)) this.touch(msg);
    const pi = this.startInstance(def, {}, [ms.id], null, msg.variables, lock);
    this.correlatedTo?.push(pi.key);
    this.record(pi.key, 'MESSAGE', 'CORRELATED', msg.key, { messageName: msg.name, correlationKey: msg.correlationKey, elementId: ms.id });
    return true;
  }

  private correlateSub(s: MsgSub, msg: Message): void {
    const owner = this.eis.get(s.ownerKey);
    if (!owner || owner.state !== 'ACTIVE') return;
    msg.correlated.push(s.bpmnProcessId);
    this.correlatedTo?.push(s.piKey);
    if (this.messages.has(msg.key)) this.touch(msg);
    this.record(s.piKey, 'PROCESS_MESSAGE_SUBSCRIPTION', 'CORRELATED', s.key, { elementId: s.elementId, messageName: msg.name, correlationKey: msg.correlationKey, messageKey: msg.key });
    if (s.role !== 'boundary' || s.interrupting) this.deleteSub(s);
    this.triggerEvent(owner, s.elementId, s.role, s.interrupting, msg.variables);
  }

  /** A subscription just opened: correlate the oldest buffered message for it. */
  private correlateBufferedFor(owner: EI): void {
    for (const s of this.ownedSubs(owner.key)) {
      const set = this.msgIndex.get(`${s.name}\u0000${s.correlationKey}`);
      if (!set) continue;
      const now = this.now();
      for (const mk of set) {
        const msg = this.messages.get(mk);
        if (!msg || msg.deadline <= now || msg.correlated.includes(s.bpmnProcessId)) continue;
        this.correlateSub(s, msg);
        return;
      }
    }
  }

  private correlateBufferedToStart(def: ProcDef, ms: El, onlyKey?: string): void {
    const now = this.now();
    for (const msg of this.messages.values()) {
      if (msg.name !== ms.message!.name || msg.deadline <= now || msg.correlated.includes(def.bpmnProcessId)) continue;
      if (onlyKey !== undefined && msg.correlationKey !== onlyKey) continue;
      if (this.startByMessage(def, ms, msg) && onlyKey !== undefined) return;
    }
  }

  // ---------------------------------------------------------------- scheduler (timers, job timeouts, back-offs, message TTL)
  private wakeAt = Infinity;
  private schedule(): void {
    if (this.stopped) return;
    const top = this.heap.peek();
    if (!top) return;
    // keep the armed timer when it fires no later than needed (tick re-arms after firing)
    if (this.wake && this.wakeAt <= top.due) return;
    if (this.wake) clearTimeout(this.wake);
    const delay = Math.max(0, Math.min(top.due - this.now(), 2 ** 31 - 1));
    this.wakeAt = this.now() + delay;
    this.wake = setTimeout(() => { this.wake = null; this.wakeAt = Infinity; this.tick(); }, delay);
  }

  tick(): void {
    const now = this.now();
    let n = 0;
    while (this.heap.size && this.heap.peek()!.due <= now && n++ < 10000) {
      const it = this.heap.pop()!;
      try { this.fireDue(it); } catch (e) { console.error(`engine: failed to process due ${it.kind} ${it.key}:`, e); }
    }
    this.schedule();
  }

  private fireDue(it: { due: number; kind: 'timer' | 'job' | 'msg'; key: string }): void {
    {
      if (it.kind === 'timer') {
        const t = this.timers.get(it.key);
        if (t && t.due === it.due) this.fireTimer(t);
      } else if (it.kind === 'job') {
        const j = this.jobs.get(it.key);
        if (!j) return;
        if (j.state === 'ACTIVATED' && j.deadline === it.due) {
          j.state = 'ACTIVATABLE'; j.worker = ''; j.deadline = -1;
          this.touch(j);
          this.record(j.piKey, 'JOB', 'TIMED_OUT', j.key, { elementId: j.elementId });
          this.addActivatable(j);
        } else if (j.state === 'FAILED' && j.retries > 0 && j.backoffUntil === it.due) {
          j.state = 'ACTIVATABLE';
          this.touch(j);
          this.record(j.piKey, 'JOB', 'RECURRED_AFTER_BACKOFF', j.key, { elementId: j.elementId });
          this.addActivatable(j);
        }
      } else {
        const m = this.messages.get(it.key);
        if (m && m.deadline === it.due) {
          this.messages.delete(m.key);
          const k = `${m.name}\u0000${m.correlationKey}`;
          this.msgIndex.get(k)?.delete(m.key);
          if (m.messageId) this.msgIdIndex.delete(`${k}\u0000${m.messageId}`);
          this.remove(m);
        }
      }
      this.run();
    }
  }

  private fireTimer(t: Timer): void {
    this.deleteTimer(t);
    if (t.role === 'start') {
      const def = this.defs.get(t.defKey);
      if (!def) return;
      const el = this.model(def.key).elements.get(t.elementId)!;
      const pi = this.startInstance(def, {}, [t.elementId], null);
      this.record(pi.key, 'TIMER', 'TRIGGERED', t.key, { elementId: t.elementId, dueDate: new Date(t.due).toISOString() });
      if (t.cycle && (t.repetitions < 0 || t.repetitions > 1)) {
        const c = parseTimeCycle(t.cycle)!;
        this.addTimer({ ...t, key: this.newKey(), due: nextCycleDue(c, t.due, false, this.timeZone), repetitions: t.repetitions < 0 ? -1 : t.repetitions - 1 });
      }
      void el;
      return;
    }
    const owner = t.ownerKey ? this.eis.get(t.ownerKey) : undefined;
    if (!owner || owner.state !== 'ACTIVE') return;
    this.record(owner.piKey, 'TIMER', 'TRIGGERED', t.key, { elementId: t.elementId, dueDate: new Date(t.due).toISOString() });
    const m = this.model(owner.defKey);
    const ev = m.elements.get(t.elementId)!;
    const interrupting = t.role !== 'boundary' || ev.interrupting !== false;
    if (!interrupting && t.cycle && (t.repetitions < 0 || t.repetitions > 1)) {
      const c = parseTimeCycle(t.cycle)!;
      this.addTimer({ ...t, key: this.newKey(), due: nextCycleDue(c, t.due, false, this.timeZone), repetitions: t.repetitions < 0 ? -1 : t.repetitions - 1 });
    }
    this.triggerEvent(owner, t.elementId, t.role as 'catch' | 'boundary' | 'gateway', interrupting, null);
  }

  // ---------------------------------------------------------------- results
  /** Resolves when the instance ends, with its root variables at that moment. Call it in the turn that created the instance. */
  awaitCompletion(piKey: string): Promise<{ pi: EI; vars: Vars }> {
    const pi = this.processInstances.get(piKey);
    if (!pi) return Promise.reject(new EngineError('NOT_FOUND', `Process instance with key '${piKey}' not found`));
    if (pi.state === 'COMPLETED' || pi.state === 'TERMINATED') return Promise.resolve({ pi, vars: this.rootVars(piKey) });
    return new Promise((res) => {
      const l = this.resultWaiters.get(piKey) ?? [];
      l.push(res);
      this.resultWaiters.set(piKey, l);
    });
  }
  cancelAwait(piKey: string): void { this.resultWaiters.delete(piKey); }

  rootVars(piKey: string): Vars {
    return Object.fromEntries(Object.entries(this.varScopes.get(piKey)?.vars ?? {}).map(([n, v]) => [n, v.value]));
  }
}

export { FeelError };
