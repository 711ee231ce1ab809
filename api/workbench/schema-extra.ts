/** The schema helpers of api/schema.ts, plus a number range (api/schema.ts has none). */
export { enumOf, id, int, named, nullable, obj, text } from '../schema';
import type { JsonSchema } from '../schema';
export const num = (minimum: number, maximum: number, extra: JsonSchema = {}): JsonSchema => ({
  type: 'number',
  minimum,
  maximum,
  ...extra,
});
