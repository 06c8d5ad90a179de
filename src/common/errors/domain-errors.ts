/** One problem with one input field, as listed in `data.details` of a 400 envelope. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Base class of every error a service may throw on purpose. The global filter turns it into the error
 * envelope with `status`, `code`, `details` and extra response headers (for example `Retry-After`).
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;
}

/** 400 with per-field details; `code` is `validation_failed` unless a more specific one is given. */
export class ValidationFailedError extends DomainError {
  readonly status = 400;
  constructor(
    override readonly details: FieldProblem[],
    message = 'Request validation failed',
    readonly code = 'validation_failed',
  ) {
    super(message);
  }
}

export class UnauthenticatedError extends DomainError {
  readonly status = 401;
  readonly code = 'unauthenticated';
  constructor(message = 'Authentication required: missing, malformed, expired or revoked credentials') {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  constructor(
    message = 'You are not allowed to do this',
    readonly code = 'forbidden',
    override readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code: string;
  constructor(resource: string, message = `${resource.replaceAll('_', ' ')} not found`) {
    super(message.charAt(0).toUpperCase() + message.slice(1));
    this.code = `${resource}_not_found`;
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
  constructor(
    message: string,
    readonly code = 'conflict',
    override readonly details?: unknown,
  ) {
    super(message);
  }
}

export class RateLimitedError extends DomainError {
  readonly status = 429;
  readonly code = 'rate_limited';
  override readonly headers: Record<string, string>;
  constructor(retryAfterSeconds: number, message = 'Too many requests; try again later') {
    super(message);
    this.headers = { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
  }
}
