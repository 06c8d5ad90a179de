import type { FastifyReply } from 'fastify';

/** The hub's envelope: `{"status":"success","data":…}`, or an error with a code (SPEC section 1). */
export function success(reply: FastifyReply, statusCode: number, data: unknown): FastifyReply {
  return reply.code(statusCode).send({ status: 'success', data });
}

export function fail(reply: FastifyReply, statusCode: number, code: string, message = code): FastifyReply {
  return reply.code(statusCode).send({ status: 'error', message, data: { code, requestId: reply.request.id } });
}
