import { AuditLogEntity } from '../modules/audit/audit-log.entity.js';
import { AgentTokenStateEntity } from '../modules/auth/agent-token-state.entity.js';
import { BannedIpEntity } from '../modules/auth/banned-ip.entity.js';
import { LoginAttemptEntity } from '../modules/auth/login-attempt.entity.js';
import { RefreshTokenEntity } from '../modules/auth/refresh-token.entity.js';
import { PasswordHistoryEntity } from '../modules/users/password-history.entity.js';
import { UserEntity } from '../modules/users/user.entity.js';

/** The one explicit list of entity classes; the app, the TypeORM CLI and the tests share it. */
export const entities = [
  UserEntity,
  PasswordHistoryEntity,
  RefreshTokenEntity,
  LoginAttemptEntity,
  BannedIpEntity,
  AgentTokenStateEntity,
  AuditLogEntity,
];
