/** The store of 版本与更正 versions and corrections of §9 records: the domain services behind its routes and the JSON of its schemas. */
import { inTransaction } from '../../db/transaction';
import { audit } from '../../domain/audit';
import { ValidationError } from '../../domain/errors';
import { correctRecord as correctVersioned, isVersionedRecordType, recordHistory } from '../../domain/records';
import { badRequest } from '../problem';
import { versionDto, type StoreDeps } from '../store-kernel';
import type { RecordsStore } from './port';

export function recordsStore({ ds, m, ctxOf, checkCorrection }: StoreDeps): RecordsStore {
  return {
    async auditRepair(actor, reason, incident, variables) {
      await inTransaction(ds, (em) =>
        audit(em, ctxOf(actor, reason), 'incident.retry', 'process-instance', incident.processInstanceKey, {
          incidentKey: incident.incidentKey,
          elementId: incident.elementId,
          jobKey: incident.jobKey,
          variables,
        }),
      );
    },

    // ---------------------------------------------------------------- audit
    async recordVersions(kind, id) {
      if (!isVersionedRecordType(kind)) return null;
      const versions = await recordHistory(m, kind, id);
      return versions.length ? versions.map(versionDto) : null;
    },
    async correctRecord(actor, kind, id, reason, changes) {
      if (!isVersionedRecordType(kind)) return null;
      try {
        const { version } = await inTransaction(ds, (em) =>
          correctVersioned(em, kind, id, changes, ctxOf(actor, reason), { check: checkCorrection(kind) }),
        );
        return versionDto(version);
      } catch (e) {
        if (e instanceof ValidationError && Array.isArray(e.details.fields))
          throw badRequest(
            e.message,
            (e.details.fields as string[]).map((f) => ({
              in: 'body' as const,
              pointer: `/changes/${f}`,
              detail: 'not a correctable field',
            })),
          );
        throw e;
      }
    },
  };
}
