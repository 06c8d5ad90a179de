import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { allowedMethods, MethodNotAllowedError } from '../http/allowed-methods.js';
import { toErrorEnvelope, toErrorResponse } from './error-envelope.js';

/** Logs what needs logging and sends the error envelope; the filter and the edge's router errors use it. */
export function replyWithError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const response = toErrorResponse(error);
  if (response.unexpected) {
    request.log.error({ err: error }, 'Unhandled error');
  } else if (response.status === 503) {
    request.log.warn({ err: error }, 'Database unavailable');
  }
  if (reply.sent) {
    return;
  }
  void reply
    .status(response.status)
    .headers(response.headers ?? {})
    .send(toErrorEnvelope(response, request.id));
}

/** The one exception filter: every error, from any layer, leaves as the error envelope. */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    replyWithError(this.methodNotAllowedInstead(error, request), request, reply);
  }

  // The router reports a known path with the wrong method as "no route"; the client deserves a 405.
  private methodNotAllowedInstead(error: unknown, request: FastifyRequest): unknown {
    if (toErrorResponse(error).code !== 'route_not_found') {
      return error;
    }
    const allowed = allowedMethods(request);
    return allowed.length > 0 ? new MethodNotAllowedError(request.method, allowed) : error;
  }
}
