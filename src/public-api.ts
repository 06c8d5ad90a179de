/**
 * The hub's public surface for extension modules (docs/extending.md). Extensions import from this file only
 * (eslint enforces it for examples/**); everything else under src/ is internal and may change.
 */

// Building and configuring the hub with extra modules.
export { createApp, type CreateAppOptions } from './app/create-app.js';
export type { AppModuleImports } from './app.module.js';
export type { EntityClass, MigrationClass, ModuleSchema } from './database/module-schema.js';
export { AppConfig } from './config/app-config.js';
export { InvalidEnvironmentError } from './config/env.schema.js';
export { configFromProcessEnv } from './config/load-environment.js';

// Auth levels and the caller.
export {
  AdminOnly,
  Authenticated,
  Ctx,
  MetricsTokenOrAdmin,
  PeopleOrHubToken,
  Public,
  UserOnly,
} from './common/auth/auth.decorators.js';
export type {
  AgentPrincipal,
  AnonymousPrincipal,
  HubTokenPrincipal,
  MetricsScraperPrincipal,
  Principal,
  SystemPrincipal,
  UserPrincipal,
  UserRole,
} from './common/auth/principal.js';
export type { RequestContext } from './common/auth/request-context.js';
export { type Scope, SCOPES } from './common/auth/scopes.js';

// Errors and the response envelope.
export {
  ConflictError,
  DomainError,
  type FieldProblem,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationFailedError,
} from './common/errors/domain-errors.js';
export { ApiErrors, ApiSuccess } from './common/http/api-responses.decorators.js';
export { Idempotent } from './common/idempotency/idempotent.decorator.js';
export { type Page, PageQueryDto, pageOf } from './common/http/pagination.dto.js';

// The providers an extension module injects after importing HubServicesModule.
export { HubServicesModule } from './extension/hub-services.module.js';
export { AuditService, type AuditEvent } from './modules/audit/audit.service.js';
export type { AuditOutcome } from './modules/audit/audit-log.entity.js';
export { TasksFacade, type TaskFilter } from './modules/tasks/tasks.facade.js';
export { TaskResponseDto } from './modules/tasks/dto/task.response.dto.js';
export type { TaskPriority, TaskStatus } from './modules/tasks/task-status.js';
export { WebhookSenderService } from './modules/tasks/callbacks/webhook-sender.service.js';
export { SIGNATURE_HEADER, type SendResult } from './modules/tasks/callbacks/callback-sender.service.js';
export { SystemJobsService } from './modules/scheduler/system-jobs.service.js';
export { isValidCron } from './modules/scheduler/schedule-timing.js';
