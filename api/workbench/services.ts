/**
 * The workbench's services, beside ApiServices: the engine calls the task port lacks, the party and
 * lookup reads of the database, and the business clock (what "overdue" is measured against; tests pin it).
 */
import type { DataSource } from 'typeorm';
import { ProblemError } from '../problem';
import type { ApiServices } from '../services';
import { EngineUnavailable, type UserTaskPort } from '../tasks';
import { createWorkbenchEngine, type WorkbenchEngine } from './engine';
import { createParties, type PartiesPort } from './parties';

export interface WorkbenchServices {
  engine: WorkbenchEngine;
  parties: PartiesPort;
  now: () => Date;
}
export type ServicesWithWorkbench = ApiServices & { tasks?: UserTaskPort; workbench?: WorkbenchServices };

export function createWorkbench(
  ds: DataSource,
  restAddress: string,
  opts: { headers?: () => Promise<Record<string, string>> | Record<string, string>; now?: () => Date } = {},
): WorkbenchServices {
  return { engine: createWorkbenchEngine(restAddress, opts.headers), parties: createParties(ds), now: opts.now ?? (() => new Date()) };
}

export function workbenchOf(services: ApiServices): WorkbenchServices & { tasks: UserTaskPort } {
  const s = services as ServicesWithWorkbench;
  if (!s.workbench || !s.tasks)
    throw new ProblemError(503, 'engine-unavailable', 'Service unavailable', 'the workbench services are not configured');
  return { ...s.workbench, tasks: s.tasks };
}

/** engine unreachable → 503, as api/tasks.ts answers */
export async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof EngineUnavailable) throw new ProblemError(503, 'engine-unavailable', 'Service unavailable', e.message);
    throw e;
  }
}
