/** The JSON Schemas of the operations routes (api/operations/routes.ts): requests closed, answers as given. */
import { IncidentSchema } from './incidents';
import { arrayOf, bool, enumOf, int, named, nullable, obj, str, text } from '../schema';

export const KEY = str({ pattern: '^[0-9]{1,20}$', description: 'an engine key (int64 as digits)' });
export const INSTANCE_STATES = ['ACTIVE', 'COMPLETED', 'TERMINATED'] as const;

export const KeyParams = obj({ key: KEY }, ['key']);

export const ProcessDefinitionPage = named(
  'OperationsProcessDefinitions',
  obj(
    {
      items: arrayOf(
        obj(
          {
            processDefinitionKey: str(),
            processDefinitionId: str(),
            name: nullable(str()),
            version: int(1, 1_000_000),
            resourceName: nullable(str()),
            latest: bool(),
          },
          ['processDefinitionKey', 'processDefinitionId', 'name', 'version', 'resourceName', 'latest'],
        ),
      ),
    },
    ['items'],
  ),
);

const instanceProps = {
  processInstanceKey: str(),
  processDefinitionId: str(),
  processDefinitionName: nullable(str()),
  processDefinitionVersion: nullable(int(0, 1_000_000)),
  processDefinitionKey: str(),
  state: str(),
  hasIncident: bool(),
  startDate: nullable(str()),
  endDate: nullable(str()),
  parentProcessInstanceKey: nullable(str()),
};
const instanceRequired = Object.keys(instanceProps) as (keyof typeof instanceProps)[];
export const ProcessInstanceSchema = named('OperationsProcessInstance', obj(instanceProps, instanceRequired));

export const InstanceQuery = obj(
  {
    orderNo: text(64, { pattern: '^[A-Za-z0-9-]+$', description: 'the order number (业务订单编号), e.g. YW-2026-000001' }),
    state: enumOf(INSTANCE_STATES),
    processDefinitionId: text(128, { pattern: '^[A-Za-z0-9_.-]+$' }),
    limit: int(1, 500, { default: 100 }),
  },
  [],
);
export const InstancePage = named('OperationsProcessInstances', obj({ items: arrayOf(ProcessInstanceSchema) }, ['items']));

export const InstanceDetailSchema = named(
  'OperationsProcessInstanceDetail',
  obj(
    {
      ...instanceProps,
      xml: str({ description: 'the BPMN XML of the version the instance runs' }),
      elementNames: { type: 'object', additionalProperties: str(), description: "element id → the element's name in the model" },
      activeElementIds: arrayOf(str()),
      incidentElementIds: arrayOf(str()),
      elements: arrayOf(
        obj(
          {
            elementInstanceKey: str(),
            elementId: str(),
            elementName: nullable(str()),
            type: nullable(str()),
            state: str(),
            hasIncident: bool(),
          },
          ['elementInstanceKey', 'elementId', 'elementName', 'type', 'state', 'hasIncident'],
        ),
      ),
      variables: arrayOf(obj({ name: str(), value: str({ description: 'JSON text' }), scopeKey: str() }, ['name', 'value', 'scopeKey'])),
      incidents: arrayOf(IncidentSchema),
    },
    [...instanceRequired, 'xml', 'elementNames', 'activeElementIds', 'incidentElementIds', 'elements', 'variables', 'incidents'],
  ),
);

export const IncidentPage = named('OperationsIncidents', obj({ items: arrayOf(IncidentSchema) }, ['items']));

export const RepairBody = named(
  'OperationsRepairRequest',
  obj(
    {
      reason: text(2000, { description: 'why (kept in the audit log)' }),
      variable: obj(
        {
          name: text(128, { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'the process variable to correct' }),
          value: text(100_000, { description: 'its new value as JSON text, e.g. "CONFIRMED" with the quotes, 12, true, {"a": 1}' }),
        },
        ['name', 'value'],
      ),
      retries: int(1, 10, { default: 1, description: 'the retries the job gets back' }),
    },
    ['reason'],
  ),
);

export const CancelBody = named(
  'OperationsCancelRequest',
  obj({ reason: text(2000, { description: 'why (kept in the audit log)' }) }, ['reason']),
);
