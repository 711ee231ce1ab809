// Crash test: SIGKILL the engine (a child process) in the middle of a loaded flow, restart it on the same
// data directory, and check that every instance completes exactly once: nothing lost, nothing duplicated.
import { expect } from 'chai';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { client, fixture, Zbc } from './helpers';

interface Child {
  proc: ChildProcess;
  grpc: string;
  rest: string;
}

function startChild(dataDir: string, storage: string): Promise<Child> {
  const root = path.join(__dirname, '..', '..');
  const proc = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(root, 'app', 'entry', 'engine.ts')], {
    // the test reads the event record and variables of every instance afterwards: keep them all in detail
    cwd: root,
    env: {
      ...process.env,
      ENGINE_GRPC_PORT: '0',
      ENGINE_REST_PORT: '0',
      ENGINE_DATA_DIR: dataDir,
      ENGINE_TEST_MODE: 'false',
      ENGINE_STORAGE: storage,
      ENGINE_HISTORY_DETAILED_INSTANCES: '1000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.includes('engine-started'));
      if (line) {
        proc.stdout!.off('data', onData);
        const j = JSON.parse(line);
        resolve({ proc, grpc: j.grpcAddress, rest: j.restAddress });
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (c) => reject(new Error(`engine exited early (${c})`)));
  });
}

async function post(rest: string, p: string, body: unknown): Promise<any> {
  const r = await fetch(rest + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const t = await r.text();
  return { status: r.status, body: t ? JSON.parse(t) : undefined };
}

for (const storage of ['log', 'sqlite'])
  describe(`engine: crash (SIGKILL) and restart on the same data (${storage} storage)`, function () {
    this.timeout(90000);
    let dir: string;
    let child: Child | undefined;
    const clients: Zbc[] = [];
    before(function () {
      if (process.env.ZEEBE_GRPC_ADDRESS) this.skip();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-crash-'));
    });
    after(async () => {
      for (const c of clients) await Promise.race([c.close().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
      if (child && child.proc.exitCode === null) child.proc.kill('SIGKILL');
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('every instance acknowledged before the crash completes exactly once after the restart', async () => {
      const N = 120;
      const t0 = Date.now();
      const mark = (what: string) => {
        if (process.env.DEBUG_CRASH) console.log(`${Date.now() - t0} ms: ${what}`);
      };
      child = await startChild(dir, storage);
      // no client-side retries before the crash: calls in flight when the engine dies fail at once
      let zbc = client(child.grpc, child.rest, false);
      clients.push(zbc);
      await zbc.deployResources([{ processFilename: fixture('durable-flow.bpmn') }]);
      const acked = new Set<string>();
      const handled = { a: 0, b: 0 };
      let running = true;
      let rest = child.rest;

      const startWork = (z: Zbc) => {
        const wa = z.createWorker({
          taskType: 'conf.durable.a',
          pollInterval: 50,
          maxJobsToActivate: 16,
          timeout: 2000,
          taskHandler: async (job: any) => {
            handled.a++;
            const r = await job.complete({ aDone: true });
            await z
              .publishMessage({
                name: 'conf-durable-go',
                correlationKey: job.variables.id,
                messageId: job.variables.id,
                variables: { go: 1 },
                timeToLive: 3600000,
              })
              .catch(() => undefined);
            return r;
          },
        } as never);
        const wb = z.createWorker({
          taskType: 'conf.durable.b',
          pollInterval: 50,
          maxJobsToActivate: 16,
          timeout: 2000,
          taskHandler: (job: any) => {
            handled.b++;
            return job.complete({ bDone: true });
          },
        } as never);
        return [wa, wb];
      };
      // user tasks are completed through REST by a small loop
      const completer = (async () => {
        while (running) {
          try {
            const r = await post(rest, '/v2/user-tasks/search', { filter: { state: 'CREATED' }, page: { limit: 50 } });
            for (const t of r.body?.items ?? [])
              await post(rest, `/v2/user-tasks/${t.userTaskKey}/completion`, { variables: { reviewed: true } });
          } catch {
            /* engine down */
          }
          await new Promise((r) => setTimeout(r, 30));
        }
      })();

      let workers = startWork(zbc);
      const creator = (async () => {
        for (let i = 0; i < N; i++) {
          const id = `c-${i}`;
          try {
            const pi = await zbc.createProcessInstance({
              bpmnProcessId: 'conf-durable',
              variables: { id, owner: 'crash', pause: 'PT0.3S' },
            });
            acked.add(pi.processInstanceKey);
          } catch {
            /* killed mid-call: unknown outcome */
          }
          if (i % 10 === 9) await new Promise((r) => setTimeout(r, 20));
        }
      })();

      // kill while instances are being created and work is in flight
      while (acked.size < N / 3) await new Promise((r) => setTimeout(r, 5));
      mark('killing');
      child.proc.kill('SIGKILL');
      await new Promise((r) => child!.proc.once('exit', r));
      const ackedBeforeCrash = new Set(acked);
      await creator;
      for (const w of workers) await Promise.race([(w as any).close().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
      await Promise.race([zbc.close().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);

      mark('restarting');
      child = await startChild(dir, storage);
      rest = child.rest;
      zbc = client(child.grpc, child.rest);
      clients.push(zbc);
      mark('restarted');
      workers = startWork(zbc);
      // instances whose creation failed during the crash are created again (the client does not know they exist)
      const search = async () =>
        (await post(rest, '/v2/process-instances/search', { filter: { processDefinitionId: 'conf-durable' }, page: { limit: 10000 } })).body
          .items as any[];
      const existingIds = new Set<string>();
      for (const p of await search()) {
        const v = await post(rest, '/v2/variables/search', { filter: { processInstanceKey: p.processInstanceKey, name: 'id' } });
        existingIds.add(JSON.parse(v.body.items[0].value));
      }
      for (let i = 0; i < N; i++) {
        if (existingIds.has(`c-${i}`)) continue;
        const pi = await zbc.createProcessInstance({
          bpmnProcessId: 'conf-durable',
          variables: { id: `c-${i}`, owner: 'crash', pause: 'PT0.3S' },
        });
        acked.add(pi.processInstanceKey);
      }

      // the publisher is the worker of 'a' (after completing): a crash between the two loses the publish on the
      // client side, so every message is published again; the message id makes this idempotent while buffered
      for (let i = 0; i < N; i++) {
        await zbc
          .publishMessage({
            name: 'conf-durable-go',
            correlationKey: `c-${i}`,
            messageId: `c-${i}`,
            variables: { go: 1 },
            timeToLive: 3600000,
          })
          .catch((e: any) => {
            if (Number(e.code) !== 6) throw e;
          });
      }

      mark('republished');
      const deadline = Date.now() + 60000;
      let all: any[] = [];
      while (Date.now() < deadline) {
        all = await search();
        if (all.length >= N && all.every((p) => p.state === 'COMPLETED')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      mark('all completed');
      running = false;
      await completer;
      for (const w of workers) await Promise.race([(w as any).close().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);

      expect(
        all.filter((p) => p.state !== 'COMPLETED').map((p) => p.processInstanceKey),
        'instances not completed',
      ).to.deep.equal([]);
      expect(all, 'exactly one instance per id').to.have.length(N);
      const keys = new Set(all.map((p) => p.processInstanceKey));
      for (const k of ackedBeforeCrash) expect(keys.has(k), `acknowledged instance ${k} survived`).to.equal(true);
      for (const p of all) {
        const ev = ((await fetch(`${rest}/engine/process-instances/${p.processInstanceKey}/events`).then((r) => r.json())) as any)
          .items as any[];
        const count = (pred: (e: any) => boolean) => ev.filter(pred).length;
        expect(
          count((e) => e.intent === 'ELEMENT_COMPLETED' && e.elementId === 'conf-durable'),
          `process completed once (${p.processInstanceKey})`,
        ).to.equal(1);
        for (const el of ['a', 'go', 'review', 'pause', 'b'])
          expect(
            count((e) => e.intent === 'ELEMENT_COMPLETED' && e.elementId === el),
            `${el} completed once`,
          ).to.equal(1);
        expect(
          count((e) => e.valueType === 'JOB' && e.intent === 'COMPLETED'),
          'two jobs completed',
        ).to.equal(2);
        expect(
          count((e) => e.valueType === 'USER_TASK' && e.intent === 'COMPLETED'),
          'one user task completed',
        ).to.equal(1);
      }
      expect(handled.a).to.be.at.least(N);
    });
  });
