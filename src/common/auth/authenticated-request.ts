import type { FastifyRequest } from 'fastify';
import type { RequestContext } from './request-context.js';

/** The Fastify request as the access guard leaves it. */
export interface AuthenticatedRequest extends FastifyRequest {
  /** The raw bearer credential the guard extracted (header, or `?token=` where the level allows it). */
  credential?: string;
  ctx?: RequestContext;
}
