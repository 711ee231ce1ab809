import { createAjv, type JsonSchema, type ValidateFunction } from '../../platform/validation';

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
  return (fn.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`).join('; ');
}

declare const valueType: unique symbol;
/**
 * A JSON schema that carries the TypeScript type of the values it accepts, so a handler's input type is
 * its schema (defineHandler infers it) instead of a type written apart that can drift from it.
 */
export type Schema<T> = JsonSchema & { readonly [valueType]?: T };
/** the type of the values a Schema accepts */
export type Infer<S> = S extends Schema<infer T> ? T : never;

const schema = <T>(s: JsonSchema): Schema<T> => s as Schema<T>;
const S_NUM = schema<number>({ type: 'number' });
type Props = Record<string, Schema<unknown>>;
type ObjectOf<R extends Props, O extends Props> = { [K in keyof R]: Infer<R[K]> } & { [K in keyof O]?: Infer<O[K]> };

/** Small helpers to keep handler schemas short; each gives its TypeScript type. */
export const S = {
  str: schema<string>({ type: 'string', minLength: 1 }),
  optStr: schema<string | null>({ type: ['string', 'null'] }),
  bool: schema<boolean>({ type: 'boolean' }),
  int: schema<number>({ type: 'integer' }),
  num: schema<number>({ type: 'number' }),
  date: schema<string>({ type: 'string', format: 'date' }),
  optDate: schema<string | null>({ anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }] }),
  dateTime: schema<string>({ type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$' }),
  /** a number schema with a lower bound */
  atLeast: (minimum: number, s: Schema<number> = S_NUM): Schema<number> => schema<number>({ ...s, minimum }),
  nullable: <T>(s: Schema<T>): Schema<T | null> => schema<T | null>({ anyOf: [s, { type: 'null' }] }),
  enumOf: <const V extends readonly string[]>(values: V): Schema<V[number]> => schema<V[number]>({ type: 'string', enum: [...values] }),
  /** required properties first, then optional ones (absent, or as their schema allows) */
  obj: <R extends Props, O extends Props = Record<never, Schema<unknown>>>(required: R, optional?: O): Schema<ObjectOf<R, O>> =>
    schema<ObjectOf<R, O>>({
      type: 'object',
      required: Object.keys(required),
      properties: { ...(optional ?? {}), ...required },
    }),
};
