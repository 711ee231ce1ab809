// The engine's state: the entities it keeps (and persists) and the shapes its clients see. Plain data,
// no behaviour: the execution core (core.ts) changes them, the query interface (query.ts) reads them.
import type { ClockState } from './clock';

export type ErrCode = 'NOT_FOUND' | 'INVALID_ARGUMENT' | 'FAILED_PRECONDITION' | 'ALREADY_EXISTS' | 'RESOURCE_EXHAUSTED' | 'DEADLINE_EXCEEDED' | 'UNIMPLEMENTED' | 'INTERNAL';
export class EngineError extends Error {
  constructor(public code: ErrCode, message: string) { super(message); }
}

export type Vars = Record<string, unknown>;

/** `deleted`: removed by a resource deletion; running instances drain, nothing new starts from it (as Camunda 8.9) */
export interface ProcDef { kind: 'def'; key: string; bpmnProcessId: string; version: number; resourceName: string; checksum: string; xml: string; deploymentKey: string; name: string; deleted?: boolean; /** zeebe:versionTag */ versionTag?: string }
export interface FormDef { kind: 'form'; key: string; formId: string; version: number; resourceName: string; checksum: string; schema: string; deploymentKey: string; deleted?: boolean; /** the form's versionTag */ versionTag?: string }
/** a deployed DMN decision; `drgKey`: the decision requirements graph (one per DMN resource version), `drgId` its definitions id */
export interface DecisionDef { kind: 'dec'; key: string; decisionId: string; name: string; version: number; versionTag?: string; drgId: string; drgName: string; drgKey: string; drgVersion: number; resourceName: string; checksum: string; xml: string; deploymentKey: string; deleted?: boolean }
/** what a deployment created (or, for an unchanged resource set, found) */
export interface Deployed { key: string; processes: ProcDef[]; forms: FormDef[]; decisions: DecisionDef[] }
export interface EI {
  kind: 'ei'; key: string; piKey: string; defKey: string; bpmnProcessId: string; version: number;
  elementId: string; type: string; name: string; flowScopeKey: string | null;
  state: 'ACTIVATING' | 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  startDate: number; endDate?: number;
  incidentKey?: string; incidentPhase?: 'activate' | 'complete'; pendingVars?: Vars | null;
  jobKey?: string; userTaskKey?: string; childPiKey?: string; chosenFlows?: string[];
  active: number; pendingJoin: number; joins?: Record<string, Record<string, number>>; gen: number;
  parentPiKey?: string; parentEiKey?: string; msgLock?: string; hasIncident?: boolean;
  /** process instances only: finished and summarised (its element instances, variables, incidents and event record were dropped) */
  compacted?: boolean;
  /** multi-instance bodies only: the input collection, the next element to start (sequential), the inner instances completed and terminated */
  mi?: { items: unknown[]; next: number; completed: number; terminated: number };
}
export interface VarScope { kind: 'vars'; key: string; piKey: string; vars: Record<string, { key: string; value: unknown }> }
export interface Job {
  kind: 'job'; key: string; type: string; piKey: string; eiKey: string; elementId: string; bpmnProcessId: string; defKey: string; version: number;
  retries: number; state: 'ACTIVATABLE' | 'ACTIVATED' | 'FAILED' | 'ERROR_THROWN'; worker: string; deadline: number; backoffUntil: number;
  customHeaders: Record<string, string>; errorMessage: string; created: number; incidentKey?: string;
  /** a user task listener's job: the event it belongs to and its user task */
  listener?: { eventType: ListenerEventType; utKey: string };
}
export interface UserTask {
  kind: 'ut'; key: string; eiKey: string; piKey: string; defKey: string; bpmnProcessId: string; version: number; elementId: string; name: string; processName: string;
  state: 'CREATING' | 'CREATED' | 'COMPLETING' | 'COMPLETED' | 'CANCELED'; assignee?: string; candidateGroups: string[]; candidateUsers: string[];
  dueDate?: string; followUpDate?: string; formKey?: string; externalFormReference?: string; creationDate: number; completionDate?: number;
  priority: number; customHeaders: Record<string, string>;
  /**
   * a creation waiting for its listeners (state CREATING): the next listener to run, the corrections they made
   * so far (applied when the task becomes CREATED) and the model's assignee, assigned only then (as Zeebe)
   */
  creating?: { next: number; corrections: Corrections; assignee?: string };
  /** a completion waiting for its listeners: the completion's variables, the next listener to run, the corrections so far */
  completing?: { vars: Vars; next: number; corrections?: Corrections };
}
/** the task listener events the engine runs (Zeebe's JobListenerEventType names) */
export type ListenerEventType = 'CREATING' | 'COMPLETING';
/**
 * what a listener's result corrects (Zeebe's JobResultCorrections): an absent field keeps the value, "" clears
 * assignee or a date, [] a list
 */
export interface Corrections { assignee?: string; dueDate?: string; followUpDate?: string; candidateUsers?: string[]; candidateGroups?: string[]; priority?: number }
export interface Incident { kind: 'inc'; key: string; piKey: string; eiKey: string; elementId: string; defKey: string; bpmnProcessId: string; jobKey?: string; errorType: string; errorMessage: string; state: 'ACTIVE' | 'RESOLVED'; creationTime: number }
export interface Timer { kind: 'timer'; key: string; defKey: string; piKey: string | null; ownerKey: string | null; elementId: string; due: number; repetitions: number; cycle?: string; role: 'start' | 'catch' | 'boundary' | 'gateway' }
export interface MsgSub { kind: 'sub'; key: string; piKey: string; ownerKey: string; elementId: string; bpmnProcessId: string; name: string; correlationKey: string; role: 'catch' | 'boundary' | 'gateway'; interrupting: boolean }
export interface Message { kind: 'msg'; key: string; name: string; correlationKey: string; messageId: string; variables: Vars; deadline: number; correlated: string[] }
export interface Meta extends ClockState { kind: 'meta'; key: 'meta'; nextKey: number; position: number }

/** What the engine keeps of finished process instances (a root instance counts with the instances it called). */
export interface HistoryOptions {
  /** finished root instances the REST API still answers about (instance records and user tasks); older ones are forgotten. Default 2,000. */
  finishedInstances?: number;
  /** of those, how many of the most recent keep their full detail (element instances, variables, incidents, event record). Default 25. */
  detailedInstances?: number;
}
/**
 * Each finished provisioning instance kept as a summary holds ~8.5 KB of heap (its process-instance records
 * and nine user tasks): 2,000 take ~17 MB, 10,000 (the former default) ~85 MB, more than the rest of the
 * engine under bench:e2e's load. Older instances stay in the database (the system of record for every
 * order and record) and, in production, in Operate; the local engine is for development and demos.
 */
export const DEFAULT_FINISHED_INSTANCES = 2_000;
/**
 * A finished provisioning instance kept in full detail holds ~90 KB of heap (its event record above all):
 * 100 took ~9 MB. With the engine's heap capped (ENGINE_MAX_HEAP_MB=96), bench:e2e alternating 100 and 25
 * gave engine CPU 16.2/17.2 s against 12.3/14.6 s for the same 1,000 instances, and p99 order → delivery
 * 3.2/2.7 s against 1.1/2.2 s: less live data, fewer full collections.
 */
export const DEFAULT_DETAILED_INSTANCES = 25;

/** Per process instance: keys of its element instances (also the variable scope keys), user tasks, incidents and called child instances. */
export interface InstanceIndex { eis: Set<string>; uts: Set<string>; incs: Set<string>; children: Set<string> }
export const EMPTY_SET: ReadonlySet<string> = new Set();

export interface EngineEvent {
  position: number; key: string; valueType: string; intent: string; processInstanceKey: string; /** epoch ms, as Zeebe records */ timestamp: number;
  elementId?: string; bpmnElementType?: string; elementInstanceKey?: string; [k: string]: unknown;
}

export interface ActivatedJob {
  key: string; type: string; processInstanceKey: string; bpmnProcessId: string; processDefinitionVersion: number; processDefinitionKey: string;
  elementId: string; elementInstanceKey: string; customHeaders: string; worker: string; retries: number; deadline: string; variables: string; tenantId: string;
  kind: 'BPMN_ELEMENT' | 'TASK_LISTENER'; listenerEventType: 'UNSPECIFIED' | ListenerEventType;
}
/** what a listener job's worker decides (JobResult of type userTask) */
export interface ListenerResult { denied?: boolean; deniedReason?: string; corrections?: Corrections }

/** longest variable value (as JSON) the engine indexes for exact-value searches: business keys, numbers, flags */
export const VALUE_INDEX_MAX_JSON = 200;

export interface JobConsumer { type: string; worker: string; timeout: number; max: number; fetchVariable: string[]; deliver(jobs: ActivatedJob[]): boolean; stream: boolean }

/** one decision of an evaluation (Camunda's decision instance, key `<evaluation key>-<n>`), as the REST API answers it */
export interface DecisionInstance { kind: 'di'; key: string; evaluationDate: number; piKey?: string; json: Record<string, unknown> }
export type Entity = ProcDef | FormDef | DecisionDef | DecisionInstance | EI | VarScope | Job | UserTask | Incident | Timer | MsgSub | Message | Meta;

export const MAX_MESSAGE_SIZE = 4 * 1024 * 1024;

/** what PATCH /v2/user-tasks/{key} may change (Zeebe's UPDATE): null or absent keeps a value, "" clears a date, [] a list */
export interface UserTaskChangeset {
  dueDate?: string | null; followUpDate?: string | null; candidateGroups?: string[] | null; candidateUsers?: string[] | null; priority?: number | null;
}
