/**
 * The port through which the task routes (tasks.ts) reach the engine's user tasks, apart from the routes
 * so that ApiServices (services.ts) can name it without importing the routes: services → tasks → route →
 * services was a cycle.
 */
export interface UserTask {
  userTaskKey: string;
  name?: string;
  state: string;
  assignee?: string | null;
  elementId: string;
  candidateGroups?: string[];
  candidateUsers?: string[];
  processDefinitionId?: string;
  processInstanceKey: string;
  creationDate?: string;
  dueDate?: string | null;
  followUpDate?: string | null;
  formKey?: string | null;
  elementInstanceKey?: string;
  [k: string]: unknown;
}

export interface TaskForm {
  formId?: string;
  formKey?: string;
  version?: number;
  schema: FormSchema;
}
export interface FormComponent {
  type: string;
  key?: string;
  label?: string;
  readonly?: boolean;
  disabled?: boolean;
  conditional?: { hide?: string };
  values?: { value: unknown; label?: string }[];
  /** options read from this variable instead of `values` (a select whose choices the process provides) */
  valuesKey?: string;
  validate?: { required?: boolean; min?: number; max?: number; minLength?: number; maxLength?: number; pattern?: string };
  subtype?: string;
  components?: FormComponent[];
}
export interface FormSchema {
  id?: string;
  components: FormComponent[];
}

export interface UserTaskPort {
  search(filter: Record<string, unknown>, limit: number): Promise<UserTask[]>;
  get(key: string): Promise<UserTask | null>;
  /** the task's form; `formKey` (from the task) lets an implementation answer from its cache */
  form(key: string, formKey?: string | null): Promise<TaskForm | null>;
  /** root-scope variables of the instances, only the names given */
  variables(
    processInstanceKeys: string[],
    names: string[],
    definitions?: Map<string, string>,
  ): Promise<Map<string, Record<string, unknown>>>;
  /** variables local to one scope (e.g. the user task's element instance: its input mappings) */
  localVariables(scopeKey: string, names: string[]): Promise<Record<string, unknown>>;
  assign(key: string, assignee: string): Promise<void>;
  /** throws a 422 `completion-denied` when a completing task listener denies it (completionDenied) */
  complete(key: string, variables: Record<string, unknown>): Promise<void>;
}

/**
 * The reason a completing task listener gave for denying a completion, read from the engine's rejection
 * (Zeebe's wording, which the local engine keeps: "... was denied by Task Listener. Reason to deny: '…'"),
 * or null when the rejection is not a denial. The recording runs in that listener (processes/README.md),
 * so its business rule's message is what the person completing the task must read.
 */
export function completionDenied(detail: unknown): string | null {
  if (typeof detail !== 'string' || !/denied by Task Listener/i.test(detail)) return null;
  const m = /Reason to deny: '([\s\S]*)'\s*$/.exec(detail);
  return m ? m[1] : '';
}
