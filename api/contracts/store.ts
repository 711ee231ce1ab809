/** The store of 收入合同 / 支出合同 revenue and expense contracts: the domain services behind its routes and the JSON of its schemas. */
import type { ExpenseContract, RevenueContract } from '../../db/entities/index';
import { recordHistory } from '../../domain/records';
import type { ContractType } from '../../domain/vocabulary';
import { iso, versionDto, type StoreDeps } from '../store-kernel';
import * as contracts from '../../domain/contracts';
import type { ContractDto, ContractsStore } from './port';

function contractDto(c: RevenueContract | ExpenseContract, type: ContractType): ContractDto {
  const r = c as RevenueContract & ExpenseContract;
  return {
    id: c.id,
    contractNo: c.contractNo,
    type,
    kind: c.kind,
    status: c.status,
    orderId: c.orderId,
    changeOrderId: c.changeOrderId,
    parentContractId: c.parentContractId,
    apPartnerId: type === 'EXPENSE' ? r.apPartnerId : null,
    title: c.title,
    amount: Number(c.amount),
    termMonths: type === 'REVENUE' ? r.termMonths : null,
    signedDate: type === 'REVENUE' ? r.signedDate : null,
    note: c.note,
    countersignFormNo: c.countersignFormNo,
    rejectionReason: c.rejectionReason,
    version: c.currentVersion,
    createdBy: c.createdBy,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export function contractsStore({ ds, m, findContract }: StoreDeps): ContractsStore {
  return {
    // ---------------------------------------------------------------- contracts
    async getContract(id) {
      const c = await contracts.getContract(ds, id);
      return c ? contractDto(c, c.type) : null;
    },
    async listContracts(f, page) {
      const res = await contracts.listContracts(
        ds,
        { type: f.type as ContractType | undefined, orderId: f.orderId, apPartnerId: f.apPartnerId },
        page,
      );
      return { ...res, items: res.items.map((c) => contractDto(c, c.type)) };
    },
    async contractVersions(id) {
      const f = await findContract(id);
      if (!f) return null;
      return (await recordHistory(m, f.type === 'REVENUE' ? 'revenue-contract' : 'expense-contract', id)).map(versionDto);
    },
  };
}
