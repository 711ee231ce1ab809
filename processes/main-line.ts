/**
 * The main line of a business flow: the activities (tasks, call activities, sub-processes) on some path from
 * a start event to the flow's ordinary end without going round a loop — what a process owner reads first, the
 * measure issue #20 asked to halve (25 in each business flow when it was filed). Exception paths begin at
 * boundary events (and at the EXCEPTION_BRANCHES) and loops go back to an earlier element, so neither is
 * counted; a sub-process counts as one box, its contents are its own.
 *
 *   npx tsx processes/main-line.ts          prints each business flow's main line
 */
import { type El, type ParsedModel, loadModels } from './model';

/** each business flow's ordinary end: the one its customer waits for */
export const MAIN_LINE_END: Readonly<Record<string, string>> = {
  'online-training-provisioning': 'order-completed',
  'online-training-change': 'change-completed',
};

/**
 * Gateway branches that begin an exception path, as a boundary event does: a refusal the model cannot raise
 * as a BPMN error because a message throw event has no boundary events (向AP发出实施请求), so the gateway
 * after the event routes it into the handling the error boundaries lead to (汇合: AP异常 → 处理AP异常).
 * test/processes/main-line.test.ts holds each to that: a gateway's flow into a node a boundary event leads to.
 */
export const EXCEPTION_BRANCHES: Readonly<Record<string, readonly string[]>> = {
  'online-training-provisioning': ['flow-ap-request-accepted-to-ap-issue-merge'],
  'online-training-change': ['flow-ap-request-accepted-to-ap-issue-merge'],
};

const isActivity = (n: El) => /Task$|^bpmn:CallActivity$|^bpmn:SubProcess$/.test(n.$type);

export interface MainLine {
  /** the activities in the order of a depth-first walk from the start (parallel branches one after the other) */
  readonly activities: readonly El[];
  /** user task → the service task that directly follows it on the main line (a bookkeeping box) */
  readonly bookkeeping: readonly { after: El; box: El }[];
}

/** The main line of a process (top level only) to the end event with id `endId`. */
export function mainLine(process: El, endId: string): MainLine {
  const nodes: El[] = (process.flowElements ?? []).filter((e: El) => e.$type !== 'bpmn:SequenceFlow');
  const end = nodes.find((n) => n.id === endId);
  if (!end) throw new Error(`${process.id}: no element ${endId}`);
  const exceptional = new Set(EXCEPTION_BRANCHES[process.id] ?? []);
  const next = (n: El): El[] => (n.outgoing ?? []).filter((f: El) => !exceptional.has(f.id)).map((f: El) => f.targetRef);
  const onLine = new Set<El>();
  // depth-first over simple paths (the models are small enough to walk them all)
  const walk = (n: El, path: Set<El>): boolean => {
    if (n === end) return true;
    if (path.has(n)) return false;
    path.add(n);
    let found = false;
    for (const t of next(n)) if (walk(t, path)) found = true;
    path.delete(n);
    if (found) onLine.add(n);
    return found;
  };
  for (const s of nodes.filter((n) => n.$type === 'bpmn:StartEvent')) walk(s, new Set());
  const ordered: El[] = [];
  const seen = new Set<El>();
  const visit = (n: El) => {
    if (seen.has(n) || !onLine.has(n)) return;
    seen.add(n);
    ordered.push(n);
    for (const t of next(n)) visit(t);
  };
  for (const s of nodes.filter((n) => n.$type === 'bpmn:StartEvent')) visit(s);
  const activities = ordered.filter(isActivity);
  // what a user task leads to, through merging gateways (one way out): a service task there records its outcome
  const followers = (n: El): El[] =>
    next(n).flatMap((t) => (/Gateway$/.test(t.$type) && (t.outgoing ?? []).length === 1 ? followers(t) : [t]));
  const bookkeeping = activities
    .filter((n) => n.$type === 'bpmn:UserTask')
    .flatMap((u) =>
      followers(u)
        .filter((t) => t.$type === 'bpmn:ServiceTask' && onLine.has(t))
        .map((box) => ({ after: u, box })),
    );
  return { activities, bookkeeping };
}

export function mainLinesOf(models: readonly ParsedModel[]): { processId: string; line: MainLine }[] {
  return models
    .filter((m) => MAIN_LINE_END[m.process.id])
    .map((m) => ({ processId: m.process.id, line: mainLine(m.process, MAIN_LINE_END[m.process.id]) }));
}

if (require.main === module) {
  loadModels().then((models) => {
    for (const { processId, line } of mainLinesOf(models)) {
      console.log(`${processId}: ${line.activities.length} activities on the main line`);
      for (const a of line.activities) console.log(`  ${a.$type.slice(5).padEnd(13)} ${a.id}  ${a.name ?? ''}`);
      for (const b of line.bookkeeping) console.log(`  ! ${b.box.id} right after user task ${b.after.id}`);
    }
  });
}
