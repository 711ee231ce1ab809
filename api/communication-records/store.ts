/** The store of 客户沟通记录表 customer communication records: the domain services behind its routes and the JSON of its schemas. */
import type { EntityManager } from 'typeorm';
import { CustomerCommunicationRecordEntity, ServiceRequestEntity, type CommunicationOccasion } from '../../db/entities/index';
import { findRow } from '../../db/rows';
import { currentContent } from '../../domain/records';
import { notFound } from '../problem';
import { iso, type StoreDeps } from '../store-kernel';
import * as communication from '../../domain/communication-records';
import * as orders from '../../domain/orders';
import type { CommunicationRecordDto, CommunicationRecordsStore } from './port';

export function communicationRecordsStore({ ds, m, ctxOf }: StoreDeps): CommunicationRecordsStore {
  async function communicationDto(
    r: {
      id: string;
      recordNo: string;
      customerId: string;
      orderId: string | null;
      changeOrderId: string | null;
      serviceRequestId: string | null;
      occasion: CommunicationOccasion;
      currentVersion: number;
      filedBy: string;
      filedAt: Date;
      updatedAt: Date;
    },
    db: EntityManager = m,
  ): Promise<CommunicationRecordDto> {
    // the content as filed (domain/communication-records.ts validated it); a record without one answers nulls
    const content = ((await currentContent(db, 'customer-communication-record', r.id))?.content ??
      {}) as Partial<communication.CommunicationContent>;
    return {
      id: r.id,
      recordNo: r.recordNo,
      customerId: r.customerId,
      orderId: r.orderId,
      changeOrderId: r.changeOrderId,
      serviceRequestId: r.serviceRequestId,
      occasion: r.occasion,
      networkQuality: content.networkQuality ?? null,
      serviceAttitude: content.serviceAttitude ?? null,
      customerFeedback: content.customerFeedback ?? null,
      followUp: content.followUp ?? null,
      contactPerson: content.contactPerson ?? null,
      note: content.note ?? null,
      version: r.currentVersion,
      filedBy: r.filedBy,
      filedAt: iso(r.filedAt),
      updatedAt: iso(r.updatedAt),
    };
  }

  return {
    // ---------------------------------------------------------------- customer communication records
    async createCommunicationRecord(actor, input) {
      const order = await orders.getOrder(ds, input.orderId);
      if (!order) return null;
      let occasion: CommunicationOccasion = input.occasion ?? 'OTHER';
      if (input.serviceRequestId) {
        const sr = await findRow(m, ServiceRequestEntity, { id: input.serviceRequestId });
        if (!sr || sr.orderId !== order.id) throw notFound('service request', input.serviceRequestId, '/serviceRequestId', 'body');
        occasion = input.occasion ?? (sr.requestType as CommunicationOccasion);
      }
      const { record } = await communication.fileCommunicationRecord(
        ds,
        {
          customerId: order.customerId,
          orderId: order.id,
          serviceRequestId: input.serviceRequestId ?? null,
          occasion,
          content: {
            networkQuality: input.networkQuality,
            serviceAttitude: input.serviceAttitude,
            customerFeedback: input.customerFeedback,
            followUp: input.followUp ?? null,
            contactPerson: input.contactPerson ?? null,
            note: input.note ?? null,
          },
        },
        ctxOf(actor, 'customer communication record filed'),
      );
      return communicationDto(record);
    },
    async getCommunicationRecord(id) {
      const r = await findRow(m, CustomerCommunicationRecordEntity, { id });
      return r ? communicationDto(r) : null;
    },
    async listCommunicationRecords(f, page) {
      const res = await communication.listCommunicationRecords(ds, { orderId: f.orderId, serviceRequestId: f.serviceRequestId }, page);
      return { ...res, items: await Promise.all(res.items.map((r) => communicationDto(r))) };
    },
  };
}
