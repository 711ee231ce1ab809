/**
 * What the routes of 合同会签单 countersign forms (and the review tasks' separation of duties) ask of the
 * store: this slice's part of ApiStore (services.ts) and the JSON it answers, typed by the slice's schemas.
 */
import type { CountersignStep } from '../../domain/vocabulary';
import type { Page, PageOf } from '../../domain/paging';
import type { Static } from '../schema';
import type { CountersignForm, CountersignRound } from './schemas';

/** a countersign form with its current content and every review round of its contract */
export type CountersignFormDto = Static<typeof CountersignForm>;
/** one review round with its decisions, as the CountersignRound schema has it */
export type CountersignRoundDto = Static<typeof CountersignRound>;

export interface CountersignStore {
  getCountersignForm(id: string): Promise<CountersignFormDto | null>;
  listCountersignForms(filter: { contractId?: string; type?: string }, page: Page): Promise<PageOf<CountersignFormDto>>;
  /** every review round of the form's contract, rejected ones included */
  countersignHistory(id: string): Promise<CountersignRoundDto[] | null>;
  /** separation of duties before a review task is completed: throws SeparationOfDutiesError (403) */
  assertMayReview(roundId: string, step: CountersignStep, username: string): Promise<void>;
}
