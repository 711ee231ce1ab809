/**
 * The schemas every slice shares: the problem document, paging, path ids, the versions of a §9 record,
 * the health reply and the small builders of response records. Part of the api/ kernel.
 */
import type { RecordVersion as DbRecordVersion } from '../db/entities/index';
import { SERVICE_MODULE, type ServiceModule } from '../domain/vocabulary';
import { named, obj, str, text, int, bool, enumOf, arrayOf, nullable, dateTime, id, type JsonSchema, type Schema } from './schema';

export const MODULE_IDS = Object.keys(SERVICE_MODULE) as ServiceModule[];

// ------------------------------------------------------------------ shared pieces
export const Problem = named(
  'Problem',
  obj(
    {
      type: str({ format: 'uri' }),
      title: str(),
      status: int(100, 599),
      detail: str(),
      instance: str(),
      errors: arrayOf(
        obj(
          {
            in: enumOf(['body', 'query', 'path', 'header']),
            pointer: str({ description: 'JSON pointer (RFC 6901) into the request part named by `in`' }),
            detail: str(),
          },
          ['in', 'pointer', 'detail'],
        ),
      ),
      currentState: str(),
      requestedState: str(),
      code: str({ description: 'the domain error code of a 409 business-rule refusal' }),
      entity: str({ description: 'the kind of record a 404 is about' }),
      allowed: arrayOf(str()),
      rule: str({ description: 'the integrity or separation-of-duties rule a 403/409 refusal enforces (docs/process-contract.md)' }),
      openRound: obj(
        { roundId: str(), roundNo: { type: 'integer' }, contractVersion: { type: 'integer' } },
        ['roundId', 'roundNo', 'contractVersion'],
        {
          description: 'the open countersign round that blocks a contract correction',
        },
      ),
    },
    ['type', 'title', 'status', 'detail', 'instance'],
    { description: 'RFC 9457 problem details' },
  ),
);

export const IdParams = obj({ id: id() }, ['id']);
export const paging = {
  limit: int(1, 200, { default: 50 }),
  offset: int(0, 1_000_000, { default: 0 }),
};
export const pageOf = <S extends JsonSchema>(name: string, item: S) =>
  named(
    name,
    obj({ items: arrayOf(item), total: int(0, Number.MAX_SAFE_INTEGER), limit: int(1, 200), offset: int(0, 1_000_000) }, [
      'items',
      'total',
      'limit',
      'offset',
    ]),
  );

export const reason = text(2000, { description: 'why (stored with the version)' });
export const ns = () => nullable(str());
export const ni = () => nullable({ type: 'integer' } as Schema<number>);
export const nn = () => nullable({ type: 'number' } as Schema<number>);
export const nid = () => nullable(id());
export const at = () => dateTime();
export const nat = () => nullable(dateTime());
/** a response record: every listed field present (null when unknown), nothing else */
export const record = <P extends Record<string, JsonSchema>>(name: string, props: P) =>
  named(name, obj(props, Object.keys(props) as (keyof P & string)[]));
/** `{ type: 'integer' }` and `{ type: 'number' }` of the response records, typed */
export const integer = (extra: JsonSchema = {}): Schema<number> => ({ type: 'integer', ...extra });
export const number = (extra: JsonSchema = {}): Schema<number> => ({ type: 'number', ...extra });

// ------------------------------------------------------------------ versions of a §9 record (contracts, records)
export const RecordVersion = record('RecordVersion', {
  version: int(1, 1_000_000),
  actor: str(),
  at: at(),
  reason: str(),
  data: { type: 'object' },
});
export const RecordVersions = arrayOf(RecordVersion);
/** one version as the routes answer it; `data` is the record's whole content at that version */
export interface RecordVersionDto {
  version: number;
  actor: string;
  at: string;
  reason: string;
  data: DbRecordVersion['content'];
}

// ------------------------------------------------------------------ health
export const Health = named(
  'Health',
  obj(
    { status: enumOf(['ok', 'unavailable']), checks: { type: 'object', additionalProperties: obj({ ok: bool(), detail: str() }, ['ok']) } },
    ['status'],
  ),
);
