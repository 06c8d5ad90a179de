import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import type { AuthenticatedRequest } from '../../../common/auth/authenticated-request.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { USER_JWT_STRATEGY } from '../../../common/auth/strategy-names.js';
import { AppConfig } from '../../../config/app-config.js';
import { type AccessTokenClaims, toUserPrincipal } from '../access-token-claims.js';

/** Clock skew tolerated between hub instances and token issuers (SPEC: at most 30 s). */
export const JWT_CLOCK_TOLERANCE_SECONDS = 30;

/** Verifies user access tokens: HS256 only, signed with SECRET_KEY, `exp`, issuer and audience required. */
@Injectable()
export class UserJwtStrategy extends PassportStrategy(Strategy, USER_JWT_STRATEGY) {
  constructor(config: AppConfig) {
    super({
      jwtFromRequest: (request: AuthenticatedRequest) => request.credential ?? null,
      // passport-jwt's types predate KeyObject; jsonwebtoken 9 accepts it and skips re-importing the key.
      secretOrKey: config.jwt.key as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      jsonWebTokenOptions: { clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS },
    });
  }

  validate(payload: Partial<AccessTokenClaims>): UserPrincipal | false {
    return toUserPrincipal(payload) ?? false;
  }
}
