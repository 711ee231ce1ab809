/**
 * What the routes of 版本与更正 versions and corrections of §9 records (and the audited repairs of
 * operations/) ask of the store: this slice's part of ApiStore (services.ts).
 */
import type { Actor } from '../auth';
import type { RecordVersionDto } from '../common-schemas';
import type { ProcessVariables } from '../incident-port';
import type { JsonObject } from '../schema';

export interface RecordsStore {
  /** audit row of a repair through the API (api/operations/incidents.ts): the incident and the variables set */
  auditRepair(
    actor: Actor,
    reason: string,
    incident: { incidentKey: string; processInstanceKey: string; elementId: string; jobKey: string | null },
    variables: ProcessVariables,
  ): Promise<void>;
  recordVersions(kind: string, id: string): Promise<RecordVersionDto[] | null>;
  /** `changes`: fields of the record and their corrected values, checked on the corrected whole by the record kind's schema */
  correctRecord(actor: Actor, kind: string, id: string, reason: string, changes: JsonObject): Promise<RecordVersionDto | null>;
}
