// BPMN parsing (bpmn-moddle + zeebe-bpmn-moddle) into the engine's executable model, with validation of
// the supported subset: anything outside it is rejected with the element id and the reason.
import { BpmnModdle } from 'bpmn-moddle';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkSyntax, isExpression } from './feel';
import { parseDuration, parseTimeCycle } from './time';
import { MiDef, readLoop } from './model-mi';
import { Binding, readBinding } from './bindings';
import { isMessageThrow, readJobWorker } from './model-job';

export type ElType =
  | 'START_EVENT' | 'END_EVENT' | 'INTERMEDIATE_CATCH_EVENT' | 'INTERMEDIATE_THROW_EVENT' | 'BOUNDARY_EVENT'
  | 'SERVICE_TASK' | 'SEND_TASK' | 'BUSINESS_RULE_TASK' | 'SCRIPT_TASK' | 'USER_TASK' | 'MANUAL_TASK' | 'TASK'
  | 'EXCLUSIVE_GATEWAY' | 'PARALLEL_GATEWAY' | 'INCLUSIVE_GATEWAY' | 'EVENT_BASED_GATEWAY'
  | 'SUB_PROCESS' | 'CALL_ACTIVITY' | 'PROCESS';

export type EventKind = 'none' | 'message' | 'timer' | 'error' | 'terminate' | 'signal';
export interface Mapping { source: string; target: string }
export interface TimerDef { kind: 'date' | 'cycle' | 'duration'; value: string }

export interface El {
  id: string;
  name: string;
  type: ElType;
  scopeId: string; // id of the enclosing sub-process, or the process id
  incoming: string[];
  outgoing: string[];
  jobType?: string;
  retries?: string;
  headers?: Record<string, string>;
  inputs?: Mapping[];
  outputs?: Mapping[];
  userTask?: {
    assignee?: string; candidateGroups?: string; candidateUsers?: string; dueDate?: string; followUpDate?: string;
    formId?: string; externalReference?: string; priority?: string; formBinding?: Binding;
    /** zeebe:taskListeners in model order; type and retries may be FEEL, evaluated when the listener's job is created */
    listeners?: { eventType: 'creating' | 'completing'; type: string; retries: string }[];
  };
  eventKind?: EventKind;
  message?: { name: string; correlationKey?: string };
  /** signal events: the signal's name (a FEEL expression only on throw and end events) */
  signal?: { name: string };
  timer?: TimerDef;
  errorCode?: string; // undefined on an error boundary: catch-all
  attachedTo?: string;
  interrupting?: boolean;
  boundaries: string[];
  defaultFlow?: string;
  /** joining inclusive gateway: per incoming flow, the elements of the scope from which that flow can still be reached */
  reach?: Record<string, string[]>;
  children?: string[];
  startId?: string;
  calledElement?: { processId: string; propagateAllChildVariables: boolean; propagateAllParentVariables: boolean; binding?: Binding };
  /** multi-instance activity (model-mi.ts) */
  mi?: MiDef;
  /** business rule task evaluating a DMN decision (zeebe:calledDecision) instead of creating a job */
  calledDecision?: { decisionId: string; resultVariable: string; binding?: Binding };
}

export interface Flow { id: string; source: string; target: string; condition?: string }

export interface Model {
  processId: string;
  name: string;
  elements: Map<string, El>;
  flows: Map<string, Flow>;
  noneStart?: string;
  messageStarts: El[];
  timerStarts: El[];
  signalStarts: El[];
  children: string[];
  /** zeebe:versionTag of the process */
  versionTag?: string;
}

export class ValidationError extends Error {
  constructor(public problems: { element: string; message: string }[]) {
    super(problems.map((p) => `- Element: ${p.element}\n    - ERROR: ${p.message}`).join('\n'));
  }
}

type Any = any;

const zeebeDescriptor = JSON.parse(
  fs.readFileSync(path.join(path.dirname(require.resolve('zeebe-bpmn-moddle/package.json')), 'resources', 'zeebe.json'), 'utf8'),
);

let moddle: Any;
function getModdle(): Any {
  if (!moddle) moddle = new BpmnModdle({ zeebe: zeebeDescriptor });
  return moddle;
}

/** the extension elements of a job worker element (tasks with a job, message throw events) */
const JOB_WORKER_EXT = ['zeebe:TaskDefinition', 'zeebe:TaskHeaders', 'zeebe:IoMapping'];
const IGNORED_ROOT = new Set(['bpmn:Collaboration', 'bpmn:Message', 'bpmn:Error', 'bpmn:Signal', 'bpmn:Escalation', 'bpmn:Category', 'bpmn:ItemDefinition', 'bpmn:DataStore']);
const IGNORED_FLOW = new Set(['bpmn:DataObject', 'bpmn:DataObjectReference', 'bpmn:DataStoreReference']);
const ALLOWED_EXT = new Set([
  'zeebe:TaskDefinition', 'zeebe:TaskHeaders', 'zeebe:IoMapping', 'zeebe:UserTask', 'zeebe:AssignmentDefinition',
  'zeebe:TaskSchedule', 'zeebe:FormDefinition', 'zeebe:CalledElement', 'zeebe:Subscription', 'zeebe:Properties',
  'zeebe:VersionTag', 'zeebe:PriorityDefinition', 'zeebe:CalledDecision', 'zeebe:TaskListeners',
]);

/** Parse a BPMN resource into its executable processes. Throws ValidationError. */
export async function parseBpmn(xml: string): Promise<Model[]> {
  let parsed: Any;
  try {
    parsed = await getModdle().fromXML(xml, 'bpmn:Definitions');
  } catch (e) {
    throw new ValidationError([{ element: '(document)', message: `Failed to parse the BPMN XML: ${(e as Error).message.split('\n')[0]}` }]);
  }
  const problems: { element: string; message: string }[] = [];
  for (const w of parsed.warnings ?? []) {
    // a diagram (DI) shape or edge that references a missing element: Zeebe deploys the executable model
    // and ignores the diagram, and so does this engine (Modeler leaves such shapes after some edits)
    if (typeof w.property === 'string' && w.property.startsWith('bpmndi:')) continue;
    const id = w.element?.id ?? '(document)';
    problems.push({ element: id, message: `Unsupported or invalid content: ${String(w.message).split('\n')[0]}` });
  }
  const defs = parsed.rootElement;
  if (!defs || defs.$type !== 'bpmn:Definitions') throw new ValidationError([{ element: '(document)', message: 'Expected a bpmn:definitions root element' }]);
  const models: Model[] = [];
  for (const root of defs.rootElements ?? []) {
    if (root.$type === 'bpmn:Process') {
      if (root.isExecutable === false) continue;
      models.push(buildProcess(root, problems));
    } else if (!IGNORED_ROOT.has(root.$type)) {
      problems.push({ element: root.id ?? root.$type, message: `Unsupported root element '${root.$type}'` });
    }
  }
  if (models.length === 0 && problems.length === 0) problems.push({ element: '(document)', message: 'Must contain at least one executable process' });
  if (problems.length) throw new ValidationError(problems);
  return models;
}

function ext(el: Any, type: string): Any | undefined {
  return (el.extensionElements?.values ?? []).find((v: Any) => v.$type === type);
}

function buildProcess(proc: Any, problems: { element: string; message: string }[]): Model {
  const model: Model = { processId: proc.id, name: proc.name ?? proc.id, elements: new Map(), flows: new Map(), messageStarts: [], timerStarts: [], signalStarts: [], children: [] };
  const bad = (el: Any, message: string) => problems.push({ element: el.id ?? el.$type, message });
  const checkExpr = (el: Any, what: string, value: string | undefined) => {
    if (value === undefined || value === null) return;
    if (isExpression(value)) {
      const err = checkSyntax(value);
      if (err) bad(el, `${what}: invalid FEEL expression '${value}': ${err}`);
    }
  };
  if (!/^[A-Za-z_][\w.-]*$/.test(proc.id ?? '')) bad(proc, `Invalid process id '${proc.id}'`);
  for (const v of proc.extensionElements?.values ?? []) {
    if (!['zeebe:VersionTag', 'zeebe:Properties'].includes(v.$type)) bad(proc, `Unsupported extension element '${v.$type}' on the process`);
    if (v.$type === 'zeebe:VersionTag' && v.value) model.versionTag = String(v.value);
  }

  const visit = (container: Any, scopeId: string, childIds: string[]) => {
    for (const fe of container.flowElements ?? []) {
      if (fe.$type === 'bpmn:SequenceFlow') {
        let condition: string | undefined;
        if (fe.conditionExpression) {
          condition = String(fe.conditionExpression.body ?? '').trim();
          if (!isExpression(condition)) bad(fe, `Condition expression must be a FEEL expression starting with '=' but was '${condition}'`);
          else checkExpr(fe, 'condition', condition);
        }
        if (!fe.sourceRef || !fe.targetRef) bad(fe, 'Sequence flow must have a source and a target');
        model.flows.set(fe.id, { id: fe.id, source: fe.sourceRef?.id, target: fe.targetRef?.id, condition });
        continue;
      }
      if (IGNORED_FLOW.has(fe.$type)) continue;
      const el = buildElement(fe, scopeId, bad, checkExpr);
      if (!el) continue;
      if (model.elements.has(el.id)) bad(fe, `Duplicate element id '${el.id}'`);
      model.elements.set(el.id, el);
      childIds.push(el.id);
      if (fe.$type === 'bpmn:SubProcess') {
        el.children = [];
        visit(fe, fe.id, el.children);
      }
    }
  };
  visit(proc, proc.id, model.children);

  // wire flows
  for (const f of model.flows.values()) {
    const s = model.elements.get(f.source);
    const t = model.elements.get(f.target);
    if (!s || !t) { bad({ id: f.id }, 'Sequence flow references an unknown or unsupported element'); continue; }
    if (s.scopeId !== t.scopeId) bad({ id: f.id }, 'Sequence flow must not cross a sub-process boundary');
    s.outgoing.push(f.id);
    t.incoming.push(f.id);
  }
  // structural checks
  const checkScope = (ids: string[], owner: Any) => {
    const starts = ids.map((i) => model.elements.get(i)!).filter((e) => e.type === 'START_EVENT');
    const none = starts.filter((e) => e.eventKind === 'none');
    if (owner === proc) {
      if (starts.length === 0) bad(proc, 'Must have at least one start event');
      if (none.length > 1) bad(proc, 'Must have at most one none start event');
      model.noneStart = none[0]?.id;
      model.messageStarts = starts.filter((e) => e.eventKind === 'message');
      model.timerStarts = starts.filter((e) => e.eventKind === 'timer');
      model.signalStarts = starts.filter((e) => e.eventKind === 'signal');
    } else {
      const el = model.elements.get(owner.id)!;
      if (starts.length !== 1 || none.length !== 1) bad(owner, 'An embedded sub-process must have exactly one none start event');
      el.startId = none[0]?.id;
    }
  };
  checkScope(model.children, proc);
  for (const el of model.elements.values()) {
    const raw = { id: el.id };
    if (el.type === 'SUB_PROCESS') checkScope(el.children ?? [], raw);
    if (el.type === 'START_EVENT' && el.incoming.length) bad(raw, 'A start event must not have incoming sequence flows');
    if (el.type === 'BOUNDARY_EVENT') {
      if (el.incoming.length) bad(raw, 'A boundary event must not have incoming sequence flows');
      const host = el.attachedTo ? model.elements.get(el.attachedTo) : undefined;
      if (!host) bad(raw, 'A boundary event must be attached to a supported activity');
      else if (host.type.endsWith('GATEWAY') || host.type.endsWith('EVENT')) bad(raw, 'A boundary event must be attached to an activity');
      else host.boundaries.push(el.id);
    }
    if (el.type === 'END_EVENT' && el.outgoing.length) bad(raw, 'An end event must not have outgoing sequence flows');
    if (!el.type.endsWith('GATEWAY')) {
      for (const fid of el.outgoing) if (model.flows.get(fid)?.condition) bad({ id: fid }, `Conditional sequence flows are only supported as outgoing flows of exclusive and inclusive gateways (source '${el.id}')`);
    }
    if (el.type === 'EXCLUSIVE_GATEWAY' || el.type === 'INCLUSIVE_GATEWAY') {
      if (el.defaultFlow && !el.outgoing.includes(el.defaultFlow)) bad(raw, 'The default flow must be an outgoing sequence flow of the gateway');
      if (el.outgoing.length > 1) {
        for (const fid of el.outgoing) {
          if (fid !== el.defaultFlow && !model.flows.get(fid)?.condition) bad({ id: fid }, `Must have a condition expression (outgoing flow of gateway '${el.id}' that is not its default flow)`);
        }
      }
      if (el.defaultFlow && model.flows.get(el.defaultFlow)?.condition) bad({ id: el.defaultFlow }, 'The default flow must not have a condition');
      if (el.type === 'INCLUSIVE_GATEWAY' && el.incoming.length > 1) el.reach = reachability(model, el);
    }
    if (el.type === 'EVENT_BASED_GATEWAY') {
      if (el.outgoing.length < 2) bad(raw, 'An event-based gateway must have at least 2 outgoing sequence flows');
      for (const fid of el.outgoing) {
        const t = model.elements.get(model.flows.get(fid)!.target);
        if (!t || t.type !== 'INTERMEDIATE_CATCH_EVENT') bad(raw, 'Event-based gateway must be followed only by intermediate timer, message or signal catch events');
        else if (t.incoming.length > 1) bad({ id: t.id }, 'An event after an event-based gateway must have exactly one incoming sequence flow');
      }
    }
  }
  return model;
}

/** For each incoming flow of a joining gateway: the elements from which its source can be reached without passing the gateway. */
function reachability(model: Model, gw: El): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const fid of gw.incoming) {
    const start = model.flows.get(fid)!.source;
    const seen = new Set<string>([start]);
    const todo = [start];
    while (todo.length) {
      const id = todo.pop()!;
      const el = model.elements.get(id);
      if (!el) continue;
      const preds: string[] = el.incoming.map((f) => model.flows.get(f)!.source);
      if (el.type === 'BOUNDARY_EVENT' && el.attachedTo) preds.push(el.attachedTo);
      for (const p of preds) if (p !== gw.id && !seen.has(p)) { seen.add(p); todo.push(p); }
    }
    out[fid] = [...seen];
  }
  return out;
}

function buildElement(fe: Any, scopeId: string, bad: (el: Any, m: string) => void, checkExpr: (el: Any, what: string, v: string | undefined) => void): El | undefined {
  const base: El = { id: fe.id, name: fe.name ?? '', type: 'TASK', scopeId, incoming: [], outgoing: [], boundaries: [] };
  const exts: Any[] = fe.extensionElements?.values ?? [];
  for (const v of exts) if (!ALLOWED_EXT.has(v.$type)) bad(fe, `Unsupported extension element '${v.$type}'`);
  // BPMN attributes with execution semantics outside the subset
  if (fe.isForCompensation) bad(fe, "Attribute 'isForCompensation' is not supported (compensation is not supported by this engine)");
  if ((fe.startQuantity ?? 1) !== 1 || (fe.completionQuantity ?? 1) !== 1) bad(fe, "Attributes 'startQuantity' and 'completionQuantity' must be 1");
  if (fe.parallelMultiple) bad(fe, "Attribute 'parallelMultiple' is not supported");
  if (fe.instantiate || (fe.eventGatewayType && fe.eventGatewayType !== 'Exclusive')) bad(fe, 'Instantiating or parallel event-based gateways are not supported');
  const allowOnly = (types: string[]) => {
    for (const v of exts) if (ALLOWED_EXT.has(v.$type) && !types.includes(v.$type) && v.$type !== 'zeebe:Properties') bad(fe, `Extension element '${v.$type}' is not allowed on '${fe.$type}'`);
  };
  const io = ext(fe, 'zeebe:IoMapping');
  if (io) {
    base.inputs = (io.inputParameters ?? []).map((p: Any) => ({ source: p.source ?? '', target: p.target ?? '' }));
    base.outputs = (io.outputParameters ?? []).map((p: Any) => ({ source: p.source ?? '', target: p.target ?? '' }));
    for (const m of [...base.inputs!, ...base.outputs!]) {
      if (!m.target) bad(fe, 'An input/output mapping must have a target');
      checkExpr(fe, `mapping '${m.target}'`, m.source);
    }
    if (!base.inputs!.length) delete base.inputs;
    if (!base.outputs!.length) delete base.outputs;
  }
  const eventDefs: Any[] = fe.eventDefinitions ?? [];
  if (eventDefs.length > 1) bad(fe, 'Multiple event definitions are not supported');
  const evd = eventDefs[0];
  const setEvent = (allowed: EventKind[]) => {
    if (!evd) { base.eventKind = 'none'; } else {
      switch (evd.$type) {
        case 'bpmn:MessageEventDefinition': {
          base.eventKind = 'message';
          const msg = evd.messageRef;
          // as Zeebe: a message throw event is a job worker element, its message reference is optional
          if (isMessageThrow(fe)) { if (msg?.name) checkExpr(fe, 'message name', msg.name); break; }
          if (!msg || !msg.name) { bad(fe, 'Must reference a message with a name'); break; }
          checkExpr(fe, 'message name', msg.name);
          const sub = ext(msg, 'zeebe:Subscription');
          base.message = { name: msg.name, correlationKey: sub?.correlationKey };
          if (sub?.correlationKey) checkExpr(fe, 'correlation key', sub.correlationKey);
          break;
        }
        case 'bpmn:TimerEventDefinition': {
          base.eventKind = 'timer';
          const t = evd.timeDate ? { kind: 'date', v: evd.timeDate } : evd.timeCycle ? { kind: 'cycle', v: evd.timeCycle } : evd.timeDuration ? { kind: 'duration', v: evd.timeDuration } : undefined;
          if (!t) { bad(fe, 'A timer must have a timeDate, timeCycle or timeDuration'); break; }
          const value = String(t.v.body ?? '').trim();
          base.timer = { kind: t.kind as TimerDef['kind'], value };
          if (isExpression(value)) checkExpr(fe, 'timer', value);
          else if (t.kind === 'duration' && !parseDuration(value)) bad(fe, `Invalid timer duration '${value}'`);
          else if (t.kind === 'date' && !/^\d{4}-\d\d-\d\dT.*(Z|[+-]\d\d:?\d\d|\[.+\])$/.test(value)) bad(fe, `Invalid timer date '${value}' (expected an ISO-8601 date-time with offset)`);
          else if (t.kind === 'cycle' && !parseTimeCycle(value)) bad(fe, `Invalid timer cycle '${value}'`);
          break;
        }
        case 'bpmn:ErrorEventDefinition': {
          base.eventKind = 'error';
          const err = evd.errorRef;
          if (err) {
            base.errorCode = err.errorCode;
            if (base.errorCode === undefined && fe.$type === 'bpmn:EndEvent') bad(fe, 'An error end event must reference an error with an error code');
          } else if (fe.$type === 'bpmn:EndEvent') bad(fe, 'An error end event must reference an error');
          if (base.errorCode && isExpression(base.errorCode)) checkExpr(fe, 'error code', base.errorCode);
          break;
        }
        case 'bpmn:TerminateEventDefinition': base.eventKind = 'terminate'; break;
        case 'bpmn:SignalEventDefinition': {
          base.eventKind = 'signal';
          const sig = evd.signalRef;
          if (!sig || !sig.name) { bad(fe, 'Must reference a signal with a name'); break; }
          // as Zeebe: a catching signal event subscribes by a static name; a throwing one may compute it
          const throws = fe.$type === 'bpmn:IntermediateThrowEvent' || fe.$type === 'bpmn:EndEvent';
          if (isExpression(sig.name)) { if (throws) checkExpr(fe, 'signal name', sig.name); else bad(fe, 'The signal name of a catching signal event must be static (not an expression)'); }
          base.signal = { name: sig.name };
          break;
        }
        default: bad(fe, `Event definition '${evd.$type}' is not supported`); return;
      }
    }
    if (base.eventKind && !allowed.includes(base.eventKind)) bad(fe, `A ${fe.$type.slice(5)} with a ${base.eventKind} event definition is not supported`);
  };
  switch (fe.$type) {
    case 'bpmn:StartEvent':
      base.type = 'START_EVENT';
      setEvent(['none', 'message', 'timer', 'signal']);
      allowOnly(['zeebe:IoMapping', 'zeebe:FormDefinition']);
      if (base.eventKind === 'timer' && base.timer?.kind === 'duration') bad(fe, 'A timer start event must have a timeDate or timeCycle');
      if (fe.isInterrupting === false) bad(fe, 'Event sub-processes are not supported');
      if (base.inputs) bad(fe, 'Input mappings are not allowed on start events');
      if (base.eventKind === 'message' && base.message && isExpression(base.message.name)) bad(fe, 'The message name of a message start event must be static (not an expression)');
      break;
    case 'bpmn:EndEvent':
      base.type = 'END_EVENT';
      setEvent(['none', 'error', 'terminate', 'signal', 'message']);
      if (base.eventKind === 'message') { allowOnly(JOB_WORKER_EXT); readJobWorker(fe, base, bad, checkExpr); } else allowOnly(['zeebe:IoMapping']);
      break;
    case 'bpmn:IntermediateCatchEvent':
      base.type = 'INTERMEDIATE_CATCH_EVENT';
      setEvent(['message', 'timer', 'signal']);
      allowOnly(['zeebe:IoMapping']);
      if (base.eventKind === 'message' && !base.message?.correlationKey) bad(fe, 'A message catch event must have a correlation key (zeebe:subscription correlationKey)');
      if (base.timer?.kind === 'cycle') bad(fe, 'An intermediate timer catch event must have a timeDate or timeDuration');
      break;
    case 'bpmn:IntermediateThrowEvent':
      base.type = 'INTERMEDIATE_THROW_EVENT';
      setEvent(['none', 'signal', 'message']);
      if (base.eventKind === 'message') { allowOnly(JOB_WORKER_EXT); readJobWorker(fe, base, bad, checkExpr); } else allowOnly(['zeebe:IoMapping']);
      break;
    case 'bpmn:BoundaryEvent':
      base.type = 'BOUNDARY_EVENT';
      setEvent(['message', 'timer', 'error', 'signal']);
      allowOnly(['zeebe:IoMapping']);
      base.attachedTo = fe.attachedToRef?.id;
      base.interrupting = fe.cancelActivity !== false;
      if (base.eventKind === 'error' && !base.interrupting) bad(fe, 'An error boundary event must be interrupting');
      if (base.eventKind === 'message' && !base.message?.correlationKey) bad(fe, 'A message boundary event must have a correlation key');
      if (base.timer?.kind === 'cycle' && base.interrupting) bad(fe, 'An interrupting timer boundary event must not have a time cycle');
      if (base.inputs) bad(fe, 'Input mappings are not allowed on boundary events');
      break;
    case 'bpmn:ServiceTask':
    case 'bpmn:SendTask':
    case 'bpmn:BusinessRuleTask':
    case 'bpmn:ScriptTask': {
      base.type = ({ 'bpmn:ServiceTask': 'SERVICE_TASK', 'bpmn:SendTask': 'SEND_TASK', 'bpmn:BusinessRuleTask': 'BUSINESS_RULE_TASK', 'bpmn:ScriptTask': 'SCRIPT_TASK' } as const)[fe.$type as 'bpmn:ServiceTask'];
      const cd = fe.$type === 'bpmn:BusinessRuleTask' ? ext(fe, 'zeebe:CalledDecision') : undefined;
      allowOnly(cd ? ['zeebe:CalledDecision', 'zeebe:IoMapping'] : JOB_WORKER_EXT);
      if (cd) {
        if (!cd.decisionId || !cd.resultVariable) bad(fe, "A 'zeebe:calledDecision' needs a decisionId and a resultVariable");
        checkExpr(fe, 'decision id', cd.decisionId);
        base.calledDecision = { decisionId: cd.decisionId ?? '', resultVariable: cd.resultVariable ?? '', binding: readBinding(cd, (m) => bad(fe, m)) };
      } else readJobWorker(fe, base, bad, checkExpr);
      break;
    }
    case 'bpmn:UserTask': {
      base.type = 'USER_TASK';
      allowOnly(['zeebe:UserTask', 'zeebe:AssignmentDefinition', 'zeebe:TaskSchedule', 'zeebe:FormDefinition', 'zeebe:IoMapping', 'zeebe:TaskHeaders', 'zeebe:PriorityDefinition', 'zeebe:TaskListeners']);
      if (!ext(fe, 'zeebe:UserTask')) bad(fe, "Job-worker user tasks are not supported: a user task must have the 'zeebe:userTask' extension element (Camunda user task)");
      const ad = ext(fe, 'zeebe:AssignmentDefinition');
      const ts = ext(fe, 'zeebe:TaskSchedule');
      const fd = ext(fe, 'zeebe:FormDefinition');
      const pd = ext(fe, 'zeebe:PriorityDefinition');
      if (fd?.formKey) bad(fe, "zeebe:formDefinition formKey is not supported for Camunda user tasks; use formId or externalReference");
      base.userTask = {
        assignee: ad?.assignee, candidateGroups: ad?.candidateGroups, candidateUsers: ad?.candidateUsers,
        dueDate: ts?.dueDate, followUpDate: ts?.followUpDate, formId: fd?.formId, externalReference: fd?.externalReference,
        priority: pd?.priority, formBinding: fd ? readBinding(fd, (m) => bad(fe, m)) : undefined,
      };
      for (const [k, v] of Object.entries(base.userTask)) if (typeof v === 'string') checkExpr(fe, k, v);
      const tl = ext(fe, 'zeebe:TaskListeners');
      if (tl) {
        const listeners: NonNullable<NonNullable<El['userTask']>['listeners']> = [];
        for (const l of tl.listeners ?? []) {
          // only 'creating' and 'completing' run here so far; the other events are refused rather than accepted and never run
          if (l.eventType !== 'completing' && l.eventType !== 'creating') { bad(fe, `Task listeners of event type '${l.eventType}' are not supported (only 'creating' and 'completing')`); continue; }
          if (!l.type) { bad(fe, 'A task listener must have a job type'); continue; }
          checkExpr(fe, 'task listener type', l.type);
          if (l.retries) checkExpr(fe, 'task listener retries', l.retries);
          listeners.push({ eventType: l.eventType, type: l.type, retries: l.retries || '3' });
        }
        if (listeners.length) base.userTask.listeners = listeners;
      }
      const th = ext(fe, 'zeebe:TaskHeaders');
      if (th) { base.headers = {}; for (const h of th.values ?? []) base.headers[h.key] = h.value ?? ''; }
      break;
    }
    case 'bpmn:ManualTask': base.type = 'MANUAL_TASK'; allowOnly(['zeebe:IoMapping']); break;
    case 'bpmn:Task': base.type = 'TASK'; allowOnly(['zeebe:IoMapping']); break;
    case 'bpmn:ExclusiveGateway': base.type = 'EXCLUSIVE_GATEWAY'; base.defaultFlow = fe.default?.id; allowOnly([]); break;
    case 'bpmn:InclusiveGateway': base.type = 'INCLUSIVE_GATEWAY'; base.defaultFlow = fe.default?.id; allowOnly([]); break;
    case 'bpmn:ParallelGateway': base.type = 'PARALLEL_GATEWAY'; allowOnly([]); break;
    case 'bpmn:EventBasedGateway': base.type = 'EVENT_BASED_GATEWAY'; allowOnly([]); break;
    case 'bpmn:SubProcess':
      if (fe.triggeredByEvent) { bad(fe, 'Event sub-processes are not supported by this engine'); return undefined; }
      base.type = 'SUB_PROCESS';
      allowOnly(['zeebe:IoMapping']);
      break;
    case 'bpmn:CallActivity': {
      base.type = 'CALL_ACTIVITY';
      allowOnly(['zeebe:CalledElement', 'zeebe:IoMapping']);
      const ce = ext(fe, 'zeebe:CalledElement');
      if (!ce || !ce.processId) bad(fe, "Must have a 'zeebe:calledElement' extension element with a processId");
      else {
        checkExpr(fe, 'called element', ce.processId);
        base.calledElement = {
          processId: ce.processId,
          propagateAllChildVariables: ce.propagateAllChildVariables !== false && ce.propagateAllChildVariables !== 'false',
          propagateAllParentVariables: ce.propagateAllParentVariables !== false && ce.propagateAllParentVariables !== 'false',
          binding: readBinding(ce, (m) => bad(fe, m)),
        };
      }
      break;
    }
    default:
      bad(fe, `Element type '${fe.$type}' is not supported by this engine`);
      return undefined;
  }
  readLoop(fe, base, bad, checkExpr);
  return base;
}
