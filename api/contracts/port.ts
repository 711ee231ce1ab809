/**
 * What the routes of 收入合同 / 支出合同 revenue and expense contracts ask of the store: this slice's part of
 * ApiStore (services.ts) and the JSON it answers, typed by the slice's schemas.
 */
import type { Page, PageOf } from '../../domain/paging';
import type { RecordVersionDto } from '../common-schemas';
import type { Static } from '../schema';
import type { Contract } from './schemas';

/** a revenue or an expense contract, as the Contract schema has it */
export type ContractDto = Static<typeof Contract>;

export interface ContractsStore {
  getContract(id: string): Promise<ContractDto | null>;
  listContracts(filter: { type?: string; orderId?: string; apPartnerId?: string }, page: Page): Promise<PageOf<ContractDto>>;
  contractVersions(id: string): Promise<RecordVersionDto[] | null>;
}
