import { RateLimitBucketEntity } from '../common/rate-limit/rate-limit-bucket.entity.js';
import { AgentEntity } from '../modules/agents/agent.entity.js';
import { AuditLogEntity } from '../modules/audit/audit-log.entity.js';
import { AgentTokenStateEntity } from '../modules/auth/agent-token-state.entity.js';
import { BannedIpEntity } from '../modules/auth/banned-ip.entity.js';
import { LoginAttemptEntity } from '../modules/auth/login-attempt.entity.js';
import { RefreshTokenEntity } from '../modules/auth/refresh-token.entity.js';
import { PasswordHistoryEntity } from '../modules/users/password-history.entity.js';
import { ScheduledTaskRunEntity } from '../modules/scheduler/scheduled-task-run.entity.js';
import { ScheduledTaskEntity } from '../modules/scheduler/scheduled-task.entity.js';
import { SystemJobRunEntity } from '../modules/scheduler/system-job-run.entity.js';
import { ConfigEntryEntity } from '../modules/system/config/config-entry.entity.js';
import { StatsSnapshotEntity } from '../modules/system/stats/stats-snapshot.entity.js';
import { ArchivedTaskEntity } from '../modules/tasks/archived-task.entity.js';
import { CallbackDeliveryEntity } from '../modules/tasks/callbacks/callback-delivery.entity.js';
import { TaskEntity } from '../modules/tasks/task.entity.js';
import { RoleEntity } from '../modules/teams/role.entity.js';
import { TeamMemberEntity } from '../modules/teams/team-member.entity.js';
import { TeamTypeRoleLinkEntity } from '../modules/teams/team-type-role-link.entity.js';
import { TeamTypeEntity } from '../modules/teams/team-type.entity.js';
import { TeamEntity } from '../modules/teams/team.entity.js';
import { TemplateEntity } from '../modules/templates/template.entity.js';
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
  AgentEntity,
  TemplateEntity,
  RoleEntity,
  TeamTypeEntity,
  TeamTypeRoleLinkEntity,
  TeamEntity,
  TeamMemberEntity,
  SystemJobRunEntity,
  RateLimitBucketEntity,
  TaskEntity,
  ArchivedTaskEntity,
  CallbackDeliveryEntity,
  ConfigEntryEntity,
  StatsSnapshotEntity,
  ScheduledTaskEntity,
  ScheduledTaskRunEntity,
];
