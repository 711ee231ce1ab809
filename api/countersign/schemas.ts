/** The JSON Schemas of 合同会签单 countersign forms: request bodies, queries, path parameters and responses. */
import { COUNTERSIGN_ROUND_STATUS } from '../../db/entities/index';
import { CONTRACT_TYPE, COUNTERSIGN_STEP, REVIEW_DECISION } from '../../domain/vocabulary';
import { obj, str, enumOf, arrayOf, id } from '../schema';
import { paging, pageOf, ns, at, nat, record, integer } from '../common-schemas';

export { IdParams } from '../common-schemas';

// ------------------------------------------------------------------ countersign 合同会签单
export const CountersignDecision = record('CountersignDecision', {
  step: enumOf(COUNTERSIGN_STEP),
  decision: enumOf(REVIEW_DECISION),
  opinion: ns(),
  reviewer: str(),
  decidedAt: at(),
});
export const CountersignRound = record('CountersignRound', {
  round: integer(),
  status: enumOf(COUNTERSIGN_ROUND_STATUS),
  contractVersion: integer(),
  rejectionReason: ns(),
  openedAt: at(),
  closedAt: nat(),
  decisions: arrayOf(CountersignDecision),
});
export const CountersignForm = record('CountersignForm', {
  id: id(),
  formNo: str(),
  contractType: enumOf(CONTRACT_TYPE),
  contractId: id(),
  contractNo: ns(),
  version: integer(),
  issuedBy: str(),
  issuedAt: at(),
  content: { type: 'object', description: 'the form as issued (current version)' },
  rounds: arrayOf(CountersignRound),
});
export const CountersignQuery = obj({ contractId: id(), type: enumOf(CONTRACT_TYPE), ...paging });
export const CountersignFormPage = pageOf('CountersignFormPage', CountersignForm);
export const CountersignHistory = arrayOf(CountersignRound);
