import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthenticatedError } from '../errors/domain-errors.js';
import { type AuthLevel, DEFAULT_AUTH_LEVEL, RequireAuth } from './auth-level.js';
import type { AuthenticatedRequest } from './authenticated-request.js';
import { extractCredential } from './credential.js';
import { PassportRegistryService } from './passport-registry.service.js';
import type { AnonymousPrincipal, Principal } from './principal.js';
import { requestContext } from './request-context.js';
import { ANY_CREDENTIAL_STRATEGIES, USER_JWT_STRATEGY } from './strategy-names.js';

const ANONYMOUS: AnonymousPrincipal = Object.freeze({ kind: 'anonymous', id: 'anonymous' });

/**
 * The one global guard: deny by default. Reads the route's declared level (`principal` when none is
 * declared), authenticates through passport with the strategies that level admits, enforces the level and
 * leaves the request context on the request for `@Ctx()`.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly passport: PassportRegistryService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const level: AuthLevel =
      this.reflector.getAllAndOverride(RequireAuth, [context.getHandler(), context.getClass()]) ?? DEFAULT_AUTH_LEVEL;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (level === 'public') {
      request.ctx = requestContext(await this.optionalPrincipal(context, request), request.id, request.ip);
      return true;
    }
    request.credential = extractCredential(request, level !== 'user');
    if (!request.credential) {
      throw new UnauthenticatedError();
    }
    // On user-only routes only the user-JWT strategy runs, so any other credential is a 401 there.
    const strategies = level === 'user' ? [USER_JWT_STRATEGY] : ANY_CREDENTIAL_STRATEGIES;
    const principal = await this.passport.authenticate(strategies, request, context.switchToHttp().getResponse());
    const ctx = requestContext(principal, request.id, request.ip);
    if (level === 'admin' && !ctx.isAdmin) {
      throw new ForbiddenError('This endpoint requires an administrator');
    }
    request.ctx = ctx;
    return true;
  }

  /**
   * Public routes still get a context (audit entries of anonymous actions need the request id and IP), and
   * a caller who sends a valid credential is known there (an admin registering an agent). An invalid or
   * stale credential on a public route is ignored rather than refused: Swagger UI sends the authorised
   * token to every route, login included.
   */
  private async optionalPrincipal(context: ExecutionContext, request: AuthenticatedRequest): Promise<Principal> {
    request.credential = extractCredential(request, true);
    if (!request.credential) {
      return ANONYMOUS;
    }
    try {
      return await this.passport.authenticate(ANY_CREDENTIAL_STRATEGIES, request, context.switchToHttp().getResponse());
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        return ANONYMOUS;
      }
      throw error;
    }
  }
}
