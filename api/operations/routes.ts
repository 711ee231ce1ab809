/**
 * Operations 运维 for admins (issue #19): the part of Operate a small team needs, over the orchestration
 * cluster REST API v2 only (the same calls on Camunda 8.9 and engine/):
 *
 *   GET  /api/operations/process-definitions                 the processes and their versions
 *   GET  /api/operations/process-instances?orderNo&state&processDefinitionId
 *   GET  /api/operations/process-instances/:key              diagram XML, active and incident elements, variables, incidents
 *   GET  /api/operations/incidents                           every active incident with the engine's message
 *   POST /api/operations/incidents/:key/repair               { reason, variable?: {name, value: JSON text}, retries }
 *   POST /api/operations/process-instances/:key/cancellation { reason }
 *
 * Each action is audited (domain/audit.ts) before it reaches the engine: no change without who, when, why.
 */
import { IncidentSchema, incidentDto } from './incidents';
import { badRequest, notFound, ProblemError } from '../problem';
import { route, type RouteSpec } from '../route';
import { actorOf } from '../services';
import * as S from './schemas';
import { operationsOf } from './services';

const ADMIN = ['admin'] as const;

/** the variable's value as JSON, or a 400 naming /variable/value */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`variable.value is not valid JSON: ${(e as Error).message}`, [
      { in: 'body', pointer: '/variable/value', detail: 'must be JSON text (a string needs its quotes: "CONFIRMED")' },
    ]);
  }
}

export const OPERATIONS_ROUTES: RouteSpec[] = [
  route({
    id: 'listProcessDefinitions',
    method: 'get',
    path: '/operations/process-definitions',
    roles: ADMIN,
    tag: 'operations',
    summary: { en: 'The deployed processes and their versions', zh: '查看流程定义及版本' },
    response: { status: 200, schema: S.ProcessDefinitionPage },
    handler: async ({ services }) => {
      const defs = await operationsOf(services).engine.definitions();
      const latest = new Map<string, number>();
      for (const d of defs) latest.set(d.processDefinitionId, Math.max(latest.get(d.processDefinitionId) ?? 0, d.version));
      return { items: defs.map((d) => ({ ...d, latest: latest.get(d.processDefinitionId) === d.version })) };
    },
  }),
  route<{}, { orderNo?: string; state?: string; processDefinitionId?: string; limit: number }>({
    id: 'searchProcessInstances',
    method: 'get',
    path: '/operations/process-instances',
    roles: ADMIN,
    tag: 'operations',
    summary: { en: 'Process instances by order number, state and process', zh: '按订单编号、状态、流程查询流程实例' },
    query: S.InstanceQuery,
    response: { status: 200, schema: S.InstancePage },
    handler: async ({ services, query }) => {
      const { limit, ...filter } = query;
      return { items: await operationsOf(services).engine.instances(filter, limit) };
    },
  }),
  route<{ key: string }>({
    id: 'getProcessInstanceOperations',
    method: 'get',
    path: '/operations/process-instances/:key',
    roles: ADMIN,
    tag: 'operations',
    summary: {
      en: 'One instance: its diagram, active and incident elements, variables and incidents',
      zh: '查看流程实例（流程图、变量、故障）',
    },
    params: S.KeyParams,
    response: { status: 200, schema: S.InstanceDetailSchema },
    handler: async ({ services, params }) => {
      const ops = operationsOf(services);
      const detail = await ops.engine.instance(params.key);
      if (!detail) throw notFound('process instance', params.key, '/key');
      return { ...detail, incidents: (await ops.engine.activeIncidents(params.key)).map(incidentDto) };
    },
  }),
  route({
    id: 'listActiveIncidents',
    method: 'get',
    path: '/operations/incidents',
    roles: ADMIN,
    tag: 'operations',
    summary: { en: "Every active incident, with the engine's message", zh: '查看全部未解决的故障' },
    response: { status: 200, schema: S.IncidentPage },
    handler: async ({ services }) => ({ items: (await operationsOf(services).engine.activeIncidents()).map(incidentDto) }),
  }),
  route<{ key: string }, {}, { reason: string; variable?: { name: string; value: string }; retries: number }>({
    id: 'repairIncident',
    method: 'post',
    path: '/operations/incidents/:key/repair',
    roles: ADMIN,
    tag: 'operations',
    summary: { en: 'Correct one variable, give the job its retries back and resolve the incident', zh: '修正变量、设置重试次数并解决故障' },
    params: S.KeyParams,
    body: S.RepairBody,
    response: { status: 200, schema: IncidentSchema, description: 'the incident as it was, now resolved' },
    handler: async ({ services, principal, params, body }) => {
      const variables = body.variable ? { [body.variable.name]: parseValue(body.variable.value) } : {};
      const port = services.incidents;
      if (!port) throw new ProblemError(503, 'engine-unavailable', 'Service unavailable', 'no process engine is configured for incidents');
      const incident = await port.get(params.key);
      if (!incident) throw notFound('incident', params.key, '/key');
      if (incident.state !== 'ACTIVE') throw new ProblemError(409, 'conflict', 'Conflict', `incident ${params.key} is ${incident.state}`);
      await services.store.auditRepair(actorOf(principal), body.reason, incident, { ...variables, retries: body.retries });
      await port.retry(incident, variables, body.retries);
      return { ...incident, state: 'RESOLVED' };
    },
  }),
  route<{ key: string }, {}, { reason: string }>({
    id: 'cancelProcessInstance',
    method: 'post',
    path: '/operations/process-instances/:key/cancellation',
    roles: ADMIN,
    tag: 'operations',
    summary: { en: 'Cancel a running instance, with the reason (audited)', zh: '取消流程实例（须填写原因）' },
    params: S.KeyParams,
    body: S.CancelBody,
    response: { status: 200, schema: S.ProcessInstanceSchema, description: 'the instance as it was when cancelled' },
    handler: async ({ services, principal, params, body }) => {
      const ops = operationsOf(services);
      const pi = await ops.engine.instance(params.key);
      if (!pi) throw notFound('process instance', params.key, '/key');
      if (pi.state !== 'ACTIVE') throw new ProblemError(409, 'conflict', 'Conflict', `process instance ${params.key} is ${pi.state}`);
      if (pi.parentProcessInstanceKey)
        throw new ProblemError(
          409,
          'conflict',
          'Conflict',
          `process instance ${params.key} was called by ${pi.parentProcessInstanceKey}: cancel that one`,
        );
      const orderNo = pi.variables.find((v) => v.name === 'orderNo' && v.scopeKey === pi.processInstanceKey)?.value ?? null;
      await ops.audit(actorOf(principal), 'process-instance.cancel', params.key, body.reason, {
        processDefinitionId: pi.processDefinitionId,
        orderNo: orderNo === null ? null : JSON.parse(orderNo),
      });
      await ops.engine.cancel(params.key);
      const { xml: _x, activeElementIds: _a, incidentElementIds: _i, elements: _e, variables: _v, ...instance } = pi;
      return instance;
    },
  }),
];
