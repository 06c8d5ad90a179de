import { DomainError } from '../../src/public-api.js';

/** 502: the receiver refused the summary, did not answer, or its URL is not allowed. */
export class SummaryNotDeliveredError extends DomainError {
  readonly status = 502;
  readonly code = 'summary_not_delivered';
  constructor(reason: string) {
    super(`The daily summary was not delivered: ${reason}`);
  }
}
