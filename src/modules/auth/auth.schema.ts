import type { ModuleSchema } from '../../database/module-schema.js';
import { AgentTokenStateEntity } from './agent-token-state.entity.js';
import { BannedIpEntity } from './banned-ip.entity.js';
import { LoginAttemptEntity } from './login-attempt.entity.js';
import { CreateIdentityAndAudit1795660900000 } from './migrations/1795660900000-CreateIdentityAndAudit.js';
import { PersonalAccessTokens1797000000000 } from './migrations/1797000000000-PersonalAccessTokens.js';
import { CreateOidcLoginRequests1797100100000 } from './migrations/1797100100000-CreateOidcLoginRequests.js';
import { OidcClientBridge1797100200000 } from './migrations/1797100200000-OidcClientBridge.js';
import { OidcClientCodeEntity } from './oidc/oidc-client-code.entity.js';
import { OidcLoginRequestEntity } from './oidc/oidc-login-request.entity.js';
import { PersonalAccessTokenEntity } from './personal-tokens/personal-access-token.entity.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';

/**
 * Sessions, personal access tokens, OIDC logins under way, login throttling and the AGENT_TOKEN state. Its
 * first migration predates per-module schemas and also created the users' password history and the audit
 * log; it stays whole, since installations have applied it by name.
 */
export const AUTH_SCHEMA: ModuleSchema = {
  entities: [
    RefreshTokenEntity,
    LoginAttemptEntity,
    BannedIpEntity,
    AgentTokenStateEntity,
    PersonalAccessTokenEntity,
    OidcLoginRequestEntity,
    OidcClientCodeEntity,
  ],
  migrations: [
    CreateIdentityAndAudit1795660900000,
    PersonalAccessTokens1797000000000,
    CreateOidcLoginRequests1797100100000,
    OidcClientBridge1797100200000,
  ],
};
