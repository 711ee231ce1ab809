/**
 * `npm start` (tsx app/main.ts): the whole system in one process tree.
 *
 *   - the local engine (engine/, data under ENGINE_DATA_DIR = ./data/engine, so a restart resumes every
 *     open instance) unless ZEEBE_GRPC_ADDRESS names a Zeebe (then ZEEBE_REST_ADDRESS, CAMUNDA_AUTH_STRATEGY)
 *   - the deployment of processes/ with its forms (app/deploy.ts)
 *   - the job workers (workers/), the outbox dispatcher (app/dispatcher.ts), the API (api/) on PORT
 *   - the database at DATABASE_URL (default SQLite ./data/online-training.sqlite)
 *
 * `npm run demo` (--demo): the same, after loading a small demo data set once (app/demo.ts).
 * Ctrl-C / SIGTERM: stops API → dispatcher → workers → clients → engine → database.
 *
 * Local engine ports: ENGINE_GRPC_PORT (26500), ENGINE_REST_PORT (8080); it runs as a child process
 * (app/engine-process.ts, its own core) unless ENGINE_IN_PROCESS=true; ENGINE_TEST_MODE=true enables
 * clock control (PUT /v2/clock), and the workers and the API then read the engine's clock.
 */
import { loadConfig } from '../config/index';
import { DEMO_PASSWORD, DEMO_STAFF_USERS } from '../api/auth';
import { ApPartnerEntity } from '../db/entities/index';
import { initDatabase } from '../db/index';
import { loadDemoData, seedDemoParties, stopDemo } from './demo';
import { ROLES } from '../domain/vocabulary';
import { createLogger } from './observability/logger';
import { startSystem, type RunningSystem } from './system';

function port(v: string | undefined, d: number): number {
  if (v === undefined || v === '') return d;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid port '${v}'`);
  return n;
}

async function main(): Promise<void> {
  const demo = process.argv.includes('--demo');
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, service: 'online-training' });
  const external = !!process.env.ZEEBE_GRPC_ADDRESS;

  let seeded: { created: boolean; lines: string[] } | null = null;
  if (demo) {
    // AP partners must exist before the API starts: their demo users (ap-<code>) are read at start-up
    const ds = await initDatabase(config.DATABASE_URL);
    try {
      await seedDemoParties(ds);
    } finally {
      await ds.destroy();
    }
  }

  const sys: RunningSystem = await startSystem({
    config,
    logger,
    engine: external
      ? false
      : {
          grpcPort: port(process.env.ENGINE_GRPC_PORT, 26500),
          restPort: port(process.env.ENGINE_REST_PORT, 8080),
          dataDir: config.ENGINE_DATA_DIR,
          testMode: process.env.ENGINE_TEST_MODE === 'true',
          // its own process (own core) unless ENGINE_IN_PROCESS=true; stopped last either way
          separateProcess: process.env.ENGINE_IN_PROCESS !== 'true',
        },
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping (API, dispatcher, workers, engine, database) ...`);
    const force = setTimeout(() => {
      console.error('did not stop within 20 s; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    void stopDemo()
      .then(() => sys.stop())
      .then(
      () => {
        console.log('stopped');
        process.exit(0);
      },
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  if (demo) {
    seeded = await loadDemoData(sys);
  }

  const partners = await sys.dataSource.getRepository(ApPartnerEntity).find({ order: { code: 'ASC' } });
  const apiPort = new URL(sys.apiUrl).port;
  const lines = [
    '',
    '在线培训业务流程系统 Online Training workflow — running',
    `  工作台 web UI  http://localhost:${apiPort}/   (sign in as a user below)`,
    `  API           http://localhost:${apiPort}/api   (OpenAPI: /api/openapi.json, health: /health/ready, metrics: /metrics)`,
    sys.engine || sys.engineProcess
      ? `  engine        gRPC ${sys.grpcAddress.replace(/^grpc:\/\//, '')}  REST ${sys.restAddress}  (local engine${sys.engineProcess ? `, pid ${sys.engineProcess.pid}` : ''}, data in ${config.ENGINE_DATA_DIR}${process.env.ENGINE_TEST_MODE === 'true' ? ', test clock: PUT /v2/clock' : ''})`
      : `  Zeebe         gRPC ${sys.grpcAddress}  REST ${sys.restAddress}`,
    `  database      ${config.DATABASE_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}`,
    `  deployed      ${sys.deployment.items.filter((i) => i.kind === 'process').map((i) => `${i.id} v${i.version}`).join(', ')} (+${sys.deployment.items.filter((i) => i.kind === 'form').length} forms)`,
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
  console.log(lines.join('\n'));
}

main().catch((e: unknown) => {
  console.error(`start failed: ${(e as Error)?.stack ?? String(e)}`);
  process.exit(1);
});
