import { DomainError } from '../../common/errors/domain-errors.js';

export class NotReadyError extends DomainError {
  readonly status = 503;
  readonly code = 'not_ready';
  override readonly headers = { 'Retry-After': '5' };
}
