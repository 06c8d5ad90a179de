import { CreateUsers1795660800000 } from './1795660800000-CreateUsers.js';
import { CreateIdentityAndAudit1795660900000 } from './1795660900000-CreateIdentityAndAudit.js';

/** Every migration, oldest first; an explicit list so a renamed file is a compile error, not a skipped step. */
export const migrations = [CreateUsers1795660800000, CreateIdentityAndAudit1795660900000];
