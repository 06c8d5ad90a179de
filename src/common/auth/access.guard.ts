import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthenticatedError } from '../errors/domain-errors.js';
import { type AuthLevel, DEFAULT_AUTH_LEVEL, RequireAuth, RequireScope } from './auth-level.js';
import type { AuthenticatedRequest } from './authenticated-request.js';
import { extractCredential } from './credential.js';
import { PassportRegistryService } from './passport-registry.service.js';
import { type AnonymousPrincipal, type Principal, scopesOf } from './principal.js';
import { requestContext } from './request-context.js';
import { grants, type Scope } from './scopes.js';
import { ANY_CREDENTIAL_STRATEGIES, METRICS_TOKEN_STRATEGY, USER_JWT_STRATEGY } from './strategy-names.js';
import type { RequestContext } from './request-context.js';

const ANONYMOUS: AnonymousPrincipal = Object.freeze({ kind: 'anonymous', id: 'anonymous' });

type CheckedLevel = Exclude<AuthLevel, 'public'>;

/**
 * Per level: the strategies that may authenticate the caller, whether `?token=` is read (as in the seed, not
 * on user-only routes; a scraper sends a header), and who among the authenticated is let through (403
 * otherwise). On user-only routes only the user-JWT strategy runs, so any other credential is a 401 there.
 */
const LEVELS: Record<
  CheckedLevel,
  { strategies: string[]; queryToken: boolean; refusal?: (ctx: RequestContext) => string | undefined }
> = {
  principal: { strategies: ANY_CREDENTIAL_STRATEGIES, queryToken: true },
  people: {
    strategies: ANY_CREDENTIAL_STRATEGIES,
    queryToken: true,
    refusal: (ctx) => (ctx.principal.kind === 'agent' ? 'Registered agents may not call this endpoint' : undefined),
  },
  user: { strategies: [USER_JWT_STRATEGY], queryToken: false },
  admin: {
    strategies: ANY_CREDENTIAL_STRATEGIES,
    queryToken: true,
    refusal: (ctx) => (ctx.isAdmin ? undefined : 'This endpoint requires an administrator'),
  },
  metrics: {
    strategies: [METRICS_TOKEN_STRATEGY, ...ANY_CREDENTIAL_STRATEGIES],
    queryToken: false,
    refusal: (ctx) =>
      ctx.isAdmin || ctx.principal.kind === 'metrics-scraper' ? undefined : 'Metrics are for administrators',
  },
};

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
    const targets = [context.getHandler(), context.getClass()];
    const level: AuthLevel = this.reflector.getAllAndOverride(RequireAuth, targets) ?? DEFAULT_AUTH_LEVEL;
    const scope = this.reflector.getAllAndOverride(RequireScope, targets);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (level === 'public') {
      request.ctx = requestContext(await this.optionalPrincipal(context, request, scope), request.id, request.ip);
      return true;
    }
    const rule = LEVELS[level];
    request.credential = extractCredential(request, rule.queryToken);
    if (!request.credential) {
      throw new UnauthenticatedError();
    }
    const principal = await this.passport.authenticate(rule.strategies, request, context.switchToHttp().getResponse());
    const ctx = requestContext(principal, request.id, request.ip);
    const refusal = rule.refusal?.(ctx);
    if (refusal) {
      throw new ForbiddenError(refusal);
    }
    // Deny by default here too: a restricted credential reaches no route that names no scope.
    const granted = scopesOf(principal);
    if (granted !== undefined && !(scope && grants(granted, scope))) {
      throw new ForbiddenError(
        `The token does not carry the scope ${scope ?? 'this route needs'}`,
        'insufficient_scope',
      );
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
  private async optionalPrincipal(
    context: ExecutionContext,
    request: AuthenticatedRequest,
    scope: Scope | undefined,
  ): Promise<Principal> {
    request.credential = extractCredential(request, true);
    if (!request.credential) {
      return ANONYMOUS;
    }
    try {
      const principal = await this.passport.authenticate(
        ANY_CREDENTIAL_STRATEGIES,
        request,
        context.switchToHttp().getResponse(),
      );
      // A token without the route's scope is no credential here, so the handler sees an anonymous caller.
      return scope && !grants(scopesOf(principal), scope) ? ANONYMOUS : principal;
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        return ANONYMOUS;
      }
      throw error;
    }
  }
}
