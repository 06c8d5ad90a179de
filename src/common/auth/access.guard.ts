import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, type IAuthGuard } from '@nestjs/passport';
import { ForbiddenError, UnauthenticatedError } from '../errors/domain-errors.js';
import { type AuthLevel, DEFAULT_AUTH_LEVEL, RequireAuth } from './auth-level.js';
import type { AuthenticatedRequest } from './authenticated-request.js';
import { extractCredential } from './credential.js';
import type { AnonymousPrincipal, Principal } from './principal.js';
import { requestContext } from './request-context.js';
import { ANY_CREDENTIAL_STRATEGIES, USER_JWT_STRATEGY } from './strategy-names.js';

const ANONYMOUS: AnonymousPrincipal = Object.freeze({ kind: 'anonymous', id: 'anonymous' });

function passportAuthenticator(strategies: string[]): IAuthGuard {
  class Authenticator extends AuthGuard(strategies) {
    override handleRequest<T>(error: unknown, principal: T | false): T {
      if (error instanceof Error) {
        throw error; // a strategy's own error (revoked token → 401, database down → 503) keeps its meaning
      }
      if (error || !principal) {
        throw new UnauthenticatedError();
      }
      return principal;
    }
  }
  return new Authenticator();
}

/**
 * The one global guard: deny by default. Reads the route's declared level (`principal` when none is
 * declared), authenticates through passport with the strategies that level admits, enforces the level and
 * leaves the request context on the request for `@Ctx()`.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly anyCredential = passportAuthenticator(ANY_CREDENTIAL_STRATEGIES);
  private readonly userCredential = passportAuthenticator([USER_JWT_STRATEGY]);

  constructor(private readonly reflector: Reflector) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const level: AuthLevel =
      this.reflector.getAllAndOverride(RequireAuth, [context.getHandler(), context.getClass()]) ?? DEFAULT_AUTH_LEVEL;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (level === 'public') {
      // Public handlers still get a context: audit entries of anonymous actions need the request id and IP.
      request.ctx = requestContext(ANONYMOUS, request.id, request.ip);
      return true;
    }
    request.credential = extractCredential(request, level !== 'user');
    if (!request.credential) {
      throw new UnauthenticatedError();
    }
    await (level === 'user' ? this.userCredential : this.anyCredential).canActivate(context);
    const principal = request.user as Principal;
    const ctx = requestContext(principal, request.id, request.ip);
    if (level === 'user' && principal.kind !== 'user') {
      throw new ForbiddenError('This endpoint is available to users only');
    }
    if (level === 'admin' && !ctx.isAdmin) {
      throw new ForbiddenError('This endpoint requires an administrator');
    }
    request.ctx = ctx;
    return true;
  }
}
