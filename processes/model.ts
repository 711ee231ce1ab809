/**
 * Reading the models of processes/: BPMN parsed by bpmn-moddle with the Zeebe extension registered,
 * Camunda Forms, element templates, FEEL helpers and an upstream-variables analysis.
 * Used by processes/lint.ts, processes/render-diagrams.ts and test/processes/.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { BpmnModdle } from 'bpmn-moddle';
import { parseExpression, evaluate } from 'feelin';
import { PROCESS } from '../domain/vocabulary';

export const PROCESSES_DIR = __dirname;
export const FORMS_DIR = path.join(PROCESSES_DIR, 'forms');
export const TEMPLATES_DIR = path.join(PROCESSES_DIR, 'element-templates');

const zeebeDescriptor = JSON.parse(readFileSync(require.resolve('zeebe-bpmn-moddle/resources/zeebe.json'), 'utf8'));
// The Modeler's own namespace (executionPlatform attributes) is declared inline: modeler-moddle is not a dependency.
const modelerDescriptor = {
  name: 'Modeler',
  prefix: 'modeler',
  uri: 'http://camunda.org/schema/modeler/1.0',
  xml: { tagAlias: 'lowerCase' },
  types: [
    {
      name: 'Definitions',
      isAbstract: true,
      extends: ['bpmn:Definitions'],
      properties: [
        { name: 'executionPlatform', isAttr: true, type: 'String' },
        { name: 'executionPlatformVersion', isAttr: true, type: 'String' },
      ],
    },
  ],
};

/** A moddle element; moddle's own typings are too loose to be useful here. */
export type El = any;

export function createModdle(): El {
  return new BpmnModdle({ zeebe: zeebeDescriptor, modeler: modelerDescriptor });
}

export interface ParsedModel {
  file: string;
  xml: string;
  definitions: El;
  warnings: { message: string }[];
  process: El;
}

export function bpmnFiles(dir = PROCESSES_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bpmn'))
    .sort()
    .map((f) => path.join(dir, f));
}

export async function parseBpmn(xml: string, file = '<inline>'): Promise<ParsedModel> {
  const { rootElement, warnings } = await createModdle().fromXML(xml, 'bpmn:Definitions');
  const processes = (rootElement.rootElements ?? []).filter((e: El) => e.$type === 'bpmn:Process');
  if (processes.length !== 1) throw new Error(`${file}: expected exactly one bpmn:Process, found ${processes.length}`);
  return { file, xml, definitions: rootElement, warnings, process: processes[0] };
}

export async function loadModels(dir = PROCESSES_DIR): Promise<ParsedModel[]> {
  return Promise.all(bpmnFiles(dir).map((f) => parseBpmn(readFileSync(f, 'utf8'), f)));
}

// ---------------------------------------------------------------- element helpers

/** All flow elements of a process or sub-process, recursively (sub-process contents included). */
export function flowElements(container: El): El[] {
  const out: El[] = [];
  for (const el of container.flowElements ?? []) {
    out.push(el);
    if (el.$type === 'bpmn:SubProcess') out.push(...flowElements(el));
  }
  return out;
}
export const flowNodes = (container: El): El[] => flowElements(container).filter((e) => e.$type !== 'bpmn:SequenceFlow');
export const sequenceFlows = (container: El): El[] => flowElements(container).filter((e) => e.$type === 'bpmn:SequenceFlow');

export function extension(el: El, type: string): El | undefined {
  return (el.extensionElements?.values ?? []).find((v: El) => v.$type === type);
}
export function extensions(el: El, type: string): El[] {
  return (el.extensionElements?.values ?? []).filter((v: El) => v.$type === type);
}
export function inputs(el: El): { source: string; target: string }[] {
  return (extension(el, 'zeebe:IoMapping')?.inputParameters ?? []).map((p: El) => ({ source: p.source, target: p.target }));
}
export function outputs(el: El): { source: string; target: string }[] {
  return (extension(el, 'zeebe:IoMapping')?.outputParameters ?? []).map((p: El) => ({ source: p.source, target: p.target }));
}
export function eventDefinition(el: El): El | undefined {
  return (el.eventDefinitions ?? [])[0];
}
export function documentation(el: El): string {
  return (el.documentation ?? []).map((d: El) => d.text ?? '').join('\n');
}
export function jobType(el: El): string | undefined {
  return extension(el, 'zeebe:TaskDefinition')?.type;
}
/** the job types of a user task's listeners of one event (zeebe:taskListeners), in model order */
export function listenerTypes(el: El, eventType: 'creating' | 'completing'): string[] {
  const listeners: El[] = extension(el, 'zeebe:TaskListeners')?.listeners ?? [];
  return listeners.filter((l) => l.eventType === eventType).map((l) => l.type);
}
/** the job types of a user task's completing listeners: the recordings that run before it completes */
export function completingListenerTypes(el: El): string[] {
  return listenerTypes(el, 'completing');
}
/**
 * the job types of a user task's creating listeners: the task's request, issued as it is created (its
 * variables are set before the task is CREATED, after its input mappings were evaluated)
 */
export function creatingListenerTypes(el: El): string[] {
  return listenerTypes(el, 'creating');
}
export function boundaryEventsOf(container: El, host: El): El[] {
  return flowNodes(container).filter((e) => e.$type === 'bpmn:BoundaryEvent' && e.attachedToRef === host);
}

// ---------------------------------------------------------------- forms and templates

export interface FormComponent {
  type: string;
  id?: string;
  key?: string;
  label?: string;
  text?: string;
  dateLabel?: string;
  readonly?: boolean;
  values?: { label: string; value: string }[];
  /** a select whose options are a process variable (Camunda Forms `valuesKey`) */
  valuesKey?: string;
  conditional?: { hide?: string };
  components?: FormComponent[];
  validate?: Record<string, unknown>;
}
export interface CamundaForm {
  id: string;
  schemaVersion: number;
  type: string;
  executionPlatform: string;
  executionPlatformVersion: string;
  components: FormComponent[];
}

export function formFiles(): string[] {
  return readdirSync(FORMS_DIR)
    .filter((f) => f.endsWith('.form'))
    .sort()
    .map((f) => path.join(FORMS_DIR, f));
}
export function loadForm(id: string): CamundaForm | undefined {
  try {
    return JSON.parse(readFileSync(path.join(FORMS_DIR, `${id}.form`), 'utf8')) as CamundaForm;
  } catch {
    return undefined;
  }
}
export function formFields(form: CamundaForm): FormComponent[] {
  const out: FormComponent[] = [];
  const walk = (cs: FormComponent[]) => {
    for (const c of cs) {
      if (c.key) out.push(c);
      if (c.components) walk(c.components);
    }
  };
  walk(form.components);
  return out;
}
/** fields the person fills in (what the form sets) */
export const editableKeys = (form: CamundaForm) =>
  formFields(form)
    .filter((c) => !c.readonly)
    .map((c) => c.key!);
/**
 * The one hide condition of an optional display: form-js hands an absent text field's value to FEEL as
 * "" (it fills empty fields before evaluating), so `= null` alone never fires; `x = ""` on a number is
 * null in FEEL, which form-js takes as "hide", hence the comparison of string(x).
 */
export const emptyCondition = (key: string) => `=${key} = null or string(${key}) = ""`;
/** fields that only show process data; a field hidden when its own value is empty is an optional display */
export const requiredDisplayKeys = (form: CamundaForm) =>
  formFields(form)
    .filter((c) => c.readonly && !isOptionalDisplay(c))
    .map((c) => c.key!);
export const isOptionalDisplay = (c: FormComponent) =>
  c.conditional?.hide === emptyCondition(c.key!) ||
  (c.type === 'checklist' && c.conditional?.hide === `=${c.key} = null or count(${c.key}) = 0`);

export function templateFiles(): string[] {
  return readdirSync(TEMPLATES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(TEMPLATES_DIR, f));
}

// ---------------------------------------------------------------- FEEL

/** Zeebe marks an expression with a leading '='; anything else is a static value. */
export const isExpression = (v: string | undefined): v is string => typeof v === 'string' && v.trim().startsWith('=');
const stripEq = (v: string) => v.trim().replace(/^=/, '');

/** Parses a FEEL expression; returns the syntax error or undefined. */
export function feelSyntaxError(expression: string): string | undefined {
  const src = stripEq(expression);
  if (!src.trim()) return 'empty expression';
  let bad: number | undefined;
  parseExpression(src, {}, undefined).iterate({
    enter(n) {
      if (n.type.isError && bad === undefined) bad = n.from;
    },
  });
  if (bad !== undefined) return `syntax error at ${bad} in ${JSON.stringify(src)}`;
  try {
    evaluate(src, {});
  } catch (e) {
    return `${(e as Error).message} in ${JSON.stringify(src)}`;
  }
  return undefined;
}

/** Free variables of a FEEL expression (top-level names; function names and path members excluded). */
export function feelVariables(expression: string): string[] {
  const src = stripEq(expression);
  const names = new Set<string>();
  parseExpression(src, {}, undefined).iterate({
    enter(n) {
      if (n.name !== 'VariableName') return;
      const parent = n.node.parent;
      if (parent?.name === 'FunctionInvocation' && parent.firstChild?.from === n.from) return;
      names.add(src.slice(n.from, n.to));
    },
  });
  return [...names];
}

// ---------------------------------------------------------------- upstream variables

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
