import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { BearerCredentialStrategy } from '../../common/auth/bearer-credential.strategy.js';
import { PassportRegistryService } from '../../common/auth/passport-registry.service.js';
import type { AgentPrincipal } from '../../common/auth/principal.js';
import { AGENT_DEFAULT_SCOPES } from '../../common/auth/scopes.js';
import { AGENT_KEY_STRATEGY } from '../../common/auth/strategy-names.js';
import { hashAgentKey, looksLikeAgentKey } from './agent-keys.js';
import { AgentsRepository } from './agents.repository.js';

/**
 * A registered agent's own key: agent-or-user level, never admin. Looked up by its hash on every request
 * (a unique-index read), so a rotated key or a deleted or disabled agent stops working at once.
 */
@Injectable()
export class AgentKeyStrategy extends PassportStrategy(BearerCredentialStrategy, AGENT_KEY_STRATEGY) {
  constructor(
    private readonly agents: AgentsRepository,
    registry: PassportRegistryService,
  ) {
    super();
    registry.register(AGENT_KEY_STRATEGY, this);
  }

  async validate(credential: string): Promise<AgentPrincipal | false> {
    if (!looksLikeAgentKey(credential)) {
      return false;
    }
    const agent = await this.agents.getByKeyHash(hashAgentKey(credential));
    return agent && agent.status !== 'disabled'
      ? { kind: 'agent', id: agent.id, name: agent.name, scopes: agent.scopes ?? AGENT_DEFAULT_SCOPES }
      : false;
  }
}
