import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

// Letters, digits and a few separators, bounded: safe to echo in a header and to write into logs.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const assigned = new WeakMap<IncomingMessage, string>();

/**
 * The request's id: the caller's `X-Request-Id` when it is a sane token, else a fresh UUID. Decided once per
 * request (the edge stamps it before routing; Fastify's `genReqId` asks again and gets the same answer).
 */
export function requestIdFor(request: IncomingMessage): string {
  let id = assigned.get(request);
  if (id === undefined) {
    const header = request.headers[REQUEST_ID_HEADER];
    id = typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
    assigned.set(request, id);
  }
  return id;
}
