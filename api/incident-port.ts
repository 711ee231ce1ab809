/**
 * The port through which the repair routes (incidents.ts) reach the engine's incidents, apart from the
 * routes so that ApiServices (services.ts) can name it without importing them (as task-port.ts).
 */
/** variables of a process instance or scope by name, each a JSON value (what the engine stores) */
export type ProcessVariables = Record<string, unknown>;

export interface Incident {
  incidentKey: string;
  processInstanceKey: string;
  processDefinitionId: string | null;
  elementId: string;
  /** the element's name in the model (记录客户确认结果), where the model gives one */
  elementName?: string | null;
  elementInstanceKey: string | null;
  jobKey: string | null;
  errorType: string;
  errorMessage: string;
  state: string;
  creationTime: string | null;
}

export interface IncidentPort {
  /** the active incidents of these instances and of every instance they called */
  ofInstances(processInstanceKeys: string[]): Promise<Incident[]>;
  get(key: string): Promise<Incident | null>;
  retry(incident: Incident, variables: Record<string, unknown> | undefined, retries: number): Promise<void>;
}
