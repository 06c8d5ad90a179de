import { IDEMPOTENCY_SCHEMA } from './common/idempotency/idempotency.schema.js';
import { RATE_LIMIT_SCHEMA } from './common/rate-limit/rate-limit.schema.js';
import { composeSchemas } from './database/module-schema.js';
import { AGENTS_SCHEMA } from './modules/agents/agents.schema.js';
import { AUDIT_SCHEMA } from './modules/audit/audit.schema.js';
import { AUTH_SCHEMA } from './modules/auth/auth.schema.js';
import { EVENTS_SCHEMA } from './modules/events/events.schema.js';
import { SCHEDULER_SCHEMA } from './modules/scheduler/scheduler.schema.js';
import { SYSTEM_SCHEMA } from './modules/system/system.schema.js';
import { TASKS_SCHEMA } from './modules/tasks/tasks.schema.js';
import { TEAMS_SCHEMA } from './modules/teams/teams.schema.js';
import { TEMPLATES_SCHEMA } from './modules/templates/templates.schema.js';
import { USERS_SCHEMA } from './modules/users/users.schema.js';

/**
 * The hub's own tables: every module's schema, composed once. The app adds the schemas of the extensions it
 * is built with (`createApp({ schemas })`); the TypeORM CLI and the tests use this list as it is.
 */
export const HUB_SCHEMA = composeSchemas(
  USERS_SCHEMA,
  AUTH_SCHEMA,
  AUDIT_SCHEMA,
  AGENTS_SCHEMA,
  TEMPLATES_SCHEMA,
  TEAMS_SCHEMA,
  RATE_LIMIT_SCHEMA,
  IDEMPOTENCY_SCHEMA,
  TASKS_SCHEMA,
  SYSTEM_SCHEMA,
  SCHEDULER_SCHEMA,
  EVENTS_SCHEMA,
);
