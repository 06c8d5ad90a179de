import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorEnvelope, toErrorResponse } from './error-envelope.js';

/** The one exception filter: every error, from any layer, leaves as the error envelope. */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
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
}
