/**
 * The check a correction passes before anything is written (domain/records.ts correctRecord `check`,
 * inside its transaction, under the header's row lock): the countersign rule for contracts, the record's
 * JSON Schema on the corrected whole (correction-schemas.ts), and the ids the whole refers to.
 * A refusal names each field and leaves the record as it was.
 */
import type { EntityManager } from 'typeorm';
import { ApPartnerEntity, CustomerEntity, type VersionedRecordType } from '../db/entities/index';
import { findRow } from '../db/rows';
import type { AnyContract } from '../domain/contracts';
import { assertContractCorrectable } from '../domain/countersign-integrity';
import { correctionErrors } from './correction-schemas';
import { badRequest, type FieldError } from './problem';

/** fields holding the id of another record, and the table it must exist in */
const REFERENCES: Partial<Record<VersionedRecordType, Record<string, typeof CustomerEntity | typeof ApPartnerEntity>>> = {
  'business-order': { customerId: CustomerEntity, apPartnerId: ApPartnerEntity },
  'change-order': { apPartnerId: ApPartnerEntity },
};

export function checkCorrection(kind: VersionedRecordType) {
  return async (em: EntityManager, header: Record<string, unknown>, content: Record<string, unknown>): Promise<void> => {
    if (kind === 'revenue-contract' || kind === 'expense-contract')
      await assertContractCorrectable(em, kind === 'revenue-contract' ? 'REVENUE' : 'EXPENSE', header as unknown as AnyContract);
    const errors: FieldError[] = correctionErrors(kind, content);
    if (!errors.length) {
      for (const [field, entity] of Object.entries(REFERENCES[kind] ?? {})) {
        const ref = content[field];
        if (typeof ref === 'string' && !(await findRow(em, entity as typeof CustomerEntity, { id: ref })))
          errors.push({ in: 'body', pointer: `/changes/${field}`, detail: `no ${field.replace(/Id$/, '')} ${ref}` });
      }
    }
    if (errors.length)
      throw badRequest(`the corrected ${kind} would not be valid: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`, errors);
  };
}
