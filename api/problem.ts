/**
 * Errors as RFC 9457 problem details (`application/problem+json`).
 *
 * Shape: { type, title, status, detail, instance, errors?: [{ in, pointer, detail }], ...extensions }.
 * `errors[].pointer` is a JSON pointer (RFC 6901) into the part of the request named by `in`
 * (`body`, `query` or `path`), e.g. `{ in: 'body', pointer: '/accounts' }`.
 */
import {
  ConflictError,
  DomainError,
  IllegalTransitionError,
  NotFoundError,
  SeparationOfDutiesError,
  ValidationError,
} from '../domain/errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'urn:online-training:problem:';

export type ProblemLocation = 'body' | 'query' | 'path' | 'header';
export interface FieldError {
  in: ProblemLocation;
  pointer: string;
  detail: string;
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly errors: FieldError[] = [],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
  }
  get type(): string {
    return TYPE_BASE + this.slug;
  }
  toJSON(instance: string): Record<string, unknown> {
    const body: Record<string, unknown> = {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.message,
      instance,
      ...this.extensions,
    };
    if (this.errors.length) body.errors = this.errors;
    return body;
  }
}

export const badRequest = (detail: string, errors: FieldError[] = []) =>
  new ProblemError(400, 'validation-failed', 'Request validation failed', detail, errors);
export const malformedJson = (detail: string) =>
  new ProblemError(400, 'malformed-json', 'Malformed JSON body', detail, [{ in: 'body', pointer: '', detail }]);
export const payloadTooLarge = (limit: string) =>
  new ProblemError(413, 'payload-too-large', 'Payload too large', `the request body exceeds ${limit}`, [
    { in: 'body', pointer: '', detail: `larger than ${limit}` },
  ]);
export const unsupportedMediaType = (detail: string) =>
  new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', detail, [{ in: 'header', pointer: '/content-type', detail }]);
export const unauthorized = (detail: string) => new ProblemError(401, 'unauthorized', 'Unauthorized', detail);
export const forbidden = (detail: string) => new ProblemError(403, 'forbidden', 'Forbidden', detail);
export const notFound = (what: string, id: string, pointer = '/id', location: ProblemLocation = 'path') =>
  new ProblemError(404, 'not-found', 'Not found', `${what} ${id} does not exist`, [{ in: location, pointer, detail: `unknown ${what}` }]);
export const routeNotFound = (path: string) => new ProblemError(404, 'route-not-found', 'Not found', `no route ${path}`);
export const methodNotAllowed = (method: string, path: string, allowed: string[]) =>
  new ProblemError(405, 'method-not-allowed', 'Method not allowed', `${method} is not allowed on ${path}`, [], { allowed });
/** Illegal status transition: names the current and the requested state. */
export const illegalTransition = (what: string, id: string, current: string, requested: string, why?: string) =>
  new ProblemError(
    409,
    'illegal-transition',
    'Illegal status transition',
    `${what} ${id} is ${current}; it cannot become ${requested}${why ? ` (${why})` : ''}`,
    [{ in: 'path', pointer: '/id', detail: `current status ${current}` }],
    { currentState: current, requestedState: requested },
  );
export const conflict = (detail: string, errors: FieldError[] = []) => new ProblemError(409, 'conflict', 'Conflict', detail, errors);
export const internalError = () =>
  new ProblemError(500, 'internal-error', 'Internal server error', 'an unexpected error occurred; it has been logged');

/**
 * Domain errors (domain/errors.ts) as problems: NotFoundError 404, IllegalTransitionError 409 naming
 * both states, ConflictError 409, ValidationError 400, any other DomainError 409 with its code.
 * Anything that is not a DomainError: undefined (a 500).
 */
export function fromDomainError(e: unknown): ProblemError | undefined {
  if (!(e instanceof DomainError)) return undefined;
  if (e instanceof NotFoundError)
    return new ProblemError(404, 'not-found', 'Not found', `${e.entity} ${e.id} does not exist`, [], { entity: e.entity });
  if (e instanceof IllegalTransitionError)
    return new ProblemError(
      409,
      'illegal-transition',
      'Illegal status transition',
      `${e.entity} is ${e.current}; it cannot become ${e.requested}`,
      [],
      {
        currentState: e.current,
        requestedState: e.requested,
      },
    );
  if (e instanceof ConflictError) {
    // an integrity rule (domain/countersign-integrity.ts) names itself and, for an open round, the round
    const ext: Record<string, unknown> = {};
    if (typeof e.details.rule === 'string') ext.rule = e.details.rule;
    if (e.details.openRound) ext.openRound = e.details.openRound;
    return new ProblemError(409, 'conflict', 'Conflict', e.message, [], ext);
  }
  if (e instanceof SeparationOfDutiesError)
    return new ProblemError(403, 'separation-of-duties', 'Separation of duties', e.message, [], { rule: e.rule });
  if (e instanceof ValidationError) {
    const field = typeof e.details.field === 'string' ? e.details.field : undefined;
    return new ProblemError(
      400,
      'validation-failed',
      'Request validation failed',
      e.message,
      field ? [{ in: 'body', pointer: `/${field}`, detail: e.message }] : [],
    );
  }
  // any other deliberate refusal of the domain (e.g. AP partner unavailable): a conflict with its code
  return new ProblemError(409, 'conflict', 'Conflict', e.message, [], { code: e.code });
}
