/**
 * The upstream-variables analysis of the models: what each process starts with, what every element
 * produces (its outputs, its form's fields, its listeners' template outputs), and the variables an
 * element reads that nothing upstream produced. Used by test/processes/.
 */
import { readFileSync } from 'node:fs';
import { PROCESS } from '../domain/vocabulary';
import {
  type CamundaForm,
  type El,
  type ParsedModel,
  completingListenerTypes,
  creatingListenerTypes,
  editableKeys,
  eventDefinition,
  extension,
  feelVariables,
  flowNodes,
  inputs,
  isExpression,
  loadForm,
  outputs,
  requiredDisplayKeys,
  sequenceFlows,
  templateFiles,
} from './model';

/** Variables each process starts with (docs/process-contract.md, "Start variables"). */
export const START_VARIABLES: Record<string, string[]> = {
  [PROCESS.provisioning]: ['orderId', 'orderNo', 'customerManager', 'apInvolved', 'apPartnerId', 'orderSummary', 'sla'],
  [PROCESS.change]: [
    'changeOrderId',
    'changeOrderNo',
    'orderId',
    'orderNo',
    'customerManager',
    'platformChange',
    'apScopeChange',
    'apPartnerId',
    'accountDelta',
    'orderSummary',
    'sla',
  ],
  [PROCESS.countersign]: ['contractId', 'contractNo', 'contractType', 'orderNo', 'orderSummary'],
  [PROCESS.monthlyReport]: [],
  [PROCESS.serviceRequest]: ['serviceRequestId', 'requestNo', 'requestType', 'customerManager', 'sla'],
};

/** Variables the API adds when it completes a user task (docs/process-contract.md, "Conventions"). */
export const COMPLETION_VARIABLES = ['completedBy'];

export interface VariableProblem {
  process: string;
  element: string;
  what: string;
  variable: string;
}

/**
 * The variables a job type's handler returns, by the output bindings of its element template (the names
 * its service task maps). A completing listener of that type sets them on the process instance
 * (workers/runtime/listener.ts), so they are the user task's outputs too.
 */
export function templateOutputs(type: string): string[] {
  templateOutputsCache ??= new Map(
    templateFiles().map((f) => {
      const t = JSON.parse(readFileSync(f, 'utf8')) as {
        properties: { value?: unknown; binding: { type: string; property?: string } }[];
      };
      const jobType = t.properties.find((p) => p.binding.type === 'zeebe:taskDefinition' && p.binding.property === 'type')?.value;
      const outs = t.properties.filter((p) => p.binding.type === 'zeebe:output').map((p) => String(p.value));
      return [String(jobType), outs] as const;
    }),
  );
  return [...(templateOutputsCache.get(type) ?? [])];
}
let templateOutputsCache: Map<string, readonly string[]> | undefined;

/** Variables an element makes visible in the process scope once it completes. */
function produced(el: El, formOf: (id: string) => CamundaForm | undefined): Set<string> {
  const own = producedByElement(el, formOf);
  if (el.$type === 'bpmn:UserTask') {
    for (const v of createdWith(el)) own.add(v);
    for (const type of completingListenerTypes(el)) for (const v of templateOutputs(type)) own.add(v);
  }
  return own;
}

/**
 * What a user task's creating listeners set on the process instance before the task is CREATED: its form
 * and its output mappings see them, its input mappings, assignee and due date do not (Zeebe evaluates
 * those at activation, before the creating listeners run).
 */
function createdWith(el: El): string[] {
  return creatingListenerTypes(el).flatMap((type) => templateOutputs(type));
}

function producedByElement(el: El, formOf: (id: string) => CamundaForm | undefined): Set<string> {
  const outs = outputs(el);
  if (outs.length) return new Set(outs.map((o) => o.target));
  if (el.$type === 'bpmn:UserTask') {
    const form = formOf(extension(el, 'zeebe:FormDefinition')?.formId);
    return new Set([...(form ? editableKeys(form) : []), ...COMPLETION_VARIABLES]);
  }
  if (el.$type === 'bpmn:SubProcess') {
    const s = new Set<string>();
    for (const inner of flowNodes(el)) for (const v of produced(inner, formOf)) s.add(v);
    return s;
  }
  return new Set();
}

/**
 * Must-analysis: a variable is available at an element when every path from the start sets it
 * (start variables, form fields of user tasks, output mappings of tasks, call activities and
 * message events). Returns what each element reads that is not available.
 */
export function analyseVariables(
  model: ParsedModel,
  childProduces: Record<string, Set<string>> = {},
  formOf = loadForm,
): VariableProblem[] {
  const proc = model.process;
  const pid: string = proc.id;
  const nodes = flowNodes(proc);
  const flows = sequenceFlows(proc);
  const avail = new Map<El, Set<string> | null>(nodes.map((n) => [n, null]));
  const start = new Set(START_VARIABLES[pid] ?? []);
  const union = (a: Set<string>, b: Iterable<string>) => new Set([...a, ...b]);
  const after = (n: El): Set<string> | null => {
    const a = avail.get(n);
    return a ? union(a, produced(n, formOf)) : null;
  };
  for (let changed = true, guard = 0; changed && guard < 500; guard++) {
    changed = false;
    for (const n of nodes) {
      let next: Set<string> | null = null;
      if (n.$type === 'bpmn:StartEvent') next = n.$parent.$type === 'bpmn:SubProcess' ? (avail.get(n.$parent) ?? null) : new Set(start);
      else if (n.$type === 'bpmn:BoundaryEvent') next = avail.get(n.attachedToRef) ?? null;
      else {
        const known = flows
          .filter((f) => f.targetRef === n)
          .map((f) => after(f.sourceRef))
          .filter((s): s is Set<string> => s !== null);
        if (known.length) next = new Set([...known[0]].filter((v) => known.every((s) => s.has(v))));
      }
      const cur = avail.get(n);
      if (next && (!cur || cur.size !== next.size || [...cur].some((v) => !next!.has(v)))) {
        avail.set(n, next);
        changed = true;
      }
    }
  }
  const problems: VariableProblem[] = [];
  const need = (el: El, what: string, expr: string | undefined, scope: Set<string>) => {
    if (!isExpression(expr)) return;
    for (const v of feelVariables(expr)) if (!scope.has(v)) problems.push({ process: pid, element: el.id, what, variable: v });
  };
  for (const n of nodes) {
    const a = avail.get(n);
    if (!a) {
      problems.push({ process: pid, element: n.id, what: 'unreachable', variable: '' });
      continue;
    }
    for (const i of inputs(n)) need(n, `input ${i.target}`, i.source, a);
    const local = union(
      a,
      inputs(n).map((i) => i.target),
    );
    if (n.$type === 'bpmn:UserTask') {
      const ad = extension(n, 'zeebe:AssignmentDefinition');
      need(n, 'assignee', ad?.assignee, local);
      need(n, 'candidateGroups', ad?.candidateGroups, local);
      const ts = extension(n, 'zeebe:TaskSchedule');
      need(n, 'dueDate', ts?.dueDate, local);
      need(n, 'followUpDate', ts?.followUpDate, local);
      const form = formOf(extension(n, 'zeebe:FormDefinition')?.formId);
      if (form) {
        const created = union(local, createdWith(n));
        for (const k of requiredDisplayKeys(form))
          if (!created.has(k)) problems.push({ process: pid, element: n.id, what: `form ${form.id} shows`, variable: k });
        const filled = union(created, [...editableKeys(form), ...COMPLETION_VARIABLES]);
        for (const o of outputs(n)) need(n, `output ${o.target}`, o.source, filled);
      }
    }
    if (n.$type === 'bpmn:CallActivity') {
      const child = extension(n, 'zeebe:CalledElement')?.processId;
      const childVars = childProduces[child];
      if (childVars)
        for (const o of outputs(n))
          need(
            n,
            `output ${o.target}`,
            o.source,
            union(
              childVars,
              inputs(n).map((i) => i.target),
            ),
          );
    }
    const def = eventDefinition(n);
    if (def?.$type === 'bpmn:TimerEventDefinition') {
      const scope =
        n.$type === 'bpmn:BoundaryEvent'
          ? union(
              avail.get(n.attachedToRef) ?? new Set(),
              inputs(n.attachedToRef).map((i) => i.target),
            )
          : a;
      for (const k of ['timeDate', 'timeDuration', 'timeCycle']) need(n, k, def[k]?.body, scope);
    }
    // a message throw event is a job (its worker sends): Zeebe evaluates no correlation key there
    const throwsMessage = n.$type === 'bpmn:IntermediateThrowEvent' || n.$type === 'bpmn:EndEvent';
    if (
      def?.$type === 'bpmn:MessageEventDefinition' &&
      !throwsMessage &&
      !(n.$type === 'bpmn:StartEvent' && n.$parent.$type === 'bpmn:Process')
    ) {
      need(n, 'correlationKey', extension(def.messageRef, 'zeebe:Subscription')?.correlationKey, a);
    }
  }
  for (const f of flows) {
    const s = after(f.sourceRef);
    if (s && f.conditionExpression) need(f, 'condition', f.conditionExpression.body, s);
  }
  return problems;
}

/** Every variable a process can set anywhere (for call-activity output mappings). */
export function allProduced(model: ParsedModel, formOf = loadForm): Set<string> {
  const s = new Set(START_VARIABLES[model.process.id] ?? []);
  for (const n of flowNodes(model.process)) {
    for (const v of produced(n, formOf)) s.add(v);
  }
  return s;
}
