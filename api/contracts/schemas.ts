/** The JSON Schemas of 收入合同 / 支出合同 revenue and expense contracts: request bodies, queries, path parameters and responses. */
import { CONTRACT_KIND } from '../../db/entities/index';
import { CONTRACT_TYPE } from '../../domain/vocabulary';
import { named, obj, str, enumOf, id } from '../schema';
import { paging, pageOf, ns, ni, nid, at, integer, number } from '../common-schemas';

export { IdParams, RecordVersions } from '../common-schemas';

// ------------------------------------------------------------------ contracts 收入合同 / 支出合同
export const Contract = named(
  'Contract',
  obj(
    {
      id: id(),
      contractNo: str(),
      type: enumOf(CONTRACT_TYPE),
      kind: enumOf(CONTRACT_KIND),
      status: str(),
      orderId: id(),
      changeOrderId: nid(),
      parentContractId: nid(),
      apPartnerId: nid(),
      title: str(),
      amount: number({ description: 'the contract amount (an AP partner sees only its own expense contracts)' }),
      termMonths: ni(),
      signedDate: ns(),
      note: ns(),
      countersignFormNo: ns(),
      rejectionReason: ns(),
      version: integer(),
      createdBy: str(),
      createdAt: at(),
      updatedAt: at(),
    },
    ['id', 'contractNo', 'type', 'kind', 'status', 'orderId', 'title', 'version', 'createdAt'],
  ),
);
export const ContractQuery = obj({ type: enumOf(CONTRACT_TYPE), orderId: id(), ...paging });
export const ContractPage = pageOf('ContractPage', Contract);
