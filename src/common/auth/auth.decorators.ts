import { applyDecorators, createParamDecorator, type ExecutionContext, HttpStatus } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiExtension, ApiSecurity } from '@nestjs/swagger';
import { ApiErrors } from '../http/api-responses.decorators.js';
import { type AuthLevel, RequireAuth, RequireScope } from './auth-level.js';
import type { AuthenticatedRequest } from './authenticated-request.js';
import type { RequestContext } from './request-context.js';
import type { Scope } from './scopes.js';

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

const INSUFFICIENT_SCOPE = 'or the token does not carry the scope';

/** The scope next to the level: guard metadata, and `x-required-scope` in the OpenAPI operation. */
const scoped = (scope: Scope) => [RequireScope(scope), ApiExtension('x-required-scope', scope)];

/**
 * Public at the guard, because the handler itself decides who may call it with a credential the guard does
 * not know (METRICS_TOKEN, the registration token) or with an administrator's. The OpenAPI document lists
 * the accepted schemes as alternatives, so Swagger UI's "Authorize" covers them. A restricted credential
 * without `scope` counts as none here.
 */
export const PublicCheckedByHandler = (scope: Scope, ...schemes: string[]) =>
  applyDecorators(
    RequireAuth('public'),
    ...scoped(scope),
    HandlerCredentials(schemes),
    ...schemes.map((scheme) => ApiSecurity(scheme)),
    ApiErrors(UNAUTHENTICATED, [HttpStatus.FORBIDDEN, 'The credential does not allow this']),
  );

/**
 * A checked level with its OpenAPI description: the bearer scheme, `?token=` where the level reads it, the
 * scope a restricted credential needs, and the 401 and 403 answers.
 */
function checkedLevel(level: AuthLevel, queryToken: boolean, scope: Scope | undefined, forbidden: string) {
  return applyDecorators(
    RequireAuth(level),
    ...(scope ? scoped(scope) : []),
    ApiBearerAuth(BEARER_SCHEME),
    ...(queryToken ? [ApiSecurity(QUERY_TOKEN_SCHEME)] : []),
    ApiErrors(UNAUTHENTICATED, [HttpStatus.FORBIDDEN, forbidden]),
  );
}

/**
 * Agent or user (seed `check_auth`): a user JWT, `AGENT_TOKEN` in either form, a registered agent's key or a
 * personal access token, the last two only with `scope`.
 */
export const Authenticated = (scope: Scope) =>
  checkedLevel('principal', true, scope, `The token does not carry the scope ${scope}`);

/** A user JWT, a personal access token or `AGENT_TOKEN`, never a registered agent's key (403 for agents). */
export const PeopleOrHubToken = (scope: Scope) =>
  checkedLevel('people', true, scope, `Registered agents may not call this endpoint, ${INSUFFICIENT_SCOPE} ${scope}`);

/**
 * People in a session only (seed `check_user_auth`): a user access JWT in the Authorization header. No token
 * reaches these routes (the account itself, and the tokens: a token never makes or manages tokens).
 */
export const UserOnly = () => checkedLevel('user', false, undefined, 'Not available to this kind of caller');

/** Administrators (seed `admin_required`): `AGENT_TOKEN` in either form, or a user with role `admin`. */
export const AdminOnly = (scope: Scope) =>
  checkedLevel('admin', true, scope, `The caller is not an administrator, ${INSUFFICIENT_SCOPE} ${scope}`);

/** The `METRICS_TOKEN` bearer, or an administrator's bearer credential (header only, as scrapers send it). */
export const MetricsTokenOrAdmin = () =>
  checkedLevel(
    'metrics',
    false,
    'system:read',
    `The caller is neither the metrics token nor an administrator, ${INSUFFICIENT_SCOPE} system:read`,
  );

/** The request context of the caller (seed `g.user` / `g.is_admin`); anonymous on public routes. */
export const Ctx = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.ctx) {
    // The global access guard sets it on every route; reaching here means the guard did not run.
    throw new Error('@Ctx() used where the access guard did not run');
  }
  return request.ctx;
});
