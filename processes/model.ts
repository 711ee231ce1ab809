/**
 * Reading the models of processes/: BPMN parsed by bpmn-moddle with the Zeebe extension registered,
 * Camunda Forms, element templates and FEEL helpers (the upstream-variables analysis is processes/variables.ts).
 * Used by processes/lint.ts, processes/render-diagrams.ts and test/processes/.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { BpmnModdle } from 'bpmn-moddle';
import { parseExpression, evaluate } from 'feelin';

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
