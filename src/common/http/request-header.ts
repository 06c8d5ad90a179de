import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * One request header's value (`undefined` when absent or repeated). Unlike `@Headers(name)`, it adds nothing
 * to the OpenAPI document, where `@Headers` would describe the header a second time, and as required: routes
 * document their headers once, with `@ApiHeader` or a security scheme.
 */
export const RequestHeader = createParamDecorator((name: string, context: ExecutionContext): string | undefined => {
  const value = context.switchToHttp().getRequest<FastifyRequest>().headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
});
