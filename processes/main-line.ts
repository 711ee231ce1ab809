/**
 * The main line of a business flow: the activities (tasks, call activities, sub-processes) on some path from
 * a start event to the flow's ordinary end without going round a loop — what a process owner reads first, the
 * measure issue #20 asked to halve (25 in each business flow when it was filed). Exception paths begin at
 * boundary events — or at a gateway's branch into the handling a boundary event leads to (a refusal a message
 * throw event cannot raise as a BPMN error, since it has no boundary events, is routed by a gateway into the
 * same 汇合: AP异常 the error boundaries enter) — and loops go back to an earlier element, so neither is
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
  const flows: El[] = (process.flowElements ?? []).filter((e: El) => e.$type === 'bpmn:SequenceFlow');
  const out = (n: El): El[] => flows.filter((f) => f.sourceRef === n);
  // where exception paths begin: the nodes a boundary event's flow enters
  const handling = new Set(nodes.filter((n) => n.$type === 'bpmn:BoundaryEvent').flatMap((b) => out(b).map((f) => f.targetRef)));
  const exceptional = (f: El) => /Gateway$/.test(f.sourceRef.$type) && handling.has(f.targetRef);
  const next = (n: El): El[] =>
    out(n)
      .filter((f) => !exceptional(f))
      .map((f) => f.targetRef);
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
  const followers = (n: El): El[] => next(n).flatMap((t) => (/Gateway$/.test(t.$type) && out(t).length === 1 ? followers(t) : [t]));
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
