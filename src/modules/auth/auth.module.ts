import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../config/app-config.js';
import { AuditModule } from '../audit/audit.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminSecurityController } from './admin-security.controller.js';
import { AgentTokenRotationService } from './agent-token-rotation.service.js';
import { AgentTokenStateEntity } from './agent-token-state.entity.js';
import { AgentTokenRepository } from './agent-token.repository.js';
import { AgentTokensService } from './agent-tokens.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { BannedIpEntity } from './banned-ip.entity.js';
import { BannedIpsRepository } from './banned-ips.repository.js';
import { BannedIpsService } from './banned-ips.service.js';
import { CredentialCheckerService } from './credential-checker.service.js';
import { LoginAttemptEntity } from './login-attempt.entity.js';
import { LoginAttemptsRepository } from './login-attempts.repository.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { MfaService } from './mfa.service.js';
import { OidcClientBridgeService } from './oidc/oidc-client-bridge.service.js';
import { OidcClientCodesRepository } from './oidc/oidc-client-codes.repository.js';
import { OidcClientService } from './oidc/oidc-client.service.js';
import { OidcCookie } from './oidc/oidc-cookie.js';
import { OidcClientCodeEntity } from './oidc/oidc-client-code.entity.js';
import { OidcLoginRequestEntity } from './oidc/oidc-login-request.entity.js';
import { OidcLoginRequestsRepository } from './oidc/oidc-login-requests.repository.js';
import { OidcLoginService } from './oidc/oidc-login.service.js';
import { OidcController } from './oidc/oidc.controller.js';
import { PersonalAccessTokenEntity } from './personal-tokens/personal-access-token.entity.js';
import { PersonalTokenStrategy } from './personal-tokens/personal-token.strategy.js';
import { PersonalTokensController } from './personal-tokens/personal-tokens.controller.js';
import { PersonalTokensRepository } from './personal-tokens/personal-tokens.repository.js';
import { PersonalTokensService } from './personal-tokens/personal-tokens.service.js';
import { ProfileController } from './profile.controller.js';
import { ProfileService } from './profile.service.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { HubTokenStrategy } from './strategies/hub-token.strategy.js';
import { UserJwtStrategy } from './strategies/user-jwt.strategy.js';
import { TokenService } from './token.service.js';

/**
 * Credentials and sessions: login, refresh families, MFA, personal access tokens, brute-force protection,
 * AGENT_TOKEN.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      RefreshTokenEntity,
      LoginAttemptEntity,
      BannedIpEntity,
      AgentTokenStateEntity,
      PersonalAccessTokenEntity,
      OidcLoginRequestEntity,
      OidcClientCodeEntity,
    ]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.jwt.key,
        signOptions: {
          algorithm: 'HS256',
          expiresIn: config.jwt.accessTtlSeconds,
          issuer: config.jwt.issuer,
          audience: config.jwt.audience,
        },
      }),
    }),
    UsersModule,
    AuditModule,
  ],
  controllers: [AuthController, OidcController, ProfileController, PersonalTokensController, AdminSecurityController],
  providers: [
    OidcClientBridgeService,
    OidcClientCodesRepository,
    AuthService,
    ProfileService,
    TokenService,
    MfaService,
    CredentialCheckerService,
    LoginThrottleService,
    BannedIpsService,
    AgentTokensService,
    AgentTokenRotationService,
    RefreshTokensRepository,
    LoginAttemptsRepository,
    BannedIpsRepository,
    AgentTokenRepository,
    PersonalTokensService,
    PersonalTokensRepository,
    OidcClientService,
    OidcLoginService,
    OidcLoginRequestsRepository,
    OidcCookie,
    UserJwtStrategy,
    HubTokenStrategy,
    PersonalTokenStrategy,
  ],
  exports: [LoginThrottleService],
})
export class AuthModule {}
