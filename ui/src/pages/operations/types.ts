import { h } from '../../dom';

/** The answers of /api/operations (api/operations/schemas.ts) as the pages read them, and their Chinese labels. */
export interface Incident {
  incidentKey: string;
  processInstanceKey: string;
  processDefinitionId: string | null;
  elementId: string;
  elementName?: string | null;
  jobKey: string | null;
  errorType: string;
  errorMessage: string;
  creationTime: string | null;
}
export interface Instance {
  processInstanceKey: string;
  processDefinitionId: string;
  processDefinitionVersion: number | null;
  state: string;
  hasIncident: boolean;
  startDate: string | null;
  endDate: string | null;
  parentProcessInstanceKey: string | null;
}
export interface InstanceDetail extends Instance {
  xml: string;
  /** element id → its name in the model */
  elementNames: Record<string, string>;
  activeElementIds: string[];
  incidentElementIds: string[];
  elements: { elementInstanceKey: string; elementId: string; elementName: string | null; state: string }[];
  variables: { name: string; value: string; scopeKey: string }[];
  incidents: Incident[];
}
export interface Definition {
  processDefinitionKey: string;
  processDefinitionId: string;
  name: string | null;
  version: number;
  resourceName: string | null;
  latest: boolean;
}

export const INSTANCE_STATE: Record<string, string> = { ACTIVE: '运行中', COMPLETED: '已完成', TERMINATED: '已终止' };
export const ERROR_TYPE: Record<string, string> = {
  JOB_NO_RETRIES: '任务重试次数用尽',
  // the recording of a decision, run as the user task's completing listener (processes/README.md)
  TASK_LISTENER_NO_RETRIES: '办结时的记录重试次数用尽',
  UNHANDLED_ERROR_EVENT: '未捕获的错误事件',
  EXTRACT_VALUE_ERROR: '表达式求值失败',
  CONDITION_ERROR: '条件求值失败',
  FORM_NOT_FOUND: '找不到表单',
  CALLED_ELEMENT_ERROR: '调用的流程出错',
  IO_MAPPING_ERROR: '变量映射失败',
};

/** a step as people know it: its name in the model, the id small beside it for whoever reads the logs */
export function elementLabel(id: string, name: string | null | undefined): (string | HTMLElement)[] {
  return name && name !== id ? [name, ' ', h('small', { class: 'element-id' }, id)] : [id];
}

/**
 * The variable an incident's message names, so the repair form opens on what to correct: of the instance's
 * variables, the one the message mentions first (as a whole word).
 */
export function namedVariable(message: string, names: string[]): string | null {
  let best: { name: string; at: number } | null = null;
  for (const name of new Set(names)) {
    const at = message.search(new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9_]|$)`));
    if (at >= 0 && (!best || at < best.at || (at === best.at && name.length > best.name.length))) best = { name, at };
  }
  return best?.name ?? null;
}
