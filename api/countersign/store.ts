/** The store of 合同会签单 countersign forms: the domain services behind its routes and the JSON of its schemas. */
import { CountersignFormEntity } from '../../db/entities/index';
import { findRow } from '../../db/rows';
import { currentContent } from '../../domain/records';
import type { ContractType, CountersignStep, ReviewDecision } from '../../domain/vocabulary';
import { assertMayDecide } from '../../domain/countersign-integrity';
import { iso, type StoreDeps } from '../store-kernel';
import * as countersign from '../../domain/countersign';
import type { CountersignFormDto, CountersignRoundDto, CountersignStore } from './port';

export function countersignStore({ ds, m, findContract }: StoreDeps): CountersignStore {
  async function countersignRounds(contractType: ContractType, contractId: string): Promise<CountersignRoundDto[]> {
    const rounds = await countersign.countersignHistory(ds, contractType, contractId);
    return rounds.map((r) => ({
      round: r.roundNo,
      status: r.status,
      contractVersion: r.contractVersion,
      rejectionReason: r.rejectionReason,
      openedAt: iso(r.openedAt),
      closedAt: iso(r.closedAt),
      decisions: r.decisions.map((d) => ({
        // the columns hold the vocabulary's values (domain/countersign.ts writes no other)
        step: d.step as CountersignStep,
        decision: d.decision as ReviewDecision,
        opinion: d.opinion,
        reviewer: d.actor,
        decidedAt: iso(d.decidedAt),
      })),
    }));
  }

  async function formDto(f: {
    id: string;
    formNo: string;
    contractType: string;
    contractId: string;
    currentVersion: number;
    issuedBy: string;
    issuedAt: Date;
  }): Promise<CountersignFormDto> {
    const content = await currentContent(m, 'countersign-form', f.id);
    const found = await findContract(f.contractId);
    return {
      id: f.id,
      formNo: f.formNo,
      contractType: f.contractType as ContractType,
      contractId: f.contractId,
      contractNo: found?.c.contractNo ?? null,
      version: f.currentVersion,
      issuedBy: f.issuedBy,
      issuedAt: iso(f.issuedAt),
      content: content?.content ?? {},
      rounds: await countersignRounds(f.contractType as ContractType, f.contractId),
    };
  }

  return {
    // ---------------------------------------------------------------- countersign
    async getCountersignForm(id) {
      const f = await countersign.getCountersignForm(ds, id);
      return f ? formDto(f) : null;
    },
    async listCountersignForms(f, page) {
      const res = await countersign.listCountersignForms(
        ds,
        { contractId: f.contractId, contractType: f.type as ContractType | undefined },
        page,
      );
      return { ...res, items: await Promise.all(res.items.map((x) => formDto(x))) };
    },
    async countersignHistory(id) {
      const f = await findRow(m, CountersignFormEntity, { id });
      return f ? countersignRounds(f.contractType as ContractType, f.contractId) : null;
    },

    async assertMayReview(roundId, step, username) {
      await assertMayDecide(ds, roundId, step, username);
    },
  };
}
