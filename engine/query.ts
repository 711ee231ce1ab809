// What the transports (grpc.ts, rest.ts, rest-commands.ts) may use of the engine: a read-only view of its
// state and indexes (EngineQuery), and its commands (EngineCommands). They hold an EngineApi, never the
// core itself, so nothing outside core.ts changes the state except through a command; the core
// implements both (`class Engine implements EngineApi`), which keeps them in step.
import type {
  ActivatedJob, DecisionDef, DecisionInstance, Deployed, EI, EngineEvent, FormDef, Incident, Job, JobConsumer, ListenerResult, ProcDef, UserTask, UserTaskChangeset, VarScope, Vars,
} from './entities';
import type { Modification } from './modification';
import type { Migration } from './migration';

type View<T> = ReadonlyMap<string, Readonly<T>>;

export interface EngineQuery {
  readonly testMode: boolean;
  /** IANA zone of cron timers and FEEL today() */
  readonly timeZone: string;
  readonly defs: View<ProcDef>;
  readonly forms: View<FormDef>;
  readonly decisions: View<DecisionDef>;
  /** decisions evaluated (REST/gRPC evaluation, business rule tasks), the most recent ones, in evaluation order */
  readonly decisionInstances: View<DecisionInstance>;
  /** element instances (process instances included) of running instances and of finished ones kept in detail */
  readonly eis: View<EI>;
  readonly varScopes: ReadonlyMap<string, VarScope>;
  readonly jobs: View<Job>;
  readonly userTasks: View<UserTask>;
  /** user tasks in state CREATED (a subset of userTasks, same order) */
  readonly openUserTasks: View<UserTask>;
  readonly incidents: View<Incident>;
  /** every process instance the engine answers about: running, finished with detail, finished and summarised */
  readonly processInstances: View<EI>;
  /** the event record per process instance, by position */
  readonly events: ReadonlyMap<string, readonly EngineEvent[]>;
  readonly clockPinned: boolean;
  now(): number;
  elementInstanceKeysOf(piKey: string): ReadonlySet<string>;
  userTaskKeysOf(piKey: string): ReadonlySet<string>;
  incidentKeysOf(piKey: string): ReadonlySet<string>;
  scopeOrder(s: VarScope): number;
  scopesWithValue(name: string, json: string): VarScope[] | undefined;
  getUserTask(key: string): UserTask;
  latestDef(bpmnProcessId: string | undefined): ProcDef | undefined;
  latestForm(formId: string | undefined): FormDef | undefined;
  historySize(): { detailed: number; summarised: number };
}

export interface EngineCommands {
  /** resolves once every change made so far is durable */
  commit(): Promise<void>;
  deploy(resources: { name: string; content: Buffer }[]): Promise<Deployed>;
  deleteResource(key: string): void;
  /** evaluate a deployed decision (by key, or by id: the latest version); the answer in Camunda 8.9's REST shape */
  evaluateDecision(ref: { decisionDefinitionKey?: string; decisionDefinitionId?: string }, vars: Vars): Record<string, unknown>;
  createInstance(opts: { bpmnProcessId?: string; processDefinitionKey?: string; version?: number; variables: Vars; startInstructions?: string[] }): EI;
  cancelInstance(piKey: string): void;
  /** activate elements / terminate element instances of a running instance (modification.ts) */
  modifyInstance(piKey: string, mod: Modification): void;
  /** move a running instance to another process definition by mapping instructions (migration.ts) */
  migrateInstance(piKey: string, mig: Migration): void;
  awaitCompletion(piKey: string): Promise<{ pi: EI; vars: Vars }>;
  cancelAwait(piKey: string): void;
  setVariables(eiKey: string, doc: Vars, local: boolean): string;
  activateJobs(type: string, worker: string, timeout: number, max: number, fetchVariable: string[]): ActivatedJob[];
  addConsumer(c: JobConsumer): () => void;
  yieldJob(key: string): void;
  /** `result`: a user task listener's decision (REST `result`); other jobs ignore it */
  completeJob(key: string, vars: Vars, result?: ListenerResult): void;
  failJob(key: string, retries: number, errorMessage: string, backoffMs: number, vars: Vars): void;
  throwError(key: string, code: string, message: string, vars: Vars): void;
  updateJobRetries(key: string, retries: number): void;
  updateJobTimeout(key: string, timeoutMs: number): void;
  assignUserTask(key: string, assignee: string, allowOverride: boolean): void;
  unassignUserTask(key: string): void;
  updateUserTask(key: string, changeset: UserTaskChangeset): void;
  /** a promise when the task has completing listeners: settles when they ran (rejected when one denied) */
  completeUserTask(key: string, vars: Vars): Promise<void> | void;
  resolveIncident(key: string): void;
  publishMessage(name: string, correlationKey: string, ttlMs: number, messageId: string, variables: Vars): string;
  correlateMessage(name: string, correlationKey: string, variables: Vars): { messageKey: string; processInstanceKey: string };
  broadcastSignal(name: string, variables: Vars): string;
  clockPin(timestamp: number): number;
  clockAdd(iso: string): number;
  clockReset(): number;
}

export type EngineApi = EngineQuery & EngineCommands;
