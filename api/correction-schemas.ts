/**
 * The JSON Schema of each correctable record kind (更正校验), applied to the corrected whole (the current
 * version with the changes applied), not to the patch alone: a correction must leave a record that its
 * creation would have accepted. The schemas are cut from the creation schemas (api/schemas.ts) down to
 * the fields a correction may change (domain/records.ts RECORD_SPECS), so one definition serves both;
 * contracts and countersign forms are created by the process, their schemas are the content the
 * drafting step validates (domain/contracts.ts: title 1–300, amount ≥ 0, term 1–240 months).
 */
import type { VersionedRecordType } from '../db/entities/index';
import { RECORD_SPECS } from '../domain/records';
import type { FieldError } from './problem';
import { compile, fieldErrors, id, int, money, named, nullable, obj, text, type JsonSchema } from './schema';
import { CreateChangeOrderBody, CreateCommunicationRecordBody, CreateOrderBody, SubmitPaymentBasisBody } from './schemas';

const note = { type: 'string', maxLength: 2000 };

/** the creation schema restricted to `fields`: their properties, the required ones among them, and the rest of its keywords */
function cut(create: JsonSchema, fields: readonly string[], extra: Record<string, JsonSchema> = {}): JsonSchema {
  const props = { ...(create.properties as Record<string, JsonSchema>), ...extra };
  const { properties: _p, required, ...rest } = create;
  return {
    ...rest,
    properties: Object.fromEntries(fields.filter((f) => f in props).map((f) => [f, props[f]])),
    required: ((required as string[]) ?? []).filter((f) => fields.includes(f)),
  };
}

const fieldsOf = (kind: VersionedRecordType) => RECORD_SPECS[kind].correctable;

export const CORRECTION_SCHEMAS: Record<VersionedRecordType, JsonSchema> = {
  'business-order': named('BusinessOrderContent', cut(CreateOrderBody, fieldsOf('business-order'))),
  'change-order': named('ChangeOrderContent', cut(CreateChangeOrderBody, fieldsOf('change-order'), { apPartnerId: nullable(id()) })),
  'revenue-contract': named(
    'RevenueContractContent',
    obj({ title: text(300), amount: money(), termMonths: int(1, 240), note: nullable(note) }, ['title', 'amount', 'termMonths']),
  ),
  'expense-contract': named(
    'ExpenseContractContent',
    obj({ title: text(300), amount: money(), note: nullable(note) }, ['title', 'amount']),
  ),
  'countersign-form': named('CountersignFormContent', obj({ remarks: text(2000) }, [])),
  'payment-basis': named('PaymentBasisContent', cut(SubmitPaymentBasisBody, fieldsOf('payment-basis'))),
  'customer-communication-record': named(
    'CommunicationRecordContent',
    cut(CreateCommunicationRecordBody, fieldsOf('customer-communication-record')),
  ),
};

const validators = new Map(Object.entries(CORRECTION_SCHEMAS).map(([k, s]) => [k, compile(s, 'body')]));

/**
 * The problems of the corrected whole, as field errors under /changes. A null in an optional field
 * means "cleared" (the stored content writes absent values as null); a null in a required one is an error.
 */
export function correctionErrors(kind: VersionedRecordType, content: Record<string, unknown>): FieldError[] {
  const schema = CORRECTION_SCHEMAS[kind];
  const required = new Set((schema.required as string[]) ?? []);
  const whole: Record<string, unknown> = {};
  for (const f of RECORD_SPECS[kind].correctable) {
    if (!(f in content) || content[f] === undefined) continue;
    if (content[f] === null && !required.has(f)) continue;
    whole[f] = content[f];
  }
  const validate = validators.get(kind)!;
  if (validate(whole)) return [];
  // one entry per field: the details of its failed keywords together (anyOf/if only repeat them)
  const byPointer = new Map<string, string[]>();
  for (const e of fieldErrors(
    (validate.errors ?? []).filter((x) => x.keyword !== 'if' && x.keyword !== 'anyOf'),
    'body',
  ))
    byPointer.set(e.pointer, [...(byPointer.get(e.pointer) ?? []), e.detail]);
  return [...byPointer].map(([pointer, details]) => ({ in: 'body' as const, pointer: `/changes${pointer}`, detail: details.join('; ') }));
}
