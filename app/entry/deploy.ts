/**
 * `npm run deploy [-- --wait=<seconds>] [-- <processes-dir>]`: deploys processes/ (BPMN + forms) in one
 * deployment to the cluster the SDK's standard variables name (app/deploy.ts says how and what it prints).
 */
import path from 'node:path';
import { sdkTenantId } from '../../platform/config/env';
import { deployProcesses, formatReport, parseArgs, restLatestLookup, retryTransient } from '../deploy';

async function main(): Promise<void> {
  const { dir, waitMs } = parseArgs(process.argv.slice(2), path.join(__dirname, '..', '..', 'processes'));
  // Loaded here so that importing deployProcesses does not construct an SDK client.
  const { Camunda8 } = await import('@camunda8/sdk');
  const c8 = new Camunda8();
  const zeebe = c8.getZeebeGrpcApiClient();
  const tenantId = sdkTenantId();
  try {
    const report = await retryTransient(
      () => deployProcesses(zeebe, dir, { tenantId, lookupLatest: restLatestLookup(c8.getCamundaRestClient(), tenantId) }),
      { waitMs, onRetry: (n, e) => console.error(`deploy: attempt ${n} refused (${(e as Error)?.message ?? String(e)}); trying again`) },
    );
    for (const line of formatReport(report)) console.log(line);
  } finally {
    await zeebe.close();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(`deploy failed: ${(e as Error)?.message ?? String(e)}`);
    process.exit(1);
  });
}
