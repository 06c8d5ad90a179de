import type { IncomingMessage } from 'node:http';
import { pino, type Logger as Pino, type DestinationStream } from 'pino';

// Credentials that may sit in logged objects. `req` and `res` never carry headers (their serializers below keep
// what the access log needs), but errors and whatever a future caller logs may carry headers one or two
// levels down. The paths are spelled out: a leading wildcard, or paths under `req`/`res` (on every access
// line), make pino clone and walk each line, which cost more than the rest of the access log.
const SECRET_HEADERS = ['authorization', 'cookie', '["x-registration-token"]', '["x-agent-key"]', '["set-cookie"]'];
const HEADER_HOLDERS = [
  'headers',
  'request.headers',
  'response.headers',
  'err.req.headers',
  'err.request.headers',
  'err.response.headers',
  'err.config.headers',
];
const REDACT_PATHS = HEADER_HOLDERS.flatMap((prefix) =>
  SECRET_HEADERS.map((header) => `${prefix}${header.startsWith('[') ? '' : '.'}${header}`),
);

const SECRET_QUERY_PARAMS = new Set(['token', 'access_token', 'refresh_token', 'key']);
// Where Fastify's router (find-my-way) starts the query string: at the first "?" or "#".
const QUERY_START = /[?#]/;

const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
};

// Judged by the decoded name, as the query parser sees it: "%74oken=…" is a token to the access guard too.
function redactParameter(parameter: string): string {
  const name = decoded(parameter.split('=', 1)[0]).split('=', 1)[0];
  return SECRET_QUERY_PARAMS.has(name.toLowerCase()) ? `${name}=[REDACTED]` : parameter;
}

/**
 * `?token=…` (the seed's query credential) must never reach a log line. The query is split exactly where
 * the router splits it (so a "#" neither hides a parameter nor ends a value), and each parameter's name is
 * compared after decoding.
 */
export function redactUrl(url: string | undefined): string | undefined {
  const start = url?.search(QUERY_START) ?? -1;
  if (url === undefined || start < 0) {
    return url;
  }
  return `${url.slice(0, start + 1)}${url
    .slice(start + 1)
    .split('&')
    .map(redactParameter)
    .join('&')}`;
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

const serializeResponse = (response: { statusCode?: number }) => ({ statusCode: response.statusCode });

/** The process's one pino logger: JSON lines, credentials redacted; Fastify adds the request id per request. */
export function createLogger(level: string, destination?: DestinationStream): Pino {
  return pino(
    {
      level,
      base: { service: 'ananta-hub' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { req: serializeRequest, res: serializeResponse, err: pino.stdSerializers.err },
    },
    destination,
  );
}
