/**
 * JSON Schema (2020-12) helpers and the validator. The route table (routes.ts) holds the schemas; the
 * validator compiles them and the OpenAPI builder (openapi.ts) publishes the very same objects.
 */
import { createAjv, type ErrorObject, type ValidateFunction } from '../platform/validation';
import { badRequest, type FieldError, type ProblemLocation } from './problem';

export type JsonSchema = Record<string, unknown>;
/** a JSON object whose fields no schema of the API fixes (`{ type: 'object' }`): a record's content, a correction's changes */
export type JsonObject = Record<string, unknown>;

/** Named schemas become `components.schemas.<name>` in the OpenAPI document. */
const names = new WeakMap<object, string>();
export function named<T extends JsonSchema>(name: string, schema: T): T {
  names.set(schema, name);
  return schema;
}
export const schemaName = (schema: object): string | undefined => names.get(schema);

/**
 * A schema that carries the TypeScript type of the values it accepts (a phantom: nothing at run time), so a
 * handler's input type is its schema's: `Static<typeof CreateOrderBody>`. The builders below infer it;
 * a plain object literal is a Schema of unknown.
 */
declare const VALUE: unique symbol;
export type Schema<T = unknown> = JsonSchema & { readonly [VALUE]?: T };
export type Static<S> = S extends { readonly [VALUE]?: infer T } ? (unknown extends T ? unknown : T) : unknown;
type Props = Record<string, JsonSchema>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** the object a closed schema accepts: the required properties, then the optional ones */
export type ObjectOf<P extends Props, R extends keyof P> = Simplify<
  { [K in R]: Static<P[K]> } & { [K in Exclude<keyof P, R>]?: Static<P[K]> }
>;

/** A closed object: every property listed, nothing else allowed. */
export function obj<P extends Props, R extends keyof P & string = never>(
  properties: P,
  required: R[] = [],
  extra: JsonSchema = {},
): Schema<ObjectOf<P, R>> {
  return { type: 'object', properties, required, additionalProperties: false, ...extra };
}
export const str = (extra: JsonSchema = {}): Schema<string> => ({ type: 'string', ...extra });
export const text = (maxLength: number, extra: JsonSchema = {}): Schema<string> => ({ type: 'string', minLength: 1, maxLength, ...extra });
export const int = (minimum: number, maximum: number, extra: JsonSchema = {}): Schema<number> => ({
  type: 'integer',
  minimum,
  maximum,
  ...extra,
});
export const bool = (): Schema<boolean> => ({ type: 'boolean' });
export const enumOf = <V extends string>(values: readonly V[], extra: JsonSchema = {}): Schema<V> => ({
  type: 'string',
  enum: [...values],
  ...extra,
});
export const arrayOf = <S extends JsonSchema>(items: S, extra: JsonSchema = {}): Schema<Static<S>[]> => ({
  type: 'array',
  items,
  ...extra,
});
export const nullable = <S extends JsonSchema>(schema: S): Schema<Static<S> | null> => ({ anyOf: [schema, { type: 'null' }] });
/** Calendar date in the business range; format `date` (ajv-formats, full mode) rejects 2026-02-30. */
export const date = (extra: JsonSchema = {}): Schema<string> => ({
  type: 'string',
  format: 'date',
  formatMinimum: '2000-01-01',
  formatMaximum: '2099-12-31',
  ...extra,
});
export const dateTime = (extra: JsonSchema = {}): Schema<string> => ({ type: 'string', format: 'date-time', ...extra });
export const month = (extra: JsonSchema = {}): Schema<string> => ({ type: 'string', pattern: '^20[0-9]{2}-(0[1-9]|1[0-2])$', ...extra });
/** Record ids are UUIDs in the database; anything else cannot name a record. */
export const id = (extra: JsonSchema = {}): Schema<string> => ({
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9-]+$',
  ...extra,
});
export const money = (extra: JsonSchema = {}): Schema<number> => ({
  type: 'number',
  minimum: 0,
  maximum: 1e12,
  multipleOf: 0.01,
  ...extra,
});

const bodyAjv = createAjv({ useDefaults: true });
/** Path and query values arrive as strings: coerce them to the declared types. */
const paramAjv = createAjv({ coerceTypes: 'array', useDefaults: true });

export function compile(schema: JsonSchema, location: ProblemLocation): ValidateFunction {
  return (location === 'body' ? bodyAjv : paramAjv).compile(schema);
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Ajv errors as problem `errors` entries, each naming the offending field by JSON pointer. */
export function fieldErrors(errors: ErrorObject[] | null | undefined, location: ProblemLocation): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    let pointer = e.instancePath;
    let detail = e.message ?? e.keyword;
    if (e.keyword === 'required') {
      pointer += '/' + escapePointer(String((e.params as { missingProperty: string }).missingProperty));
      detail = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      pointer += '/' + escapePointer(String((e.params as { additionalProperty: string }).additionalProperty));
      detail = 'is not an allowed field';
    } else if (e.keyword === 'enum') {
      detail = `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
    }
    const key = `${pointer}\u0000${detail}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ in: location, pointer, detail });
  }
  return out;
}

/** Validates (and, for path/query, coerces in place) or throws a 400 problem. */
export function check(validate: ValidateFunction, value: unknown, location: ProblemLocation): void {
  if (!validate(value)) {
    const errors = fieldErrors(validate.errors, location);
    throw badRequest(`invalid ${location}: ${errors.map((e) => `${e.pointer || '(root)'} ${e.detail}`).join('; ')}`, errors);
  }
}
