import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { HubTokenPrincipal } from '../../../common/auth/principal.js';
import { HUB_TOKEN_STRATEGY } from '../../../common/auth/strategy-names.js';
import { PassportRegistryService } from '../../../common/auth/passport-registry.service.js';
import { AgentTokensService } from '../agent-tokens.service.js';
import { BearerCredentialStrategy } from '../../../common/auth/bearer-credential.strategy.js';

const HUB_TOKEN: HubTokenPrincipal = Object.freeze({ kind: 'hub-token', id: 'hub-token' });

/** `AGENT_TOKEN`, static or as a JWT key: grants admin (seed `check_auth` / `admin_required`). */
@Injectable()
export class HubTokenStrategy extends PassportStrategy(BearerCredentialStrategy, HUB_TOKEN_STRATEGY) {
  constructor(
    private readonly tokens: AgentTokensService,
    registry: PassportRegistryService,
  ) {
    super();
    registry.register(HUB_TOKEN_STRATEGY, this);
  }

  async validate(credential: string): Promise<HubTokenPrincipal | false> {
    return (await this.tokens.matches(credential)) ? HUB_TOKEN : false;
  }
}
