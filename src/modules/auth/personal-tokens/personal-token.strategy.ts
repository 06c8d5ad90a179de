import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { BearerCredentialStrategy } from '../../../common/auth/bearer-credential.strategy.js';
import { PassportRegistryService } from '../../../common/auth/passport-registry.service.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { PERSONAL_TOKEN_STRATEGY } from '../../../common/auth/strategy-names.js';
import { hashPersonalToken, looksLikePersonalToken } from './personal-token-secret.js';
import { PersonalTokensRepository } from './personal-tokens.repository.js';

/**
 * A personal access token: its owner, limited to the token's scopes, with the owner's current role (a
 * demoted owner's token loses admin at once). Read on every request, so revocation, expiry and a disabled
 * owner take effect at once on every instance.
 */
@Injectable()
export class PersonalTokenStrategy extends PassportStrategy(BearerCredentialStrategy, PERSONAL_TOKEN_STRATEGY) {
  constructor(
    private readonly tokens: PersonalTokensRepository,
    registry: PassportRegistryService,
  ) {
    super();
    registry.register(PERSONAL_TOKEN_STRATEGY, this);
  }

  async validate(credential: string): Promise<UserPrincipal | false> {
    if (!looksLikePersonalToken(credential)) {
      return false;
    }
    const token = await this.tokens.findActive(hashPersonalToken(credential));
    if (!token) {
      return false;
    }
    await this.tokens.touch(token.id);
    return {
      kind: 'user',
      id: token.userId,
      username: token.username,
      role: token.role,
      scopes: token.scopes,
      tokenId: token.id,
    };
  }
}
