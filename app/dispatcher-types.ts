/** What app/dispatcher.ts takes and hands back: the Zeebe client it needs, its options, its running handle. */
import type { DataSource } from 'typeorm';
import type { Clock } from '../domain/clock';
import type { Logger } from '../platform/observability/logger';

/** The part of @camunda8/sdk's ZeebeGrpcClient the dispatcher uses. */
export interface DispatchClient {
  publishMessage(req: {
    name: string;
    correlationKey: string;
    variables: Record<string, unknown>;
    messageId?: string;
    timeToLive: number;
  }): Promise<{ key: string }>;
  createProcessInstance(req: { bpmnProcessId: string; variables: Record<string, unknown> }): Promise<{ processInstanceKey: string }>;
  cancelProcessInstance(processInstanceKey: string): Promise<unknown>;
}

export interface DispatcherOptions {
  dataSource: DataSource;
  zeebe: DispatchClient;
  /** Orchestration REST base URL (ZEEBE_REST_ADDRESS) for instance-key lookups; omitted: no lookup */
  restAddress?: string;
  /** extra headers for the REST API (e.g. Authorization) */
  restHeaders?: () => Promise<Record<string, string>> | Record<string, string>;
  log?: Logger;
  /** the business clock: a started process's SLA (variable `sla`, domain/sla.ts) is counted from its now */
  clock?: Clock;
  /** rows claimed per round (default 64) */
  batchSize?: number;
  /** sends in flight at once within a round (default 16) */
  concurrency?: number;
  /** pause when nothing is due, ms (default 200) */
  idleMs?: number;
  /** lease of a claimed row, ms (default 30 s) */
  leaseMs?: number;
  /** cap of the retry back-off, ms (default 30 s) */
  maxBackOffMs?: number;
  /** how long the instance key lookup keeps trying, ms (default 120 s) */
  locateForMs?: number;
}

export interface DispatcherStats {
  dispatched: number;
  failed: number;
  located: number;
  lastError: string | null;
}

export interface RunningDispatcher {
  /** wake the loop now (e.g. right after an API write) */
  kick(): void;
  /** resolves when no command is due and no send is in flight (tests, shutdown) */
  idle(timeoutMs?: number): Promise<void>;
  stats(): DispatcherStats;
  stop(): Promise<void>;
}
