import { DomainError } from '../errors/domain-errors.js';

/** 409: the key was used for a request with another body (within its 24 hours). */
export class IdempotencyKeyReusedError extends DomainError {
  readonly status = 409;
  readonly code = 'idempotency_key_reused';
  constructor() {
    super('This Idempotency-Key was already used for a different request; use a new key for a new request');
  }
}

/** 409 with `Retry-After`: the first request with this key is still running. */
export class IdempotencyRequestInProgressError extends DomainError {
  readonly status = 409;
  readonly code = 'idempotency_request_in_progress';
  override readonly headers: Record<string, string>;
  constructor(retryAfterSeconds: number) {
    super('A request with this Idempotency-Key is still being processed; retry shortly');
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}
