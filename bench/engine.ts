process.setSourceMapsEnabled(false); // stack traces captured per gRPC call are costly with source maps (under tsx)
// npm run bench:engine — throughput and job latency of the local engine, driven by @camunda8/sdk workers
// on the same machine. The engine runs as its own process (app/entry/engine.ts) with durability on (SQLite WAL,
// group commit) unless BENCH_IN_MEMORY=1.
//   BENCH_SECONDS (default 10) per phase, BENCH_RATE (default 200) jobs/s for the latency phase,
//   BENCH_CONCURRENCY (default 128) instance creations in flight for the throughput phases.
import { Camunda8 } from '@camunda8/sdk';
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 128);
const root = path.join(__dirname, '..');

const BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="bench-one-task" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="TYPE" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

function startEngineProcess(dataDir: string | null): Promise<{ proc: ChildProcess; grpc: string; rest: string }> {
  // the latency phase reads the event record of every instance it created: keep them all in detail
  const env: NodeJS.ProcessEnv = {
    ENGINE_HISTORY_DETAILED_INSTANCES: '1000000',
    ENGINE_HISTORY_INSTANCES: '1000000',
    ...process.env,
    ENGINE_GRPC_PORT: '0',
    ENGINE_REST_PORT: '0',
  };
  if (dataDir) env.ENGINE_DATA_DIR = dataDir;
  else delete env.ENGINE_DATA_DIR;
  // compiled (npm run bench:engine runs dist/bench/engine.js): the compiled engine with plain node, as production runs it
  const compiled = __filename.endsWith('.js');
  const entry = compiled
    ? [path.join(__dirname, '..', 'app', 'entry', 'engine.js')]
    : ['-r', 'tsx/cjs', path.join(root, 'app', 'entry', 'engine.ts')];
  const proc = spawn(
    process.execPath,
    [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROF] : []), ...entry],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.includes('engine-started'));
      if (line) {
        buf = '';
        const j = JSON.parse(line);
        resolve({ proc, grpc: j.grpcAddress, rest: j.restAddress });
      }
    });
    proc.once('exit', (c) => reject(new Error(`engine exited (${c})`)));
  });
}

function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
/** CPU time (user + system, ms) a process has used so far, from /proc (Linux). */
function cpuMsOf(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks, USER_HZ = 100
  } catch {
    return NaN;
  }
}
function loadAvg(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
}
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

async function main(): Promise<void> {
  const inMemory = process.env.BENCH_IN_MEMORY === '1';
  const dataDir = inMemory ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'engine-bench-'));
  const eng = await startEngineProcess(dataDir);
  // @camunda8/sdk's stream worker console.error()s every stream error, its own CANCELLED on close()
  // included (ZBStreamWorker, not configurable): drop exactly that one so the output is the figures
  const consoleError = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    const e = args[0] as { code?: unknown; details?: unknown } | undefined;
    if (args.length === 1 && e?.code === 1 && e?.details === 'Cancelled on client') return;
    consoleError(...args);
  };
  const c8 = new Camunda8({
    ZEEBE_GRPC_ADDRESS: `grpc://${eng.grpc}`,
    ZEEBE_REST_ADDRESS: eng.rest,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    CAMUNDA_LOG_LEVEL: 'none',
    zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE' },
  } as never);
  const zbc = c8.getZeebeGrpcApiClient();
  const results: Record<string, unknown>[] = [];
  console.log(
    `engine bench: ${os.cpus().length} cores, durability ${inMemory ? 'OFF (in memory)' : `ON (${process.env.ENGINE_STORAGE === 'sqlite' ? 'SQLite WAL' : 'append-only log'}, group commit, ${dataDir})`}, ${SECONDS}s per phase`,
  );

  for (const mode of ['polling', 'streaming'] as const) {
    for (const phase of ['throughput', 'latency'] as const) {
      const type = `bench.${mode}.${phase}`;
      const pid = `bench-${mode}-${phase}`;
      await zbc.deployResources([{ name: `${pid}.bpmn`, process: Buffer.from(BPMN.replace('TYPE', type).replace('bench-one-task', pid)) }]);
      const sent = new Map<string, number>();
      const activatedLat: number[] = [];
      const completedLat: number[] = [];
      let completed = 0;
      const keys: string[] = [];
      const handler = async (job: any) => {
        if (phase === 'latency') keys.push(job.processInstanceKey);
        const t0 = sent.get(job.processInstanceKey) ?? Number(job.variables.t0);
        const ta = Date.now();
        const r = await job.complete({});
        const tc = Date.now();
        completed++;
        if (phase === 'latency') {
          activatedLat.push(ta - t0);
          completedLat.push(tc - t0);
        }
        return r;
      };
      const worker: any =
        mode === 'polling'
          ? zbc.createWorker({
              taskType: type,
              taskHandler: handler,
              maxJobsToActivate: 256,
              timeout: 30000,
              pollInterval: 1,
              longPoll: 30000,
            } as never)
          : await zbc.streamJobs({ type, worker: 'bench', timeout: 30000, taskHandler: handler } as never);
      await new Promise((r) => setTimeout(r, 300));
      const engineCpu0 = cpuMsOf(eng.proc.pid!);
      const clientCpu0 = process.cpuUsage();
      const start = Date.now();
      const end = start + SECONDS * 1000;
      let created = 0;
      if (phase === 'throughput') {
        const loop = async () => {
          while (Date.now() < end) {
            const t0 = Date.now();
            const pi = await zbc.createProcessInstance({ bpmnProcessId: pid, variables: { t0 } });
            sent.set(pi.processInstanceKey, t0);
            created++;
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, loop));
      } else {
        const interval = 1000 / RATE;
        const pending: Promise<unknown>[] = [];
        for (let i = 0; Date.now() < end; i++) {
          const due = start + i * interval;
          const wait = due - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const t0 = Date.now();
          pending.push(
            zbc.createProcessInstance({ bpmnProcessId: pid, variables: { t0 } }).then((pi) => {
              created++;
            }),
          );
        }
        await Promise.all(pending);
      }
      const sendDone = Date.now();
      while (completed < created && Date.now() < sendDone + 30000) await new Promise((r) => setTimeout(r, 20));
      const elapsed = (Date.now() - start) / 1000;
      await worker.close();
      const engineCpu = cpuMsOf(eng.proc.pid!) - engineCpu0;
      const cu = process.cpuUsage(clientCpu0);
      const row: Record<string, unknown> = {
        worker: mode,
        phase,
        created,
        completed,
        seconds: Number(elapsed.toFixed(2)),
        'jobs/s': Math.round(completed / elapsed),
        'engine CPU ms/job': (engineCpu / Math.max(1, completed)).toFixed(2),
        'client CPU ms/job': ((cu.user + cu.system) / 1000 / Math.max(1, completed)).toFixed(2),
        'load avg': loadAvg(),
      };
      if (phase === 'latency') {
        // the engine's own view, from its event record: job CREATED → ACTIVATED → COMPLETED
        const toAct: number[] = [];
        const toDone: number[] = [];
        for (let i = 0; i < keys.length; i += 50) {
          await Promise.all(
            keys.slice(i, i + 50).map(async (k) => {
              const ev = ((await (await fetch(`${eng.rest}/engine/process-instances/${k}/events`)).json()) as any).items as any[];
              const c = ev.find((e) => e.valueType === 'JOB' && e.intent === 'CREATED');
              const a = ev.filter((e) => e.valueType === 'JOB' && e.intent === 'ACTIVATED').pop();
              const d = ev.find((e) => e.valueType === 'JOB' && e.intent === 'COMPLETED');
              if (c && a && d) {
                toAct.push(a.timestamp - c.timestamp);
                toDone.push(d.timestamp - c.timestamp);
              }
            }),
          );
        }
        Object.assign(row, {
          'engine: job created→activated p50/p99 ms': `${f1(pct(toAct, 50))} / ${f1(pct(toAct, 99))}`,
          'engine: job created→completed p50/p99 ms': `${f1(pct(toDone, 50))} / ${f1(pct(toDone, 99))}`,
        });
        Object.assign(row, {
          'created→activated p50 ms': f1(pct(activatedLat, 50)),
          'created→activated p99 ms': f1(pct(activatedLat, 99)),
          'created→completed p50 ms': f1(pct(completedLat, 50)),
          'created→completed p99 ms': f1(pct(completedLat, 99)),
        });
      }
      results.push(row);
      console.log(JSON.stringify(row));
    }
  }
  console.table(results);
  await zbc.close();
  eng.proc.kill('SIGTERM');
  await new Promise((r) => eng.proc.once('exit', r));
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
