/**
 * revenue-contract.* — agreement 协议 / revenue contract 收入合同 and supplementary agreement 补充协议.
 * The rules live in domain/contracts.ts; these handlers map the form variables, resolve the actor and run
 * the domain service once per key.
 *
 *  draft             one agreement per order (key order), numbered SR-<year>-<seq>, version 1
 *  draft-supplement  one supplement per change order (key change order), parent = the order's agreement
 *  revise            after a rejected countersign: version n+1 (amount, note), back to DRAFT (key job)
 *  record-signing    APPROVED → SIGNED with the signing date; order / change order → CONTRACT_SIGNED
 */
import { draftRevenueContract, draftRevenueSupplement, recordRevenueSigning, reviseContract } from '../../domain/contracts';
import { JOB } from '../../domain/vocabulary';
import { defineHandler } from '../runtime/job';
import { S } from '../runtime/validate';
import { recordOnce } from '../common';

const amount = S.atLeast(0);
const draftVars = {
  contractTitle: S.optStr,
  contractAmount: S.nullable(amount),
  contractTerm: S.nullable(S.atLeast(1, S.int)),
  contractNote: S.optStr,
  completedBy: S.optStr,
};
type DraftVars = {
  contractTitle?: string | null;
  contractAmount?: number | null;
  contractTerm?: number | null;
  contractNote?: string | null;
};
const draftInput = (v: DraftVars) => ({
  title: v.contractTitle,
  amount: v.contractAmount,
  termMonths: v.contractTerm,
  note: v.contractNote ?? undefined,
});

export const draft = defineHandler({
  type: JOB.revenueContractRegister,
  variables: S.obj({ orderId: S.str }, { orderNo: S.optStr, ...draftVars }),
  handle(job, services) {
    const v = job.variables;
    return recordOnce(job, services, `order:${v.orderId}`, async (em, ctx) => {
      const c = await draftRevenueContract(em, { orderId: v.orderId, ...draftInput(v) }, ctx);
      return { revenueContractId: c.id, revenueContractNo: c.contractNo };
    });
  },
});

export const draftSupplement = defineHandler({
  type: JOB.revenueContractRegisterSupplement,
  variables: S.obj({ changeOrderId: S.str }, { orderId: S.optStr, changeOrderNo: S.optStr, ...draftVars }),
  handle(job, services) {
    const v = job.variables;
    return recordOnce(job, services, `change-order:${v.changeOrderId}`, async (em, ctx) => {
      const c = await draftRevenueSupplement(em, { changeOrderId: v.changeOrderId, ...draftInput(v) }, ctx);
      return { revenueContractId: c.id, revenueContractNo: c.contractNo };
    });
  },
});

export const revise = defineHandler({
  type: JOB.revenueContractApplyRevision,
  variables: S.obj({ revenueContractId: S.str }, { revisionNote: S.optStr, contractAmount: S.nullable(amount), completedBy: S.optStr }),
  handle(job, services) {
    const v = job.variables;
    return recordOnce(
      job,
      services,
      `job:${job.key}`,
      async (em, ctx) => {
        const changes = { amount: v.contractAmount ?? undefined, ...(v.revisionNote ? { note: v.revisionNote } : {}) };
        const c = await reviseContract(em, 'REVENUE', v.revenueContractId, changes, ctx);
        return { revenueContractVersion: c.currentVersion };
      },
      { reason: v.revisionNote || null },
    );
  },
});

export const recordSigning = defineHandler({
  type: JOB.revenueContractRecordSigning,
  variables: S.obj({ revenueContractId: S.str, signedDate: S.date }, { completedBy: S.optStr }),
  handle(job, services) {
    const v = job.variables;
    return recordOnce(job, services, `contract:${v.revenueContractId}`, async (em, ctx) => {
      const c = await recordRevenueSigning(em, v.revenueContractId, v.signedDate, ctx);
      return { revenueContractStatus: c.status };
    });
  },
});

export const REVENUE_CONTRACT_HANDLERS = [draft, draftSupplement, revise, recordSigning];
