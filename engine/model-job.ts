// Job worker elements as Zeebe defines them: tasks with zeebe:taskDefinition (service, send, script, and
// business rule tasks without a called decision) and message throw events (intermediate throw and end
// events with a messageEventDefinition). Zeebe runs a message throw event like a service task: it creates
// a job when entered and completes when the job completes, so both read the same extension elements here.
import type { El } from './model';

type Any = any;

function ext(fe: Any, type: string): Any | undefined {
  return (fe.extensionElements?.values ?? []).find((v: Any) => v.$type === type);
}

/** a message intermediate throw or end event: Zeebe's job worker element among the events */
export function isMessageThrow(fe: Any): boolean {
  return (fe.$type === 'bpmn:IntermediateThrowEvent' || fe.$type === 'bpmn:EndEvent') && (fe.eventDefinitions ?? []).some((d: Any) => d.$type === 'bpmn:MessageEventDefinition');
}

/** zeebe:taskDefinition (type and retries, both may be FEEL) and zeebe:taskHeaders into the element's job */
export function readJobWorker(fe: Any, base: El, bad: (el: Any, m: string) => void, checkExpr: (el: Any, what: string, v: string | undefined) => void): void {
  const td = ext(fe, 'zeebe:TaskDefinition');
  // Zeebe 8.9's texts (its MessageThrowEventValidator and task validators)
  if (!td) bad(fe, "Must have exactly one 'zeebe:taskDefinition' extension element");
  else if (!td.type) bad(fe, "Attribute 'type' must be present and not empty");
  else {
    base.jobType = td.type;
    base.retries = td.retries ?? '3';
    checkExpr(fe, 'job type', td.type);
    checkExpr(fe, 'retries', td.retries);
  }
  const th = ext(fe, 'zeebe:TaskHeaders');
  if (th) {
    base.headers = {};
    for (const h of th.values ?? []) base.headers[h.key] = h.value ?? '';
  }
}
