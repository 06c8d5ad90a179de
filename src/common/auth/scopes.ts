/**
 * What a restricted credential (a personal access token, a registered agent's key) may do. Every checked
 * route declares the one scope it needs next to its level; people's sessions and the hub token carry no
 * scopes and are limited by their level alone. `admin` stands for every scope, and only works while the
 * owner is an administrator: the level check reads the owner's current role.
 */
export const SCOPES = [
  'tasks:read',
  'tasks:write',
  'agents:read',
  'agents:write',
  'teams:read',
  'teams:write',
  'templates:read',
  'templates:write',
  'schedules:read',
  'schedules:write',
  'events:read',
  'system:read',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

export const ADMIN_SCOPE: Scope = 'admin';

/** What a registered agent's key may do unless an administrator narrows it: every agent-or-user route. */
export const AGENT_DEFAULT_SCOPES: readonly Scope[] = SCOPES.filter((scope) => scope !== ADMIN_SCOPE);

/** Whether `granted` allows a route that needs `required`; `undefined` is an unrestricted credential. */
export function grants(granted: readonly Scope[] | undefined, required: Scope): boolean {
  return granted === undefined || granted.includes(required) || granted.includes(ADMIN_SCOPE);
}
