/**
 * `npm run workers` as a process: configured by the SDK's standard environment variables, it polls the
 * gateway, and on SIGTERM stops activating, finishes the job in flight, closes client and database, exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { initDatabase } from '../../db/index';
import { JOB } from '../../domain/vocabulary';
import { FakeGateway } from './support/fake-gateway';
import { resetDatabase, seedExpenseContract, seedWorld } from './support/harness';

describe('workers: standalone process (npm run workers)', function () {
  this.timeout(60_000);
  let ds: DataSource;
  let dir: string;
  let url: string;
  let gw: FakeGateway;
  let ap: http.Server;
  let apPort = 0;
  let child: ChildProcess | undefined;
  let release: (() => void) | null = null;
  const arrived: string[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-workers-'));
    url = process.env.DATABASE_URL || `sqlite:${path.join(dir, 'db.sqlite')}`;
    ds = await initDatabase(url);
    await resetDatabase(ds, { seedCalendar: false });
    gw = new FakeGateway();
    await gw.start();
    ap = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        arrived.push(String(req.headers['idempotency-key']));
        release = () => {
          res.writeHead(202, { 'content-type': 'application/json' });
          res.end('{"accepted":true}');
        };
      });
    });
    await new Promise<void>((r) => ap.listen(0, '127.0.0.1', () => r()));
    apPort = (ap.address() as { port: number }).port;
  });
  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    ap.closeAllConnections();
    await new Promise((r) => ap.close(r));
    await gw.stop();
    await ds.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM while a job is in flight: the job completes, then the process exits 0', async () => {
    const { order, partner } = await seedWorld(ds, { partner: { endpointUrl: `http://127.0.0.1:${apPort}/impl` } });
    const contract = await seedExpenseContract(ds, order, partner);
    const env = {
      ...process.env,
      DATABASE_URL: url,
      ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${gw.port}`,
      ZEEBE_REST_ADDRESS: 'http://127.0.0.1:9',
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
      PORT: '0', // health and metrics endpoints on a free port
    };
    let out = '';
    child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, '..', '..', 'app', 'entry', 'workers.ts')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));

    const key = '4503599627399001';
    gw.enqueue({ key, type: JOB.expenseContractRequestImplementation, variables: JSON.stringify({ expenseContractId: contract.id }) });
    for (let i = 0; i < 200 && !release; i++) await new Promise((r) => setTimeout(r, 100));
    expect(release, `the AP request arrived (worker output: ${out})`).to.not.equal(null);
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    expect(
      gw.acks.find((a) => a.jobKey === key),
      'not completed before the AP answered',
    ).to.equal(undefined);
    release!();
    const code = await exited;
    expect(code, out).to.equal(0);
    expect(gw.acks.find((a) => a.jobKey === key)).to.deep.include({
      rpc: 'CompleteJob',
      variables: { apRequestAccepted: true, apSlaDuration: 'P7D', apRejectionReason: null, apPartnerOptions: null },
    });
    expect(arrived).to.deep.equal([`ot-impl-${contract.contractNo}-${key}`]);
    expect(out).to.match(/shutting down/);
    expect(out).to.match(/job workers stopped/);
  });
});
