import { applyDecorators, createParamDecorator, type ExecutionContext, HttpStatus } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiErrors } from '../http/api-responses.decorators.js';
import { RequireAuth } from './auth-level.js';
import type { AuthenticatedRequest } from './authenticated-request.js';
import type { RequestContext } from './request-context.js';

/** OpenAPI security scheme names, registered in `configureOpenApi`. */
export const BEARER_SCHEME = 'bearer';
export const QUERY_TOKEN_SCHEME = 'query-token';
export const REGISTRATION_TOKEN_SCHEME = 'registration-token';

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

/** Agent or user (seed `check_auth`): a user JWT, `AGENT_TOKEN` in either form, or a registered agent's key. */
export const Authenticated = () =>
  applyDecorators(
    RequireAuth('principal'),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(QUERY_TOKEN_SCHEME),
    ApiErrors(UNAUTHENTICATED),
  );

/** A user JWT or `AGENT_TOKEN` in either form, never a registered agent's key (403 for agents). */
export const PeopleOrHubToken = () =>
  applyDecorators(
    RequireAuth('people'),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(QUERY_TOKEN_SCHEME),
    ApiErrors(UNAUTHENTICATED, [HttpStatus.FORBIDDEN, 'Registered agents may not call this endpoint']),
  );

/** The `METRICS_TOKEN` bearer, or an administrator's bearer credential (header only, as scrapers send it). */
export const MetricsTokenOrAdmin = () =>
  applyDecorators(
    RequireAuth('metrics'),
    ApiBearerAuth(BEARER_SCHEME),
    ApiErrors(UNAUTHENTICATED, [HttpStatus.FORBIDDEN, 'The caller is neither the metrics token nor an administrator']),
  );

/** People only (seed `check_user_auth`): a user access JWT in the Authorization header. */
export const UserOnly = () =>
  applyDecorators(
    RequireAuth('user'),
    ApiBearerAuth(BEARER_SCHEME),
    ApiErrors(UNAUTHENTICATED, [HttpStatus.FORBIDDEN, 'Not available to this kind of caller']),
  );

/** Administrators (seed `admin_required`): `AGENT_TOKEN` in either form, or a user with role `admin`. */
export const AdminOnly = () =>
  applyDecorators(
    RequireAuth('admin'),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(QUERY_TOKEN_SCHEME),
    ApiErrors(UNAUTHENTICATED, [HttpStatus.FORBIDDEN, 'The caller is not an administrator']),
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
