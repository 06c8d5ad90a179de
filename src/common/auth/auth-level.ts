import { Reflector } from '@nestjs/core';
import type { Scope } from './scopes.js';

/**
 * The access level a route declares. `principal` is the seed's `check_auth` (agent or user), `user` is
 * `check_user_auth` (people only), `admin` is `admin_required`. `people` admits what `principal` does except
 * registered agents (a user or the hub token), `metrics` admits the METRICS_TOKEN bearer or an administrator.
 */
export type AuthLevel = 'public' | 'principal' | 'people' | 'user' | 'admin' | 'metrics';

/** Typed route metadata; use the named decorators in `auth.decorators.ts` instead of this directly. */
export const RequireAuth = Reflector.createDecorator<AuthLevel>();

/** The level that applies when a route declares none: deny by default means "some principal is required". */
export const DEFAULT_AUTH_LEVEL: AuthLevel = 'principal';

/** The scope a restricted credential needs for the route; use the level decorators, which take it. */
export const RequireScope = Reflector.createDecorator<Scope>();
