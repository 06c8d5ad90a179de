import type { IncomingMessage } from 'node:http';
import { pino, type Logger as Pino, type DestinationStream } from 'pino';

// Credentials that may sit in logged objects: request headers are not logged by the access log, but errors
// (and whatever a future caller logs) may carry a request or its headers one or two levels down.
const SECRET_HEADERS = ['authorization', 'cookie', '["x-registration-token"]', '["x-agent-key"]', '["set-cookie"]'];
const REDACT_PATHS = ['req.headers', 'res.headers', 'err.req.headers', 'err.config.headers', '*.headers'].flatMap(
  (prefix) => SECRET_HEADERS.map((header) => `${prefix}${header.startsWith('[') ? '' : '.'}${header}`),
);

const SECRET_QUERY_PARAM = /([?&](?:token|access_token|refresh_token|key)=)[^&#]*/gi;

/** `?token=…` (the seed's query credential) must never reach a log line. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_QUERY_PARAM, '$1[REDACTED]');
}

function serializeRequest(
  request: IncomingMessage & { id?: string; ip?: string; socket?: { remoteAddress?: string } },
) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    remoteAddress: request.socket?.remoteAddress,
  };
}

/** The process's one pino logger: JSON lines, credentials redacted; Fastify adds the request id per request. */
export function createLogger(level: string, destination?: DestinationStream): Pino {
  return pino(
    {
      level,
      base: { service: 'ananta-hub' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { req: serializeRequest, err: pino.stdSerializers.err },
    },
    destination,
  );
}
