import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import type { AuthenticatedRequest } from '../../../common/auth/authenticated-request.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { USER_JWT_STRATEGY } from '../../../common/auth/strategy-names.js';
import { PassportRegistryService } from '../../../common/auth/passport-registry.service.js';
import { AppConfig } from '../../../config/app-config.js';
import { SessionVersionsService } from '../../users/session-versions.service.js';
import { type AccessTokenClaims, toUserPrincipal } from '../access-token-claims.js';
import { JWT_CLOCK_TOLERANCE_SECONDS } from '../agent-token.matcher.js';

/**
 * Verifies user access tokens: HS256 only, signed with SECRET_KEY, `exp`, issuer and audience required,
 * and the user's current token version (revocation after password/role change, disable, delete).
 */
@Injectable()
export class UserJwtStrategy extends PassportStrategy(Strategy, USER_JWT_STRATEGY) {
  constructor(
    config: AppConfig,
    private readonly sessions: SessionVersionsService,
    registry: PassportRegistryService,
  ) {
    super({
      jwtFromRequest: (request: AuthenticatedRequest) => request.credential ?? null,
      // passport-jwt's types predate KeyObject; jsonwebtoken 9 accepts it and skips re-importing the key.
      secretOrKey: config.jwt.key as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      jsonWebTokenOptions: { clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS },
    });
    registry.register(USER_JWT_STRATEGY, this);
  }

  async validate(payload: Partial<AccessTokenClaims>): Promise<UserPrincipal | false> {
    const principal = toUserPrincipal(payload);
    if (!principal || typeof payload.ver !== 'number') {
      return false;
    }
    return (await this.sessions.isCurrent(principal.id, payload.ver)) ? principal : false;
  }
}
