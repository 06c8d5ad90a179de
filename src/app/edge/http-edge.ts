import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toClientErrorResponse, toErrorEnvelope } from '../../common/errors/error-envelope.js';
import { REQUEST_ID_HEADER, requestIdFor } from '../../common/http/request-id.js';
import { replyWithError } from '../../common/errors/error-envelope.filter.js';
import { keepAddressHops } from './forwarded-for.js';
import { securityHeaders } from './security-headers.js';
import { afterUnreadBody, carriesUnreadBody } from './unread-body.js';

const HSTS = 'max-age=31536000; includeSubDomains';
// Load balancers commonly close idle connections after 60 s; keep ours open longer so they close first.
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The outermost layer of the hub, and the one place where responses get their common headers: the HTTP
 * server hands every request here before Fastify routes it, so the request id, the security headers and
 * `Cache-Control: no-store` are on every response, including the ones Fastify's router, body parsers and
 * Node's HTTP parser write themselves. Errors of those layers leave as the same envelope as any other.
 * X-Forwarded-For keeps only its address hops here, before Fastify reads the client address from it, and a
 * GET or HEAD body, which nothing reads, is received in full before the request goes on.
 */
export class HttpEdge {
  private readonly headers = securityHeaders();
  private closing = false;

  constructor(private readonly requestTimeoutSeconds: number) {}

  /** Fastify's `serverFactory`. */
  readonly serverFactory = (handler: RequestHandler): Server => {
    const timeout = this.requestTimeoutSeconds * 1000;
    const server = createServer(
      // Timeouts are checked every second so a slow sender is cut off close to the limit, not up to 30 s later.
      { requestTimeout: timeout, headersTimeout: timeout, connectionsCheckingInterval: 1000 },
      (request, response) => {
        const id = requestIdFor(request);
        response.setHeader(REQUEST_ID_HEADER, id);
        for (const [name, value] of this.headers) {
          response.setHeader(name, value);
        }
        keepAddressHops(request);
        if (carriesUnreadBody(request)) {
          afterUnreadBody(request, () => handler(request, response));
        } else {
          handler(request, response);
        }
      },
    );
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    return server;
  };

  /** Fastify's `frameworkErrors`: the router's own rejections (bad percent-encoding, over-long parameters). */
  readonly frameworkErrors = (error: Error, request: FastifyRequest, reply: FastifyReply): void => {
    this.addHsts(request, reply);
    replyWithError(error, request, reply);
  };

  /** Fastify's `clientErrorHandler`: bytes Node's HTTP parser rejects, before there is a request. */
  readonly clientErrorHandler = (error: Error, socket: Socket): void => {
    const response = toClientErrorResponse(error);
    if (!response || !socket.writable) {
      socket.destroy();
      return;
    }
    const id = randomUUID();
    const body = JSON.stringify(toErrorEnvelope(response, id));
    const head = [
      `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status]}`,
      ...this.headers.map(([name, value]) => `${name}: ${value}`),
      `${REQUEST_ID_HEADER}: ${id}`,
      'content-type: application/json; charset=utf-8',
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  };

  /** HSTS only when the request really came over HTTPS (directly, or through a trusted proxy that says so). */
  addHsts(request: FastifyRequest, reply: FastifyReply): void {
    if (request.protocol === 'https') {
      void reply.header('strict-transport-security', HSTS);
    }
  }

  /**
   * Responses still in flight when shutdown begins close their keep-alive connection, which would otherwise
   * hold the server open until the client's idle timeout.
   */
  closeConnectionWhenClosing(reply: FastifyReply): void {
    if (this.closing) {
      void reply.header('connection', 'close');
    }
  }

  /** Called when shutdown begins (Fastify's `preClose`). */
  beginClosing(): void {
    this.closing = true;
  }
}
