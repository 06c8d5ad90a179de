import { applyDecorators, createParamDecorator, type ExecutionContext, HttpStatus } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiErrors } from '../http/api-responses.decorators.js';
import { type AuthLevel, RequireAuth } from './auth-level.js';
import type { AuthenticatedRequest } from './authenticated-request.js';
import type { RequestContext } from './request-context.js';

/** OpenAPI security scheme names, registered in `configureOpenApi`. */
export const BEARER_SCHEME = 'bearer';
export const QUERY_TOKEN_SCHEME = 'query-token';
export const REGISTRATION_TOKEN_SCHEME = 'registration-token';
/** The OpenID Connect provider, listed only when single sign-on is configured. */
export const OIDC_SCHEME = 'oidc';

const UNAUTHENTICATED: [HttpStatus, string] = [
  HttpStatus.UNAUTHORIZED,
  'Missing, malformed, expired or revoked credentials',
];

/** Anyone may call the route; no credential is read. */
export const Public = () => RequireAuth('public');

/** The security schemes a public route's handler checks itself (see `PublicCheckedByHandler`). */
export const HandlerCredentials = Reflector.createDecorator<string[]>();

/**
 * Public at the guard, because the handler itself decides who may call it with a credential the guard does
 * not know (METRICS_TOKEN, the registration token) or with an administrator's. The OpenAPI document lists
 * the accepted schemes as alternatives, so Swagger UI's "Authorize" covers them.
 */
export const PublicCheckedByHandler = (...schemes: string[]) =>
  applyDecorators(
    RequireAuth('public'),
    HandlerCredentials(schemes),
    ...schemes.map((scheme) => ApiSecurity(scheme)),
    ApiErrors(UNAUTHENTICATED, [HttpStatus.FORBIDDEN, 'The credential does not allow this']),
  );

/**
 * A checked level with its OpenAPI description: the bearer scheme, `?token=` where the level reads it, and the
 * 401 (and 403, where an authenticated caller can still be refused) answers.
 */
function checkedLevel(level: AuthLevel, queryToken: boolean, forbidden?: string) {
  return applyDecorators(
    RequireAuth(level),
    ApiBearerAuth(BEARER_SCHEME),
    ...(queryToken ? [ApiSecurity(QUERY_TOKEN_SCHEME)] : []),
    forbidden ? ApiErrors(UNAUTHENTICATED, [HttpStatus.FORBIDDEN, forbidden]) : ApiErrors(UNAUTHENTICATED),
  );
}

/** Agent or user (seed `check_auth`): a user JWT, `AGENT_TOKEN` in either form, or a registered agent's key. */
export const Authenticated = () => checkedLevel('principal', true);

/** A user JWT or `AGENT_TOKEN` in either form, never a registered agent's key (403 for agents). */
export const PeopleOrHubToken = () => checkedLevel('people', true, 'Registered agents may not call this endpoint');

/** People only (seed `check_user_auth`): a user access JWT in the Authorization header. */
export const UserOnly = () => checkedLevel('user', false, 'Not available to this kind of caller');

/** Administrators (seed `admin_required`): `AGENT_TOKEN` in either form, or a user with role `admin`. */
export const AdminOnly = () => checkedLevel('admin', true, 'The caller is not an administrator');

/** The `METRICS_TOKEN` bearer, or an administrator's bearer credential (header only, as scrapers send it). */
export const MetricsTokenOrAdmin = () =>
  checkedLevel('metrics', false, 'The caller is neither the metrics token nor an administrator');

/** The request context of the caller (seed `g.user` / `g.is_admin`); anonymous on public routes. */
export const Ctx = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.ctx) {
    // The global access guard sets it on every route; reaching here means the guard did not run.
    throw new Error('@Ctx() used where the access guard did not run');
  }
  return request.ctx;
});
