import { Reflector } from '@nestjs/core';

/**
 * The access level a route declares. `principal` is the seed's `check_auth` (agent or user), `user` is
 * `check_user_auth` (people only), `admin` is `admin_required`.
 */
export type AuthLevel = 'public' | 'principal' | 'user' | 'admin';

/** Typed route metadata; use the named decorators in `auth.decorators.ts` instead of this directly. */
export const RequireAuth = Reflector.createDecorator<AuthLevel>();

/** The level that applies when a route declares none: deny by default means "some principal is required". */
export const DEFAULT_AUTH_LEVEL: AuthLevel = 'principal';
