/** The JSON Schemas of 版本与更正 versions and corrections of §9 records: request bodies, queries, path parameters and responses. */
import { VERSIONED_RECORD } from '../../db/entities/index';
import { named, obj, enumOf, id } from '../schema';
import { reason } from '../common-schemas';

export { RecordVersion, RecordVersions } from '../common-schemas';

// ------------------------------------------------------------------ audit 版本与更正
export const RecordParams = obj({ kind: enumOf(VERSIONED_RECORD), id: id() }, ['kind', 'id']);
export const CorrectionBody = named(
  'CorrectionRequest',
  obj(
    {
      reason,
      changes: { type: 'object', minProperties: 1, maxProperties: 50, description: 'fields of the record and their corrected values' },
    },
    ['reason', 'changes'],
  ),
);
