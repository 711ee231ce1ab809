/**
 * THE JSON Schema validator set-up (Ajv, draft 2020-12) of every layer: API bodies and parameters, job
 * variables, the environment, calendar documents. One strictness everywhere: a schema with an unknown
 * keyword or a contradiction is a programming error and throws when it is compiled, whoever compiles it.
 * What differs between callers is what validation does to the value, not how strict it is:
 *   coerceTypes  path/query values and environment variables arrive as strings
 *   useDefaults  fill in declared defaults (API bodies, the environment)
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export type { ErrorObject, ValidateFunction };
export type JsonSchema = Record<string, unknown>;

export interface ValidatorOptions {
  readonly coerceTypes?: boolean | 'array';
  readonly useDefaults?: boolean;
}

export function createAjv(opts: ValidatorOptions = {}): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    // `type: ['string', 'null']` is how optional job variables are written
    allowUnionTypes: true,
    // `if/then: { required }` names properties declared at the top of the schema, which strictRequired refuses
    strictRequired: false,
    allErrors: true,
    messages: true,
    multipleOfPrecision: 6,
    coerceTypes: opts.coerceTypes ?? false,
    useDefaults: opts.useDefaults ?? false,
  });
  // full mode: `date` refuses 2026-02-30; keywords: formatMinimum/formatMaximum for business date ranges
  addFormats(ajv, { mode: 'full', keywords: true });
  // documentation only (OpenAPI examples)
  ajv.addKeyword({ keyword: 'example' });
  return ajv;
}
