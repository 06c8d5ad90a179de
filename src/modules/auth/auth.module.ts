import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AgentTokenVerifier } from './agent-token.verifier.js';
import { HubTokenStrategy } from './strategies/hub-token.strategy.js';
import { UserJwtStrategy } from './strategies/user-jwt.strategy.js';

/**
 * Credentials: the passport strategies the global access guard runs. Login, refresh tokens and MFA join
 * this module with the identity work (issue 3).
 */
@Module({
  imports: [PassportModule],
  providers: [AgentTokenVerifier, UserJwtStrategy, HubTokenStrategy],
})
export class AuthModule {}
