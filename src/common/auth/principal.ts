import type { Scope } from './scopes.js';

export type UserRole = 'admin' | 'user';

/**
 * A person, authenticated by a user access JWT (no `scopes`: the session may do what the user may) or by one
 * of their personal access tokens (`scopes` and `tokenId` set; `role` is the owner's current role).
 */
export interface UserPrincipal {
  kind: 'user';
  id: string;
  username: string;
  role: UserRole;
  scopes?: readonly Scope[];
  tokenId?: string;
}

/** Whoever holds the hub's `AGENT_TOKEN` (as a static bearer or as the HS256 key of a JWT): an administrator. */
export interface HubTokenPrincipal {
  kind: 'hub-token';
  id: 'hub-token';
}

/** A registered agent, authenticated by its own agent key: never an administrator, limited to its scopes. */
export interface AgentPrincipal {
  kind: 'agent';
  id: string;
  name: string;
  scopes: readonly Scope[];
}

/** Whoever holds `METRICS_TOKEN`: may scrape `/api/metrics` and nothing else. */
export interface MetricsScraperPrincipal {
  kind: 'metrics-scraper';
  id: 'metrics-token';
}

/** A caller on a public route: no credential was asked for. */
export interface AnonymousPrincipal {
  kind: 'anonymous';
  id: 'anonymous';
}

/** The hub itself (scheduler, start-up tasks, CLI); never comes from HTTP. */
export interface SystemPrincipal {
  kind: 'system';
  id: string;
}

export type Principal =
  UserPrincipal | HubTokenPrincipal | AgentPrincipal | MetricsScraperPrincipal | SystemPrincipal | AnonymousPrincipal;

export function isAdminPrincipal(principal: Principal): boolean {
  switch (principal.kind) {
    case 'hub-token':
    case 'system':
      return true;
    case 'user':
      return principal.role === 'admin';
    case 'agent':
    case 'metrics-scraper':
    case 'anonymous':
      return false;
  }
}

/** The scopes a restricted credential carries; undefined for an unrestricted one. */
export function scopesOf(principal: Principal): readonly Scope[] | undefined {
  return principal.kind === 'user' || principal.kind === 'agent' ? principal.scopes : undefined;
}
