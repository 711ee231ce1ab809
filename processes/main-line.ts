/**
 * The activities on the main line of a process: every task, call activity and
 * sub-process on some loop-free path of sequence flows from its start event to one end event. Issue #20
 * measures the bookkeeping boxes a reader of the happy path meets by this count (a sub-process counts as
 * one; boundary events are not followed, so exception paths do not count; a loop back is not a path).
 *
 *   npx tsx processes/main-line.ts                       the two order flows, to their completed ends
 *   npx tsx processes/main-line.ts <file.bpmn> <end id>  any model, to the end event named
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROCESS } from '../domain/vocabulary';
import { type El, PROCESSES_DIR, parseBpmn } from './model';

/** the end event whose main line issue #20 counts, per process */
export const MAIN_LINE_END: Readonly<Record<string, string>> = {
  [PROCESS.provisioning]: 'order-completed',
  [PROCESS.change]: 'change-completed',
};

const isActivity = (n: El) => /Task$|^bpmn:CallActivity$|^bpmn:SubProcess$/.test(n.$type);

/**
 * The activities (in the order a depth-first walk first meets them) on some simple path from a start event
 * of `process` (its top level) to the flow node `endId`.
 */
export function mainLine(process: El, endId: string): El[] {
  const nodes: El[] = (process.flowElements ?? []).filter((e: El) => e.$type !== 'bpmn:SequenceFlow');
  const end = nodes.find((n) => n.id === endId);
  if (!end) throw new Error(`${process.id}: no flow node ${endId}`);
  const on = new Set<El>();
  const order: El[] = [];
  const path: El[] = [];
  const onPath = new Set<El>();
  // every simple path is walked (the models are small); a node is kept once some path through it ends at endId
  const walk = (n: El): boolean => {
    if (onPath.has(n)) return false;
    if (n === end) {
      for (const p of [...path, n]) if (!on.has(p)) on.add(p), order.push(p);
      return true;
    }
    path.push(n);
    onPath.add(n);
    let reached = false;
    for (const f of n.outgoing ?? []) reached = walk(f.targetRef) || reached;
    path.pop();
    onPath.delete(n);
    return reached;
  };
  for (const s of nodes.filter((n) => n.$type === 'bpmn:StartEvent')) walk(s);
  return order.filter(isActivity);
}

async function main(args: string[]): Promise<void> {
  const runs: [string, string][] =
    args.length >= 2
      ? [[args[0], args[1]]]
      : Object.entries(MAIN_LINE_END).map(([pid, end]) => [path.join(PROCESSES_DIR, `${pid}.bpmn`), end]);
  for (const [file, end] of runs) {
    const m = await parseBpmn(readFileSync(file, 'utf8'), file);
    const acts = mainLine(m.process, end);
    console.log(`${m.process.id} → ${end}: ${acts.length} activities: ${acts.map((a) => a.name ?? a.id).join(' | ')}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
