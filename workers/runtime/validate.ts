import { createAjv, type ValidateFunction } from '../../platform/validation';
import type { JsonSchema } from './job';

const ajv = createAjv();

const cache = new WeakMap<JsonSchema, ValidateFunction>();

/** null when valid, else a readable list of problems */
export function validateVariables(schema: JsonSchema, variables: unknown): string | null {
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
    return 'job variables are not a JSON object';
  }
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  if (fn(variables)) return null;
  return (fn.errors ?? [])
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`)
    .join('; ');
}

/** Small helpers to keep handler schemas short. */
export const S = {
  str: { type: 'string', minLength: 1 } as JsonSchema,
  optStr: { type: ['string', 'null'] } as JsonSchema,
  bool: { type: 'boolean' } as JsonSchema,
  int: { type: 'integer' } as JsonSchema,
  num: { type: 'number' } as JsonSchema,
  date: { type: 'string', format: 'date' } as JsonSchema,
  optDate: { anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }] } as JsonSchema,
  dateTime: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$' } as JsonSchema,
  enumOf: (values: readonly string[]): JsonSchema => ({ type: 'string', enum: [...values] }),
  obj: (required: Record<string, JsonSchema>, optional: Record<string, JsonSchema> = {}): JsonSchema => ({
    type: 'object',
    required: Object.keys(required),
    properties: { ...optional, ...required },
  }),
};
