/**
 * What the routes of 客户沟通记录表 customer communication records ask of the store: this slice's part of
 * ApiStore (services.ts) and the JSON it answers, typed by the slice's schemas.
 */
import type { Page, PageOf } from '../../domain/paging';
import type { Actor } from '../auth';
import type { Static } from '../schema';
import type { CommunicationRecord, CreateCommunicationRecordBody } from './schemas';

/** what POST /communication-records accepts, as its schema says */
export type CreateCommunicationRecordInput = Static<typeof CreateCommunicationRecordBody>;
/** a communication record with its current content, as the CustomerCommunicationRecord schema has it */
export type CommunicationRecordDto = Static<typeof CommunicationRecord>;

export interface CommunicationRecordsStore {
  /** null: no such order */
  createCommunicationRecord(actor: Actor, input: CreateCommunicationRecordInput): Promise<CommunicationRecordDto | null>;
  getCommunicationRecord(id: string): Promise<CommunicationRecordDto | null>;
  listCommunicationRecords(filter: { orderId?: string; serviceRequestId?: string }, page: Page): Promise<PageOf<CommunicationRecordDto>>;
}
