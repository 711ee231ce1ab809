/**
 * npm run bench:workers — throughput and latency of the hottest job handlers against the database of
 * DATABASE_URL (MySQL/MariaDB for meaningful figures; a temporary SQLite file when unset).
 *
 * Each handler runs through the same path a Zeebe job takes (executeJob: variable validation, handler,
 * idempotency record, transaction) with CONCURRENCY jobs in flight, like one worker with
 * maxJobsToActivate=CONCURRENCY. Prints jobs/s and p50/p99 latency per handler, plus the redelivery path
 * (a job delivered again: answered from processed_job).
 *
 *   BENCH_JOBS=400 BENCH_CONCURRENCY=16 DATABASE_URL=mysql://root@127.0.0.1:3306/ot_bench npm run bench:workers
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { initDatabase } from '../db/index';
import { JOB } from '../domain/vocabulary';
import { handlerFor } from '../workers/registry';
import { executeJob } from '../workers/runtime/adapter';
import type { HandlerDef, JobView, Services } from '../workers/runtime/job';
import { makeJob, makeServices, resetDatabase, seedExpenseContract, seedRevenueContract, seedWorld } from '../test/workers/support/harness';
import { CountersignRoundEntity } from '../db/entities/index';
import { randomUUID } from 'node:crypto';

const JOBS = Number(process.env.BENCH_JOBS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function run(name: string, def: HandlerDef, jobs: JobView[], services: Services): Promise<void> {
  const lat: number[] = [];
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        const s = performance.now();
        const out = await executeJob(def, job, services);
        lat.push(performance.now() - s);
        if (out.kind !== 'complete') failures++;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(44)} ${String(jobs.length).padStart(5)} jobs  ${(jobs.length / secs).toFixed(0).padStart(6)} jobs/s  p50 ${pct(lat, 50).toFixed(1).padStart(6)} ms  p99 ${pct(lat, 99).toFixed(1).padStart(6)} ms${failures ? `  (${failures} not completed!)` : ''}`,
  );
}

async function main() {
  let dir: string | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-bench-'));
    url = `sqlite:${path.join(dir, 'bench.sqlite')}`;
  }
  const ds: DataSource = await initDatabase(url, { poolSize: CONCURRENCY + 4 });
  await resetDatabase(ds);
  const services = makeServices(ds, { http: async () => ({ status: 202, body: '{"accepted":true}' }) });
  console.log(`bench:workers  database=${ds.options.type}  jobs/handler=${JOBS}  concurrency=${CONCURRENCY}  node=${process.version}`);

  // fixtures
  const worlds = [];
  for (let i = 0; i < JOBS; i++) worlds.push(await seedWorld(ds, { order: { status: 'CONTRACT_SIGNED', deliveredOn: '2026-09-18' } }));
  const h = (t: string) => handlerFor(t)!;

  // collaboration-task-order.issue: number + task order + event + notification in one transaction
  await run(
    JOB.collaborationTaskOrderIssue,
    h(JOB.collaborationTaskOrderIssue),
    worlds.map((w) => makeJob(JOB.collaborationTaskOrderIssue, { orderId: w.order.id })),
    services,
  );

  // countersign.record-decision: decision per (round, step), actor from completedBy
  const rounds: string[] = [];
  for (const w of worlds) {
    const c = await seedRevenueContract(ds, w.order, { status: 'COUNTERSIGNING' });
    const id = randomUUID();
    await ds.getRepository(CountersignRoundEntity).insert({
      id,
      contractType: 'REVENUE',
      contractId: c.id,
      contractNo: c.contractNo,
      orderNo: w.order.orderNo,
      roundNo: 1,
      processInstanceKey: null,
      contractVersion: 1,
      status: 'OPEN',
      rejectionReason: null,
      openedAt: new Date(),
      closedAt: null,
    });
    rounds.push(id);
  }
  const decisionJobs = rounds.map((r) =>
    makeJob(
      JOB.countersignRecordDecision,
      { countersignRoundId: r, reviewDecision: 'APPROVE', reviewOpinion: '同意', completedBy: 'dm.zhang' },
      { customHeaders: { countersignStep: 'DEPT_MANAGER' } },
    ),
  );
  await run(JOB.countersignRecordDecision, h(JOB.countersignRecordDecision), decisionJobs, services);
  await run(
    `${JOB.countersignRecordDecision} (redelivered)`,
    h(JOB.countersignRecordDecision),
    decisionJobs.map((j) => ({ ...j })),
    services,
  );
  const centerJobs = rounds.map((r) =>
    makeJob(
      JOB.countersignRecordDecision,
      { countersignRoundId: r, reviewDecision: 'APPROVE', completedBy: 'center.wu' },
      { customHeaders: { countersignStep: 'CENTER' } },
    ),
  );
  await run(`${JOB.countersignRecordDecision} (CENTER)`, h(JOB.countersignRecordDecision), centerJobs, services);
  // countersign.issue-form: gap-free HQ-SR number (one sequence row: the contended path) + form version
  await run(
    JOB.countersignIssueForm,
    h(JOB.countersignIssueForm),
    rounds.map((r) => makeJob(JOB.countersignIssueForm, { countersignRoundId: r })),
    services,
  );

  // completion.compute-deadline: calendar (cached) + order update
  await run(
    JOB.completionComputeDeadline,
    h(JOB.completionComputeDeadline),
    worlds.map((w) => makeJob(JOB.completionComputeDeadline, { orderId: w.order.id })),
    services,
  );

  // expense-contract.request-implementation with an instant AP (measures our side: signing, DB)
  const expense = [];
  for (const w of worlds) expense.push(await seedExpenseContract(ds, w.order, w.partner));
  await run(
    JOB.expenseContractRequestImplementation,
    h(JOB.expenseContractRequestImplementation),
    expense.map((c) => makeJob(JOB.expenseContractRequestImplementation, { expenseContractId: c.id })),
    services,
  );

  await ds.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
