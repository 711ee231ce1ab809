// DMN 1.3 resources read with dmn-moddle into the engine's decision model: decision tables (inputs,
// outputs, rules, hit policy and aggregation) and literal expressions, with their required decisions.
// Anything outside that subset is rejected at deploy, naming the decision.
const { DmnModdle } = require('dmn-moddle') as { DmnModdle: new () => { fromXML(xml: string, type: string): Promise<{ rootElement: Any; warnings: { message: string }[] }> } };

type Any = any;

export type HitPolicy = 'UNIQUE' | 'FIRST' | 'PRIORITY' | 'ANY' | 'COLLECT' | 'RULE ORDER' | 'OUTPUT ORDER';
export interface DecisionTable {
  hitPolicy: HitPolicy; aggregation?: 'SUM' | 'MIN' | 'MAX' | 'COUNT';
  inputs: { id: string; label: string; expr: string }[];
  outputs: { id: string; name: string; label: string; /** output values in priority order (PRIORITY, OUTPUT ORDER) */ values: string[] }[];
  rules: { id: string; inputEntries: string[]; outputEntries: string[] }[];
}
export interface Decision {
  id: string; name: string; requires: string[]; /** zeebe:versionTag */ versionTag?: string;
  table?: DecisionTable; literal?: { expr: string; variable: string };
}
export interface Drg { id: string; name: string; decisions: Map<string, Decision> }

const HIT_POLICIES = new Set(['UNIQUE', 'FIRST', 'PRIORITY', 'ANY', 'COLLECT', 'RULE ORDER', 'OUTPUT ORDER']);

/** split an output's allowed values (`"a","b"`) into their FEEL literals */
function valueList(text: string | undefined): string[] {
  if (!text) return [];
  return (text.match(/"(?:[^"\\]|\\.)*"|[^,]+/g) ?? []).map((s) => s.trim()).filter(Boolean);
}

/** Parse a DMN resource. Throws an Error listing every problem (decision id and reason). */
export async function parseDmn(xml: string): Promise<Drg> {
  let parsed;
  try { parsed = await new DmnModdle().fromXML(xml, 'dmn:Definitions'); } catch (e) { throw new Error(`Failed to parse the DMN XML: ${(e as Error).message.split('\n')[0]}`); }
  const defs = parsed.rootElement;
  const problems: string[] = parsed.warnings.map((w) => `Unsupported or invalid content: ${String(w.message).split('\n')[0]}`);
  if (!defs || defs.$type !== 'dmn:Definitions') throw new Error('Expected a dmn:definitions root element');
  const drg: Drg = { id: defs.id, name: defs.name ?? defs.id, decisions: new Map() };
  if (!drg.id) problems.push('The definitions must have an id');
  for (const el of defs.drgElement ?? []) {
    if (el.$type !== 'dmn:Decision') continue; // input data, knowledge sources: documentation only
    const bad = (m: string) => problems.push(`Decision '${el.id}': ${m}`);
    const vt = (el.extensionElements?.values ?? []).find((v: Any) => /versionTag$/i.test(v.$type ?? ''));
    const d: Decision = { id: el.id, name: el.name ?? el.id, requires: [], versionTag: vt?.value ?? el.$attrs?.['zeebe:versionTag'] ?? undefined };
    for (const r of el.informationRequirement ?? []) if (r.requiredDecision?.href) d.requires.push(String(r.requiredDecision.href).replace(/^#/, ''));
    const logic = el.decisionLogic;
    if (logic?.$type === 'dmn:DecisionTable') {
      const hitPolicy = (logic.hitPolicy ?? 'UNIQUE') as HitPolicy;
      if (!HIT_POLICIES.has(hitPolicy)) bad(`hit policy '${hitPolicy}' is not supported`);
      if (logic.aggregation && hitPolicy !== 'COLLECT') bad('an aggregation needs the hit policy COLLECT');
      const outputs = (logic.output ?? []).map((o: Any) => ({ id: o.id, name: o.name ?? '', label: o.label ?? o.name ?? '', values: valueList(o.outputValues?.text) }));
      if (!outputs.length) bad('a decision table needs at least one output');
      if (outputs.length > 1 && outputs.some((o: { name: string }) => !o.name)) bad('the outputs of a table with several outputs need names');
      if (logic.aggregation && outputs.length > 1) bad('an aggregation needs exactly one output');
      d.table = {
        hitPolicy, aggregation: logic.aggregation,
        inputs: (logic.input ?? []).map((i: Any) => ({ id: i.id, label: i.label ?? i.inputExpression?.text ?? '', expr: String(i.inputExpression?.text ?? '').trim() })),
        outputs,
        rules: (logic.rule ?? []).map((r: Any) => ({ id: r.id, inputEntries: (r.inputEntry ?? []).map((e: Any) => String(e.text ?? '').trim()), outputEntries: (r.outputEntry ?? []).map((e: Any) => String(e.text ?? '').trim()) })),
      };
      for (const r of d.table.rules) if (r.inputEntries.length !== d.table.inputs.length || r.outputEntries.length !== outputs.length) bad(`rule '${r.id}' must have one entry per input and output`);
    } else if (logic?.$type === 'dmn:LiteralExpression') {
      d.literal = { expr: String(logic.text ?? '').trim(), variable: el.variable?.name ?? el.id };
      if (!d.literal.expr) bad('the literal expression is empty');
    } else {
      bad(`decision logic '${logic?.$type ?? '(none)'}' is not supported (decision tables and literal expressions are)`);
    }
    drg.decisions.set(d.id, d);
  }
  for (const d of drg.decisions.values()) for (const r of d.requires) if (!drg.decisions.has(r)) problems.push(`Decision '${d.id}': required decision '${r}' is not in the resource`);
  if (!drg.decisions.size) problems.push('Must contain at least one decision');
  if (problems.length) throw new Error(problems.join('\n'));
  return drg;
}
