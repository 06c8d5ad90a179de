import type { IncomingMessage } from 'node:http';

// Fastify parses the bodies of every other method; these it never reads.
const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD']);

/** Whether a request carries a body that nothing will read (a GET or HEAD with Content-Length or chunks). */
export function carriesUnreadBody(request: IncomingMessage): boolean {
  if (!METHODS_WITHOUT_BODY.has(request.method ?? '')) {
    return false;
  }
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

const discard = (): void => undefined;

/**
 * Calls `next` once the unread body has arrived, dropping it. Answering while the client is still sending
 * would close the connection with unread bytes in it; the reset that follows can destroy the answer before
 * the client reads it. The request timeout bounds the wait.
 */
export function afterUnreadBody(request: IncomingMessage, next: () => void): void {
  request.on('data', discard);
  request.once('end', next);
}
