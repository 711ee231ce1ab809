/**
 * The two errors a handler throws on purpose, told apart by class (runtime/adapter.ts executeJob), never
 * by name or message:
 *   BusinessError  an outcome of the procedure the model catches: the job ends with that BPMN error
 *   NonRetryable   retrying cannot fix it (the variables contradict the records): an incident at once,
 *                  with what a person should do
 * Anything else a handler throws is technical (database, network): the job fails and Zeebe retries it
 * with back-off, the one retry loop of a job, until its retries run out and it becomes an incident.
 * Domain errors (domain/errors.ts) are classified by their classes in the same place.
 */
import type { Variables } from './outcome';

export class BusinessError extends Error {
  constructor(
    /** the BPMN error code the model's boundary or event sub-process catches (domain/vocabulary BPMN_ERROR) */
    readonly errorCode: string,
    message: string,
    /** variables set with the error (what the catching path reads) */
    readonly variables: Variables = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NonRetryable extends Error {
  constructor(
    message: string,
    /** what to do before retrying the incident */
    readonly hint: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
