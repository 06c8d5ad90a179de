import { randomBytes } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { SecretBoxService } from '../../common/crypto/secret-box.service.js';
import { AppConfig } from '../../config/app-config.js';
import { AgentTokenMatcher, type AcceptedAgentToken } from './agent-token.matcher.js';
import { AgentTokenRepository } from './agent-token.repository.js';

/** How long an instance may keep using a cached token list; a rotation reaches every instance within it. */
export const AGENT_TOKEN_CACHE_TTL_MS = 2_000;

/**
 * The hub's AGENT_TOKEN as every instance sees it. The environment only seeds the first value; after a
 * rotation the stored token supersedes it, so a restart with the old environment does not revive it. With
 * AGENT_TOKEN unset, hub-token authentication is off altogether.
 */
@Injectable()
export class AgentTokensService implements OnModuleInit {
  private cached?: { matcher: AgentTokenMatcher; expiresAt: number };

  constructor(
    private readonly config: AppConfig,
    private readonly repository: AgentTokenRepository,
    private readonly box: SecretBoxService,
  ) {}

  get enabled(): boolean {
    return this.config.agentToken.value !== undefined;
  }

  async onModuleInit(): Promise<void> {
    if (this.config.agentToken.value) {
      await this.repository.seed(this.box.seal(this.config.agentToken.value));
    }
  }

  async matches(credential: string): Promise<boolean> {
    if (!this.enabled) {
      return false;
    }
    return (await this.matcher()).matches(credential);
  }

  /** A new token, returned once; the previous one keeps working for the grace period. */
  async rotate(): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.repository.rotate(this.box.seal(token), this.config.agentToken.rotationGraceSeconds);
    this.cached = undefined;
    return token;
  }

  private async matcher(): Promise<AgentTokenMatcher> {
    if (this.cached && this.cached.expiresAt > Date.now()) {
      return this.cached.matcher;
    }
    const state = await this.repository.get();
    const tokens: AcceptedAgentToken[] = [];
    if (state) {
      tokens.push({ token: this.box.open(state.currentSealed) });
      if (state.previousSealed && state.previousValidUntil) {
        tokens.push({ token: this.box.open(state.previousSealed), validUntil: state.previousValidUntil });
      }
    }
    const matcher = new AgentTokenMatcher(tokens, this.config.jwt.audience);
    this.cached = { matcher, expiresAt: Date.now() + AGENT_TOKEN_CACHE_TTL_MS };
    return matcher;
  }
}
