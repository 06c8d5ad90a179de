import { type CallHandler, type ExecutionContext, HttpStatus, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';

export interface SuccessEnvelope<T> {
  status: 'success';
  data: T;
}

/** A redirect set by the handler on the reply: its Location is the answer, not a body. */
const isRedirect = (status: number): boolean => status >= 300 && status < 400;

/** Wraps every handler result in `{status: "success", data}`; a 204 or a redirect keeps its empty body. */
@Injectable()
export class SuccessEnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<SuccessEnvelope<unknown> | undefined> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next
      .handle()
      .pipe(
        map((data: unknown) =>
          reply.statusCode === Number(HttpStatus.NO_CONTENT) || isRedirect(reply.statusCode)
            ? undefined
            : { status: 'success', data: data ?? null },
        ),
      );
  }
}
