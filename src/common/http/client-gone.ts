/** The part of Fastify's reply this needs: the Node response underneath. */
interface RawReply {
  raw: { writableFinished: boolean; once(event: 'close', listener: () => void): unknown };
}

/**
 * Aborts when the client closes the connection before the answer was sent, so a long wait (a long-polling
 * claim) ends at once instead of working for nobody.
 */
export function clientGone(reply: RawReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) {
      controller.abort();
    }
  });
  return controller.signal;
}
