// Multi-instance loop characteristics (bpmn:multiInstanceLoopCharacteristics with zeebe:loopCharacteristics),
// read into the element's model as Zeebe defines them; standard loops stay unsupported and are rejected.
import type { El } from './model';

type Any = any;

/** the loop of a multi-instance activity: one inner instance per element of the input collection */
export interface MiDef {
  sequential: boolean;
  /** FEEL expression giving a list, evaluated when the multi-instance body activates */
  inputCollection: string;
  /** local variable of each inner instance holding its element */
  inputElement?: string;
  /** variable of the body, a list with one entry per inner instance (in input order), propagated when the body completes */
  outputCollection?: string;
  /** FEEL expression evaluated in the inner instance when it completes */
  outputElement?: string;
  /** FEEL expression evaluated after each inner completion; true completes the body, terminating the rest */
  completionCondition?: string;
}

const MI_TYPES = new Set(['SERVICE_TASK', 'SEND_TASK', 'BUSINESS_RULE_TASK', 'SCRIPT_TASK', 'USER_TASK', 'MANUAL_TASK', 'TASK', 'SUB_PROCESS', 'CALL_ACTIVITY']);

export function readLoop(fe: Any, base: El, bad: (el: Any, m: string) => void, checkExpr: (el: Any, what: string, v: string | undefined) => void): void {
  const lc = fe.loopCharacteristics;
  if (!lc) return;
  if (lc.$type !== 'bpmn:MultiInstanceLoopCharacteristics') { bad(fe, 'Standard loop characteristics are not supported (use multi-instance)'); return; }
  if (!MI_TYPES.has(base.type)) { bad(fe, `Multi-instance is not supported on '${fe.$type}'`); return; }
  if (lc.loopCardinality) bad(fe, "Multi-instance 'loopCardinality' is not supported; use zeebe:loopCharacteristics inputCollection");
  const zl = (lc.extensionElements?.values ?? []).find((v: Any) => v.$type === 'zeebe:LoopCharacteristics');
  for (const v of lc.extensionElements?.values ?? []) if (v.$type !== 'zeebe:LoopCharacteristics') bad(fe, `Unsupported extension element '${v.$type}' on the loop characteristics`);
  if (!zl || !zl.inputCollection) { bad(fe, "A multi-instance activity must have 'zeebe:loopCharacteristics' with an inputCollection"); return; }
  const cc = lc.completionCondition ? String(lc.completionCondition.body ?? '').trim() : undefined;
  const mi: MiDef = { sequential: lc.isSequential === true, inputCollection: zl.inputCollection, inputElement: zl.inputElement || undefined, outputCollection: zl.outputCollection || undefined, outputElement: zl.outputElement || undefined, completionCondition: cc || undefined };
  if (!mi.inputCollection.startsWith('=')) bad(fe, `inputCollection must be a FEEL expression starting with '=' but was '${mi.inputCollection}'`);
  if (mi.completionCondition && !mi.completionCondition.startsWith('=')) bad(fe, `completionCondition must be a FEEL expression starting with '=' but was '${mi.completionCondition}'`);
  if (mi.outputCollection && !mi.outputElement) bad(fe, 'An outputCollection needs an outputElement');
  if (mi.outputElement && !mi.outputCollection) bad(fe, 'An outputElement needs an outputCollection');
  checkExpr(fe, 'inputCollection', mi.inputCollection);
  checkExpr(fe, 'outputElement', mi.outputElement);
  checkExpr(fe, 'completionCondition', mi.completionCondition);
  base.mi = mi;
}
