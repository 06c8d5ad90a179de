import { randomUUID } from 'node:crypto';
import { isAdminPrincipal, type Principal } from './principal.js';

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
