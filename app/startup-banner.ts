/** What `npm start` prints once the system runs: where each part listens, how to log in, the demo data loaded. */
import type { Config } from '../platform/config/index';
import { DEMO_PASSWORD, DEMO_STAFF_USERS } from '../api/auth';
import { ApPartnerEntity } from '../db/entities/index';
import { ROLES } from '../domain/vocabulary';
import type { RunningSystem } from './system';

export async function startupBanner(
  sys: RunningSystem,
  config: Config,
  opts: { testMode: boolean; seeded: { created: boolean; lines: string[] } | null },
): Promise<string[]> {
  const seeded = opts.seeded;
  const partners = await sys.dataSource.getRepository(ApPartnerEntity).find({ order: { code: 'ASC' } });
  const apiPort = new URL(sys.apiUrl).port;
  const lines = [
    '',
    '在线培训业务流程系统 Online Training workflow — running',
    `  工作台 web UI  http://localhost:${apiPort}/   (sign in as a user below)`,
    `  API           http://localhost:${apiPort}/api   (OpenAPI: /api/openapi.json, health: /health/ready, metrics: /metrics)`,
    sys.engine || sys.engineProcess
      ? `  engine        gRPC ${sys.grpcAddress.replace(/^grpc:\/\//, '')}  REST ${sys.restAddress}  (local engine${sys.engineProcess ? `, pid ${sys.engineProcess.pid}` : ''}, data in ${config.ENGINE_DATA_DIR}${opts.testMode ? ', test clock: PUT /v2/clock' : ''})`
      : `  Zeebe         gRPC ${sys.grpcAddress}  REST ${sys.restAddress}`,
    `  database      ${config.DATABASE_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}`,
    `  deployed      ${sys.deployment.items
      .filter((i) => i.kind === 'process')
      .map((i) => `${i.id} v${i.version}`)
      .join(', ')} (+${sys.deployment.items.filter((i) => i.kind === 'form').length} forms)`,
    '',
    config.AUTH_MODE === 'local'
      ? `  log in: POST /api/auth/login {"username": "<user>", "password": "${DEMO_PASSWORD}"} → bearer token`
      : `  log in: tokens from ${config.OIDC_ISSUER}`,
  ];
  if (config.AUTH_MODE === 'local') {
    for (const u of DEMO_STAFF_USERS) lines.push(`    ${u.username.padEnd(18)} ${ROLES[u.roles[0]]}`);
    for (const p of partners) lines.push(`    ${`ap-${p.code}`.padEnd(18)} AP ${p.name}`);
    if (!partners.length) lines.push('    (no AP partners yet: `npm run demo` adds ap-alpha, ap-beta)');
  }
  if (seeded) lines.push('', `  demo data ${seeded.created ? 'loaded' : 'already present'}:`, ...seeded.lines.map((l) => `    ${l}`));
  lines.push('', '  Ctrl-C stops everything.', '');
  return lines;
}
