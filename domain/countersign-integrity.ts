/**
 * What was reviewed is what is issued (会签完整性) and separation of duties (职责分离) in the countersign.
 * The rules, and where each is enforced, are listed in docs/process-contract.md ("Integrity rules").
 *
 * - A contract under an open countersign round cannot be corrected (409 naming the round); a contract
 *   that was countersigned (APPROVED or later) cannot be corrected either: its form records the version
 *   the reviewers saw. A change after that is a change order (supplementary agreement).
 * - The drafter of a contract (who created it, or wrote the version under review) cannot review it.
 * - One person cannot decide both levels of one round (部门经理审核 and 中心审核).
 */
import type { EntityManager } from 'typeorm';
import { CountersignDecisionEntity, CountersignRoundEntity, RecordVersionEntity } from '../db/entities/index';
import { findRow, findRows } from '../db/rows';
import type { Db } from '../db/transaction';
import { contractEntity, contractRecordType, type AnyContract } from './contracts';
import { NotFoundError, SeparationOfDutiesError, StateConflictError } from './errors';
import type { ContractType, CountersignStep } from './vocabulary';

/** statuses in which a contract's content may still change (before any round, or after a rejection) */
const CORRECTABLE_CONTRACT_STATUS = ['DRAFT', 'REJECTED'];

/**
 * Refuses a correction of a contract whose content is (being) countersigned. `contract` is the header
 * read under the row lock of the correction's transaction: countersign.open-round takes the same lock,
 * so a round opens either before (→ refused here) or after the correction (→ it reviews the new version).
 */
export async function assertContractCorrectable(em: EntityManager | Db, type: ContractType, contract: AnyContract): Promise<void> {
  if (CORRECTABLE_CONTRACT_STATUS.includes(contract.status)) return;
  const what = `${contractRecordType(type)} ${contract.contractNo}`;
  if (contract.status === 'COUNTERSIGNING') {
    const open = await findRow(
      em,
      CountersignRoundEntity,
      { contractType: type, contractId: contract.id, status: 'OPEN' },
      { orderBy: { roundNo: 'DESC' } },
    );
    throw new StateConflictError(
      `${what} is under countersign round ${open?.roundNo ?? '?'} (reviewing version ${open?.contractVersion ?? contract.currentVersion}): it cannot be corrected until the round is decided; a rejected contract is revised in the process`,
      {
        openRound: open ? { roundId: open.id, roundNo: open.roundNo, contractVersion: open.contractVersion } : null,
        rule: 'no-correction-under-countersign',
      },
    );
  }
  throw new StateConflictError(
    `${what} is ${contract.status}: its countersign form ${contract.countersignFormNo ?? ''} records version ${contract.currentVersion} as approved; a change needs a change order`.replace(
      '  ',
      ' ',
    ),
    { rule: 'no-correction-after-countersign' },
  );
}

/**
 * Separation of duties for one review decision: `actor` may decide `step` of round `roundId`.
 * Read-only; the API calls it before completing the review task, countersign.record-decision again
 * inside its transaction (a completion that bypassed the API fails there instead of being recorded).
 */
export async function assertMayDecide(em: EntityManager | Db, roundId: string, step: CountersignStep, actor: string): Promise<void> {
  const round = await findRow(em, CountersignRoundEntity, { id: roundId });
  if (!round) throw new NotFoundError('countersign-round', roundId);
  const type = round.contractType as ContractType;
  const contract = (await findRow(em, contractEntity(type) as never, { id: round.contractId } as never)) as AnyContract | null;
  if (!contract) throw new NotFoundError(contractRecordType(type), round.contractId);
  const reviewed = await findRow(em, RecordVersionEntity, {
    recordType: contractRecordType(type),
    recordId: contract.id,
    version: round.contractVersion,
  });
  const authors = new Set([contract.createdBy, reviewed?.actor].filter((a): a is string => !!a));
  if (authors.has(actor)) {
    throw new SeparationOfDutiesError(
      `${actor} drafted ${contractRecordType(type)} ${contract.contractNo} (or wrote version ${round.contractVersion} under review) and cannot review it: the drafter of a contract does not countersign it`,
      'drafter-cannot-review',
    );
  }
  const decisions = await findRows(em, CountersignDecisionEntity, { roundId });
  const other = decisions.find((d) => d.step !== step && d.actor === actor);
  if (other) {
    throw new SeparationOfDutiesError(
      `${actor} already decided ${other.step} in countersign round ${round.roundNo} of ${contract.contractNo}: one person cannot decide both levels of one round`,
      'one-person-one-level',
    );
  }
}
