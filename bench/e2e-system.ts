/**
 * The system under test of bench:e2e (e2e.ts forks this file): the whole system as `npm start` runs it,
 * on the database and heap settings e2e.ts passes in the environment, answering the load generator's
 * commands over IPC (ready, metrics, rows, timeline, stop). BENCH_WORKERS_PROCESS=1 runs the workers in a
 * process of their own, as docker-compose.yml does.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port';

const SPLIT = process.env.BENCH_WORKERS_PROCESS === '1';

/** the pid of the MySQL/MariaDB server behind `ds` when it runs on this machine (its pid file), else 0 */
async function serverPid(ds: import('typeorm').DataSource): Promise<number> {
  try {
    const [{ f }] = await ds.query('SELECT @@pid_file AS f');
    const pid = Number(fs.readFileSync(String(f), 'utf8').trim());
    return fs.existsSync(`/proc/${pid}`) ? pid : 0;
  } catch {
    return 0; // not local, or the pid file is not readable
  }
}

async function system(): Promise<void> {
  const { startSystem } = await import('../app/system.js');
  const { loadConfig } = await import('../platform/config/index.js');
  const { createLogger } = await import('../platform/observability/logger.js');
  const { createCustomer } = await import('../domain/parties.js');
  const { initDatabase } = await import('../db/index.js');
  const { DEFAULT_POLL_INTERVAL_MS } = await import('../workers/start.js');
  const dir = process.env.BENCH_DIR!;
  const url = process.env.DATABASE_URL || `sqlite:${path.join(dir, 'bench.sqlite')}`;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url,
    LOG_LEVEL: 'warn',
    AUTH_MODE: 'local',
    NODE_ENV: 'development',
    PORT: '0',
  });
  const ds = await initDatabase(url, process.env.BENCH_POOL ? { poolSize: Number(process.env.BENCH_POOL) } : {});
  if (url.startsWith('mysql')) {
    // a clean slate for the run
    const { TABLES } = await import('../db/index.js');
    await ds.query('SET FOREIGN_KEY_CHECKS = 0');
    for (const t of TABLES) if (t !== 'calendar_day' && t !== 'calendar_year') await ds.query(`TRUNCATE TABLE \`${t}\``);
    await ds.query('SET FOREIGN_KEY_CHECKS = 1');
  }
  const customer = await createCustomer(
    ds,
    { name: '压测客户', customerManager: 'customer-manager' },
    { actor: 'admin', reason: 'bench', at: new Date() },
  );
  const sys = await startSystem({
    config,
    dataSource: ds,
    engine: { grpcPort: 0, restPort: 0, dataDir: path.join(dir, 'engine'), separateProcess: process.env.BENCH_ENGINE_INPROCESS !== '1' },
    apiPort: 0,
    apiHost: '127.0.0.1',
    logger: createLogger({ level: 'warn', service: 'bench' }),
    workerTuning: {
      maxJobsToActivate: Number(process.env.BENCH_MAX_JOBS || 64),
      pollIntervalMs: Number(process.env.BENCH_WORKER_POLL_MS || DEFAULT_POLL_INTERVAL_MS),
    },
    dispatcherIdleMs: 50,
    workers: !SPLIT,
  });
  // BENCH_WORKERS_PROCESS=1: the workers as docker-compose.yml runs them, a process of their own
  // (workers/start.ts standalone: the job workers and a second outbox dispatcher) beside the API's
  let workersPid = 0;
  let stopWorkers = async () => {};
  if (SPLIT) {
    const port = await freePort();
    const w = fork(path.join(__dirname, '..', 'app', 'entry', 'workers.js'), [], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        ZEEBE_GRPC_ADDRESS: /^grpcs?:\/\//.test(sys.grpcAddress) ? sys.grpcAddress : `grpc://${sys.grpcAddress}`,
        ZEEBE_REST_ADDRESS: sys.restAddress,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        NODE_ENV: 'development',
        AUTH_MODE: 'local',
      },
      execArgv: process.execArgv.filter((a) => !a.startsWith('--cpu-prof')),
      stdio: 'inherit',
    });
    workersPid = w.pid ?? 0;
    let exited: number | null = null;
    w.once('exit', (code) => (exited = code ?? -1));
    for (let ok = false; !ok; ) {
      if (exited !== null) throw new Error(`the workers process exited (${exited}) before it was ready`);
      ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
    stopWorkers = () => new Promise<void>((resolve) => (w.once('exit', () => resolve()), w.kill('SIGTERM')));
  }
  process.send!({
    apiUrl: sys.apiUrl,
    customerId: customer.id,
    db: ds.options.type,
    enginePid: sys.engineProcess?.pid ?? 0,
    workersPid,
    dbPid: url.startsWith('mysql') ? await serverPid(ds) : 0,
  });
  process.on('message', async (m: { cmd?: string }) => {
    if (m.cmd === 'results') {
      // (withTasks: also the engine's completed user tasks and instances, for the machine-time figure)
      const rows = await ds.query(
        `SELECT o.created_at AS created, o.completed_at AS completed, o.process_instance_key AS pik, o.note AS note, (SELECT MIN(a.at) FROM audit_log a WHERE a.entity_type = 'business-order' AND a.entity_id = o.id AND a.action = 'business-order.deliver') AS delivered FROM business_order o`,
      );
      let tasks: unknown[] = [];
      let instances: unknown[] = [];
      if (m.cmd === 'results' && (m as { withTasks?: boolean }).withTasks) {
        const rest = async (p: string, body: unknown) =>
          (await (
            await fetch(sys.restAddress + p, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
            })
          ).json()) as { items: unknown[] };
        tasks = (await rest('/v2/user-tasks/search', { filter: { state: 'COMPLETED' }, page: { limit: 10000 } })).items;
        instances = (await rest('/v2/process-instances/search', { filter: {}, page: { limit: 10000 } })).items;
      }
      process.send!({ rows, tasks, instances });
    }
    if (m.cmd === 'timeline') {
      // the engine's events of one order from late in the run (under full load, and recent enough that the
      // engine still keeps its detailed history: ENGINE_HISTORY_DETAILED_INSTANCES): where the time goes
      const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM business_order`);
      const [o] = await ds.query(
        `SELECT id, order_no, created_at FROM business_order ORDER BY created_at LIMIT 1 OFFSET ${Math.max(0, Number(n) - 10)}`,
      );
      const [row] = o ? await ds.query(`SELECT process_instance_key AS pik FROM business_order WHERE id = ?`, [o.id]) : [];
      const ev = row?.pik
        ? (
            (await (await fetch(`${sys.restAddress}/engine/process-instances/${row.pik}/events`)).json()) as {
              items: Record<string, unknown>[];
            }
          ).items
        : [];
      const rows = ev
        .filter((e) => ['JOB', 'USER_TASK'].includes(String(e.valueType)))
        .map((e) => ({
          at: new Date(Number(e.timestamp)).toISOString(),
          action: `${e.valueType} ${e.intent} ${e.elementId ?? ''}`,
          actor: '',
        }));
      process.send!({ rows, order: o });
    }
    if (m.cmd === 'stop') {
      await stopWorkers();
      await sys.stop();
      await ds.destroy();
      process.exit(0);
    }
  });
}

system().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
