/**
 * The variables a Camunda Form reads: its fields' keys and option lists (valuesKey), and the names its FEEL
 * expressions and text templates read (a text block such as 订单概要 reading `orderSummary`, a condition
 * reading a decision). The task page hands form-js only what the API returns, so a name missing here is a
 * text block that renders empty or a condition that decides on null (issue #20).
 *
 * The names are found lexically, without a FEEL parser: a name after a dot is a property, not a variable, and
 * the text of string literals is no name. The list may hold more than the form reads (a FEEL function's name,
 * a context key); the engine has no variable by such a name, so it costs nothing.
 */
import type { FormComponent } from './task-port';

/** FEEL's own words, never a variable */
const FEEL_WORDS = new Set([
  'if',
  'then',
  'else',
  'for',
  'in',
  'return',
  'some',
  'every',
  'satisfies',
  'and',
  'or',
  'not',
  'null',
  'true',
  'false',
  'between',
  'instance',
  'of',
  'function',
]);

// a name is not a property (after a dot) and not part of a longer word or number
const NAME = /(?<![.\w$])[A-Za-z_$][\w$]*/g;
const STRING_LITERAL = /"(?:[^"\\]|\\.)*"/g;
const TEMPLATE = /\{\{(.*?)\}\}/gs;

function namesIn(expression: string): string[] {
  return [...expression.replace(STRING_LITERAL, '""').matchAll(NAME)].map((m) => m[0]).filter((n) => !FEEL_WORDS.has(n));
}

/** the names one property value reads: a FEEL expression (`=…`) or a text with `{{…}}` templates */
function namesOfValue(value: string): string[] {
  if (value.startsWith('=')) return namesIn(value.slice(1));
  return [...value.matchAll(TEMPLATE)].flatMap((m) => namesIn(m[1]));
}

/** every string anywhere in a component (its own properties, conditional, validate, ...), nested components apart */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'components') strings(x, out);
  return out;
}

/** the variables the form's components read, in the order met, each once */
export function formReferences(components: FormComponent[]): string[] {
  const found = new Set<string>();
  const visit = (cs: FormComponent[]) => {
    for (const c of cs) {
      if (c.key && !['text', 'html', 'image', 'button', 'spacer', 'separator'].includes(c.type)) found.add(c.key);
      if (c.valuesKey) found.add(c.valuesKey);
      for (const s of strings(c)) for (const n of namesOfValue(s)) found.add(n);
      if (c.components) visit(c.components);
    }
  };
  visit(components);
  return [...found];
}
