import type { ModuleSchema } from '../../database/module-schema.js';
import { CreateUsers1795660800000 } from './migrations/1795660800000-CreateUsers.js';
import { UserOidcIdentity1797100000000 } from './migrations/1797100000000-UserOidcIdentity.js';
import { PasswordHistoryEntity } from './password-history.entity.js';
import { UserEntity } from './user.entity.js';

/** Users and their password history (the history table itself dates from the identity migration in auth). */
export const USERS_SCHEMA: ModuleSchema = {
  entities: [UserEntity, PasswordHistoryEntity],
  migrations: [CreateUsers1795660800000, UserOidcIdentity1797100000000],
};
