/**
 * `npm run bench:e2e`: complete provisioning instances per second through the whole system on this
 * machine: the system (local engine with its durable store, deployment, every job worker, the outbox
 * dispatcher, the API, the database) runs in a child process exactly as `npm start` wires it; this
 * process is the load: it creates orders through the API at a fixed offered rate and plays the people,
 * completing every user task through /api/tasks (one poller per role, as a Tasklist user would).
 *
 * Figures printed: completed instances/s (over the whole span, first order to last completion; and the
 * sustained rate, first to last completion), latency order → delivery recorded
 * and order → completed (p50/p95/p99; the people answer as soon as the task is visible, so this is
 * machine time), tasks completed per second, and the peak memory of the system's processes (sampled
 * from /proc: RSS per process every 100 ms and the kernel's high-water mark; and PSS every 500 ms, which counts a page
 * shared by several processes once, summed over the whole system). When the MySQL/MariaDB server runs on
 * this machine (its pid file is readable) it is sampled too and counted in the whole-system figures.
 *
 *   npm run bench:e2e
 *   env: BENCH_RATE (orders/s offered, default 20), BENCH_SECONDS (default 30),
 *        the database: by default a MariaDB server of the bench's own, started with db/mysql/online-training.cnf
 *        when this machine has mariadbd (or mysqld); DATABASE_URL (e.g. the machine's shared server) when set;
 *        BENCH_DB=private or BENCH_DB=sqlite (a fresh SQLite file in a temp dir) to choose,
 *        BENCH_POLL_MS (how often an idle
 *        person refreshes the task list, default 250), BENCH_ENGINE_INPROCESS=1 (engine in the app's
 *        process instead of its own), BENCH_TIMELINE=1 (engine events of one order), BENCH_METRICS=1
 *        (mean handler time per job type from the workers' metrics), BENCH_POOL (MySQL pool size, default the app's, db/data-source.ts),
 *        BENCH_MAX_JOBS (jobs each worker activates at once, default 64), BENCH_WORKER_POLL_MS (the workers' poll
 *        interval, default the workers' DEFAULT_POLL_INTERVAL_MS), BENCH_HEAP_MB (--max-old-space-size of the
 *        app process, default 192; 0: V8's default, which grows the heap lazily) and ENGINE_MAX_HEAP_MB (the
 *        engine's, default 96 while the app is capped) — the memory settings of README, Performance,
 *        BENCH_WARMUP_SECONDS (default 20: orders at the same rate before the measured ones, not counted;
 *        0 measures from a cold start), BENCH_WORKERS_PROCESS=1 (the job workers in a process of their own, as docker-compose.yml runs them;
 *        "app" figures then sum the API's and the workers' processes)
 * Target: 20 complete provisioning instances/s, p99 order→delivery < 2 s, whole system < 400 MB.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuOf, mb, pct, pssOf, rssOf } from './proc-stats';
import { startPrivateMariadb } from './private-mariadb';
import { WARMUP_SECONDS, databaseChoice, heapSettings } from './e2e-settings';

// ------------------------------------------------------------------ the load (this process)

async function load(): Promise<void> {
  const { ApiClient, sleep } = await import('../app/api-client.js');
  const rate = Number(process.env.BENCH_RATE || 20);
  const seconds = Number(process.env.BENCH_SECONDS || 30);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-bench-e2e-'));
  const dbChoice = databaseChoice();
  // a MariaDB server of our own with the system's settings (db/mysql/online-training.cnf)
  const db = dbChoice === 'private' ? await startPrivateMariadb(dir, 'ot_bench_e2e') : null;
  if (db) console.log(`bench:e2e: private MariaDB (db/mysql/online-training.cnf) at ${db.url}, pid ${db.pid}`);
  if (dbChoice === 'sqlite')
    console.warn(
      "bench:e2e: on SQLite (no MariaDB/MySQL server binary here, or BENCH_DB=sqlite): not the target's configuration, which has MySQL on this machine",
    );
  const heap = heapSettings();
  // `npm run bench:e2e` builds and runs dist/bench/e2e.js: this fork and the engine child it starts are then compiled JS under plain node, as production runs
  if (__filename.endsWith('.ts'))
    console.warn('bench:e2e: running TypeScript under tsx, not what production runs (use npm run bench:e2e); memory figures include tsx');
  // the system under test: e2e-system.ts (.js when compiled), in a process of its own
  const child = fork(path.join(__dirname, `e2e-system${path.extname(__filename)}`), [], {
    env: {
      ...process.env,
      BENCH_DIR: dir,
      ...(db ? { DATABASE_URL: db.url } : dbChoice === 'sqlite' ? { DATABASE_URL: '' } : {}),
      // 0: no flag of its own (the engine then inherits the app's cap, if any)
      ENGINE_MAX_HEAP_MB: heap.engineMb ? String(heap.engineMb) : '',
    },
    stdio: 'inherit',
    execArgv: [
      ...process.execArgv,
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
      // V8 grows its heap lazily while memory is plentiful; a cap makes it collect sooner (the engine child
      // inherits it, and ENGINE_MAX_HEAP_MB then sets its own)
      ...(heap.appMb ? [`--max-old-space-size=${heap.appMb}`] : []),
    ],
  });
  const ready = await new Promise<{ apiUrl: string; customerId: string; db: string; enginePid: number; workersPid: number; dbPid: number }>(
    (resolve, reject) => {
      child.once('message', (m) => resolve(m as never));
      child.once('exit', (c) => reject(new Error(`system exited ${c}`)));
    },
  );
  const api = new ApiClient(ready.apiUrl);
  const mariadbPid = ready.dbPid;
  // "app": the system process, plus the workers' own process with BENCH_WORKERS_PROCESS=1
  const appPids = [child.pid!, ...(ready.workersPid ? [ready.workersPid] : [])];
  const appRss = (k: 'rss' | 'hwm') => appPids.reduce((sum, p) => sum + rssOf(p)[k], 0);
  const appCpu = () => appPids.reduce((sum, p) => sum + cpuOf(p), 0);
  const startRss = appRss('rss') + (ready.enginePid ? rssOf(ready.enginePid).rss : 0);
  let peakSys = 0;
  let peakApp = 0;
  let peakEngine = 0;
  let peakDb = 0;
  let peakTotal = 0;
  let peakPss = 0;
  const systemPids = [...appPids, ...(ready.enginePid ? [ready.enginePid] : []), ...(mariadbPid ? [mariadbPid] : [])];
  // PSS every 500 ms: the kernel walks every page of a process for smaps_rollup; every 100 ms the load
  // generator took 5.2 s of CPU in a run instead of ~2.7 (~1 ms a read), taken from the system under test
  let samples = 0;
  const sampler = setInterval(() => {
    if (samples++ % 5 === 0)
      peakPss = Math.max(
        peakPss,
        systemPids.reduce((sum, p) => sum + pssOf(p), 0),
      );
    const a = appRss('rss');
    const e = ready.enginePid ? rssOf(ready.enginePid).rss : 0;
    const s = a + e;
    const d = mariadbPid ? rssOf(mariadbPid).rss : 0;
    peakApp = Math.max(peakApp, a);
    peakEngine = Math.max(peakEngine, e);
    peakSys = Math.max(peakSys, s);
    peakDb = Math.max(peakDb, d);
    peakTotal = Math.max(peakTotal, s + d);
  }, 100);

  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const VARS: Record<string, Record<string, unknown>> = {
    'confirm-order-with-customer': { customerDecision: 'CONFIRMED', customerFeedback: '确认' },
    'draft-revenue-contract': { contractTitle: '在线培训服务协议', contractAmount: 12000, contractTerm: 12 },
    'dept-manager-review': { reviewDecision: 'APPROVE', reviewOpinion: '同意' },
    'center-review': { reviewDecision: 'APPROVE', reviewOpinion: '同意' },
    'sign-revenue-contract': { signedDate: today },
    'configure-platform': { configurationReply: '已配置', configuredAt: today },
    'accept-configuration': { acceptanceDecision: 'ACCEPTED', acceptanceOpinion: '通过' },
    'deliver-to-customer': { deliveredOn: today, deliveryNote: '已交付' },
    'file-completion-record': { networkQuality: '4', serviceAttitude: '5', customerFeedback: '满意', followUp: '无' },
  };
  /** how often an idle person looks at the task list (BENCH_POLL_MS, default 250 ms) */
  const POLL_MS = Number(process.env.BENCH_POLL_MS || 250);
  const ROLES = ['customer-manager', 'dept-manager', 'center-reviewer', 'contract-admin', 'tech-dept'];
  for (const r of ROLES) await api.token(r);
  let stop = false;
  let tasksDone = 0;
  let taskErrors = 0;
  const inFlight = new Set<string>();
  const pollers = ROLES.map(async (role) => {
    while (!stop) {
      let tasks: { key: string; elementId: string }[] = [];
      try {
        tasks = (await api.tasks(role)).filter((t) => !inFlight.has(t.key));
      } catch {
        await sleep(100);
        continue;
      }
      if (!tasks.length) {
        await sleep(POLL_MS);
        continue;
      }
      await Promise.all(
        tasks.map(async (t: { key: string; elementId: string }) => {
          inFlight.add(t.key);
          try {
            await api.complete(role, t.key, VARS[t.elementId] ?? {});
            tasksDone++;
          } catch {
            taskErrors++;
          } finally {
            setTimeout(() => inFlight.delete(t.key), 2000);
          }
        }),
      );
    }
  });

  // what the people's polling alone costs the system (no orders yet)
  const sysCpu = () => appCpu() + (ready.enginePid ? cpuOf(ready.enginePid) : 0);
  const idleCpu0 = sysCpu();
  await sleep(3000);
  const idleCpu = (sysCpu() - idleCpu0) / 3;
  const total = Math.round(rate * seconds);
  const warmupTotal = Math.round(rate * WARMUP_SECONDS);
  console.log(
    `bench:e2e — ${total} provisioning orders at ${rate}/s offered (${seconds} s) after a warm-up of ${warmupTotal} (${WARMUP_SECONDS} s, not counted), database ${ready.db}, system pid ${child.pid}${ready.workersPid ? ` + workers pid ${ready.workersPid}` : ''}${ready.enginePid ? ` + engine pid ${ready.enginePid}` : ' (engine in process)'}`,
  );
  // warm-up orders (note 'warm-up') and measured ones, one open-loop stream at the same rate; the figures
  // below count the measured ones, CPU from the first measured order on
  const tw = Date.now();
  let createErrors = 0;
  const creates: Promise<unknown>[] = [];
  let cpu0 = 0;
  let engineCpu0 = 0;
  let dbCpu0 = 0;
  let load0 = process.cpuUsage();
  let t0 = tw;
  for (let i = 0; i < warmupTotal + total; i++) {
    const due = tw + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    const warmup = i < warmupTotal;
    if (i === warmupTotal) {
      t0 = Date.now();
      cpu0 = sysCpu();
      engineCpu0 = ready.enginePid ? cpuOf(ready.enginePid) : 0;
      dbCpu0 = mariadbPid ? cpuOf(mariadbPid) : 0;
      load0 = process.cpuUsage();
      tasksDone = 0;
    }
    creates.push(
      api
        .post('customer-manager', '/api/orders', {
          customerId: ready.customerId,
          modules: ['learning-management'],
          accounts: 50,
          openingDate: today,
          termMonths: 12,
          amount: 12000,
          apInvolved: false,
          apPartnerId: null,
          ...(warmup ? { note: 'warm-up' } : {}),
        })
        .catch(() => (warmup ? undefined : createErrors++)),
    );
  }
  await Promise.all(creates);
  // wait for every order to complete (bounded)
  const deadline = Date.now() + 120_000;
  let rows: {
    created: string | Date;
    completed: string | Date | null;
    delivered: string | Date | null;
    pik: string | null;
    note: string | null;
  }[] = [];
  const measured = (all: typeof rows) => all.filter((r) => r.note !== 'warm-up');
  for (;;) {
    child.send({ cmd: 'results' });
    rows = measured(await new Promise((resolve) => child.once('message', (m: { rows: never }) => resolve(m.rows))));
    const done = rows.filter((r) => r.completed).length;
    if (done >= total - createErrors || Date.now() > deadline) break;
    await sleep(500);
  }
  child.send({ cmd: 'results', withTasks: true });
  const final = await new Promise<{
    rows: typeof rows;
    tasks: { processInstanceKey: string; creationDate: string; completionDate: string }[];
    instances: { processInstanceKey: string; parentProcessInstanceKey?: string }[];
  }>((resolve) => child.once('message', (m) => resolve(m as never)));
  rows = measured(final.rows);
  const tEnd = Date.now();
  const cpuUsed = sysCpu() - cpu0;
  const engineCpu = ready.enginePid ? cpuOf(ready.enginePid) : 0;
  const dbCpu = mariadbPid ? cpuOf(mariadbPid) - dbCpu0 : 0;
  const loadCpu = process.cpuUsage(load0);
  stop = true;
  await Promise.all(pollers);
  clearInterval(sampler);
  const hwm = appRss('hwm') + (ready.enginePid ? rssOf(ready.enginePid).hwm : 0);

  const ms = (v: string | Date | null) =>
    v === null
      ? NaN
      : (v instanceof Date ? v : new Date(String(v).replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(String(v)) ? '' : 'Z'))).getTime();
  const completed = rows.filter((r) => r.completed);
  const toDelivery = completed
    .map((r) => ms(r.delivered) - ms(r.created))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const toComplete = completed.map((r) => ms(r.completed) - ms(r.created)).sort((a, b) => a - b);
  // machine time: order → delivery minus the time its user tasks stood open waiting for the people
  const parentOf = new Map(
    final.instances.map((i) => [String(i.processInstanceKey), i.parentProcessInstanceKey ? String(i.parentProcessInstanceKey) : null]),
  );
  const rootOf = (k: string): string => {
    let cur = k;
    for (let p = parentOf.get(cur); p; p = parentOf.get(cur)) cur = p;
    return cur;
  };
  const tasksByRoot = new Map<string, { creationDate: string; completionDate: string }[]>();
  for (const t of final.tasks) {
    const r = rootOf(String(t.processInstanceKey));
    tasksByRoot.set(r, [...(tasksByRoot.get(r) ?? []), t]);
  }
  const machineOf = (r: (typeof completed)[number]) => {
    const open = (tasksByRoot.get(String(r.pik)) ?? [])
      .filter((t) => Date.parse(t.completionDate) <= ms(r.delivered))
      .reduce((sum, t) => sum + (Date.parse(t.completionDate) - Date.parse(t.creationDate)), 0);
    return ms(r.delivered) - ms(r.created) - open;
  };
  const delivered = completed.filter((r) => r.pik && r.delivered);
  const machineToDelivery = delivered.map(machineOf).sort((a, b) => a - b);
  const firstCreated = Math.min(...rows.map((r) => ms(r.created)));
  // the same figure per third of the run (by order time): a cold start (JIT, pools, caches) shows in the first
  const lastCreated = Math.max(...rows.map((r) => ms(r.created)));
  const thirds = [0, 1, 2].map((k) =>
    delivered
      .filter((r) => Math.min(2, Math.floor(((ms(r.created) - firstCreated) / Math.max(1, lastCreated - firstCreated)) * 3)) === k)
      .map(machineOf)
      .sort((a, b) => a - b),
  );
  const lastCompleted = Math.max(...completed.map((r) => ms(r.completed)));
  const span = (lastCompleted - firstCreated) / 1000;
  // the rate at which instances finished once the pipeline was full: from the first completion to the
  // last (the span above also holds the first instance's own latency, which the p99 figures report)
  const firstCompleted = Math.min(...completed.map((r) => ms(r.completed)));
  const sustained = completed.length > 1 ? (completed.length - 1) / ((lastCompleted - firstCompleted) / 1000) : NaN;
  const fmt = (xs: number[]) => `p50 ${pct(xs, 50)} ms  p95 ${pct(xs, 95)} ms  p99 ${pct(xs, 99)} ms  max ${xs[xs.length - 1]} ms`;
  console.log('');
  console.log(`  orders created            ${rows.length} (${createErrors} create errors)`);
  console.log(
    `  instances completed       ${completed.length} in ${span.toFixed(1)} s  →  ${(completed.length / span).toFixed(1)} complete provisioning instances/s (offered ${rate}/s)`,
  );
  console.log(
    `  sustained completion rate ${sustained.toFixed(1)} instances/s (first to last completion, ${((lastCompleted - firstCompleted) / 1000).toFixed(1)} s)`,
  );
  console.log(`  user tasks completed      ${tasksDone} (${(tasksDone / ((tEnd - t0) / 1000)).toFixed(0)}/s, ${taskErrors} errors)`);
  console.log(
    `  system CPU (app + engine)                ${cpuUsed.toFixed(1)} s over ${((tEnd - t0) / 1000).toFixed(1)} s (${((cpuUsed / ((tEnd - t0) / 1000)) * 100).toFixed(0)}% of one core; ${((cpuUsed * 1000) / Math.max(1, completed.length)).toFixed(0)} ms per instance); of which engine ${(engineCpu - engineCpu0).toFixed(1)} s; MariaDB server ${mariadbPid ? `${dbCpu.toFixed(1)} s (${((dbCpu * 1000) / Math.max(1, completed.length)).toFixed(0)} ms per instance)` : 'not measured'}; idle with the people polling: ${(idleCpu * 100).toFixed(0)}%; the load generator (this process): ${((loadCpu.user + loadCpu.system) / 1e6).toFixed(1)} s`,
  );
  console.log(`  order → delivery          ${fmt(toDelivery)}  (wall clock, people included)`);
  console.log(`  order → delivery, machine ${fmt(machineToDelivery)}  (minus the time tasks stood open for the people)`);
  console.log(`    by third of the run      p50/p99 ${thirds.map((xs) => `${pct(xs, 50)}/${pct(xs, 99)} ms`).join(', ')}`);
  console.log(`  order → completed         ${fmt(toComplete)}`);
  console.log(
    `  system RSS (app + engine)  at start ${mb(startRss)}; peak ${mb(peakSys)} (sampled; app ${mb(peakApp)}, engine ${mb(peakEngine)}), high-water mark ${mb(hwm)}; V8 old space ${heap.appMb ? `capped at ${heap.appMb} MB for the app` : 'uncapped for the app'}, ${heap.engineMb ? `${heap.engineMb} MB for the engine` : 'uncapped for the engine'}`,
  );
  if (mariadbPid) console.log(`  MariaDB server RSS        peak ${mb(peakDb)}; whole system (sum of samples) peak ${mb(peakTotal)}`);
  console.log(
    `  whole system PSS          peak ${mb(peakPss)} (${mariadbPid ? 'app, engine and MariaDB' : 'app and engine; the database is not a local server'}; shared pages counted once)`,
  );
  console.log(
    `  targets                   20/s: ${completed.length / span >= 20 ? 'met' : sustained >= 20 ? 'sustained (not over the whole span)' : 'NOT met'}; p99 order→delivery machine time < 2000 ms: ${pct(machineToDelivery, 99) < 2000 ? 'met' : 'NOT met'}; whole system < 400 MB: ${peakPss < 400 * 1024 * 1024 ? 'met' : 'NOT met'} by PSS, ${Math.max(hwm, peakTotal) < 400 * 1024 * 1024 ? 'met' : 'NOT met'} by the sum of RSS`,
  );
  if (process.env.BENCH_METRICS) {
    // the workers' own timing (GET /metrics): handler seconds per job type
    const text = await (await fetch(`${ready.apiUrl}/metrics`)).text();
    const sum = new Map<string, number>();
    const cnt = new Map<string, number>();
    for (const line of text.split('\n')) {
      const m =
        /^ot_job_handler_duration_seconds_(sum|count)\{[^}]*type="([^"]+)"[^}]*\} ([0-9.e+-]+)$/.exec(line) ??
        /^ot_job_duration_seconds_(sum|count)\{[^}]*type="([^"]+)"[^}]*\} ([0-9.e+-]+)$/.exec(line);
      if (!m) continue;
      const into = m[1] === 'sum' ? sum : cnt;
      into.set(m[2], (into.get(m[2]) ?? 0) + Number(m[3]));
    }
    for (const [t, s2] of [...sum].sort((a, b) => b[1] / (cnt.get(b[0]) || 1) - a[1] / (cnt.get(a[0]) || 1)))
      console.log(`    ${t.padEnd(45)} mean ${((s2 / (cnt.get(t) || 1)) * 1000).toFixed(0)} ms over ${cnt.get(t)} jobs`);
    // the API traffic (the people's polling and completions, the orders): requests per route and per instance
    const routes = new Map<string, number>();
    for (const line of text.split('\n')) {
      const m = /^ot_http_request_duration_seconds_count\{([^}]*)\} ([0-9.e+-]+)$/.exec(line);
      if (!m) continue;
      const label = (k: string) => new RegExp(`${k}="([^"]*)"`).exec(m[1])?.[1] ?? '';
      const r = `${label('method')} ${label('route')}`;
      routes.set(r, (routes.get(r) ?? 0) + Number(m[2]));
    }
    for (const [r, n] of [...routes].sort((a, b) => b[1] - a[1]))
      console.log(`    ${r.padEnd(45)} ${n} requests (${(n / Math.max(1, completed.length)).toFixed(1)} per instance)`);
  }
  if (process.env.BENCH_TIMELINE) {
    child.send({ cmd: 'timeline' });
    const tl = await new Promise<{ rows: { at: string; action: string; actor: string }[]; order: { created_at: string } }>((resolve) =>
      child.once('message', (m) => resolve(m as never)),
    );
    let prev = ms(tl.order.created_at);
    for (const r of tl.rows) {
      console.log(`    +${String(ms(r.at) - prev).padStart(6)} ms  ${r.action} (${r.actor})`);
      prev = ms(r.at);
    }
  }
  child.send({ cmd: 'stop' });
  await new Promise((r) => child.once('exit', r));
  await db?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

load().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
