import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ConflictError } from '../../common/errors/domain-errors.js';
import { AuditService } from '../audit/audit.service.js';
import { AgentTokensService } from './agent-tokens.service.js';
import type { AgentTokenDto } from './dto/banned-ip.dto.js';

@Injectable()
export class AgentTokenRotationService {
  constructor(
    private readonly tokens: AgentTokensService,
    private readonly audit: AuditService,
  ) {}

  async rotate(ctx: RequestContext): Promise<AgentTokenDto> {
    if (!this.tokens.enabled) {
      throw new ConflictError('AGENT_TOKEN is not configured, so there is nothing to rotate', 'agent_token_disabled');
    }
    const token = await this.tokens.rotate();
    await this.audit.record(ctx, { action: 'auth.agent_token_rotated', targetType: 'agent_token' });
    return { token };
  }
}
