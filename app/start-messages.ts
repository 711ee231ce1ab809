/**
 * The start messages the dispatcher publishes: the process each one starts, the record number that is its
 * correlation key, and where the started instance's key is stored (app/dispatcher.ts looks the key up).
 */
import { IsNull, type DataSource } from 'typeorm';
import { BusinessOrderEntity, ChangeOrderEntity, ServiceRequestEntity } from '../db/entities/index';
import { updateRows } from '../db/rows';
import { MESSAGE, PROCESS, type ProcessId } from '../domain/vocabulary';

/** start message → which record number is its correlation key, where the key is stored */
export const START_MESSAGES: Record<
  string,
  { process: ProcessId; variable: string; store: (ds: DataSource, no: string, key: string) => Promise<boolean> }
> = {
  [MESSAGE.orderSubmitted]: {
    process: PROCESS.provisioning,
    variable: 'orderNo',
    store: async (ds, no, key) =>
      ((await updateRows(ds, BusinessOrderEntity, { orderNo: no, processInstanceKey: IsNull() }, { processInstanceKey: key })).affected ??
        0) > 0,
  },
  [MESSAGE.changeOrderSubmitted]: {
    process: PROCESS.change,
    variable: 'changeOrderNo',
    store: async (ds, no, key) =>
      ((await updateRows(ds, ChangeOrderEntity, { changeOrderNo: no, processInstanceKey: IsNull() }, { processInstanceKey: key }))
        .affected ?? 0) > 0,
  },
  [MESSAGE.serviceRequestLogged]: {
    process: PROCESS.serviceRequest,
    variable: 'requestNo',
    store: async (ds, no, key) =>
      ((await updateRows(ds, ServiceRequestEntity, { requestNo: no, processInstanceKey: IsNull() }, { processInstanceKey: key }))
        .affected ?? 0) > 0,
  },
};
