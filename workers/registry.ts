/**
 * THE list of job types and their handlers (architecture.md). It must equal JOB_TYPES of
 * domain/vocabulary.ts (test/workers/registry.test.ts); processes/ asserts the models use exactly JOB_TYPES.
 */
import type { JobType } from '../domain/vocabulary';
import type { HandlerDef } from './runtime/job';

const FAMILIES: readonly (readonly HandlerDef[])[] = [];

function build(): Readonly<Record<JobType, HandlerDef>> {
  const out: Partial<Record<JobType, HandlerDef>> = {};
  for (const family of FAMILIES) {
    for (const def of family) {
      if (out[def.type]) throw new Error(`job type ${def.type} registered twice`);
      out[def.type] = def;
    }
  }
  return out as Record<JobType, HandlerDef>;
}

export const REGISTRY = build();
