import type { FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-errors.js';

// OPTIONS is left out: the CORS preflight route matches every path, so it says nothing about the resource.
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** 405 with the methods the path does answer (RFC 9110 §15.5.6 requires `Allow`). */
export class MethodNotAllowedError extends DomainError {
  readonly status = 405;
  readonly code = 'method_not_allowed';
  override readonly headers: Record<string, string>;
  constructor(method: string, allowed: readonly string[]) {
    super(`${method} is not allowed here; use ${allowed.join(', ')}`);
    this.headers = { Allow: allowed.join(', ') };
  }
}

/**
 * The methods routed for the request's path, for a request the router found no route for: non-empty means
 * the path exists and only the method is wrong (405), empty means there is no such resource (404).
 */
export function allowedMethods(request: FastifyRequest): string[] {
  const url = request.url.split('?', 1)[0];
  const allowed: string[] = METHODS.filter((method) => request.server.findRoute({ method, url }) !== null);
  return allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed;
}
