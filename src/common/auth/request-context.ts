import { randomUUID } from 'node:crypto';
import { isAdminPrincipal, type Principal, type UserPrincipal } from './principal.js';

/**
 * Who is calling and from where: the seed's `g.user` / `g.is_admin`. Built once per request by the access
 * guard and handed to services as their first argument; services never read request state themselves.
 */
export interface RequestContext {
  principal: Principal;
  isAdmin: boolean;
  requestId: string;
  /** The client address (honours `TRUST_PROXY`); absent for system work. */
  ip?: string;
}

export function requestContext(principal: Principal, requestId: string, ip?: string): RequestContext {
  return { principal, isAdmin: isAdminPrincipal(principal), requestId, ip };
}

/** Context for work the hub does on its own behalf (jobs, start-up seeding). */
export function systemContext(name: string): RequestContext {
  return requestContext({ kind: 'system', id: name }, `system:${name}:${randomUUID()}`);
}

/**
 * The calling user on user-only routes, where the guard admits nothing else; anything else here is a wiring
 * mistake (a service called from a route of another level), not a caller's fault.
 */
export function callingUser(ctx: RequestContext): UserPrincipal {
  if (ctx.principal.kind !== 'user') {
    throw new Error(`a user-only use case was called by a ${ctx.principal.kind} principal`);
  }
  return ctx.principal;
}
