import { EntitySchema } from 'typeorm';
import { col } from './columns';
import type { ContractKind, CountersignRoundStatus, ExpenseContractStatus, RevenueContractStatus } from './types';

/**
 * Revenue contract 收入合同 / agreement 协议; a supplementary agreement 补充协议 is a revenue contract
 * of kind SUPPLEMENT with parentContractId = the original agreement. Versioned (record_version
 * 'revenue-contract'): a revision after a rejected countersign is a new version.
 */
export interface RevenueContract {
  id: string;
  contractNo: string;
  kind: ContractKind;
  orderId: string;
  changeOrderId: string | null;
  parentContractId: string | null;
  status: RevenueContractStatus;
  title: string;
  amount: number;
  termMonths: number | null;
  note: string | null;
  signedDate: string | null;
  countersignFormNo: string | null;
  rejectionReason: string | null;
  currentVersion: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}
export const RevenueContractEntity = new EntitySchema<RevenueContract>({
  name: 'RevenueContract',
  tableName: 'revenue_contract',
  columns: {
    id: col.uuidPk(),
    contractNo: col.str(32),
    kind: col.str(16),
    orderId: col.uuid(),
    changeOrderId: col.uuid(true),
    parentContractId: col.uuid(true),
    status: col.str(24),
    title: col.str(300),
    amount: col.amount(false),
    termMonths: col.int(true),
    note: col.text(),
    signedDate: col.day(),
    countersignFormNo: col.str(32, true),
    rejectionReason: col.text(),
    currentVersion: col.int(),
    createdBy: col.actor(),
    createdAt: col.at(),
    updatedAt: col.at(),
  },
  indices: [
    { name: 'UQ_revenue_contract_no', columns: ['contractNo'], unique: true },
    { name: 'IDX_revenue_contract_order', columns: ['orderId'] },
    { name: 'IDX_revenue_contract_parent', columns: ['parentContractId'] },
    { name: 'UQ_revenue_contract_change', columns: ['changeOrderId'], unique: true },
  ],
});

/** Expense contract 支出合同 with an AP (supplements likewise via parentContractId). Versioned. */
export interface ExpenseContract {
  id: string;
  contractNo: string;
  kind: ContractKind;
  orderId: string;
  changeOrderId: string | null;
  parentContractId: string | null;
  apPartnerId: string;
  status: ExpenseContractStatus;
  title: string;
  amount: number;
  note: string | null;
  countersignFormNo: string | null;
  rejectionReason: string | null;
  implementationRequestedAt: Date | null;
  /** ISO-8601 duration for the SLA reminder (apSlaDuration) */
  slaDuration: string | null;
  currentVersion: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}
export const ExpenseContractEntity = new EntitySchema<ExpenseContract>({
  name: 'ExpenseContract',
  tableName: 'expense_contract',
  columns: {
    id: col.uuidPk(),
    contractNo: col.str(32),
    kind: col.str(16),
    orderId: col.uuid(),
    changeOrderId: col.uuid(true),
    parentContractId: col.uuid(true),
    apPartnerId: col.uuid(),
    status: col.str(32),
    title: col.str(300),
    amount: col.amount(false),
    note: col.text(),
    countersignFormNo: col.str(32, true),
    rejectionReason: col.text(),
    implementationRequestedAt: col.at(true),
    slaDuration: col.str(32, true),
    currentVersion: col.int(),
    createdBy: col.actor(),
    createdAt: col.at(),
    updatedAt: col.at(),
  },
  indices: [
    { name: 'UQ_expense_contract_no', columns: ['contractNo'], unique: true },
    { name: 'IDX_expense_contract_order', columns: ['orderId'] },
    { name: 'IDX_expense_contract_ap', columns: ['apPartnerId', 'createdAt'] },
    { name: 'UQ_expense_contract_change', columns: ['changeOrderId'], unique: true },
  ],
});

/** One countersign round = one contract-countersign instance (keyed by its processInstanceKey). */
export interface CountersignRound {
  id: string;
  contractType: string;
  contractId: string;
  contractNo: string;
  orderNo: string | null;
  /** 1, 2, ... per contract */
  roundNo: number;
  processInstanceKey: string | null;
  /** contract version under review */
  contractVersion: number;
  status: CountersignRoundStatus;
  rejectionReason: string | null;
  openedAt: Date;
  closedAt: Date | null;
}
export const CountersignRoundEntity = new EntitySchema<CountersignRound>({
  name: 'CountersignRound',
  tableName: 'countersign_round',
  columns: {
    id: col.uuidPk(),
    contractType: col.str(16),
    contractId: col.uuid(),
    contractNo: col.str(32),
    orderNo: col.str(32, true),
    roundNo: col.int(),
    processInstanceKey: col.zeebeKey(),
    contractVersion: col.int(),
    status: col.str(16),
    rejectionReason: col.text(),
    openedAt: col.at(),
    closedAt: col.at(true),
  },
  indices: [
    { name: 'UQ_countersign_round_no', columns: ['contractType', 'contractId', 'roundNo'], unique: true },
    { name: 'UQ_countersign_round_pik', columns: ['processInstanceKey'], unique: true },
  ],
});

/** Every reviewer decision, approvals and rejections alike; one per step and round; never changed. */
export interface CountersignDecision {
  id: string;
  roundId: string;
  step: string;
  decision: string;
  opinion: string | null;
  actor: string;
  decidedAt: Date;
}
export const CountersignDecisionEntity = new EntitySchema<CountersignDecision>({
  name: 'CountersignDecision',
  tableName: 'countersign_decision',
  columns: {
    id: col.uuidPk(),
    roundId: col.uuid(),
    step: col.str(16),
    decision: col.str(16),
    opinion: col.text(),
    actor: col.actor(),
    decidedAt: col.at(),
  },
  indices: [{ name: 'UQ_countersign_decision_step', columns: ['roundId', 'step'], unique: true }],
});

/**
 * Contract countersign form 合同会签审批表 (§9.3), issued once per approved contract (round). Its
 * content (contract snapshot + every decision of every round, rejected rounds included) is version 1 in
 * record_version ('countersign-form'); corrections are further versions.
 */
export interface CountersignForm {
  id: string;
  formNo: string;
  contractType: string;
  contractId: string;
  roundId: string;
  currentVersion: number;
  issuedBy: string;
  issuedAt: Date;
}
export const CountersignFormEntity = new EntitySchema<CountersignForm>({
  name: 'CountersignForm',
  tableName: 'countersign_form',
  columns: {
    id: col.uuidPk(),
    formNo: col.str(32),
    contractType: col.str(16),
    contractId: col.uuid(),
    roundId: col.uuid(),
    currentVersion: col.int(),
    issuedBy: col.actor(),
    issuedAt: col.at(),
  },
  indices: [
    { name: 'UQ_countersign_form_no', columns: ['formNo'], unique: true },
    { name: 'UQ_countersign_form_round', columns: ['roundId'], unique: true },
    { name: 'IDX_countersign_form_contract', columns: ['contractType', 'contractId'] },
  ],
});
