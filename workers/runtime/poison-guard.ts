/**
 * Guard against jobs whose variables or custom headers the SDK cannot parse (non-JSON, unsafe int64).
 *
 * @camunda8/sdk 8.8.13 (ZBWorkerBase.handleJobResponse) fails such a job with retries-1 but never releases
 * its capacity slot (activeJobs is incremented, drainOne is never called): after ~30% of
 * maxJobsToActivate poison jobs the worker stops polling for good. This guard runs the SDK's own parser
 * on each activated job first, fails the unparseable ones itself with retries 0 (retrying cannot help)
 * and a message saying what to do, and passes only the parseable jobs on. It replaces the instance's
 * `handleJobResponse` property, which the SDK reads when it opens each ActivateJobs stream.
 */
import type { Zeebe } from '@camunda8/sdk';
// from the module itself, not the SDK's index, which loads every client of the SDK (see platform/camunda/zeebe-client.ts)
import { LosslessDto, losslessParse } from '@camunda8/sdk/dist/lib/LosslessJsonParser';
import type { Logger } from './job';

interface RawJob {
  key: string;
  type: string;
  elementId?: string;
  variables: string;
  customHeaders: string;
}

export function guardPoisonPayloads(worker: object, zeebe: Zeebe.ZeebeGrpcClient, log: Logger): boolean {
  const w = worker as { handleJobResponse?: (res: { jobs: RawJob[] }) => void };
  const original = w.handleJobResponse;
  if (typeof original !== 'function') {
    log.warn({}, 'poison-payload guard not installed: the SDK worker has no handleJobResponse (SDK changed?)');
    return false;
  }
  w.handleJobResponse = (res: { jobs: RawJob[] }) => {
    const parseable: RawJob[] = [];
    for (const job of res.jobs ?? []) {
      try {
        // the same parse the SDK applies (ZBWorkerBase → parseVariablesAndCustomHeadersToJSON), without its console output
        losslessParse(job.customHeaders, LosslessDto as never);
        losslessParse(job.variables, LosslessDto as never);
        parseable.push(job);
      } catch (e) {
        const reason = (e as Error)?.message ?? String(e);
        log.error({ jobKey: String(job.key), type: job.type, reason }, 'unparseable job payload');
        zeebe
          .failJob({
            jobKey: String(job.key),
            retries: 0,
            retryBackOff: 0,
            errorMessage:
              `${job.type}: the job's variables or custom headers are not valid JSON for the worker (${reason}). ` +
              `No retries left — what to do: correct the variables of element ${job.elementId ?? '?'} (运维 page, or Operate), then retry the incident`,
          })
          .catch((err: Error) => log.warn({ jobKey: String(job.key), err: err.message }, 'failing an unparseable job failed'));
      }
    }
    original.call(worker, { ...res, jobs: parseable });
  };
  return true;
}
