// Decision evaluation as Camunda's DMN engine does it: required decisions first (their results enter the
// context under their ids), decision tables by hit policy (with COLLECT aggregations), literal expressions;
// input expressions and output entries are FEEL expressions, input entries FEEL unary tests (feelin).
import type { Decision, Drg } from './dmn';
import { evalFeel } from './feel';
const feelin = require('feelin') as { unaryTest(expr: string, ctx: Record<string, unknown>): { value: unknown } };

export interface EvaluatedDecision {
  decisionId: string; decisionName: string; decisionType: 'DECISION_TABLE' | 'LITERAL_EXPRESSION'; output: unknown;
  evaluatedInputs: { inputId: string; inputName: string; inputValue: unknown }[];
  matchedRules: { ruleId: string; ruleIndex: number; evaluatedOutputs: { outputId: string; outputName: string; outputValue: unknown }[] }[];
}
export class DecisionError extends Error {
  constructor(public decisionId: string, message: string, public evaluated: EvaluatedDecision[]) { super(message); }
}

/** Evaluate `decisionId` of the graph with the variables; returns its output and every decision evaluated, required ones first. */
export function evaluateDecision(drg: Drg, decisionId: string, vars: Record<string, unknown>, nowMs: number, timeZone: string): { output: unknown; evaluated: EvaluatedDecision[] } {
  const evaluated: EvaluatedDecision[] = [];
  const results = new Map<string, unknown>();
  const run = (id: string, path: string[]): unknown => {
    if (results.has(id)) return results.get(id);
    if (path.includes(id)) throw new DecisionError(id, `Decision '${id}' requires itself (${[...path, id].join(' → ')})`, evaluated);
    const d = drg.decisions.get(id)!;
    const ctx: Record<string, unknown> = { ...vars };
    for (const r of d.requires) ctx[r] = run(r, [...path, id]);
    let out: EvaluatedDecision;
    try { out = d.table ? table(d, ctx, nowMs, timeZone) : literal(d, ctx, nowMs, timeZone); } catch (e) {
      throw e instanceof DecisionError ? e : new DecisionError(id, `Expected to evaluate decision '${id}', but ${(e as Error).message}`, evaluated);
    }
    evaluated.push(out);
    results.set(id, out.output);
    return out.output;
  };
  const output = run(decisionId, []);
  return { output, evaluated };
}

function literal(d: Decision, ctx: Record<string, unknown>, nowMs: number, tz: string): EvaluatedDecision {
  return { decisionId: d.id, decisionName: d.name, decisionType: 'LITERAL_EXPRESSION', output: evalFeel(d.literal!.expr, ctx, nowMs, false, tz), evaluatedInputs: [], matchedRules: [] };
}

function table(d: Decision, ctx: Record<string, unknown>, nowMs: number, tz: string): EvaluatedDecision {
  const t = d.table!;
  const inputs = t.inputs.map((i) => ({ inputId: i.id, inputName: i.label, inputValue: i.expr ? evalFeel(i.expr, ctx, nowMs, true, tz) : null }));
  const matched: EvaluatedDecision['matchedRules'] = [];
  t.rules.forEach((r, ruleIndex) => {
    const hit = r.inputEntries.every((entry, i) => {
      if (entry === '' || entry === '-') return true;
      const res = feelin.unaryTest(entry, { ...ctx, '?': inputs[i].inputValue });
      return res.value === true;
    });
    if (!hit) return;
    matched.push({ ruleId: r.id, ruleIndex: ruleIndex + 1, evaluatedOutputs: t.outputs.map((o, i) => ({ outputId: o.id, outputName: o.name, outputValue: r.outputEntries[i] === '' ? null : evalFeel(r.outputEntries[i], ctx, nowMs, false, tz) })) });
  });
  for (const i of inputs) i.inputValue = evalFeel('x', { x: i.inputValue }, nowMs, false, tz); // as JSON
  const value = (m: EvaluatedDecision['matchedRules'][number]) => (t.outputs.length === 1 ? m.evaluatedOutputs[0].outputValue : Object.fromEntries(m.evaluatedOutputs.map((o) => [o.outputName, o.outputValue])));
  const rank = (m: EvaluatedDecision['matchedRules'][number]) => {
    // PRIORITY / OUTPUT ORDER: by the position of the outputs' values in their allowed values, first output first
    return t.outputs.map((o, i) => { const k = o.values.indexOf(JSON.stringify(m.evaluatedOutputs[i].outputValue)); return k < 0 ? o.values.length : k; });
  };
  const byRank = (a: EvaluatedDecision['matchedRules'][number], b: EvaluatedDecision['matchedRules'][number]) => { const ra = rank(a), rb = rank(b); for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i]; return a.ruleIndex - b.ruleIndex; };
  let output: unknown;
  let rules = matched;
  switch (t.hitPolicy) {
    case 'UNIQUE':
      if (matched.length > 1) throw new Error(`the hit policy 'UNIQUE' allows one matching rule, but ${matched.length} matched (${matched.map((m) => m.ruleId).join(', ')})`);
      output = matched.length ? value(matched[0]) : null;
      break;
    case 'ANY': {
      const distinct = new Set(matched.map((m) => JSON.stringify(value(m))));
      if (distinct.size > 1) throw new Error(`the hit policy 'ANY' needs the matching rules to have equal outputs, but they differ (${matched.map((m) => m.ruleId).join(', ')})`);
      rules = matched.slice(0, 1);
      output = matched.length ? value(matched[0]) : null;
      break;
    }
    case 'FIRST': rules = matched.slice(0, 1); output = matched.length ? value(matched[0]) : null; break;
    case 'PRIORITY': rules = [...matched].sort(byRank).slice(0, 1); output = rules.length ? value(rules[0]) : null; break;
    case 'OUTPUT ORDER': rules = [...matched].sort(byRank); output = rules.map(value); break;
    case 'RULE ORDER': output = matched.map(value); break;
    case 'COLLECT': {
      const vals = matched.map(value);
      if (!t.aggregation) { output = vals; break; }
      if (t.aggregation === 'COUNT') { output = vals.length; break; }
      const nums = vals.filter((v) => v !== null);
      if (nums.some((v) => typeof v !== 'number')) throw new Error(`the aggregation '${t.aggregation}' needs numbers, but the outputs were ${JSON.stringify(vals)}`);
      const ns = nums as number[];
      output = !ns.length ? null : t.aggregation === 'SUM' ? ns.reduce((a, b) => a + b, 0) : t.aggregation === 'MIN' ? Math.min(...ns) : Math.max(...ns);
      break;
    }
  }
  return { decisionId: d.id, decisionName: d.name, decisionType: 'DECISION_TABLE', output, evaluatedInputs: inputs, matchedRules: rules };
}
