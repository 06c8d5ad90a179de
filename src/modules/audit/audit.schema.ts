import type { ModuleSchema } from '../../database/module-schema.js';
import { AuditLogEntity } from './audit-log.entity.js';

/** The audit log (its table dates from the identity migration in auth, applied by name everywhere). */
export const AUDIT_SCHEMA: ModuleSchema = {
  entities: [AuditLogEntity],
  migrations: [],
};
