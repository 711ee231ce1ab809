/**
 * Domain errors. The API maps them to HTTP: NotFoundError 404, IllegalTransitionError 409,
 * ConflictError (and StateConflictError) 409, ValidationError 400 (business rule / invalid input).
 * Workers map ApPartnerUnavailableError to the BPMN error AP_PARTNER_UNAVAILABLE, fail NotFound,
 * Validation, IllegalTransition and StateConflict with an incident at once, and retry a ConflictError.
 */
import { BPMN_ERROR } from './vocabulary';

export class DomainError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`, 'NOT_FOUND', { entity, id });
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, 'VALIDATION', details);
  }
}

/** the record changed under us (stale version), or the request contradicts its current state */
export class ConflictError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, 'CONFLICT', details);
  }
}

/**
 * The record is not in the state this step needs, and waiting will not change that (e.g. signing a
 * contract that was never approved). Still a 409 for the API; a worker raises an incident at once
 * instead of retrying.
 */
export class StateConflictError extends ConflictError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, { ...details, permanent: true });
  }
}

export class IllegalTransitionError extends DomainError {
  constructor(
    readonly entity: string,
    readonly current: string,
    readonly requested: string,
  ) {
    super(`${entity}: illegal status transition ${current} → ${requested}`, 'ILLEGAL_TRANSITION', { entity, current, requested });
  }
}

/**
 * Separation of duties 职责分离: the person is not allowed to take this decision (e.g. the drafter of a
 * contract reviewing it, or one person approving both countersign levels). The API answers 403 naming
 * `rule`; nothing is written.
 */
export class SeparationOfDutiesError extends DomainError {
  constructor(
    message: string,
    readonly rule: SeparationOfDutiesRule,
  ) {
    super(message, 'SEPARATION_OF_DUTIES', { rule });
  }
}
export type SeparationOfDutiesRule = 'drafter-cannot-review' | 'one-person-one-level';

/** expense-contract.draft: the partner is suspended or has no terms */
export class ApPartnerUnavailableError extends DomainError {
  constructor(apPartnerId: string, why: string) {
    super(`AP partner ${apPartnerId} unavailable: ${why}`, BPMN_ERROR.apPartnerUnavailable, { apPartnerId, why });
  }
}

export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const code = err?.driverError?.code ?? err?.code ?? '';
  const errno = err?.driverError?.errno ?? err?.errno;
  return code === 'ER_DUP_ENTRY' || errno === 1062 || /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test(code);
}
